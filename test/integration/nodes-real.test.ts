/**
 * The node lifecycle through the gateway's HTTP routes against the REAL Debian ironic-conductor
 * (fake-hardware, on MariaDB) over the REAL RabbitMQ started by test/support/stack.sh: create →
 * manage → provide → deploy → power off/on → boot device → traits → VIFs → vendor passthru
 * (sync, async; the fake offers no attach method: that is tested on the simulator) → tear
 * down → delete.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { nodeRoutes } from '../../src/http/routes/nodes/index.ts';
import { stack } from '../support/stack-env.ts';
import { call } from '../unit/http/nodes-helpers.ts';

const V = '1.38';

describe('node lifecycle through the gateway against the real ironic-conductor', () => {
  let gateway: Gateway;
  let app: FastifyInstance;
  const name = `life-${randomUUID().slice(0, 8)}`;
  let uuid = '';

  const get = async (): Promise<Record<string, any>> => (await call(app, `/v1/nodes/${name}`, { version: V })).json();
  async function waitFor(
    what: string,
    pred: (n: Record<string, any>) => boolean,
    ms = 60_000,
  ): Promise<Record<string, any>> {
    const end = Date.now() + ms;
    for (;;) {
      const n = await get();
      if (pred(n)) return n;
      if (Date.now() > end)
        assert.fail(
          `timed out waiting for ${what}: ${JSON.stringify({ ps: n.provision_state, tps: n.target_provision_state, pw: n.power_state, err: n.last_error })}`,
        );
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  async function provision(target: string, expected: string): Promise<void> {
    const r = await call(app, `/v1/nodes/${name}/states/provision`, { method: 'PUT', version: V, body: { target } });
    assert.equal(r.statusCode, 202, r.body);
    assert.match(String(r.headers.location), new RegExp(`/v1/nodes/${name}/states$`));
    const n = await waitFor(
      `${target} → ${expected}`,
      (x) => x.provision_state === expected && !x.target_provision_state && !x.reservation,
    );
    assert.equal(n.last_error, null);
  }

  before(async () => {
    const config = loadConfig({
      env: {},
      overrides: { log_level: 'silent', rpc_response_timeout: 30, ...stack.gatewaySettings() },
    });
    gateway = await createGateway(config, { routes: nodeRoutes });
    app = gateway.app;
    await app.ready();
  });

  after(async () => {
    if (uuid) await call(app, `/v1/nodes/${uuid}`, { method: 'DELETE', version: V }).catch(() => undefined);
    await gateway?.close();
  });

  it('creates the node (201, enroll) and reads it back by name', async () => {
    const r = await call(app, '/v1/nodes', {
      method: 'POST',
      version: V,
      body: { driver: 'fake-hardware', name, extra: { suite: 'nodes-real' } },
    });
    assert.equal(r.statusCode, 201, r.body);
    const n = r.json();
    uuid = n.uuid;
    assert.equal(r.headers.location, `http://localhost:80/v1/nodes/${uuid}`);
    assert.equal(n.provision_state, 'enroll');
    const got = await get();
    assert.equal(got.uuid, uuid);
    assert.deepEqual(got.extra, { suite: 'nodes-real' });
    const list = await call(app, `/v1/nodes?fields=uuid,name`, { version: V });
    assert.ok(list.json().nodes.some((x: { uuid: string }) => x.uuid === uuid));
  });

  it('patches the node (only the changed field goes to update_node)', async () => {
    const r = await call(app, `/v1/nodes/${name}`, {
      method: 'PATCH',
      version: V,
      body: [{ op: 'add', path: '/extra/patched', value: true }],
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(r.json().extra, { suite: 'nodes-real', patched: true });
  });

  it('manages, provides and deploys the node to active', async () => {
    await provision('manage', 'manageable');
    await provision('provide', 'available');
    const bad = await call(app, `/v1/nodes/${name}/states/provision`, {
      method: 'PUT',
      version: V,
      body: { target: 'provide' },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    await provision('active', 'active');
  });

  it('powers the node off and on', async () => {
    for (const target of ['power off', 'power on']) {
      const r = await call(app, `/v1/nodes/${name}/states/power`, { method: 'PUT', version: V, body: { target } });
      assert.equal(r.statusCode, 202, r.body);
      await waitFor(target, (n) => n.power_state === target && !n.target_power_state);
    }
  });

  it('reads and sets the boot device', async () => {
    const sup = await call(app, `/v1/nodes/${name}/management/boot_device/supported`, { version: V });
    assert.equal(sup.statusCode, 200, sup.body);
    const devices: string[] = sup.json().supported_boot_devices;
    assert.ok(devices.length > 0);
    const set = await call(app, `/v1/nodes/${name}/management/boot_device`, {
      method: 'PUT',
      version: V,
      body: { boot_device: devices[0], persistent: false },
    });
    assert.equal(set.statusCode, 204, set.body);
    const got = await call(app, `/v1/nodes/${name}/management/boot_device`, { version: V });
    assert.equal(got.statusCode, 200, got.body);
    assert.ok('boot_device' in got.json());
    const disk = await call(app, `/v1/nodes/${name}/management/boot_device`, {
      method: 'PUT',
      version: V,
      body: { boot_device: 'nonsense' },
    });
    assert.equal(disk.statusCode, 400, disk.body);
  });

  it('sets, reads and removes traits', async () => {
    assert.equal(
      (
        await call(app, `/v1/nodes/${name}/traits`, {
          method: 'PUT',
          version: V,
          body: { traits: ['CUSTOM_GOLD', 'HW_CPU_X86_AVX2'] },
        })
      ).statusCode,
      204,
    );
    assert.equal(
      (await call(app, `/v1/nodes/${name}/traits/CUSTOM_SILVER`, { method: 'PUT', version: V })).statusCode,
      204,
    );
    const t = await call(app, `/v1/nodes/${name}/traits`, { version: V });
    assert.deepEqual(t.json().traits.sort(), ['CUSTOM_GOLD', 'CUSTOM_SILVER', 'HW_CPU_X86_AVX2']);
    assert.equal(
      (await call(app, `/v1/nodes/${name}/traits/CUSTOM_GOLD`, { method: 'DELETE', version: V })).statusCode,
      204,
    );
    assert.equal((await call(app, `/v1/nodes/${name}/traits`, { method: 'DELETE', version: V })).statusCode, 204);
    assert.deepEqual((await call(app, `/v1/nodes/${name}/traits`, { version: V })).json(), { traits: [] });
  });

  it('attaches, lists and detaches a VIF (noop network interface keeps none)', async () => {
    const vif = randomUUID();
    const att = await call(app, `/v1/nodes/${name}/vifs`, { method: 'POST', version: V, body: { id: vif } });
    assert.equal(att.statusCode, 204, att.body);
    const list = await call(app, `/v1/nodes/${name}/vifs`, { version: V });
    assert.equal(list.statusCode, 200, list.body);
    assert.ok(Array.isArray(list.json().vifs));
    const det = await call(app, `/v1/nodes/${name}/vifs/${vif}`, { method: 'DELETE', version: V });
    assert.ok([204, 400].includes(det.statusCode), det.body);
  });

  it('calls vendor passthru: sync 200 with the return value, async 202, errors', async () => {
    const methods = await call(app, `/v1/nodes/${name}/vendor_passthru/methods`, { version: V });
    assert.equal(methods.statusCode, 200, methods.body);
    assert.ok('third_method_sync' in methods.json() && 'second_method' in methods.json());
    const sync = await call(app, `/v1/nodes/${name}/vendor_passthru?method=third_method_sync`, {
      method: 'POST',
      version: V,
      body: { bar: 'meow' },
    });
    assert.equal(sync.statusCode, 200, sync.body);
    const asyncR = await call(app, `/v1/nodes/${name}/vendor_passthru?method=second_method`, {
      method: 'POST',
      version: V,
      body: { bar: 'kazoo' },
    });
    assert.equal(asyncR.statusCode, 202, asyncR.body);
    await waitFor('vendor lock released', (n) => !n.reservation);
    const none = await call(app, `/v1/nodes/${name}/vendor_passthru`, { method: 'POST', version: V, body: {} });
    assert.equal(none.statusCode, 400);
  });

  it('tears the node down, then deletes it (204, then 404)', async () => {
    await provision('deleted', 'available');
    const del = await call(app, `/v1/nodes/${name}`, { method: 'DELETE', version: V });
    assert.equal(del.statusCode, 204, del.body);
    const gone = await call(app, `/v1/nodes/${uuid}`, { version: V });
    assert.equal(gone.statusCode, 404);
    uuid = '';
  });
});
