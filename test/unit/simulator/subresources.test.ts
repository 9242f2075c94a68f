/**
 * The simulated conductor's 21.4 node sub-resources through the indirection API: BIOS settings
 * (written by the fake BIOS clean steps), history (written on the failures 21.4 journals, with
 * the requesting user where 21.4 passes it) and inventory (never written by fake inspection).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storeInventory } from '../../../src/simulator/subresources.ts';
import { classAction, data, makeSim, nodeState, rejectsWith, type Json } from './helpers.ts';

const oca = (sim: ReturnType<typeof makeSim>, ...a: Parameters<typeof classAction>) =>
  sim.call('object_class_action_versions', classAction(...a));

async function enrolled(sim: ReturnType<typeof makeSim>, driverInfo: Record<string, unknown> = {}) {
  return sim.store.createNode({
    driver: 'fake-hardware',
    bios_interface: 'fake',
    provision_state: 'enroll',
    driver_info: driverInfo,
  });
}

async function until(sim: ReturnType<typeof makeSim>, uuid: string, pred: (n: Json) => boolean): Promise<Json> {
  for (let i = 0; i < 500; i++) {
    const n = await nodeState(sim, uuid);
    if (pred(n)) return n;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`node ${uuid} never got there`);
}

test('BIOSSettingList.get_by_node_id and BIOSSetting.get: the fake clean steps’ settings, node_id as a string', async () => {
  const sim = makeSim();
  const node = await enrolled(sim);
  node.provision_state = 'manageable';
  const empty = await oca(sim, 'BIOSSettingList', 'get_by_node_id', [node.id], {}, '1.0');
  assert.equal(empty['ironic_object.name'], 'BIOSSettingList');
  assert.deepEqual(data(empty), { objects: [] });

  const settings = [
    { name: 'b', value: '2', allowable_values: ['1', '2'], read_only: false },
    { name: 'A', value: '1' },
  ];
  await sim.call('do_node_clean', {
    node_id: node.uuid,
    clean_steps: [{ interface: 'bios', step: 'apply_configuration', args: { settings } }],
  });
  await until(sim, node.uuid, (n) => n.provision_state === 'manageable' && n.reservation === null);
  const list = data(await oca(sim, 'BIOSSettingList', 'get_by_node_id', [], { node_id: node.id }, '1.0'));
  assert.deepEqual(
    list.objects.map((o: Json) => [o['ironic_object.name'], data(o).name, data(o).node_id]),
    [
      ['BIOSSetting', 'A', String(node.id)],
      ['BIOSSetting', 'b', String(node.id)],
    ],
  );
  const b = await oca(sim, 'BIOSSetting', 'get', [node.id, 'b'], {}, '1.0');
  assert.deepEqual(data(b).allowable_values, ['1', '2']);
  assert.equal(data(b).read_only, false);
  assert.equal(data(b).upper_bound, null, 'a 1.0 label keeps every field, as 21.4 answers');
  assert.equal('id' in data(b) || 'uuid' in data(b), false, 'BIOSSetting has neither');

  await rejectsWith(
    oca(sim, 'BIOSSetting', 'get', [node.id, 'c'], {}, '1.1'),
    'BIOSSettingNotFound',
    `Node ${node.id} doesn't have a BIOS setting 'c'`,
  );
  await rejectsWith(oca(sim, 'BIOSSettingList', 'get_by_node_id', [999], {}, '1.0'), 'NodeNotFound', /999/);
});

test('NodeInventory.get_by_node_id: none after fake inspection (the 404 names the integer id); a stored row', async () => {
  const sim = makeSim();
  const node = await enrolled(sim);
  node.provision_state = 'manageable';
  await sim.call('inspect_hardware', { node_id: node.uuid });
  await until(sim, node.uuid, (n) => n.provision_state === 'manageable' && n.reservation === null);
  await rejectsWith(
    oca(sim, 'NodeInventory', 'get_by_node_id', [node.id], {}, '1.0'),
    'NodeInventoryNotFound',
    `Node inventory record for node ${node.id} could not be found.`,
  );
  storeInventory(sim.store, node.id, { cpu: { count: 2 } }, { extra: true });
  const inv = data(await oca(sim, 'NodeInventory', 'get_by_node_id', [node.id], {}, '1.0'));
  assert.deepEqual(
    { node_id: inv.node_id, inventory_data: inv.inventory_data, plugin_data: inv.plugin_data },
    { node_id: node.id, inventory_data: { cpu: { count: 2 } }, plugin_data: { extra: true } },
  );
});

test('NodeHistory: journaled failures with type, severity, conductor and (where 21.4 passes it) the user', async () => {
  const sim = makeSim();
  const node = await enrolled(sim, { simulator_fail: ['verify', 'clean'] });
  // manage (verify fails) asked for by alice: verify.py passes task.context.user_id
  await sim.endpoint({
    method: 'do_provisioning_action',
    args: { node_id: node.uuid, action: 'manage' },
    version: '1.44',
    context: { user: 'alice' },
  });
  await until(sim, node.uuid, (n) => n.provision_state === 'enroll' && n.reservation === null);
  node.provision_state = 'manageable';
  await sim.endpoint({
    method: 'do_node_clean',
    args: { node_id: node.uuid, clean_steps: [] },
    version: '1.44',
    context: { user: 'bob' },
  });
  await until(sim, node.uuid, (n) => n.provision_state === 'clean failed' && n.reservation === null);

  const events = (await oca(sim, 'NodeHistory', 'list_by_node_id', [node.id], {}, '1.0')).map(data);
  assert.deepEqual(
    events.map((e: Json) => [e.event_type, e.severity, e.user, e.conductor]),
    [
      ['verify', 'ERROR', 'alice', 'sim-1'],
      ['cleaning', 'ERROR', null, 'sim-1'], // cleaning_error_handler passes no user
    ],
  );
  assert.match(events[0].event, /^Failed to validate power driver interface/);
  assert.equal(events[1].event, (await nodeState(sim, node.uuid)).last_error);

  // pages: the marker is the NodeHistory object, as ironic-api passes it
  const marker = await oca(sim, 'NodeHistory', 'get_by_uuid', [events[0].uuid], {}, '1.0');
  const rest = (await oca(sim, 'NodeHistory', 'list_by_node_id', [node.id], { marker, limit: 5 }, '1.0')).map(data);
  assert.deepEqual(
    rest.map((e: Json) => e.uuid),
    [events[1].uuid],
  );
  await rejectsWith(
    oca(sim, 'NodeHistory', 'get_by_uuid', ['0f0f0f0f-1111-4222-8333-444444444444'], {}, '1.0'),
    'NodeHistoryNotFound',
    'Node history record 0f0f0f0f-1111-4222-8333-444444444444 could not be found.',
  );
});

test('destroy_node takes the node’s BIOS settings, history and inventory with it', async () => {
  const sim = makeSim();
  const node = await enrolled(sim);
  sim.store.biosSettings.insert({ node_id: node.id, name: 'A', value: '1' });
  sim.store.history.insert({ node_id: node.id, event: 'e' });
  storeInventory(sim.store, node.id, {}, {});
  await sim.call('destroy_node', { node_id: node.uuid });
  for (const t of [sim.store.biosSettings, sim.store.history, sim.store.inventories]) assert.equal(t.rows.size, 0);
});

test('NodeHistory: no free worker is journaled by the error handler of the action (provisioning, or conductor)', async () => {
  const sim = makeSim({ workers: 0 });
  const node = await enrolled(sim);
  await rejectsWith(
    sim.call('do_provisioning_action', { node_id: node.uuid, action: 'manage' }),
    'NoFreeConductorWorker',
  );
  await rejectsWith(
    sim.call('change_node_power_state', { node_id: node.uuid, new_state: 'power on' }),
    'NoFreeConductorWorker',
  );
  const events = (await oca(sim, 'NodeHistory', 'list_by_node_id', [node.id], {}, '1.0')).map(data);
  assert.deepEqual(
    events.map((e: Json) => [e.event, e.event_type, e.severity]),
    [
      ['No free conductor workers available', 'provisioning', 'ERROR'],
      ['No free conductor workers available', 'conductor', 'ERROR'],
    ],
  );
  const state = await nodeState(sim, node.uuid);
  assert.equal(state.provision_state, 'enroll');
  assert.equal(state.last_error, 'No free conductor workers available');
});
