import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classAction, data, makeSim, nodeState, rejectsWith } from './helpers.ts';

async function setup(state = 'available') {
  const sim = makeSim({ nodes: 1 });
  const list = await sim.call('object_class_action_versions', classAction('Node', 'list'));
  const uuid: string = data(list[0]).uuid;
  sim.store.node(uuid).provision_state = state;
  return { sim, uuid };
}

test('power: on, reboot, soft power off; an unsupported state is refused', async () => {
  const { sim, uuid } = await setup();
  await sim.call('change_node_power_state', { node_id: uuid, new_state: 'power on', timeout: null });
  assert.equal((await nodeState(sim, uuid)).target_power_state, 'power on');
  await sim.idle();
  let n = await nodeState(sim, uuid);
  assert.deepEqual([n.power_state, n.target_power_state], ['power on', null]);
  await sim.call('change_node_power_state', { node_id: uuid, new_state: 'rebooting', timeout: 30 });
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).power_state, 'power on');
  await sim.call('change_node_power_state', { node_id: uuid, new_state: 'soft power off', timeout: 10 });
  assert.equal((await nodeState(sim, uuid)).target_power_state, 'power off');
  await sim.idle();
  n = await nodeState(sim, uuid);
  assert.deepEqual([n.power_state, n.target_power_state], ['power off', null]);
  await rejectsWith(
    sim.call('change_node_power_state', { node_id: uuid, new_state: 'power cycle', timeout: null }),
    'InvalidParameterValue',
    'The driver fake-hardware does not support the power state, power cycle',
  );
  await sim.stop();
});

test('boot device: get, set pxe, refuse disk, supported list; NMI unsupported by fake management', async () => {
  const { sim, uuid } = await setup();
  assert.deepEqual(await sim.call('get_boot_device', { node_id: uuid }), { boot_device: 'pxe', persistent: false });
  assert.equal(await sim.call('set_boot_device', { node_id: uuid, device: 'pxe', persistent: true }), null);
  await rejectsWith(
    sim.call('set_boot_device', { node_id: uuid, device: 'disk', persistent: false }),
    'InvalidParameterValue',
    'Invalid boot device disk specified.',
  );
  assert.deepEqual(await sim.call('get_supported_boot_devices', { node_id: uuid }), ['pxe']);
  await rejectsWith(
    sim.call('inject_nmi', { node_id: uuid }),
    'UnsupportedDriverExtension',
    'Driver fake-hardware does not support inject_nmi (disabled or not implemented).',
  );
  await sim.stop();
});

test("console: info refused until enabled, then the fake console's empty info", async () => {
  const { sim, uuid } = await setup();
  await rejectsWith(
    sim.call('get_console_information', { node_id: uuid }),
    'NodeConsoleNotEnabled',
    `Console access is not enabled on node ${uuid}`,
  );
  await sim.call('set_console_mode', { node_id: uuid, enabled: true });
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).console_enabled, true);
  assert.deepEqual(await sim.call('get_console_information', { node_id: uuid }), {});
  await sim.call('set_console_mode', { node_id: uuid, enabled: false });
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).console_enabled, false);
  await sim.stop();
});

