/**
 * Issue 15, slice vmedia, on the simulated conductor itself: virtual media (RPC 1.59, 1.61),
 * FirmwareComponentList.get_by_node_id (FirmwareComponent.obj_make_compatible) and
 * continue_inspection (1.56), as 39.0's conductor answers them with fake-hardware.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classAction, data, makeSim, nodeState, rejectsWith, type Json } from './helpers.ts';

async function until(sim: ReturnType<typeof makeSim>, uuid: string, pred: (n: Json) => boolean): Promise<Json> {
  for (let i = 0; i < 500; i++) {
    const n = await nodeState(sim, uuid);
    if (pred(n)) return n;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`node ${uuid} never got there`);
}

const enrolled = (sim: ReturnType<typeof makeSim>, state = 'enroll') =>
  sim.store.createNode({ driver: 'fake-hardware', provision_state: state });

test('get_virtual_media: UnsupportedDriverExtension under a shared lock (a reserved node still answers)', async () => {
  const sim = makeSim();
  const node = await enrolled(sim);
  node.reservation = 'other-host';
  await rejectsWith(
    sim.call('get_virtual_media', { node_id: node.uuid }),
    'UnsupportedDriverExtension',
    'Driver fake-hardware does not support get_virtual_media (disabled or not implemented).',
  );
});

test('attach and detach: an exclusive lock, last_error cleared, the failure journalled in the background', async () => {
  const sim = makeSim();
  const node = await enrolled(sim);
  node.last_error = 'old';
  node.reservation = 'other-host';
  await rejectsWith(
    sim.call('attach_virtual_media', { node_id: node.uuid, device_type: 'cdrom', image_url: 'http://x' }),
    'NodeLocked',
  );
  assert.equal(node.last_error, 'old');
  node.reservation = null;
  assert.equal(
    await sim.call('attach_virtual_media', { node_id: node.uuid, device_type: 'cdrom', image_url: 'http://x' }),
    null,
  );
  const n = await until(sim, node.uuid, (x) => x.reservation === null && x.last_error !== null);
  assert.match(n.last_error, /^Could not attach device cdrom to node .*: Publishing images is not supported/);
  await sim.call('detach_virtual_media', { node_id: node.uuid, device_types: ['cdrom', 'floppy'] });
  const d = await until(sim, node.uuid, (x) => x.reservation === null && /detach/.test(x.last_error ?? ''));
  assert.match(d.last_error, /^Could not detach device\(s\) \['cdrom', 'floppy'\] from node /);
  const events = [...sim.store.history.rows.values()].filter((r) => r.node_id === node.id);
  assert.deepEqual(
    events.map((e) => [e.event_type, e.severity]),
    [
      ['UNKNOWN', 'ERROR'],
      ['UNKNOWN', 'ERROR'],
    ],
  );
});

test('FirmwareComponentList.get_by_node_id: the rows, without the 1.2 fields when FirmwareComponent 1.1 is asked for', async () => {
  const sim = makeSim();
  const node = await enrolled(sim);
  sim.store.firmwareComponents.insert({ node_id: node.id, component: 'bmc', initial_version: '1.0', vendor: 'V' });
  const latest = await sim.call(
    'object_class_action_versions',
    classAction('FirmwareComponentList', 'get_by_node_id', [node.id], {}, '1.1'),
  );
  const items = data(latest).objects;
  assert.equal(items.length, 1);
  assert.equal(items[0]['ironic_object.version'], '1.2');
  assert.equal(items[0]['ironic_object.data'].vendor, 'V');
  const old = await sim.call('object_class_action_versions', {
    ...classAction('FirmwareComponentList', 'get_by_node_id', [node.id], {}, '1.1'),
    object_versions: { FirmwareComponentList: '1.1', FirmwareComponent: '1.1' },
  });
  const item = data(old).objects[0];
  assert.equal(item['ironic_object.version'], '1.1');
  assert.equal('vendor' in item['ironic_object.data'], false);
  assert.equal(item['ironic_object.data'].component, 'bmc');
});

test('continue_inspection: only in inspect wait (else a bare NotFound); then the data is stored and inspection ends', async () => {
  const sim = makeSim();
  const idle = await enrolled(sim, 'manageable');
  await rejectsWith(
    sim.call('continue_inspection', { node_id: idle.uuid, inventory: {}, plugin_data: {} }),
    'NotFound',
    'Resource could not be found.',
  );
  const node = await enrolled(sim, 'inspect wait');
  node.target_provision_state = 'manageable';
  const inventory = { interfaces: [{ mac_address: '52:54:00:00:00:01' }] };
  await sim.call('continue_inspection', { node_id: node.uuid, inventory, plugin_data: { a: 1, logs: 'x' } });
  const n = await until(sim, node.uuid, (x) => x.provision_state === 'manageable' && x.reservation === null);
  assert.equal(n.target_provision_state, null);
  const row = sim.store.inventories.byField('node_id', node.id);
  assert.deepEqual(row?.inventory_data, inventory);
  assert.deepEqual(row?.plugin_data, { a: 1 });
});
