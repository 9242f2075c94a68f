/** The simulated conductor's allocations (RPC 1.48 and the Allocation indirection class), called directly. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import type { NodeRow } from '../../../src/simulator/store.ts';
import { classAction, makeSim, rejectsWith, type Json } from './helpers.ts';

const allocation = (data: Record<string, unknown>) => ({
  'ironic_object.name': 'Allocation',
  'ironic_object.namespace': 'ironic',
  'ironic_object.version': '1.1',
  'ironic_object.data': { uuid: randomUUID(), ...data },
  'ironic_object.changes': ['uuid', ...Object.keys(data)],
});

function available(sim: ReturnType<typeof makeSim>, name: string, extra: Record<string, unknown> = {}): NodeRow {
  return sim.store.createNode({
    driver: 'fake-hardware',
    name,
    provision_state: 'available',
    power_state: 'power off',
    resource_class: 'rc',
    ...extra,
  });
}

const get = (sim: ReturnType<typeof makeSim>, uuid: string): Promise<Json> =>
  sim.call('object_class_action_versions', classAction('Allocation', 'get_by_uuid', [uuid], {}, '1.1'));

test('create_allocation answers `allocating`, then reserves a fitting node in the background', async () => {
  const sim = makeSim();
  const busy = available(sim, 'busy', { instance_uuid: randomUUID() });
  const maint = available(sim, 'maint', { maintenance: true });
  available(sim, 'other-class', { resource_class: 'other' });
  available(sim, 'unpowered', { power_state: null });
  const fit = available(sim, 'fit');
  const created = await sim.call('create_allocation', { allocation: allocation({ resource_class: 'rc' }) });
  const data = created['ironic_object.data'];
  assert.equal(data.state, 'allocating');
  assert.equal(data.node_id, null);
  assert.equal(data.conductor_affinity, sim.store.conductors.byField('hostname', 'sim-1')?.id ?? null);
  assert.deepEqual([data.traits, data.candidate_nodes, data.extra], [[], [], {}]);
  await sim.idle();
  const done = (await get(sim, data.uuid))['ironic_object.data'];
  assert.equal(done.state, 'active');
  assert.equal(done.node_id, fit.id);
  assert.equal(fit.instance_uuid, data.uuid);
  assert.equal(fit.allocation_id, done.id);
  for (const n of [busy, maint]) assert.equal(n.allocation_id ?? null, null);
  await sim.stop();
});

test('no fitting node, traits, candidates: error with last_error; owner narrows to owned or leased nodes', async () => {
  const sim = makeSim();
  const mine = available(sim, 'mine', { owner: 'p1' });
  const leased = available(sim, 'leased', { lessee: 'p2' });
  const run = async (data: Record<string, unknown>) => {
    const c = await sim.call('create_allocation', { allocation: allocation(data) });
    await sim.idle();
    return (await get(sim, c['ironic_object.data'].uuid))['ironic_object.data'];
  };
  const none = await run({ resource_class: 'nope' });
  assert.equal(none.state, 'error');
  assert.equal(
    none.last_error,
    `Failed to process allocation ${none.uuid}: no available nodes match the resource class nope.`,
  );
  const traits = await run({ resource_class: 'rc', traits: ['CUSTOM_X'] });
  assert.match(traits.last_error, /no suitable nodes have the requested traits CUSTOM_X\.$/);
  const cand = await run({ resource_class: 'rc', candidate_nodes: [randomUUID()] });
  assert.match(cand.last_error, /none of the requested nodes are available and match the resource class rc\.$/);
  const p2 = await run({ resource_class: 'rc', owner: 'p2' });
  assert.equal(p2.node_id, leased.id);
  const p1 = await run({ resource_class: 'rc', owner: 'p1' });
  assert.equal(p1.node_id, mine.id);
  const p3 = await run({ resource_class: 'rc', owner: 'p3' });
  assert.equal(p3.state, 'error');
  await sim.stop();
});

test('1.79: the node named as the allocation is taken first', async () => {
  const sim = makeSim();
  for (let i = 0; i < 5; i++) available(sim, `n${i}`);
  const c = await sim.call('create_allocation', { allocation: allocation({ resource_class: 'rc', name: 'n3' }) });
  await sim.idle();
  const done = (await get(sim, c['ironic_object.data'].uuid))['ironic_object.data'];
  assert.equal(done.node_id, sim.store.nodeByName('n3').id);
  await sim.stop();
});

test('Allocation class methods: list with filters first (positional), by node uuid or id; get_by_name; save', async () => {
  const sim = makeSim();
  const node = available(sim, 'n');
  const c = await sim.call('create_allocation', { allocation: allocation({ resource_class: 'rc', name: 'a1' }) });
  await sim.call('create_allocation', { allocation: allocation({ resource_class: 'zz', name: 'a2' }) });
  await sim.idle();
  const list = (args: unknown[], kwargs = {}) =>
    sim.call('object_class_action_versions', classAction('Allocation', 'list', args, kwargs, '1.1'));
  const names = (l: Json[]) => l.map((a) => a['ironic_object.data'].name);
  assert.deepEqual(names(await list([{ node_uuid: node.uuid }])), ['a1']);
  assert.deepEqual(names(await list([{ node_uuid: node.id }])), ['a1']);
  assert.deepEqual(names(await list([], { filters: { state: 'error' } })), ['a2']);
  assert.deepEqual(names(await list([{}, 1, null, 'name', 'desc'])), ['a2']);
  await rejectsWith(list([{ bogus: 1 }]), 'InvalidParameterValue', /does not support filtering by bogus/);
  const byName = await sim.call(
    'object_class_action_versions',
    classAction('Allocation', 'get_by_name', ['a1'], {}, '1.1'),
  );
  assert.equal(byName['ironic_object.data'].uuid, c['ironic_object.data'].uuid);
  await rejectsWith(
    sim.call('object_class_action_versions', classAction('Allocation', 'get_by_name', ['nope'], {}, '1.1')),
    'AllocationNotFound',
    'Allocation nope could not be found.',
  );
  const obj = { ...byName, 'ironic_object.changes': ['name'] };
  obj['ironic_object.data'] = { ...byName['ironic_object.data'], name: 'a2' };
  await rejectsWith(sim.call('object_action', { objinst: obj, objmethod: 'save' }), 'AllocationDuplicateName');
  obj['ironic_object.data'].name = 'a3';
  await sim.call('object_action', { objinst: obj, objmethod: 'save' });
  assert.equal(sim.store.allocations.byUuid(c['ironic_object.data'].uuid).name, 'a3');
  await sim.stop();
});

test('backfill: an active node synchronously; a node that does not fit fails and the allocation is saved in error', async () => {
  const sim = makeSim();
  const instance = randomUUID();
  const active = available(sim, 'act', { provision_state: 'active' });
  const b = await sim.call('create_allocation', {
    allocation: allocation({ uuid: instance, resource_class: 'rc', node_id: active.id }),
  });
  assert.equal(b['ironic_object.data'].state, 'active');
  assert.equal(b['ironic_object.data'].node_id, active.id);
  assert.equal(active.instance_uuid, instance);
  const idle = available(sim, 'idle');
  const uuid = randomUUID();
  await rejectsWith(
    sim.call('create_allocation', { allocation: allocation({ uuid, resource_class: 'other', node_id: idle.id }) }),
    'AllocationFailed',
    /Cannot backfill an allocation for node .*: Node must be in the "active" state, but the current state is "available"; Resource class rc does not match the requested resource class other\.$/,
  );
  assert.equal(sim.store.allocations.byUuid(uuid).state, 'error');
  const taken = available(sim, 'taken', { provision_state: 'active', instance_uuid: randomUUID() });
  await rejectsWith(
    sim.call('create_allocation', { allocation: allocation({ resource_class: 'rc', node_id: taken.id }) }),
    'NodeAssociated',
  );
  await rejectsWith(
    sim.call('create_allocation', { allocation: allocation({ uuid: instance, resource_class: 'rc' }) }),
    'AllocationAlreadyExists',
  );
  await sim.stop();
});

test('destroy_allocation: InvalidState while the node is active or busy, unless in maintenance; the node is freed', async () => {
  const sim = makeSim();
  const node = available(sim, 'n', { provision_state: 'active' });
  const a = await sim.call('create_allocation', { allocation: allocation({ resource_class: 'rc', node_id: node.id }) });
  await rejectsWith(sim.call('destroy_allocation', { allocation: a }), 'InvalidState', /because the node is active/);
  Object.assign(node, { provision_state: 'deploying', target_provision_state: 'active' });
  await rejectsWith(sim.call('destroy_allocation', { allocation: a }), 'InvalidState', /where updates are not allowed/);
  node.maintenance = true;
  assert.equal(await sim.call('destroy_allocation', { allocation: a }), null);
  assert.equal(node.instance_uuid, null);
  assert.equal(node.allocation_id, null);
  await rejectsWith(sim.call('destroy_allocation', { allocation: a }), 'AllocationNotFound');
  await sim.stop();
});

test('a destroyed node takes its allocation with it', async () => {
  const sim = makeSim();
  const node = available(sim, 'n', { provision_state: 'active' });
  const a = await sim.call('create_allocation', { allocation: allocation({ resource_class: 'rc', node_id: node.id }) });
  node.maintenance = true;
  await sim.call('destroy_node', { node_id: node.uuid });
  await rejectsWith(get(sim, a['ironic_object.data'].uuid), 'AllocationNotFound');
  await sim.stop();
});
