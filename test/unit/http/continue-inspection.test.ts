/**
 * Issue 15, slice vmedia: the in-band inspection callback (POST /v1/continue_inspection, 1.84,
 * and exactly 1.1 as ironic-inspector's) and 39.0's lookup and heartbeat (reference §4.6, §5.3),
 * on the simulator: unpinned (39.0) and pinned to 21.4 where the answers differ.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError, waitFor } from './nodes-helpers.ts';

let seq = 0;
const mac = () => `52:54:00:7b:01:${(++seq).toString(16).padStart(2, '0')}`;

/** A node with a port, put in `state` in the simulator's database. */
async function nodeIn(g: TestGateway, state: string, extra: Record<string, unknown> = {}) {
  const n = await createNode(g.app, extra);
  const address = mac();
  const p = await call(g.app, '/v1/ports', { method: 'POST', version: '1.38', body: { address, node_uuid: n.uuid } });
  assert.equal(p.statusCode, 201, p.body);
  g.sim.store.updateNode(g.sim.store.node(n.uuid), { provision_state: state });
  return { uuid: String(n.uuid), address };
}

const inventory = (...macs: string[]) => ({
  interfaces: macs.map((m, i) => ({ name: `eth${i}`, mac_address: m })),
  cpu: { count: 4, architecture: 'x86_64' },
  memory: { physical_mb: 8192 },
});

const post = (g: TestGateway, body: unknown, version?: string, query = '') =>
  call(g.app, `/v1/continue_inspection${query}`, { method: 'POST', version, body });

describe('POST /v1/continue_inspection, unpinned (39.0)', () => {
  let g: TestGateway;
  before(async () => {
    g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  });
  after(() => g.close());

  test('at 1.84: found by MAC, a fresh token, the lookup answer; the inventory is stored and inspection ends', async () => {
    const n = await nodeIn(g, 'inspect wait');
    const data = { inventory: inventory(n.address, 'not-a-mac'), root_disk: { name: '/dev/sda' }, logs: 'base64' };
    const r = await post(g, data, '1.84');
    assert.equal(r.statusCode, 202, r.body);
    const b = r.json();
    assert.deepEqual(Object.keys(b), ['node', 'config']);
    assert.equal(b.node.uuid, n.uuid);
    assert.match(b.config.agent_token, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(b.node.driver_internal_info.agent_secret_token, '******');
    assert.ok('agent_containers' in b.config, '39.0 config');
    const node = await waitFor(g.app, n.uuid, (x) => x.provision_state === 'manageable');
    assert.equal(node.target_provision_state, null);
    const inv = await call(g.app, `/v1/nodes/${n.uuid}/inventory`, { version: '1.84' });
    assert.equal(inv.statusCode, 200, inv.body);
    assert.deepEqual(inv.json().inventory, data.inventory);
    // plugin data: everything but the inventory, without the logs
    assert.deepEqual(inv.json().plugin_data, { root_disk: { name: '/dev/sda' } });
    assert.ok(g.sim.store.node(n.uuid).driver_internal_info.agent_last_heartbeat);
  });

  test('at exactly 1.1 (no version header): the inspector-style answer {uuid}; no token minted', async () => {
    const n = await nodeIn(g, 'inspect wait');
    const r = await post(g, { inventory: inventory(n.address) });
    assert.equal(r.statusCode, 202, r.body);
    assert.deepEqual(r.json(), { uuid: n.uuid });
    assert.equal(g.sim.store.node(n.uuid).driver_internal_info.agent_secret_token, undefined);
    await waitFor(g.app, n.uuid, (x) => x.provision_state === 'manageable');
  });

  test('other versions, and node_uuid below 1.84, are 404 naming 1.84; node_uuid works from 1.84', async () => {
    const n = await nodeIn(g, 'inspect wait');
    const data = { inventory: inventory('52:54:00:ff:ff:01') };
    for (const v of ['1.2', '1.83'])
      expectError(await post(g, data, v), 404, /^API version 1\.84 or newer is required$/);
    expectError(
      await post(g, data, undefined, `?node_uuid=${n.uuid}`),
      404,
      /^API version 1\.84 or newer is required$/,
    );
    const r = await post(g, data, '1.115', `?node_uuid=${n.uuid}`);
    assert.equal(r.statusCode, 202, r.body);
    assert.equal(r.json().node.uuid, n.uuid);
    await waitFor(g.app, n.uuid, (x) => x.provision_state === 'manageable');
  });

  test('the data is checked as DATA_VALIDATOR is, before the version; no lookup information is 400', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /^Schema error for data: 'inventory' is a required property$/],
      [{ inventory: [] }, /^Schema error for data: \[\] is not of type 'object'$/],
      [{ inventory: {} }, /^Schema error for data: 'interfaces' is a required property$/],
      [{ inventory: { interfaces: [] } }, /^Schema error for data: \[\] should be non-empty$/],
      [
        { inventory: { interfaces: [{ name: 'eth0' }] } },
        /^Schema error for data: 'mac_address' is a required property$/,
      ],
      [{ inventory: { interfaces: [{ mac_address: 5 }] } }, /^Schema error for data: 5 is not of type 'string'$/],
      [
        { inventory: { interfaces: [{ mac_address: 'x' }], bmc_address: 5 } },
        /^Schema error for data: 5 is not of type 'string', 'null'$/,
      ],
    ];
    for (const [body, message] of cases) expectError(await post(g, body, '1.2'), 400, message);
    expectError(
      await post(g, { inventory: inventory('x') }, '1.84', '?node_uuid=nope'),
      400,
      /^Expected UUID for node_uuid: nope$/,
    );
    expectError(await post(g, { inventory: inventory('x') }, '1.84', '?foo=1'), 400, /^Unexpected arguments: foo$/);
    expectError(await post(g, { inventory: inventory('not-a-mac') }, '1.84'), 400, /^No lookup information provided$/);
  });

  test('any lookup failure is the same bare 404', async () => {
    const waiting = await nodeIn(g, 'inspect wait');
    const other = await nodeIn(g, 'inspect wait');
    const enrolled = await nodeIn(g, 'enroll');
    const cases: [unknown, string][] = [
      [{ inventory: inventory('52:54:00:ee:ee:01') }, ''], // nobody's MAC (auto-discovery is off)
      [{ inventory: inventory(enrolled.address) }, ''], // not waiting for inspection data
      [{ inventory: inventory(other.address) }, `?node_uuid=${waiting.uuid}`], // MAC of another node
      [{ inventory: inventory('52:54:00:ee:ee:02') }, '?node_uuid=1be26c0b-03f2-4d2e-ae87-c02d7f33c123'],
    ];
    for (const [body, q] of cases) expectError(await post(g, body, '1.84', q), 404, /^Resource could not be found\.$/);
  });

  test('a node found by the BMC address cached when its inspection started', async () => {
    const n = await nodeIn(g, 'inspect wait', { driver_info: {} });
    g.sim.store.updateNode(g.sim.store.node(n.uuid), {
      driver_internal_info: { lookup_bmc_addresses: ['192.0.2.33'] },
    });
    const r = await post(g, { inventory: { ...inventory('52:54:00:dd:dd:01'), bmc_address: '192.0.2.33' } }, '1.84');
    assert.equal(r.statusCode, 202, r.body);
    assert.equal(r.json().node.uuid, n.uuid);
    await waitFor(g.app, n.uuid, (x) => x.provision_state === 'manageable');
  });

  test('enable_ramdisk_endpoints off: 403 after the data check', async () => {
    const off = await testGateway({
      routes: resourceRoutes,
      config: { pin_release_version: undefined, enable_ramdisk_endpoints: false },
    });
    try {
      expectError(await post(off, {}, '1.84'), 400, /^Schema error for data/);
      expectError(await post(off, { inventory: inventory('52:54:00:dd:dd:02') }, '1.84'), 403);
    } finally {
      await off.close();
    }
  });

  test('/v1 links continue_inspection from 1.84 only', async () => {
    assert.equal((await call(g.app, '/v1', { version: '1.83' })).json().continue_inspection, undefined);
    assert.match(
      (await call(g.app, '/v1', { version: '1.84' })).json().continue_inspection[0].href,
      /\/v1\/continue_inspection\/$/,
    );
  });
});

