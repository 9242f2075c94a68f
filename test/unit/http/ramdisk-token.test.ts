/**
 * The agent path of 21.4 on the simulator, unpinned and pinned to 21.4: lookup mints the agent
 * token at 1.62 (get_node_with_token), heartbeat carries it with the agent's version (1.36),
 * certificate (1.68) and status (1.72), and is refused as ironic-api 21.4 and its conductor
 * refuse it; fast track, restrict_lookup and Debian's enable_ramdisk_endpoints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Config } from '../../../src/config.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError } from './nodes-helpers.ts';

const CB = 'http://10.0.0.9:9999';
let seq = 0;
const mac = () => `52:54:00:7a:00:${(++seq).toString(16).padStart(2, '0')}`;

async function withGateway(config: Partial<Config>, body: (g: TestGateway) => Promise<void>): Promise<void> {
  const g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined, ...config } });
  try {
    await body(g);
  } finally {
    await g.close();
  }
}

/** A node (with a port) put in `state` in the simulator's database. */
async function nodeIn(
  g: TestGateway,
  state: string,
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const n = await createNode(g.app, extra);
  const address = mac();
  const p = await call(g.app, '/v1/ports', { method: 'POST', version: '1.38', body: { address, node_uuid: n.uuid } });
  assert.equal(p.statusCode, 201, p.body);
  g.sim.store.updateNode(g.sim.store.node(n.uuid), { provision_state: state });
  return { ...n, address };
}

const storedToken = (g: TestGateway, uuid: string): unknown =>
  g.sim.store.node(uuid).driver_internal_info.agent_secret_token;

const body0 = (agent_token: string) => ({
  agent_version: '9.4.0',
  agent_token,
  agent_verify_ca: 'PEM',
  agent_status: 'start',
  agent_status_message: 'm',
});
const lookup = (g: TestGateway, q: string, version: string) => call(g.app, `/v1/lookup?${q}`, { version });
const heartbeat = (g: TestGateway, ident: string, version: string, body: Record<string, unknown>) =>
  call(g.app, `/v1/heartbeat/${ident}`, { method: 'POST', version, body: { callback_url: CB, ...body } });

