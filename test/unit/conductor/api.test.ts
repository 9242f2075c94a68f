import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CONDUCTOR_API_HELPERS,
  CONDUCTOR_API_METHODS,
  type ConductorAPI,
  MANAGER_TOPIC,
  createConductorAPI,
  createConductorRpcClient,
} from '../../../src/conductor/api.ts';
import { makeContext, toWireContext } from '../../../src/conductor/context.ts';
import { ironicError } from '../../../src/conductor/exceptions.ts';
import { IronicObject, type NodeFields } from '../../../src/conductor/objects.ts';
import { RemoteError, RpcVersionCapError } from '../../../src/rpc/errors.ts';
import { MemoryTransport } from '../../../src/rpc/memory.ts';
import type { IncomingRequest } from '../../../src/rpc/types.ts';
import { loadWireFixtures } from '../../support/wire-fixtures.ts';

const ctx = makeContext({ request_id: 'req-cda1f184-b1d5-402b-8b03-57f8004407ca' });
const node = IronicObject.create('Node', { uuid: 'n-uuid', driver: 'fake-hardware' });
const obj = (name: string) => new IronicObject(name, { uuid: `${name}-1` });

/**
 * Ironic 39.0 rpcapi.py with its 1.62 cap, restated: method → [version, keyword argument names
 * sent, sample positional arguments after the context (topic last where Ironic has one)].
 */
