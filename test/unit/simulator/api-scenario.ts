/**
 * Key simulator behaviours checked through the gateway's ConductorAPI over a transport; run on
 * memory:// by the unit suite and on rabbit:// by test/integration/simulator-rabbit.test.ts.
 */
import assert from 'node:assert/strict';
import { createConductorAPI, createConductorRpcClient, type ConductorAPI } from '../../../src/conductor/api.ts';
import { makeContext } from '../../../src/conductor/context.ts';
import { IronicObject } from '../../../src/conductor/objects.ts';
import { RemoteError } from '../../../src/rpc/errors.ts';
import type { Transport } from '../../../src/rpc/types.ts';
import { startSimulator, Store, type RunningSimulator } from '../../../src/simulator/index.ts';

export interface Harness {
  api: ConductorAPI;
  sims: RunningSimulator[];
  close(): Promise<void>;
}

/** Starts simulators `hosts` sharing one database, each on its own transport, and a client on another. */
export async function harness(
  makeTransport: () => Transport,
  hosts: string[],
  opts: { nodes?: number; workers?: number; actionDelayMs?: number; topic?: string } = {},
): Promise<Harness> {
  const store = new Store();
  const transports: Transport[] = [];
  const sims: RunningSimulator[] = [];
  for (const [i, host] of hosts.entries()) {
    const t = makeTransport();
    transports.push(t);
    sims.push(
      await startSimulator({
        transport: t,
        topic: opts.topic,
        host,
        store,
        nodes: i === 0 ? (opts.nodes ?? 0) : 0,
        workers: opts.workers ?? 10,
        actionDelayMs: opts.actionDelayMs ?? 100,
      }),
    );
  }
  const clientTransport = makeTransport();
  const api = createConductorAPI(
    createConductorRpcClient(clientTransport, { rpc_response_timeout: 10 }),
    { hash_partition_exponent: 5, hash_ring_reset_interval: 15 },
    opts.topic,
  );
  return {
    api,
    sims,
    async close() {
      for (const s of sims) await s.stop();
      for (const t of [clientTransport, ...transports]) await t.close();
    },
  };
}

export const ctx = () => makeContext({ is_admin: true });

