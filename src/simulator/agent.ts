/**
 * The agent's side of ConductorManager at 21.4 (ironic/conductor/manager.py, conductor/utils.py):
 * minting the agent token for a lookup (get_node_with_token, RPC 1.49) and heartbeats, which
 * need the node's token and the agent's version or status.
 */
import { randomBytes } from 'node:crypto';
import { ironicError } from '../conductor/exceptions.ts';
import { asObject, type Args, type Sim } from './context.ts';
import { nodePrimitive } from './node-ops.ts';
import type { NodeRow } from './store.ts';

/** What get_node_with_token answers in place of a token minted before: present, and unusable. */
const MINTED_BEFORE = '******';

/** utils.is_agent_token_present. */
function tokenPresent(node: NodeRow): boolean {
  const token = asObject(node.driver_internal_info).agent_secret_token;
  return token !== undefined && token !== null;
}

/** utils.is_agent_token_valid: no token is never valid; else it must be the node's. */
function tokenValid(node: NodeRow, token: unknown): boolean {
  if (token === undefined || token === null) return false;
  return (asObject(node.driver_internal_info).agent_secret_token ?? null) === token;
}

/**
 * get_node_with_token: the node with a freshly minted `agent_secret_token` (secrets.token_urlsafe:
 * 32 random bytes, base64url), saved under an exclusive lock; when the node has one already, the
 * node as it is with the token shown as '******' (not saved), so that only the first lookup of a
 * booted agent learns it. @throws NodeLocked (the node is reserved), NodeNotFound
 */
export async function get_node_with_token(sim: Sim, a: Args): Promise<unknown> {
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'generate_token' }, (task) => {
    const node = task.node;
    if (tokenPresent(node)) {
      sim.logger.warn({ node: node.uuid }, 'agent token generation refused: one is already present');
      const info = { ...asObject(node.driver_internal_info), agent_secret_token: MINTED_BEFORE };
      return nodePrimitive({ ...node, driver_internal_info: info });
    }
    task.upgradeLock();
    const info: Record<string, unknown> = {
      ...asObject(node.driver_internal_info),
      agent_secret_token: randomBytes(32).toString('base64url'),
    };
    delete info.agent_secret_token_pregenerated;
    return nodePrimitive(sim.store.updateNode(node, { driver_internal_info: info }));
  });
}

/**
 * heartbeat (RPC 1.34 … 1.54): refused without an agent version or status (before the node is
 * looked up), then without the node's token. `[agent]require_tls` is off, as by default. The
 * fake-hardware deploy interface ignores heartbeats (it logs that it does not support them), so
 * the agent's URL, certificate (agent_verify_ca: store_agent_certificate keeps it in a file whose
 * path only an agent deploy interface records) and status change nothing on the node.
 * @throws InvalidParameterValue, NodeNotFound, NoFreeConductorWorker
 */
export async function heartbeat(sim: Sim, a: Args): Promise<null> {
  if ((a.agent_version ?? null) === null && (a.agent_status ?? null) === null) {
    throw ironicError(
      'InvalidParameterValue',
      'Agent did not transmit a version, and a version is required. Please update the agent being used.',
    );
  }
  return sim.tasks.with(a.node_id, { shared: true, purpose: 'heartbeat' }, (task) => {
    if (!tokenValid(task.node, a.agent_token)) {
      throw ironicError('InvalidParameterValue', 'Invalid or missing agent token received.');
    }
    task.spawnAfter(sim.pool, () => undefined);
    return null;
  });
}

/**
 * utils.wipe_internal_info_on_power_off, run by a power action that turns the node off or
 * reboots it: what must not survive the agent's reboot (its URL, its token unless pregenerated
 * for virtual media, cached steps, its certificate).
 */
export function wipeInternalInfoOnPowerOff(node: NodeRow): void {
  const info = { ...asObject(node.driver_internal_info) };
  delete info.agent_url;
  if (!info.agent_secret_token_pregenerated) delete info.agent_secret_token;
  delete info.agent_cached_deploy_steps;
  delete info.agent_cached_clean_steps;
  delete info.agent_verify_ca;
  node.driver_internal_info = info;
}
