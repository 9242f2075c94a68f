/**
 * Allocations on the simulated conductor (RPC 1.48), as Ironic 21.4's ConductorManager and
 * conductor/allocations.py run them: create_allocation stores the allocation `allocating` and
 * picks a node in the background (or backfills a given node at once); destroy_allocation frees
 * the node unless its state forbids it.
 */
import { ironicError } from '../conductor/exceptions.ts';
import * as S from '../conductor/states.ts';
import { RemoteError } from '../rpc/errors.ts';
import type { Args, Sim } from './context.ts';
import { fromPrimitive, toPrimitive, type TraitRow } from './primitives.ts';
import { ALLOCATION, type Row } from './schema.ts';
import type { NodeRow } from './store.ts';

export const ALLOCATING = 'allocating';
export const ALLOCATION_ACTIVE = 'active';
export const ALLOCATION_ERROR = 'error';

/** [conductor]node_locked_retry_attempts: how often the whole candidate list is tried again. */
const RETRY_ATTEMPTS = 3;

/** states.UPDATE_ALLOWED_STATES of 21.4 (with `inspect wait`). */
const UPDATE_ALLOWED = [...S.UPDATE_ALLOWED_STATES, 'inspect wait'];

const allocationFailed = (uuid: unknown, error: string): Error =>
  ironicError('AllocationFailed', `Failed to process allocation ${String(uuid)}: ${error}.`, { uuid, error });

const excType = (err: unknown): string | undefined =>
  err instanceof RemoteError ? err.exc_type : (err as { exc_type?: string } | undefined)?.exc_type;

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

const traitsOf = (node: NodeRow): Set<string> => new Set((node.traits ?? []).map((t: TraitRow) => t.trait));

function traitsMatch(wanted: readonly string[], node: NodeRow): boolean {
  const have = traitsOf(node);
  return wanted.every((t) => have.has(t));
}

const stringList = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x) => typeof x === 'string') : []);

/** _allocation_failed: node_id None, state error, last_error; an allocation deleted meanwhile is left alone. */
function markFailed(sim: Sim, allocationId: number, reason: string): void {
  const row = sim.store.allocations.rows.get(allocationId);
  if (!row) return;
  try {
    sim.store.updateAllocation(row, { node_id: null, state: ALLOCATION_ERROR, last_error: reason });
  } catch (err) {
    sim.logger.error({ err }, `simulated conductor: could not save the failed allocation ${row.uuid}`);
  }
}

/** allocations._candidate_nodes: available, unassociated, powered, not in maintenance, of the class, traits, name first. */
function candidateNodes(sim: Sim, allocation: Row): NodeRow[] {
  const wantedUuids = stringList(allocation.candidate_nodes);
  const owner = allocation.owner;
  let nodes = [...sim.store.nodes.rows.values()].filter((r) => {
    const n = r as NodeRow;
    if (n.resource_class !== allocation.resource_class) return false;
    if (n.provision_state !== S.AVAILABLE || n.instance_uuid !== null || n.power_state === null) return false;
    if (n.maintenance) return false;
    if (wantedUuids.length && !wantedUuids.includes(n.uuid)) return false;
    if (typeof owner === 'string' && owner && n.owner !== owner && n.lessee !== owner) return false;
    return true;
  }) as NodeRow[];
  if (nodes.length === 0) {
    throw allocationFailed(
      allocation.uuid,
      wantedUuids.length
        ? `none of the requested nodes are available and match the resource class ${String(allocation.resource_class)}`
        : `no available nodes match the resource class ${String(allocation.resource_class)}`,
    );
  }
  const traits = stringList(allocation.traits);
  if (traits.length) {
    nodes = nodes.filter((n) => traitsMatch(traits, n));
    if (nodes.length === 0)
      throw allocationFailed(
        allocation.uuid,
        `no suitable nodes have the requested traits ${[...new Set(traits)].join(', ')}`,
      );
  }
  // parallel allocations must not try the nodes in the same order
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j], nodes[i]];
  }
  // 1.79: a node named as the allocation is tried first
  if (typeof allocation.name === 'string' && allocation.name) {
    const i = nodes.findIndex((n) => n.name === allocation.name);
    if (i > 0) nodes.unshift(...nodes.splice(i, 1));
  }
  return nodes;
}

/** allocations._verify_node: the node still fits, now that it is locked. */
function stillFits(node: NodeRow, allocation: Row): boolean {
  if (node.maintenance || node.instance_uuid) return false;
  if (node.provision_state !== S.AVAILABLE || node.resource_class !== allocation.resource_class) return false;
  const traits = stringList(allocation.traits);
  return !traits.length || traitsMatch(traits, node);
}

/** allocations._allocate_node with its retries: any node is tried again only while it was locked. */
async function allocateNode(sim: Sim, allocationId: number, candidates: NodeRow[]): Promise<void> {
  let nodes = candidates;
  for (let attempt = 1; ; attempt++) {
    const retry: NodeRow[] = [];
    for (const candidate of nodes) {
      const allocation = sim.store.allocations.rows.get(allocationId);
      if (!allocation) return; // deleted while allocating
      try {
        const done = await sim.tasks.with(candidate.id, { purpose: 'allocating' }, (task) => {
          if (!stillFits(task.node, allocation)) return false;
          sim.store.updateAllocation(allocation, { node_id: task.node.id, state: ALLOCATION_ACTIVE });
          return true;
        });
        if (done) {
          sim.logger.info(
            {},
            `Node ${candidate.uuid} has been successfully reserved for allocation ${allocation.uuid}`,
          );
          return;
        }
      } catch (err) {
        const type = excType(err);
        if (type === 'NodeLocked') retry.push(candidate);
        else if (type === 'NodeNotFound' || type === 'NodeAssociated' || type === 'InstanceAssociated') continue;
        else throw err;
      }
    }
    nodes = retry;
    const allocation = sim.store.allocations.rows.get(allocationId);
    const error = nodes.length
      ? `could not reserve any of ${nodes.length} suitable nodes`
      : 'all nodes were filtered out during reservation';
    if (!nodes.length || attempt >= RETRY_ATTEMPTS) throw allocationFailed(allocation?.uuid, error);
    await sim.sleep(sim.actionDelayMs);
  }
}