test('traits: add, replace, unchecked names, the 50 limit and removal', async () => {
  const { sim, uuid } = await setup();
  const traits = async () =>
    data(await sim.call('object_class_action_versions', classAction('Node', 'get_by_uuid', [uuid]))).traits[
      'ironic_object.data'
    ].objects.map((o: any) => o['ironic_object.data'].trait);
  await sim.call('add_node_traits', { node_id: uuid, traits: ['CUSTOM_GOLD', 'HW_CPU_X86_VMX'], replace: false });
  await sim.call('add_node_traits', { node_id: uuid, traits: ['CUSTOM_GOLD'], replace: false });
  assert.deepEqual(await traits(), ['CUSTOM_GOLD', 'HW_CPU_X86_VMX']);
  // names are not checked here, as in Ironic's add_node_traits (ironic-api checks them)
  await sim.call('add_node_traits', { node_id: uuid, traits: ['custom_lower'], replace: false });
  assert.deepEqual(await traits(), ['CUSTOM_GOLD', 'HW_CPU_X86_VMX', 'custom_lower']);
  const many = Array.from({ length: 51 }, (_, i) => `CUSTOM_T${i}`);
  await rejectsWith(
    sim.call('add_node_traits', { node_id: uuid, traits: many, replace: true }),
    'InvalidParameterValue',
    /exceed the maximum number of traits per node \(51 vs\. 50\)/,
  );
  await sim.call('add_node_traits', { node_id: uuid, traits: many.slice(0, 50), replace: true });
  assert.equal((await traits()).length, 50);
  await rejectsWith(
    sim.call('add_node_traits', { node_id: uuid, traits: ['CUSTOM_ONE_MORE'], replace: false }),
    'InvalidParameterValue',
    /\(51 vs\. 50\)/,
  );
  await rejectsWith(
    sim.call('remove_node_traits', { node_id: uuid, traits: ['CUSTOM_NOPE'] }),
    'NodeTraitNotFound',
    `Node ${uuid} doesn't have a trait 'CUSTOM_NOPE'`,
  );
  await sim.call('remove_node_traits', { node_id: uuid, traits: ['CUSTOM_T0'] });
  assert.equal((await traits()).length, 49);
  await sim.call('remove_node_traits', { node_id: uuid, traits: null });
  assert.deepEqual(await traits(), []);
  await sim.stop();
});

test('VIFs on the flat network interface: attach, already attached, list, detach, not attached, no free port', async () => {
  const { sim, uuid } = await setup();
  await sim.call('vif_attach', { node_id: uuid, vif_info: { id: 'vif-a' } });
  const port = [...sim.store.ports.rows.values()][0]!;
  await rejectsWith(
    sim.call('vif_attach', { node_id: uuid, vif_info: { id: 'vif-a' } }),
    'VifAlreadyAttached',
    `Unable to attach VIF because VIF vif-a is already attached to Ironic Port ${port.uuid}`,
  );
  await rejectsWith(
    sim.call('vif_attach', { node_id: uuid, vif_info: { id: 'vif-b' } }),
    'NoFreePhysicalPorts',
    'Unable to attach VIF vif-b, not enough free physical ports.',
  );
  assert.deepEqual(await sim.call('vif_list', { node_id: uuid }), [{ id: 'vif-a' }]);
  await rejectsWith(
    sim.call('vif_detach', { node_id: uuid, vif_id: 'vif-z' }),
    'VifNotAttached',
    `Unable to detach VIF vif-z from node ${uuid} because it is not attached to it.`,
  );
  await sim.call('vif_detach', { node_id: uuid, vif_id: 'vif-a' });
  assert.deepEqual(await sim.call('vif_list', { node_id: uuid }), []);
  await sim.stop();
});