const SEEN_IN_IRONIC: Record<string, [string, string[], unknown[]]> = {
  create_node: ['1.36', ['node_obj'], [node, 'T']],
  update_node: ['1.1', ['node_obj', 'reset_interfaces'], [node, 'T']],
  change_node_power_state: ['1.39', ['node_id', 'new_state', 'timeout'], ['n', 'power on', 'T', 10]],
  vendor_passthru: ['1.20', ['node_id', 'driver_method', 'http_method', 'info'], ['n', 'm', 'POST', { a: 1 }, 'T']],
  driver_vendor_passthru: [
    '1.20',
    ['driver_name', 'driver_method', 'http_method', 'info'],
    ['d', 'm', 'POST', {}, 'T'],
  ],
  get_node_vendor_passthru_methods: ['1.21', ['node_id'], ['n', 'T']],
  get_driver_vendor_passthru_methods: ['1.21', ['driver_name'], ['d', 'T']],
  do_node_deploy: ['1.22', ['node_id', 'rebuild', 'configdrive'], ['n', false, null, 'T']],
  do_node_tear_down: ['1.6', ['node_id'], ['n', 'T']],
  do_provisioning_action: ['1.23', ['node_id', 'action'], ['n', 'manage', 'T']],
  continue_node_clean: ['1.27', ['node_id'], ['n', 'T']],
  validate_driver_interfaces: ['1.5', ['node_id'], ['n', 'T']],
  destroy_node: ['1.9', ['node_id'], ['n', 'T']],
  get_console_information: ['1.11', ['node_id'], ['n', 'T']],
  set_console_mode: ['1.11', ['node_id', 'enabled'], ['n', true, 'T']],
  create_port: ['1.41', ['port_obj'], [obj('Port'), 'T']],
  update_port: ['1.13', ['port_obj'], [obj('Port'), 'T']],
  update_portgroup: ['1.33', ['portgroup_obj'], [obj('Portgroup'), 'T']],
  destroy_portgroup: ['1.33', ['portgroup'], [obj('Portgroup'), 'T']],
  get_driver_properties: ['1.16', ['driver_name'], ['d', 'T']],
  set_boot_device: ['1.17', ['node_id', 'device', 'persistent'], ['n', 'pxe', true, 'T']],
  get_boot_device: ['1.17', ['node_id'], ['n', 'T']],
  inject_nmi: ['1.40', ['node_id'], ['n', 'T']],
  get_supported_boot_devices: ['1.17', ['node_id'], ['n', 'T']],
  inspect_hardware: ['1.24', ['node_id'], ['n', 'T']],
  destroy_port: ['1.25', ['port'], [obj('Port'), 'T']],
  set_target_raid_config: ['1.30', ['node_id', 'target_raid_config'], ['n', { logical_disks: [] }, 'T']],
  get_raid_logical_disk_properties: ['1.30', ['driver_name'], ['d', 'T']],
  do_node_clean: ['1.32', ['node_id', 'clean_steps'], ['n', [{ interface: 'deploy', step: 'erase_devices' }], 'T']],
  heartbeat: [
    '1.54',
    [
      'node_id',
      'callback_url',
      'agent_version',
      'agent_token',
      'agent_verify_ca',
      'agent_status',
      'agent_status_message',
    ],
    ['n', 'http://a', { agent_version: '3.0', agent_token: 'tok' }, 'T'],
  ],
  object_class_action_versions: [
    '1.31',
    ['objname', 'objmethod', 'object_versions', 'args', 'kwargs'],
    ['Node', 'list', { Node: '1.23' }, [], {}],
  ],
  object_action: ['1.31', ['objinst', 'objmethod', 'args', 'kwargs'], [node, 'refresh', [], {}]],
  object_backport_versions: ['1.31', ['objinst', 'object_versions'], [node, { Node: '1.20' }]],
  destroy_volume_connector: ['1.35', ['connector'], [obj('VolumeConnector'), 'T']],
  update_volume_connector: ['1.35', ['connector'], [obj('VolumeConnector'), 'T']],
  destroy_volume_target: ['1.37', ['target'], [obj('VolumeTarget'), 'T']],
  update_volume_target: ['1.37', ['target'], [obj('VolumeTarget'), 'T']],
  vif_attach: ['1.38', ['node_id', 'vif_info'], ['n', { id: 'v' }, 'T']],
  vif_detach: ['1.38', ['node_id', 'vif_id'], ['n', 'v', 'T']],
  vif_list: ['1.38', ['node_id'], ['n', 'T']],
  do_node_rescue: ['1.43', ['node_id', 'rescue_password'], ['n', 'pw', 'T']],
  do_node_unrescue: ['1.43', ['node_id'], ['n', 'T']],
  add_node_traits: ['1.44', ['node_id', 'traits', 'replace'], ['n', ['CUSTOM_A'], true, 'T']],
  remove_node_traits: ['1.44', ['node_id', 'traits'], ['n', null, 'T']],
  continue_node_deploy: ['1.45', ['node_id'], ['n', 'T']],
  create_allocation: ['1.48', ['allocation'], [obj('Allocation'), 'T']],
  destroy_allocation: ['1.48', ['allocation'], [obj('Allocation'), 'T']],
  get_node_with_token: ['1.49', ['node_id'], ['n', 'T']],
  set_indicator_state: ['1.50', ['node_id', 'component', 'indicator', 'state'], ['n', 'system', 'led', 'on', 'T']],
  get_indicator_state: ['1.50', ['node_id', 'component', 'indicator'], ['n', 'system', 'led', 'T']],
  get_supported_indicators: ['1.50', ['node_id', 'component'], ['n', null, 'T']],
  change_node_boot_mode: ['1.55', ['node_id', 'new_state'], ['n', 'uefi', 'T']],
  change_node_secure_boot: ['1.55', ['node_id', 'new_state'], ['n', true, 'T']],
  continue_inspection: ['1.56', ['node_id', 'inventory', 'plugin_data'], ['n', { cpu: {} }, { a: 1 }, 'T']],
  do_node_service: ['1.57', ['node_id', 'service_steps', 'disable_ramdisk'], ['n', [{ step: 's' }], null, 'T']],
  attach_virtual_media: ['1.59', ['node_id', 'device_type', 'image_url'], ['n', 'cdrom', 'http://i/x.iso', 'T']],
  detach_virtual_media: ['1.59', ['node_id', 'device_types'], ['n', ['cdrom'], 'T']],
  continue_node_service: ['1.60', ['node_id'], ['n', 'T']],
  get_virtual_media: ['1.61', ['node_id'], ['n', 'T']],
  update_portgroup_physical_network: [
    '1.62',
    ['portgroup', 'new_physical_network'],
    [obj('Portgroup'), 'physnet2', 'T'],
  ],
};
/** Arguments not given positionally: what the ladders send for them. */
const SENT_AS: Record<string, Record<string, unknown>> = {
  update_node: { reset_interfaces: false },
  heartbeat: {
    callback_url: 'http://a',
    agent_version: '3.0',
    agent_token: 'tok',
    agent_verify_ca: null,
    agent_status: null,
    agent_status_message: null,
  },
};
const INDIRECTION = new Set(['object_class_action_versions', 'object_action', 'object_backport_versions']);