for (const pin of [undefined, '21.4']) {
  describe(`agent token path, pin ${pin ?? 'unset'}`, () => {
    let g: TestGateway;
    before(async () => {
      g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: pin } });
    });
    after(() => g.close());

    test('lookup at 1.61 mints nothing; its config has every key the served release returns, from the settings', async () => {
      const n = await nodeIn(g, 'deploying', { instance_info: { image_url: 'http://x' } });
      const r = await lookup(g, `addresses=${n.address}`, '1.61');
      assert.equal(r.statusCode, 200, r.body);
      const b = r.json();
      assert.deepEqual(b.config, {
        metrics: {
          backend: 'noop',
          prepend_host: false,
          prepend_uuid: false,
          prepend_host_reverse: true,
          global_prefix: null,
        },
        metrics_statsd: { statsd_host: 'localhost', statsd_port: 8125 },
        heartbeat_timeout: 300,
        // issue 15: unpinned, 39.0's ramdisk.config() (its keys, in its order, its defaults)
        ...(pin === undefined
          ? {
              agent_containers: {
                allow_arbitrary_containers: false,
                allowed_containers: [],
                container_steps_file: '/etc/ironic-python-agent.d/mysteps.yaml',
                runner: 'podman',
                pull_options: [],
                run_options: ['--rm', '--network=host'],
              },
              agent_token: null,
              agent_token_required: true,
              agent_md5_checksum_enable: true,
              disable_deep_image_inspection: false,
              permitted_image_formats: ['raw', 'gpt', 'qcow2', 'iso'],
              agent_skip_bmc_detect: false,
              enable_bios_bootloader_install: false,
              tls_min_version: '1.3',
              tls_cipher_suites: null,
            }
          : {
              agent_token: null,
              agent_token_required: true,
              disable_deep_image_inspection: false,
              permitted_image_formats: ['raw', 'qcow2', 'iso'],
              enable_bios_bootloader_install: true,
            }),
      });
      if (pin === undefined)
        assert.equal(
          Object.keys(b.config).join(','),
          'metrics,metrics_statsd,heartbeat_timeout,agent_containers,agent_token,agent_token_required,agent_md5_checksum_enable,disable_deep_image_inspection,permitted_image_formats,agent_skip_bmc_detect,enable_bios_bootloader_install,tls_min_version,tls_cipher_suites',
        );
      assert.deepEqual(Object.keys(b.node).sort(), [
        'driver_internal_info',
        'instance_info',
        'links',
        'properties',
        'uuid',
      ]);
      assert.equal(b.node.instance_info.image_url, '******');
      assert.equal(storedToken(g, n.uuid), undefined);
    });

    test("lookup at 1.62 mints the token once: config.agent_token, then '******'; the node never shows it", async () => {
      const n = await nodeIn(g, 'wait call-back');
      const r = await lookup(g, `node_uuid=${n.uuid}`, '1.62');
      assert.equal(r.statusCode, 200, r.body);
      const token = r.json().config.agent_token;
      assert.match(token, /^[A-Za-z0-9_-]{43}$/); // secrets.token_urlsafe(): 32 bytes
      assert.equal(storedToken(g, n.uuid), token);
      assert.equal(r.json().node.driver_internal_info.agent_secret_token, '******');
      assert.equal(r.json().config.agent_token_required, true);
      // a second lookup (another agent, or a replay) learns nothing
      const again = await lookup(g, `addresses=${n.address}`, '1.82');
      assert.equal(again.statusCode, 200, again.body);
      assert.equal(again.json().config.agent_token, '******');
      assert.equal(storedToken(g, n.uuid), token);
      // below 1.62 ironic-api 21.4 hands the stored token out as it is (§7 Q15); the gateway does not
      const old = await lookup(g, `addresses=${n.address}`, '1.61');
      assert.equal(old.json().config.agent_token, '******');
      // nor does any node read
      const node = await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.62' });
      assert.equal(node.json().driver_internal_info.agent_secret_token, '******');
      const list = await call(g.app, `/v1/nodes/detail`, { version: '1.62' });
      const mine = list.json().nodes.find((x: any) => x.uuid === n.uuid);
      assert.equal(mine.driver_internal_info.agent_secret_token, '******');
    });

    test('heartbeat with the minted token: 202 at 1.62, 1.68 (agent_verify_ca) and 1.72 (agent_status)', async () => {
      const n = await nodeIn(g, 'clean wait');
      const token = (await lookup(g, `node_uuid=${n.uuid}`, '1.62')).json().config.agent_token;
      for (const [v, extra] of [
        ['1.62', { agent_version: '9.4.0' }],
        ['1.67', { agent_version: '9.4.0' }],
        [
          '1.68',
          { agent_version: '9.4.0', agent_verify_ca: '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----' },
        ],
        ['1.71', { agent_version: '9.4.0' }],
        ['1.72', { agent_version: '9.4.0', agent_status: 'start', agent_status_message: 'deploying' }],
        // the anaconda ramdisk sends a status and no version
        ['1.72', { agent_status: 'end' }],
        ['1.82', { agent_status: 'error', agent_status_message: 'boom' }],
      ] as const) {
        const r = await heartbeat(g, n.uuid, v, { agent_token: token, ...extra });
        assert.equal(r.statusCode, 202, `${v} ${JSON.stringify(extra)}: ${r.body}`);
        assert.equal(r.body, '');
      }
      // by name too
      const named = await createNode(g.app, { name: `hb-${seq}` });
      g.sim.store.updateNode(g.sim.store.node(named.uuid), { provision_state: 'deploying' });
      const t2 = (await lookup(g, `node_uuid=${named.uuid}`, '1.62')).json().config.agent_token;
      const r = await heartbeat(g, named.name, '1.62', { agent_token: t2, agent_version: '9' });
      assert.equal(r.statusCode, 202, r.body);
    });

    test('heartbeat hands the conductor every field, on the node topic', async () => {
      const n = await nodeIn(g, 'deploying');
      const agent_token = (await lookup(g, `node_uuid=${n.uuid}`, '1.62')).json().config.agent_token;
      const api = g.app.conductor as unknown as Record<string, unknown>;
      const seen: unknown[][] = [];
      const original = (api.heartbeat as (...a: unknown[]) => Promise<unknown>).bind(api);
      api.heartbeat = (...args: unknown[]) => {
        seen.push(args.slice(1));
        return original(...args);
      };
      try {
        const body = {
          agent_token,
          agent_version: '9.4.0',
          agent_verify_ca: 'PEM',
          agent_status: 'start',
          agent_status_message: 'm',
        };
        assert.equal((await heartbeat(g, n.uuid, '1.72', body)).statusCode, 202);
        assert.equal((await heartbeat(g, n.uuid, '1.62', { agent_token, agent_version: '9' })).statusCode, 202);
      } finally {
        delete api.heartbeat;
      }
      const topic = `ironic.conductor_manager.${g.config.simulator_host}`;
      assert.deepEqual(seen, [
        [n.uuid, CB, body0(agent_token), topic],
        [
          n.uuid,
          CB,
          {
            agent_version: '9',
            agent_token,
            agent_verify_ca: null,
            agent_status: null,
            agent_status_message: null,
          },
          topic,
        ],
      ]);
    });

    test('heartbeat refused: wrong or missing token, no version, as 21.4 (ironic-api, then its conductor)', async () => {
      const n = await nodeIn(g, 'deploying');
      const token = (await lookup(g, `node_uuid=${n.uuid}`, '1.62')).json().config.agent_token;
      for (const v of ['1.22', '1.36', '1.62', '1.72']) {
        expectError(
          await heartbeat(g, n.uuid, v, { agent_version: v >= '1.36' ? '9' : undefined }),
          400,
          /^Agent token is required for heartbeat processing\.$/,
        );
        expectError(
          await heartbeat(g, n.uuid, v, { agent_token: null }),
          400,
          /^Agent token is required for heartbeat processing\.$/,
        );
      }
      expectError(
        await heartbeat(g, n.uuid, '1.62', { agent_token: `${token}x`, agent_version: '9' }),
        400,
        /^Invalid or missing agent token received\.$/,
      );
      expectError(
        await heartbeat(g, n.uuid, '1.62', { agent_token: '******', agent_version: '9' }),
        400,
        /^Invalid or missing agent token received\.$/,
      );
      // the conductor wants a version (or a status) first, whatever the token
      for (const t of [token, 'wrong'])
        expectError(
          await heartbeat(g, n.uuid, '1.62', { agent_token: t }),
          400,
          /^Agent did not transmit a version, and a version is required\. Please update the agent being used\.$/,
        );
      // a node with no token at all refuses any
      const fresh = await nodeIn(g, 'deploying');
      expectError(
        await heartbeat(g, fresh.uuid, '1.62', { agent_token: token, agent_version: '9' }),
        400,
        /^Invalid or missing agent token received\.$/,
      );
      // the node is looked up before the token is asked for
      expectError(
        await heartbeat(g, '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', '1.62', {}),
        404,
        /1be26c0b-03f2-4d2e-ae87-c02d7f33c123 could not be found/,
      );
    });

    test('heartbeat fields below their microversions, bad status, changed callback URL', async () => {
      const n = await nodeIn(g, 'deploying');
      const agent_token = (await lookup(g, `node_uuid=${n.uuid}`, '1.62')).json().config.agent_token;
      expectError(
        await heartbeat(g, n.uuid, '1.35', { agent_token, agent_version: '9' }),
        400,
        /^Field "agent_version" not recognised$/,
      );
      for (const extra of [{ agent_status: 'start' }, { agent_status_message: 'm' }, { agent_status: 'bogus' }])
        expectError(
          await heartbeat(g, n.uuid, '1.71', { agent_token, agent_version: '9', ...extra }),
          400,
          /^Fields "agent_status" and "agent_status_message" not recognised\.$/,
        );
      expectError(
        await heartbeat(g, n.uuid, '1.67', { agent_token, agent_version: '9', agent_verify_ca: 'pem' }),
        400,
        /^Field "agent_verify_ca" not recognised in this version$/,
      );
      // an empty agent_verify_ca is still "given" (is not None), an empty status is not a valid one
      expectError(
        await heartbeat(g, n.uuid, '1.67', { agent_token, agent_version: '9', agent_verify_ca: '' }),
        400,
        /agent_verify_ca/,
      );
      for (const agent_status of ['bogus', '', 'START'])
        expectError(
          await heartbeat(g, n.uuid, '1.72', { agent_token, agent_version: '9', agent_status }),
          400,
          /^Agent status is invalid\. Valid states are start,end,error\.$/,
        );
      // the agent's URL, once known, may not change
      const row = g.sim.store.node(n.uuid);
      g.sim.store.updateNode(row, { driver_internal_info: { ...row.driver_internal_info, agent_url: CB } });
      expectError(
        await call(g.app, `/v1/heartbeat/${n.uuid}`, {
          method: 'POST',
          version: '1.62',
          body: { callback_url: 'http://10.6.6.6:9999', agent_token, agent_version: '9' },
        }),
        400,
        /^Detected change in ramdisk provided "callback_url"$/,
      );
      assert.equal((await heartbeat(g, n.uuid, '1.62', { agent_token, agent_version: '9' })).statusCode, 202);
    });

    test("arguments are checked as ironic's args.validate does, before the microversion", async () => {
      const n = await nodeIn(g, 'deploying');
      const agent_token = (await lookup(g, `node_uuid=${n.uuid}`, '1.62')).json().config.agent_token;
      for (const v of ['1.21', '1.62']) {
        expectError(
          await call(g.app, `/v1/heartbeat/${n.uuid}`, { method: 'POST', version: v, body: {} }),
          400,
          /^Missing mandatory parameter: callback_url$/,
        );
        expectError(
          await call(g.app, `/v1/heartbeat/${n.uuid}`, { method: 'POST', version: v }),
          400,
          /^Missing mandatory parameter: callback_url$/,
        );
        expectError(
          await call(g.app, `/v1/heartbeat/${n.uuid}`, { method: 'POST', version: v, body: [1, 2] }),
          400,
          /^Missing mandatory parameter: callback_url$/,
        );
        expectError(
          await heartbeat(g, n.uuid, v, { agent_token, agent_version: '9', bogus: 1 }),
          400,
          /^Unexpected arguments: bogus$/,
        );
        expectError(
          await heartbeat(g, n.uuid, v, { agent_token, agent_version: 9 }),
          400,
          /^Expected string for agent_version: 9$/,
        );
        expectError(
          await heartbeat(g, n.uuid, v, { agent_token: { a: [1, 'b'] }, agent_version: '9' }),
          400,
          /^Expected string for agent_token: \{'a': \[1, 'b'\]\}$/,
        );
        expectError(
          await heartbeat(g, n.uuid, v, { agent_token: true, agent_version: '9' }),
          400,
          /^Expected string for agent_token: True$/,
        );
        expectError(
          await call(g.app, '/v1/heartbeat/bad%20name', { method: 'POST', version: v, body: { callback_url: CB } }),
          400,
          /^Expected UUID or name for node_ident: bad name$/,
        );
        expectError(await lookup(g, 'node_uuid=nope', v), 400, /^Expected UUID for node_uuid: nope$/);
        expectError(await lookup(g, `node_uuid=${n.uuid}&bogus=1`, v), 400, /^Unexpected arguments: bogus$/);
        expectError(
          await lookup(g, 'addresses=52:54:00:00:00:01&addresses=52:54:00:00:00:02', v),
          400,
          /^Expected string for addresses: \['52:54:00:00:00:01', '52:54:00:00:00:02'\]$/,
        );
      }
      // pecan passes the query string's arguments too
      const r = await call(g.app, `/v1/heartbeat/${n.uuid}?callback_url=${encodeURIComponent(CB)}`, {
        method: 'POST',
        version: '1.62',
        body: { agent_token, agent_version: '9' },
      });
      assert.equal(r.statusCode, 202, r.body);
      // JSON null is "not given"
      const nulls = await heartbeat(g, n.uuid, '1.62', {
        agent_token,
        agent_version: '9',
        agent_verify_ca: null,
        agent_status: null,
        agent_status_message: null,
      });
      assert.equal(nulls.statusCode, 202, nulls.body);
    });

    test('lookup: restricted to the ramdisk states; a locked node is 409; a power-off wipes the token', async () => {
      for (const state of ['enroll', 'manageable', 'available', 'active', 'deploy failed']) {
        const n = await nodeIn(g, state);
        expectError(await lookup(g, `addresses=${n.address}`, '1.62'), 404, /^Resource could not be found\.$/);
        assert.equal(storedToken(g, n.uuid), undefined);
      }
      for (const state of ['inspect wait', 'inspecting', 'rescue wait', 'rescuing', 'cleaning']) {
        const n = await nodeIn(g, state);
        assert.equal((await lookup(g, `addresses=${n.address}`, '1.62')).statusCode, 200, state);
      }
      const locked = await nodeIn(g, 'deploying');
      g.sim.store.node(locked.uuid).reservation = 'other-conductor';
      expectError(await lookup(g, `node_uuid=${locked.uuid}`, '1.62'), 409, /locked by host other-conductor/);
      g.sim.store.node(locked.uuid).reservation = null;
      // once minted, a locked node still answers ('******' needs no exclusive lock)
      const first = (await lookup(g, `node_uuid=${locked.uuid}`, '1.62')).json().config.agent_token;
      g.sim.store.node(locked.uuid).reservation = 'other-conductor';
      assert.equal((await lookup(g, `node_uuid=${locked.uuid}`, '1.62')).json().config.agent_token, '******');
      g.sim.store.node(locked.uuid).reservation = null;
      // powering off (or rebooting) forgets the token: the next boot's agent gets a new one
      const off = await call(g.app, `/v1/nodes/${locked.uuid}/states/power`, {
        method: 'PUT',
        version: '1.62',
        body: { target: 'power off' },
      });
      assert.equal(off.statusCode, 202, off.body);
      for (let i = 0; i < 100 && storedToken(g, locked.uuid) !== undefined; i++)
        await new Promise((r) => setTimeout(r, 10));
      assert.equal(storedToken(g, locked.uuid), undefined);
      const second = (await lookup(g, `node_uuid=${locked.uuid}`, '1.62')).json().config.agent_token;
      assert.match(second, /^[A-Za-z0-9_-]{43}$/);
      assert.notEqual(second, first);
    });

    test('lookup at 1.62 of a node no conductor can take: 400 (NoValidHost), as ironic-api; below 1.62 no topic is needed', async () => {
      const n = await nodeIn(g, 'deploying');
      g.sim.store.unregisterConductor(g.config.simulator_host);
      g.sim.store.registerConductor(g.config.simulator_host, ['other-hardware']);
      g.conductor.ringManager.reset();
      try {
        expectError(await lookup(g, `addresses=${n.address}`, '1.62'), 400, /No valid host/);
        assert.equal((await lookup(g, `addresses=${n.address}`, '1.61')).statusCode, 200);
        assert.equal(storedToken(g, n.uuid), undefined);
      } finally {
        g.sim.store.unregisterConductor(g.config.simulator_host);
        g.sim.store.registerConductor(g.config.simulator_host, ['fake-hardware']);
        g.conductor.ringManager.reset();
      }
    });

    test('fast track: driver_info fast_track (strict boolean) or the fast_track setting opens enroll, manageable, available', async () => {
      const on = await nodeIn(g, 'manageable', { driver_info: { fast_track: 'yes' } });
      assert.equal((await lookup(g, `addresses=${on.address}`, '1.62')).statusCode, 200);
      const enroll = await nodeIn(g, 'enroll', { driver_info: { fast_track: true } });
      assert.equal((await lookup(g, `addresses=${enroll.address}`, '1.22')).statusCode, 200);
      const active = await nodeIn(g, 'active', { driver_info: { fast_track: true } });
      expectError(await lookup(g, `addresses=${active.address}`, '1.62'), 404);
      const bad = await nodeIn(g, 'available', { driver_info: { fast_track: 'maybe' } });
      expectError(
        await lookup(g, `addresses=${bad.address}`, '1.62'),
        400,
        /^Invalid value of fast_track: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'$/,
      );
    });
  });
}