export async function rejectsWith(p: Promise<unknown>, cls: string, message?: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof RemoteError, String(err));
    assert.equal(err.exc_type, cls, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

export async function nodes(api: ConductorAPI, kwargs: Record<string, unknown> = {}): Promise<IronicObject<any>[]> {
  const list = await api.object_class_action_versions(ctx(), 'Node', 'list', { Node: '1.23' }, [], kwargs);
  assert.ok(Array.isArray(list));
  return list as IronicObject<any>[];
}

export async function getNode(api: ConductorAPI, uuid: string): Promise<IronicObject<any>> {
  const n = await api.object_class_action_versions(ctx(), 'Node', 'get_by_uuid', { Node: '1.23' }, [uuid], {});
  assert.ok(n instanceof IronicObject);
  return n as IronicObject<any>;
}

async function until(api: ConductorAPI, uuid: string, state: string): Promise<IronicObject<any>> {
  for (let i = 0; i < 200; i++) {
    const n = await getNode(api, uuid);
    if (n.get('provision_state') === state && !n.get('reservation')) return n;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`node ${uuid} never reached ${state}`);
}

/** The state machine, locks, worker pool, power, boot, traits, VIFs, vendor passthru and lists, through ConductorAPI. */
export async function keyBehaviours(api: ConductorAPI): Promise<void> {
  const all = await nodes(api);
  assert.ok(all.length >= 2);
  const uuid = String(all[0]!.get('uuid'));
  const topic = await api.get_topic_for(all[0]!);
  assert.ok(topic.startsWith(`${api.topic}.`), topic);
  const c = ctx();

  // state machine: refused, allowed, locked while running
  await rejectsWith(api.do_node_deploy(c, uuid, false, null, topic), 'InvalidStateRequested', /"deploy".*"enroll"/);
  await api.do_provisioning_action(c, uuid, 'manage', topic);
  await rejectsWith(api.do_provisioning_action(c, uuid, 'provide', topic), 'NodeLocked', /is locked by host/);
  await until(api, uuid, 'manageable');
  await api.do_provisioning_action(c, uuid, 'provide', topic);
  await until(api, uuid, 'available');
  await api.do_node_deploy(c, uuid, false, null, topic);
  assert.equal((await getNode(api, uuid)).get('provision_state'), 'deploying');
  await rejectsWith(api.set_boot_device(c, uuid, 'pxe', false, topic), 'NodeLocked');
  await until(api, uuid, 'active');

  // power and boot
  await api.change_node_power_state(c, uuid, 'power on', topic, 30);
  for (let i = 0; i < 100 && (await getNode(api, uuid)).get('power_state') !== 'power on'; i++)
    await new Promise((r) => setTimeout(r, 10));
  assert.equal((await getNode(api, uuid)).get('power_state'), 'power on');
  assert.deepEqual(await api.get_boot_device(c, uuid, topic), { boot_device: 'pxe', persistent: false });
  await rejectsWith(
    api.set_boot_device(c, uuid, 'disk', false, topic),
    'InvalidParameterValue',
    /Invalid boot device disk specified/,
  );

  // traits and VIFs
  await api.add_node_traits(c, uuid, ['CUSTOM_RAID'], false, topic);
  // the conductor stores any name, as Ironic's add_node_traits does: ironic-api checks names
  await api.add_node_traits(c, uuid, ['bad trait'], false, topic);
  await api.remove_node_traits(c, uuid, ['bad trait'], topic);
  await api.vif_attach(c, uuid, { id: 'vif-1' }, topic);
  await rejectsWith(api.vif_attach(c, uuid, { id: 'vif-1' }, topic), 'VifAlreadyAttached');
  assert.deepEqual(await api.vif_list(c, uuid, topic), [{ id: 'vif-1' }]);
  await api.vif_detach(c, uuid, 'vif-1', topic);

  // vendor passthru: sync, async, attach
  assert.deepEqual(await api.vendor_passthru(c, uuid, 'third_method_sync', 'POST', { bar: 'meow' }, topic), {
    return: true,
    async: false,
    attach: false,
  });
  assert.deepEqual(await api.vendor_passthru(c, uuid, 'second_method', 'POST', { bar: 'kazoo' }, topic), {
    return: null,
    async: true,
    attach: false,
  });
  const att = await api.vendor_passthru(c, uuid, 'attach_method', 'GET', {}, topic);
  assert.equal(att.attach, true);
  assert.match(String(att.return), /fake console log/);

  // lists with filters, limit, marker, sort
  const active = await nodes(api, { filters: { provision_state: 'active' } });
  assert.deepEqual(
    active.map((n) => n.get('uuid')),
    [uuid],
  );
  const page = await nodes(api, { limit: 1, sort_key: 'name', sort_dir: 'desc' });
  assert.equal(page.length, 1);
  const next = await nodes(api, { limit: 1, sort_key: 'name', sort_dir: 'desc', marker: page[0]!.get('uuid') });
  assert.ok(String(next[0]!.get('name')) < String(page[0]!.get('name')));
}

/** NoFreeConductorWorker when the pool (size 1) is busy. */
export async function poolFull(api: ConductorAPI): Promise<void> {
  const [a, b] = await nodes(api);
  const topic = await api.get_topic_for(a!);
  await api.do_provisioning_action(ctx(), String(a!.get('uuid')), 'manage', topic);
  await rejectsWith(
    api.do_provisioning_action(ctx(), String(b!.get('uuid')), 'manage', await api.get_topic_for(b!)),
    'NoFreeConductorWorker',
  );
  await until(api, String(a!.get('uuid')), 'manageable');
}