describe('ConductorAPI', () => {
  const bus = 'memory://conductor-api';
  const server = new MemoryTransport(bus);
  const clientTransport = new MemoryTransport(bus);
  const seen: Array<IncomingRequest & { topic: string }> = [];
  let api: ConductorAPI;
  let conductors: unknown[] = [];

  before(async () => {
    const endpoint = (topic: string) => async (req: IncomingRequest) => {
      seen.push({ ...req, topic });
      if (req.method === 'object_class_action_versions' && req.args.objname === 'Conductor') return conductors;
      if (req.method === 'get_boot_device') return { boot_device: 'pxe', persistent: false };
      if (req.method === 'destroy_node')
        throw ironicError('NodeNotFound', 'Node n could not be found.', { node: 'n', code: 404 });
      if (req.method === 'update_node') return req.args.node_obj;
      return null;
    };
    await server.serve({ topic: MANAGER_TOPIC, server: 'T-host' }, endpoint('any'));
    api = createConductorAPI(createConductorRpcClient(clientTransport, { rpc_response_timeout: 5 }), {
      hash_partition_exponent: 5,
      hash_ring_reset_interval: 15,
    });
  });
  after(async () => {
    await clientTransport.close();
    await server.close();
  });

  it("has exactly the public methods of Ironic 39.0's ConductorAPI, plus its helpers", () => {
    assert.deepEqual([...CONDUCTOR_API_METHODS].sort(), Object.keys(SEEN_IN_IRONIC).sort());
    for (const m of [...CONDUCTOR_API_METHODS, ...CONDUCTOR_API_HELPERS]) {
      assert.equal(typeof (api as unknown as Record<string, unknown>)[m], 'function', m);
    }
  });

  for (const [method, [version, argNames, sample]] of Object.entries(SEEN_IN_IRONIC)) {
    it(`${method} sends version ${version} with ${argNames.join(', ')}`, async () => {
      seen.length = 0;
      // 'T' stands for the topic argument: route it to the test conductor's host queue
      const args = sample.map((a) => (a === 'T' ? `${MANAGER_TOPIC}.T-host` : a));
      await (api as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[method]!(ctx, ...args).catch(
        (e: unknown) => {
          if (!(e instanceof RemoteError)) throw e;
        },
      );
      if (method === 'continue_node_clean' || method === 'continue_node_deploy' || method === 'continue_node_service')
        await new Promise((r) => setTimeout(r, 20));
      assert.equal(seen.length, 1);
      const req = seen[0]!;
      assert.equal(req.method, method);
      assert.equal(req.version, version);
      assert.deepEqual(Object.keys(req.args), argNames);
      assert.deepEqual(req.context, JSON.parse(JSON.stringify(toWireContext(ctx))));
      if (!INDIRECTION.has(method)) assert.ok(sample.includes('T'), 'takes a topic');
      for (const [i, name] of argNames.entries()) {
        const given = SENT_AS[method];
        const v = given && Object.hasOwn(given, name) ? given[name] : args[i];
        const expected = v instanceof IronicObject ? v.toPrimitive() : v;
        if (name !== 'timeout') assert.deepEqual(req.args[name], expected, name);
      }
    });
  }

  it('get_boot_device sends what ironic-api sent in the capture', async () => {
    const f = loadWireFixtures().find((x) => x.file.includes('get_boot_device'))!;
    seen.length = 0;
    const m = f.request.message;
    const got = await api.get_boot_device(
      ctx,
      String((m.args as { node_id: string }).node_id),
      `${MANAGER_TOPIC}.T-host`,
    );
    assert.deepEqual(got, f.reply!.message.result);
    const wire = Object.fromEntries(Object.entries(seen[0]!.context).map(([k, v]) => [`_context_${k}`, v]));
    for (const [k, v] of Object.entries(m)) if (k.startsWith('_context_')) assert.deepEqual(wire[k], v, k);
  });

  it('returns versioned objects decoded and raises remote errors by class', async () => {
    const updated = await api.update_node(
      ctx,
      new IronicObject<NodeFields>('Node', { uuid: 'u' }).set('extra', { a: 1 }),
    );
    assert.ok(updated instanceof IronicObject);
    assert.deepEqual(updated.get('extra'), { a: 1 });
    await assert.rejects(
      api.destroy_node(ctx, 'n'),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'NodeNotFound' && e.kwargs.code === 404,
    );
  });

  it('do_node_deploy goes at 1.52 and do_node_clean at 1.53 only with their new arguments', async () => {
    const T = `${MANAGER_TOPIC}.T-host`;
    seen.length = 0;
    await api.do_node_deploy(ctx, 'n', false, null, T, [{ interface: 'deploy', step: 's', args: {}, priority: 1 }]);
    await api.do_node_deploy(ctx, 'n', false, null, T, []);
    await api.do_node_clean(ctx, 'n', [], T, false);
    await api.do_node_clean(ctx, 'n', [], T);
    assert.deepEqual(
      seen.map((r) => [r.method, r.version, Object.keys(r.args).join(',')]),
      [
        ['do_node_deploy', '1.52', 'node_id,rebuild,configdrive,deploy_steps'],
        ['do_node_deploy', '1.22', 'node_id,rebuild,configdrive'],
        ['do_node_clean', '1.53', 'node_id,clean_steps,disable_ramdisk'],
        ['do_node_clean', '1.32', 'node_id,clean_steps'],
      ],
    );
  });

  it('honours the version cap: methods above it are refused, heartbeat falls back to 1.34', async () => {
    const capped = createConductorAPI(createConductorRpcClient(clientTransport, { rpc_response_timeout: 5 }, '1.40'), {
      hash_partition_exponent: 5,
      hash_ring_reset_interval: 15,
    });
    assert.equal(capped.can_send_create_port(), false);
    assert.equal(capped.can_send_rescue(), false);
    assert.equal(api.can_send_create_port(), true);
    assert.equal(api.can_send_rescue(), true);
    await assert.rejects(capped.create_port(ctx, obj('Port')), RpcVersionCapError);
    await assert.rejects(capped.add_node_traits(ctx, 'n', ['X']), RpcVersionCapError);
    seen.length = 0;
    await capped.heartbeat(ctx, 'n', 'http://a', { agent_version: '3.0' });
    assert.equal(seen[0]!.version, '1.34');
    assert.deepEqual(Object.keys(seen[0]!.args), ['node_id', 'callback_url']);
    // the ladder climbs as far as the cap allows: a 1.50 cap sends up to agent_token, at 1.49
    const at150 = createConductorAPI(createConductorRpcClient(clientTransport, { rpc_response_timeout: 5 }, '1.50'), {
      hash_partition_exponent: 5,
      hash_ring_reset_interval: 15,
    });
    seen.length = 0;
    await at150.heartbeat(ctx, 'n', 'http://a', { agent_version: '3.0', agent_token: 't', agent_status: 'start' });
    assert.equal(seen[0]!.version, '1.49');
    assert.deepEqual(seen[0]!.args, { node_id: 'n', callback_url: 'http://a', agent_version: '3.0', agent_token: 't' });
    // update_node sends reset_interfaces only from 1.46, and refuses to drop a true one
    seen.length = 0;
    await capped.update_node(ctx, node);
    assert.deepEqual(Object.keys(seen[0]!.args), ['node_obj']);
    await assert.rejects(capped.update_node(ctx, node, undefined, true), /reset_interfaces needs/);
    const old = createConductorAPI(createConductorRpcClient(clientTransport, { rpc_response_timeout: 5 }, '1.30'), {
      hash_partition_exponent: 5,
      hash_ring_reset_interval: 15,
    });
    await assert.rejects(old.object_class_action_versions(ctx, 'Node', 'list', {}, [], {}), RpcVersionCapError);
  });

  it('routes nodes over the live conductors read through the conductor', async () => {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    conductors = ['cond-1', 'cond-2', 'cond-3'].map((h, i) =>
      new IronicObject(
        'Conductor',
        { id: i + 1, hostname: h, drivers: ['fake-hardware'], conductor_group: '', updated_at: now },
        '1.3',
      ).toPrimitive(),
    );
    const fresh = createConductorAPI(createConductorRpcClient(clientTransport, { rpc_response_timeout: 5 }), {
      hash_partition_exponent: 5,
      hash_ring_reset_interval: 15,
    });
    // vectors from hash-ring-vectors.json
    assert.equal(
      await fresh.get_topic_for({ uuid: 'dc4b7e89-a9b7-47d5-9bf5-76b26abe9625', driver: 'fake-hardware' }),
      `${MANAGER_TOPIC}.cond-1`,
    );
    assert.equal(
      await fresh.get_topic_for(
        new IronicObject<NodeFields>('Node', { uuid: 'ffefb554-41c2-4ea7-b693-098d8a8e8bb4', driver: 'fake-hardware' }),
      ),
      `${MANAGER_TOPIC}.cond-3`,
    );
    assert.match(await fresh.get_topic_for_driver('fake-hardware'), /^ironic\.conductor_manager\.cond-[123]$/);
    await assert.rejects(
      fresh.get_topic_for({ uuid: 'x', driver: 'ipmi' }),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'NoValidHost',
    );
    await assert.rejects(
      fresh.get_topic_for({ uuid: 'x', driver: 'fake-hardware', conductor_group: 'other' }),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'NoValidHost',
    );
    await assert.rejects(
      fresh.get_topic_for_driver('ipmi'),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'DriverNotFound',
    );
    // a Node read at 1.23 has no conductor_group field: routed on its driver's ring across groups
    conductors = [
      new IronicObject(
        'Conductor',
        { id: 1, hostname: 'cond-g', drivers: ['fake-hardware'], conductor_group: 'rack9', updated_at: now },
        '1.3',
      ).toPrimitive(),
    ];
    const grouped = createConductorAPI(createConductorRpcClient(clientTransport, { rpc_response_timeout: 5 }), {
      hash_partition_exponent: 5,
      hash_ring_reset_interval: 15,
    });
    assert.equal(
      await grouped.get_topic_for(new IronicObject<NodeFields>('Node', { uuid: 'u', driver: 'fake-hardware' })),
      `${MANAGER_TOPIC}.cond-g`,
    );
    assert.equal(
      await grouped.get_topic_for({ uuid: 'u', driver: 'fake-hardware', conductor_group: 'rack9' }),
      `${MANAGER_TOPIC}.cond-g`,
    );
    await assert.rejects(
      grouped.get_topic_for({ uuid: 'u', driver: 'fake-hardware', conductor_group: '' }),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'NoValidHost',
    );
    conductors = [];
    const none = createConductorAPI(createConductorRpcClient(clientTransport, { rpc_response_timeout: 5 }), {
      hash_partition_exponent: 5,
      hash_ring_reset_interval: 15,
    });
    await assert.rejects(
      none.get_topic_for({ uuid: 'x', driver: 'fake-hardware' }),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'TemporaryFailure',
    );
    await assert.rejects(
      none.get_topic_for_driver('fake-hardware'),
      (e: unknown) => e instanceof RemoteError && e.exc_type === 'DriverNotFound',
    );
  });
});