test('settings: fast_track, restrict_lookup and the config handed to the agent', async () => {
  await withGateway(
    {
      fast_track: true,
      ramdisk_heartbeat_timeout: 60,
      metrics_agent_backend: 'statsd',
      metrics_agent_prepend_host: true,
      metrics_agent_prepend_uuid: true,
      metrics_agent_prepend_host_reverse: false,
      metrics_agent_global_prefix: 'bm',
      metrics_statsd_agent_statsd_host: '10.0.0.1',
      metrics_statsd_agent_statsd_port: 9125,
      disable_deep_image_inspection: true,
      permitted_image_formats: 'raw, qcow2',
      enable_bios_bootloader_install: false,
    },
    async (g) => {
      const n = await nodeIn(g, 'available');
      const r = await lookup(g, `addresses=${n.address}`, '1.62');
      assert.equal(r.statusCode, 200, r.body);
      const c = r.json().config;
      assert.deepEqual(c.metrics, {
        backend: 'statsd',
        prepend_host: true,
        prepend_uuid: true,
        prepend_host_reverse: false,
        global_prefix: 'bm',
      });
      assert.deepEqual(c.metrics_statsd, { statsd_host: '10.0.0.1', statsd_port: 9125 });
      assert.equal(c.heartbeat_timeout, 60);
      assert.equal(c.disable_deep_image_inspection, true);
      assert.deepEqual(c.permitted_image_formats, ['raw', 'qcow2']);
      assert.equal(c.enable_bios_bootloader_install, false);
      // the node's own driver_info says no
      const off = await nodeIn(g, 'available', { driver_info: { fast_track: 'false' } });
      expectError(await lookup(g, `addresses=${off.address}`, '1.62'), 404);
    },
  );
  await withGateway({ restrict_lookup: false }, async (g) => {
    const n = await nodeIn(g, 'active');
    const r = await lookup(g, `addresses=${n.address}`, '1.62');
    assert.equal(r.statusCode, 200, r.body);
    assert.match(r.json().config.agent_token, /^[A-Za-z0-9_-]{43}$/);
  });
});

