/**
 * Issue 15, slice ports: the Conductor 1.5 class methods (Ironic 32.0) the unpinned gateway
 * reads /v1/drivers and /v1/shards with, on the simulated 39.0 conductor; the pinned 21.4
 * gateway keeps its emulation (Conductor.list, Node.list). And a conductor's `alive` needs its
 * `online` (Conductor 1.4).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode } from './nodes-helpers.ts';

let g: TestGateway;
let pinned: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  pinned = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
});
after(async () => {
  await g.close();
  await pinned.close();
});

test('driver detail: the interfaces the conductors report (null before Conductor 1.5); firmware from 1.86', async () => {
  const d = (await call(g.app, '/v1/drivers/fake-hardware', { version: '1.115' })).json();
  assert.deepEqual(d.hosts, [g.sim.host]);
  assert.equal(d.default_boot_interface, 'fake');
  assert.deepEqual(d.enabled_network_interfaces, ['flat', 'noop']);
  assert.ok('default_firmware_interface' in d);
  const at85 = (await call(g.app, '/v1/drivers/fake-hardware', { version: '1.85' })).json();
  assert.equal('default_firmware_interface' in at85, false);
  const list = (await call(g.app, '/v1/drivers?detail=true', { version: '1.115' })).json();
  assert.equal(list.drivers[0].default_power_interface, 'fake');
  const old = (await call(pinned.app, '/v1/drivers/fake-hardware', { version: '1.82' })).json();
  assert.deepEqual(old.hosts, [pinned.sim.host]);
  assert.equal(old.default_boot_interface, null);
  assert.equal('default_firmware_interface' in old, false);
});

test('Conductor class methods on the simulator: active hardware types (with groups), interface rows, shards', async () => {
  const manifest = { Conductor: '1.6' };
  const ctx = {} as never;
  const plain = await g.conductor.object_class_action_versions(
    ctx,
    'Conductor',
    'get_active_hardware_type_dict',
    manifest,
    [],
    {},
  );
  assert.deepEqual(plain, { 'fake-hardware': [g.sim.host] });
  const grouped = await g.conductor.object_class_action_versions(
    ctx,
    'Conductor',
    'get_active_hardware_type_dict',
    manifest,
    [],
    {
      use_groups: true,
    },
  );
  assert.deepEqual(grouped, { ':fake-hardware': [g.sim.host] });
  const rows = (await g.conductor.object_class_action_versions(
    ctx,
    'Conductor',
    'list_hardware_type_interfaces_dict',
    manifest,
    [['fake-hardware']],
    {},
  )) as Record<string, unknown>[];
  assert.ok(rows.some((r) => r.interface_type === 'deploy' && r.interface_name === 'fake' && r.default === true));
  assert.deepEqual(
    await g.conductor.object_class_action_versions(
      ctx,
      'Conductor',
      'list_hardware_type_interfaces_dict',
      manifest,
      [['nope']],
      {},
    ),
    [],
  );
});

test('GET /v1/shards: Conductor.get_shard_list unpinned, the same counts as the pinned emulation', async () => {
  for (const gw of [g, pinned]) {
    const a = await createNode(gw.app);
    const b = await createNode(gw.app);
    await createNode(gw.app);
    for (const n of [a, b]) {
      const r = await call(gw.app, `/v1/nodes/${n.uuid}`, {
        method: 'PATCH',
        version: '1.82',
        body: [{ op: 'add', path: '/shard', value: 'shard-1' }],
      });
      assert.equal(r.statusCode, 200, r.body);
    }
    const shards = (await call(gw.app, '/v1/shards', { version: '1.82' })).json().shards;
    assert.deepEqual(shards, [
      { name: 'shard-1', count: 2 },
      { name: 'None', count: 1 },
    ]);
  }
});

test('a conductor that is not online is not alive (39.0)', async () => {
  const alive = async () => (await call(g.app, `/v1/conductors/${g.sim.host}`, { version: '1.49' })).json().alive;
  assert.equal(await alive(), true);
  const row = g.sim.store.conductors.byField('hostname', g.sim.host)!;
  row.online = false;
  try {
    assert.equal(await alive(), false);
  } finally {
    row.online = true;
  }
});