describe('39.0 lookup and heartbeat, unpinned vs pinned to 21.4', () => {
  for (const pin of [undefined, '21.4']) {
    test(`pin ${pin ?? 'unset'}: service wait lookups, the callback URL's scheme, the config`, async () => {
      const g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: pin } });
      try {
        const n = await nodeIn(g, 'service wait');
        const look = await call(g.app, `/v1/lookup?addresses=${n.address}`, { version: '1.62' });
        if (pin === undefined) assert.equal(look.statusCode, 200, look.body);
        else expectError(look, 404); // 21.4 has no servicing
        const w = await nodeIn(g, 'wait call-back', { management_interface: 'fake' });
        const lw = await call(g.app, `/v1/lookup?node_uuid=${w.uuid}`, { version: '1.62' });
        assert.equal(lw.statusCode, 200, lw.body);
        const token = lw.json().config.agent_token;
        assert.equal(lw.json().config.agent_skip_bmc_detect, pin === undefined ? false : undefined);
        const hb = (callback_url: string) =>
          call(g.app, `/v1/heartbeat/${w.uuid}`, {
            method: 'POST',
            version: '1.62',
            body: { callback_url, agent_token: token, agent_version: '9.4.0' },
          });
        const bad = await hb('ftp://10.0.0.9:9999');
        if (pin === undefined) expectError(bad, 400, /^An issue with the supplied "callback_url" has been detected\.$/);
        else assert.equal(bad.statusCode, 202, bad.body);
        // the anaconda deploy interface's empty callback URL passes
        g.sim.store.updateNode(g.sim.store.node(w.uuid), {
          driver_internal_info: { ...g.sim.store.node(w.uuid).driver_internal_info, agent_url: null },
        });
        const ok = await hb('HTTP://10.0.0.9:9999');
        assert.equal(ok.statusCode, 202, ok.body);
      } finally {
        await g.close();
      }
    });
  }

  test('pinned to 21.4, /v1/continue_inspection does not exist', async () => {
    const g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
    try {
      const r = await call(g.app, '/v1/continue_inspection', {
        method: 'POST',
        body: { inventory: inventory('52:54:00:dd:dd:03') },
      });
      assert.equal(r.statusCode, 404, r.body);
      assert.equal(JSON.parse(r.json().error_message).title, 'Not Found');
    } finally {
      await g.close();
    }
  });

  test('redfish management: the 39.0 config tells the agent to skip BMC detection', async () => {
    const g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
    try {
      const n = await nodeIn(g, 'wait call-back');
      g.sim.store.updateNode(g.sim.store.node(n.uuid), { management_interface: 'redfish' });
      const r = await call(g.app, `/v1/lookup?node_uuid=${n.uuid}`, { version: '1.62' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().config.agent_skip_bmc_detect, true);
    } finally {
      await g.close();
    }
  });
});