test('vendor passthru: sync, async, attach and the errors Ironic gives', async () => {
  const { sim, uuid } = await setup();
  const vp = (driver_method: string, info: Record<string, unknown>, http_method = 'POST') =>
    sim.call('vendor_passthru', { node_id: uuid, driver_method, http_method, info });
  assert.deepEqual(await vp('third_method_sync', { bar: 'meow' }), { return: true, async: false, attach: false });
  assert.deepEqual(await vp('third_method_sync', { bar: 'woof' }), { return: false, async: false, attach: false });
  assert.deepEqual(await vp('second_method', { bar: 'kazoo' }), { return: null, async: true, attach: false });
  const attach = await vp('attach_method', {}, 'GET');
  assert.deepEqual([attach.async, attach.attach, typeof attach.return], [false, true, 'string']);
  await rejectsWith(
    vp('second_method', {}),
    'MissingParameterValue',
    "Parameter 'bar' not passed to method 'second_method'.",
  );
  await rejectsWith(vp('nope', {}), 'InvalidParameterValue', 'No handler for method nope');
  await rejectsWith(
    vp('third_method_sync', { bar: 'x' }, 'GET'),
    'InvalidParameterValue',
    'The method third_method_sync does not support HTTP GET',
  );
  // an exclusive-lock method is refused while the node is locked; a shared-lock one is not
  await sim.call('set_console_mode', { node_id: uuid, enabled: true });
  sim.store.node(uuid).reservation = 'other-host';
  await rejectsWith(vp('third_method_sync', { bar: 'meow' }), 'NodeLocked', /locked by host other-host/);
  assert.equal((await vp('fourth_method_shared_lock', { bar: 'woof' })).async, true);
  sim.store.node(uuid).reservation = null;
  const methods = await sim.call('get_node_vendor_passthru_methods', { node_id: uuid });
  assert.deepEqual(methods.third_method_sync, {
    http_methods: ['POST'],
    async: false,
    description: 'Test if the value of bar is meow',
    attach: false,
    require_exclusive_lock: true,
  });
  assert.equal(methods.attach_method.attach, true);
  const dm = await sim.call('get_driver_vendor_passthru_methods', { driver_name: 'fake-hardware' });
  assert.deepEqual(Object.keys(dm).sort(), ['driver_method_async', 'driver_method_attach', 'driver_method_sync']);
  assert.deepEqual(
    await sim.call('driver_vendor_passthru', {
      driver_name: 'fake-hardware',
      driver_method: 'driver_method_async',
      http_method: 'POST',
      info: {},
    }),
    { return: null, async: true, attach: false },
  );
  assert.equal(
    (
      await sim.call('driver_vendor_passthru', {
        driver_name: 'fake-hardware',
        driver_method: 'driver_method_attach',
        http_method: 'GET',
        info: {},
      })
    ).attach,
    true,
  );
  await rejectsWith(
    sim.call('driver_vendor_passthru', { driver_name: 'ipmi', driver_method: 'x', http_method: 'POST', info: {} }),
    'DriverNotFound',
    'Could not find the following driver(s) or hardware type(s): ipmi.',
  );
  await sim.idle();
  await sim.stop();
});

test("RAID: logical disk properties, target config validated with Ironic's schema", async () => {
  const { sim, uuid } = await setup();
  const props = await sim.call('get_raid_logical_disk_properties', { driver_name: 'fake-hardware' });
  assert.match(props.raid_level, /^RAID level for the logical disk/);
  assert.ok('size_gb' in props && 'physical_disks' in props);
  await rejectsWith(
    sim.call('set_target_raid_config', { node_id: uuid, target_raid_config: { logical_disks: [] } }),
    'InvalidParameterValue',
    'RAID config validation error: [] is too short',
  );
  await rejectsWith(
    sim.call('set_target_raid_config', { node_id: uuid, target_raid_config: { logical_disks: [{ size_gb: 10 }] } }),
    'InvalidParameterValue',
    "RAID config validation error: 'raid_level' is a required property",
  );
  await rejectsWith(
    sim.call('set_target_raid_config', {
      node_id: uuid,
      target_raid_config: {
        logical_disks: [
          { raid_level: '1', size_gb: 10, is_root_volume: true },
          { raid_level: '0', size_gb: 'MAX', is_root_volume: true },
        ],
      },
    }),
    'InvalidParameterValue',
    'Raid config cannot have more than one root volume. 2 root volumes were specified',
  );
  const config = { logical_disks: [{ raid_level: '1', size_gb: 100, is_root_volume: true }] };
  await sim.call('set_target_raid_config', { node_id: uuid, target_raid_config: config });
  assert.deepEqual((await nodeState(sim, uuid)).target_raid_config, config);
  await sim.call('set_target_raid_config', { node_id: uuid, target_raid_config: {} });
  assert.deepEqual((await nodeState(sim, uuid)).target_raid_config, {});
  await sim.stop();
});