test("enable_ramdisk_endpoints false: 403 for both endpoints, before any version check (Debian's)", async () => {
  await withGateway({ enable_ramdisk_endpoints: false }, async (g) => {
    const n = await nodeIn(g, 'deploying');
    for (const v of ['1.1', '1.22', '1.62', '1.82']) {
      expectError(
        await lookup(g, `addresses=${n.address}`, v),
        403,
        /^Access was denied to the following resource: \/v1\/lookup$/,
      );
      expectError(
        await call(g.app, `/v1/heartbeat/${n.uuid}`, { method: 'POST', version: v, body: { callback_url: CB } }),
        403,
        new RegExp(`^Access was denied to the following resource: /v1/heartbeat/${n.uuid}$`),
      );
    }
    assert.equal(storedToken(g, n.uuid), undefined);
    // ironic-api checks its arguments first
    expectError(
      await call(g.app, `/v1/heartbeat/${n.uuid}`, { method: 'POST', version: '1.62', body: {} }),
      400,
      /^Missing mandatory parameter: callback_url$/,
    );
    expectError(await lookup(g, 'node_uuid=x', '1.62'), 400, /^Expected UUID for node_uuid: x$/);
    // the rest of the API is unaffected
    assert.equal((await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.62' })).statusCode, 200);
  });
});

test('pinned to Queens (10.1): Queens config, no token asked for, fast track unknown', async () => {
  await withGateway({ pin_release_version: '10.1' }, async (g) => {
    const n = await nodeIn(g, 'deploying');
    const r = await lookup(g, `addresses=${n.address}`, '1.38');
    assert.equal(r.statusCode, 200, r.body);
    assert.deepEqual(Object.keys(r.json().config).sort(), ['heartbeat_timeout', 'metrics', 'metrics_statsd']);
    expectError(await lookup(g, `addresses=${n.address}`, '1.62'), 406);
    const fast = await nodeIn(g, 'available', { driver_info: { fast_track: true } });
    expectError(await lookup(g, `addresses=${fast.address}`, '1.38'), 404);
    // the token is not asked for by the gateway, and not sent (RPC 1.44): the 21.4 conductor refuses
    expectError(
      await heartbeat(g, n.uuid, '1.38', { agent_version: '9' }),
      400,
      /^Invalid or missing agent token received\.$/,
    );
  });
});