/** allocations.do_allocate: never raises; a failure is written to the allocation. */
async function doAllocate(sim: Sim, allocationId: number): Promise<void> {
  await sim.sleep(0);
  const allocation = sim.store.allocations.rows.get(allocationId);
  if (!allocation) return;
  try {
    await allocateNode(sim, allocationId, candidateNodes(sim, allocation));
  } catch (err) {
    if (excType(err) === 'AllocationFailed') markFailed(sim, allocationId, errorText(err));
    else markFailed(sim, allocationId, `Unexpected exception during allocation: ${errorText(err)}`);
  }
}

/** allocations._do_backfill_allocation: an active node that matches the request, reserved at once. */
async function backfill(sim: Sim, allocationId: number, nodeId: unknown): Promise<void> {
  await sim.tasks.with(nodeId, { purpose: 'allocation backfilling' }, (task) => {
    const node = task.node;
    const allocation = sim.store.allocations.byId(allocationId);
    const errors: string[] = [];
    if (node.provision_state !== S.ACTIVE)
      errors.push(`Node must be in the "active" state, but the current state is "${String(node.provision_state)}"`);
    if (allocation.resource_class && node.resource_class !== allocation.resource_class)
      errors.push(
        `Resource class ${String(node.resource_class)} does not match the requested resource class ${String(allocation.resource_class)}`,
      );
    const traits = stringList(allocation.traits);
    if (traits.length && !traitsMatch(traits, node))
      errors.push(
        `List of traits ${JSON.stringify([...traitsOf(node)])} does not match the requested traits ${JSON.stringify(traits)}`,
      );
    const candidates = stringList(allocation.candidate_nodes);
    if (candidates.length && !candidates.includes(node.uuid))
      errors.push(`Candidate nodes must be empty or contain the target node, but got ${JSON.stringify(candidates)}`);
    if (errors.length)
      throw allocationFailed(
        allocation.uuid,
        `Cannot backfill an allocation for node ${node.uuid}: ${errors.join('; ')}`,
      );
    sim.store.updateAllocation(allocation, { node_id: node.id, state: ALLOCATION_ACTIVE });
  });
}

/**
 * create_allocation: the allocation is created (conductor_affinity = this conductor); with a
 * node_id it is backfilled synchronously (a failure is saved on the allocation and raised),
 * otherwise a worker allocates it and the answer is the allocation as created (`allocating`).
 */
export async function create_allocation(sim: Sim, a: Args): Promise<unknown> {
  const { data } = fromPrimitive(a.allocation, 'Allocation');
  const nodeId = data.node_id;
  const values: Record<string, unknown> = { ...data, node_id: null, conductor_affinity: sim.conductorId() };
  delete values.id;
  const row = sim.store.createAllocation(values);
  if (nodeId !== undefined && nodeId !== null && nodeId !== 0) {
    try {
      await backfill(sim, row.id, nodeId);
    } catch (err) {
      const type = excType(err);
      const known = ['AllocationFailed', 'InstanceAssociated', 'NodeAssociated', 'NodeNotFound'];
      markFailed(
        sim,
        row.id,
        type && known.includes(type) ? errorText(err) : `Unexpected exception during allocation: ${errorText(err)}`,
      );
      throw err;
    }
    return toPrimitive(ALLOCATION, row);
  }
  const answer = toPrimitive(ALLOCATION, row);
  sim.pool.run(() => doAllocate(sim, row.id), sim.pool.reserve());
  return answer;
}

/** allocations.verify_node_for_deallocation. */
function checkDeallocation(node: NodeRow, allocation: Row): void {
  if (node.maintenance) return;
  if (node.target_provision_state && !UPDATE_ALLOWED.includes(String(node.provision_state))) {
    throw ironicError(
      'InvalidState',
      `Cannot remove allocation ${allocation.uuid} for node ${node.uuid}, because the node is in state ${String(node.provision_state)} where updates are not allowed (and maintenance mode is off)`,
    );
  }
  if (node.provision_state === S.ACTIVE) {
    throw ironicError(
      'InvalidState',
      `Cannot remove allocation ${allocation.uuid} for node ${node.uuid}, because the node is active (and maintenance mode is off)`,
    );
  }
}

/** destroy_allocation: under the node's lock when it has one (InvalidState, NodeLocked). */
export async function destroy_allocation(sim: Sim, a: Args): Promise<null> {
  const { data } = fromPrimitive(a.allocation, 'Allocation');
  const find = (): Row =>
    data.id !== undefined ? sim.store.allocations.byId(data.id) : sim.store.allocations.byUuid(data.uuid);
  const nodeId = data.node_id;
  if (nodeId !== undefined && nodeId !== null && nodeId !== 0) {
    return sim.tasks.with(nodeId, { purpose: 'allocation deletion' }, (task) => {
      const allocation = find();
      checkDeallocation(task.node, allocation);
      sim.store.destroyAllocation(allocation);
      return null;
    });
  }
  sim.store.destroyAllocation(find());
  return null;
}