test('validation, driver properties, heartbeat and unknown methods', async () => {
  const { sim, uuid } = await setup();
  const v = await sim.call('validate_driver_interfaces', { node_id: uuid });
  assert.deepEqual(Object.keys(v), [
    'deploy',
    'power',
    'network',
    'boot',
    'console',
    'inspect',
    'management',
    'raid',
    'rescue',
    'storage',
  ]);
  assert.ok(Object.values(v).every((r: any) => r.result === true));
  assert.deepEqual(await sim.call('get_driver_properties', { driver_name: 'fake-hardware' }), {
    B1: 'B1 description. Required.',
    B2: 'B2 description. Required.',
  });
  // 21.4: a heartbeat needs a version (or a status), then the token get_node_with_token minted
  const cb = 'http://10.0.0.5:9999';
  await rejectsWith(
    sim.call('heartbeat', { node_id: uuid, callback_url: cb, agent_version: null }),
    'InvalidParameterValue',
    /^Agent did not transmit a version/,
  );
  await rejectsWith(
    sim.call('heartbeat', { node_id: uuid, callback_url: cb, agent_version: '9', agent_token: null }),
    'InvalidParameterValue',
    /^Invalid or missing agent token received\.$/,
  );
  const minted = (await sim.call('get_node_with_token', { node_id: uuid })) as any;
  const token = minted['ironic_object.data'].driver_internal_info.agent_secret_token;
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  const again = (await sim.call('get_node_with_token', { node_id: uuid })) as any;
  assert.equal(again['ironic_object.data'].driver_internal_info.agent_secret_token, '******');
  assert.equal(
    await sim.call('heartbeat', { node_id: uuid, callback_url: cb, agent_version: '9', agent_token: token }),
    null,
  );
  assert.equal(
    await sim.call('heartbeat', { node_id: uuid, callback_url: cb, agent_status: 'end', agent_token: token }),
    null,
  );
  await rejectsWith(sim.call('no_such_method', {}), 'NoSuchMethod');
  await assert.rejects(
    sim.endpoint({ method: 'get_boot_device', args: { node_id: uuid }, version: '1.63', context: {} }),
    { exc_type: 'UnsupportedVersion' },
  );
  await rejectsWith(
    sim.call('get_boot_device', { node_id: '00000000-0000-0000-0000-000000000000' }),
    'NodeNotFound',
    'Node 00000000-0000-0000-0000-000000000000 could not be found.',
  );
  await sim.idle();
  await sim.stop();
});

test("update_node and destroy_node follow Ironic's rules", async () => {
  const { sim, uuid } = await setup('active');
  const prim = (changes: string[], extra: Record<string, unknown>) => ({
    node_obj: {
      'ironic_object.name': 'Node',
      'ironic_object.namespace': 'ironic',
      'ironic_object.version': '1.23',
      'ironic_object.data': {
        ...sim.store.node(uuid),
        created_at: null,
        updated_at: null,
        provision_updated_at: null,
        traits: undefined,
        ...extra,
      },
      'ironic_object.changes': changes,
    },
  });
  const updated = await sim.call('update_node', prim(['extra'], { extra: { foo: 'bar' } }));
  assert.deepEqual(data(updated).extra, { foo: 'bar' });
  await rejectsWith(
    sim.call('update_node', prim(['deploy_interface'], { deploy_interface: 'fake' })),
    'InvalidState',
    /can not have deploy_interface updated/,
  );
  await rejectsWith(
    sim.call('destroy_node', { node_id: uuid }),
    'InvalidState',
    /Can not delete node ".*" while it is in provision state "active"/,
  );
  sim.store.node(uuid).reservation = 'sim-9';
  await rejectsWith(sim.call('update_node', prim(['maintenance'], { maintenance: true })), 'NodeLocked');
  sim.store.node(uuid).reservation = null;
  await sim.call(
    'update_node',
    prim(['maintenance', 'maintenance_reason'], { maintenance: true, maintenance_reason: 'fan' }),
  );
  await sim.call('destroy_node', { node_id: uuid });
  await rejectsWith(
    sim.call('object_class_action_versions', classAction('Node', 'get_by_uuid', [uuid])),
    'NodeNotFound',
  );
  assert.equal(sim.store.ports.rows.size, 0);
  await sim.stop();
});
