/**
 * The gateway's ConductorAPI against the REAL Debian ironic-conductor (fake-hardware, on MariaDB)
 * over the REAL RabbitMQ started by test/support/stack.sh.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  type ConductorAPI,
  MANAGER_TOPIC,
  createConductorAPI,
  createConductorRpcClient,
} from '../../src/conductor/api.ts';
import { makeContext } from '../../src/conductor/context.ts';
import { httpStatusFor } from '../../src/conductor/exceptions.ts';
import { IronicObject, type NodeFields } from '../../src/conductor/objects.ts';
import { gatewayProfile } from '../../src/release-profile.ts';
import { RemoteError } from '../../src/rpc/errors.ts';
import { createTransport } from '../../src/rpc/transport.ts';
import type { Transport } from '../../src/rpc/types.ts';
import { stack } from '../support/stack-env.ts';

const ctx = () => makeContext({ is_admin: true, roles: ['admin'] });
// the versions of the stack's release (a 21.4 conductor knows no Node 1.44, nor RPC 1.62)
const profile = gatewayProfile({ pin_release_version: stack.pin() });
const NODE_V = { Node: profile.objects.Node! };
const isRemote =
  (cls: string) =>
  (e: unknown): boolean =>
    e instanceof RemoteError && e.exc_type === cls;

async function eventually<T>(what: string, f: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('ConductorAPI against the real ironic-conductor', () => {
  let transport: Transport;
  let api: ConductorAPI;
  const uuid = randomUUID();
  const name = `gw-${uuid.slice(0, 8)}`;
  let topic: string;

  before(() => {
    transport = createTransport(stack.transportUrl(), stack.rabbitOptions());
    api = createConductorAPI(
      createConductorRpcClient(transport, { rpc_response_timeout: 30 }, profile.rpc),
      { hash_partition_exponent: 5, hash_ring_reset_interval: 15 },
      undefined,
      profile.objects,
    );
  });
  after(async () => {
    await api.destroy_node(ctx(), uuid, topic).catch(() => undefined);
    await transport.close();
  });

  it('routes the node to the live conductor through the hash ring (Conductor list via the conductor)', async () => {
    topic = await api.get_topic_for({ uuid, driver: 'fake-hardware', conductor_group: '' });
    assert.equal(topic, `${MANAGER_TOPIC}.${stack.conductorHost()}`);
    assert.equal(await api.get_topic_for_driver('fake-hardware'), topic);
    await assert.rejects(api.get_topic_for({ uuid, driver: 'no-such-driver' }), isRemote('NoValidHost'));
    await assert.rejects(api.get_topic_for_driver('no-such-driver'), isRemote('DriverNotFound'));
  });

  it('create_node creates the node and returns it as a Node object', async () => {
    const created = await api.create_node(
      ctx(),
      api.newObject('Node', { uuid, name, driver: 'fake-hardware', extra: { from: 'gateway' } }),
      topic,
    );
    assert.ok(created instanceof IronicObject);
    assert.equal(created.name, 'Node');
    assert.equal(created.get('uuid'), uuid);
    assert.equal(created.get('name'), name);
    assert.equal(created.get('provision_state'), 'enroll');
    assert.equal(created.get('power_interface'), 'fake');
    assert.deepEqual(created.get('extra'), { from: 'gateway' });
    await assert.rejects(
      api.create_node(ctx(), api.newObject('Node', { uuid, driver: 'fake-hardware' }), topic),
      isRemote('NodeAlreadyExists'),
    );
  });

  it('reads nodes back through object_class_action_versions: list, get_by_uuid, get_by_name', async () => {
    const list = await api.object_class_action_versions(ctx(), 'Node', 'list', NODE_V, [], {});
    assert.ok(Array.isArray(list));
    const mine = (list as IronicObject<NodeFields>[]).find((n) => n.get('uuid') === uuid);
    assert.ok(mine instanceof IronicObject, 'the created node is listed');
    assert.equal(mine.get('name'), name);
    const byUuid = (await api.object_class_action_versions(
      ctx(),
      'Node',
      'get_by_uuid',
      NODE_V,
      [uuid],
      {},
    )) as IronicObject<NodeFields>;
    assert.ok(byUuid instanceof IronicObject);
    assert.equal(byUuid.version, profile.objects.Node, 'a single object comes back at the version asked');
    assert.equal(byUuid.get('name'), name);
    const byName = (await api.object_class_action_versions(
      ctx(),
      'Node',
      'get_by_name',
      NODE_V,
      [name],
      {},
    )) as IronicObject<NodeFields>;
    assert.equal(byName.get('uuid'), uuid);
    const filtered = await api.object_class_action_versions(ctx(), 'Node', 'list', NODE_V, [], {
      filters: { driver: 'fake-hardware' },
      limit: 1000,
    });
    assert.ok((filtered as IronicObject<NodeFields>[]).some((n) => n.get('uuid') === uuid));
  });

  it('decodes NodeNotFound as NodeNotFound (HTTP 404 in the table)', async () => {
    const missing = randomUUID();
    await assert.rejects(
      api.object_class_action_versions(ctx(), 'Node', 'get_by_uuid', NODE_V, [missing], {}),
      (e: unknown) => {
        assert.ok(e instanceof RemoteError);
        assert.equal(e.exc_type, 'NodeNotFound');
        assert.match(e.message, new RegExp(missing));
        assert.equal(e.kwargs.code, 404);
        assert.equal(httpStatusFor(e.exc_type), 404);
        assert.ok(e.remoteTraceback.length > 0, 'the traceback is kept for the logs');
        return true;
      },
    );
    await assert.rejects(api.get_boot_device(ctx(), missing, topic), isRemote('NodeNotFound'));
  });

  it('update_node saves exactly the changed fields', async () => {
    const node = (await api.object_class_action_versions(
      ctx(),
      'Node',
      'get_by_uuid',
      NODE_V,
      [uuid],
      {},
    )) as IronicObject<NodeFields>;
    node.set('extra', { from: 'gateway', updated: true });
    const updated = await api.update_node(ctx(), node, topic);
    assert.deepEqual(updated.get('extra'), { from: 'gateway', updated: true });
    const again = (await api.object_class_action_versions(
      ctx(),
      'Node',
      'get_by_uuid',
      NODE_V,
      [uuid],
      {},
    )) as IronicObject<NodeFields>;
    assert.deepEqual(again.get('extra'), { from: 'gateway', updated: true });
  });

  it('get_boot_device, get_supported_boot_devices and set_boot_device on the fake management interface', async () => {
    const supported = await api.get_supported_boot_devices(ctx(), uuid, topic);
    assert.ok(Array.isArray(supported) && supported.length > 0);
    const dev = await api.get_boot_device(ctx(), uuid, topic);
    assert.deepEqual(Object.keys(dev).sort(), ['boot_device', 'persistent']);
    assert.ok(dev.boot_device === null || supported.includes(dev.boot_device));
    await assert.rejects(
      api.set_boot_device(ctx(), uuid, 'disk', false, topic),
      (e: unknown) => isRemote('InvalidParameterValue')(e) && httpStatusFor('InvalidParameterValue') === 400,
    );
  });

  it('change_node_power_state powers the fake node on', async () => {
    assert.equal(await api.change_node_power_state(ctx(), uuid, 'power on', topic), null);
    const state = await eventually('power on', async () => {
      const n = (await api.object_class_action_versions(
        ctx(),
        'Node',
        'get_by_uuid',
        NODE_V,
        [uuid],
        {},
      )) as IronicObject<NodeFields>;
      return n.get('power_state') === 'power on' && n.get('target_power_state') === null ? 'power on' : undefined;
    });
    assert.equal(state, 'power on');
    await assert.rejects(
      api.change_node_power_state(ctx(), uuid, 'sideways', topic),
      isRemote('InvalidParameterValue'),
    );
  });

  it('vendor_passthru runs the fake vendor methods (sync and async)', async () => {
    const sync = await api.vendor_passthru(ctx(), uuid, 'third_method_sync', 'POST', { bar: 'meow' }, topic);
    assert.deepEqual({ async: sync.async, attach: sync.attach }, { async: false, attach: false });
    assert.notEqual(sync.return, undefined);
    const methods = await api.get_node_vendor_passthru_methods(ctx(), uuid, topic);
    assert.ok('second_method' in methods && 'third_method_sync' in methods);
    const asyncResult = await api.vendor_passthru(ctx(), uuid, 'second_method', 'POST', { bar: 'kazoo' }, topic);
    assert.deepEqual(asyncResult, { return: null, async: true, attach: false });
    await assert.rejects(
      api.vendor_passthru(ctx(), uuid, 'no_such_method', 'POST', {}, topic),
      isRemote('InvalidParameterValue'),
    );
  });

  it('a cast reaches the conductor (continue_node_clean; the conductor logs its refusal under our request id)', async () => {
    const context = ctx();
    await api.continue_node_clean(context, uuid, topic);
    const logged = await eventually('the cast in the conductor log', async () => {
      const text = await readFile(stack.conductorLog(), 'utf8').catch(() => '');
      const line = text.split('\n').find((l) => l.includes(context.request_id));
      return line && /InvalidStateRequested: Cannot continue cleaning/.test(line) ? true : undefined;
    });
    assert.equal(logged, true);
  });
});
