/**
 * An agent-like client (what ironic-python-agent does after boot) through the gateway, on the
 * REAL RabbitMQ, against the REAL ironic-conductor test/support/stack.sh started: lookup at
 * 1.62+ gets the agent token the conductor mints (get_node_with_token), heartbeats with it are
 * accepted (they reach the driver: the fake deploy interface logs that it ignores them), and a
 * heartbeat with a wrong token, with none, or without a version is refused exactly as the
 * stack's own ironic-api refuses it (same status and error body, checked side by side on the
 * same node).
 *
 * The node is enrolled with `driver_info.fast_track` on: fake-hardware finishes every deploy,
 * clean, inspect and rescue at once, so no node ever waits in a state where a ramdisk could look
 * it up; fast track opens `enroll` (and manageable, available) to lookup, in ironic-api as in the
 * gateway. A node without it is refused (404) by both.
 *
 * Runs for the gateway unpinned and pinned to 21.4 (or only for IRONIC_GATEWAY_PIN_RELEASE_VERSION
 * when that is set). agent_verify_ca is not sent here: the conductor would write the certificate
 * under /var/lib/ironic/certificates ([agent]certificates_path); the simulator tests cover it.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { startIronicApi, type IronicApi } from '../support/ironic-api.ts';
import { stack } from '../support/stack-env.ts';

interface Answer {
  status: number;
  body: any;
}

/** One request as the agent sends it: JSON, a microversion header, no credentials. */
async function send(base: string, method: string, path: string, version: string, body?: unknown): Promise<Answer> {
  const r = await fetch(base + path, {
    method,
    headers: { 'x-openstack-ironic-api-version': version, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: any = text === '' ? null : JSON.parse(text);
  if (parsed && typeof parsed.error_message === 'string') parsed = { error_message: JSON.parse(parsed.error_message) };
  return { status: r.status, body: parsed };
}

/** A lookup answer with the hosts taken out of its links (the gateway's and ironic-api's differ). */
function withoutHosts(body: any): any {
  return JSON.parse(JSON.stringify(body).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'BASE'));
}

const randomMac = () =>
  ['52', ...[...randomBytes(5)].map((b) => b.toString(16).padStart(2, '0'))].join(':').replace(/^52:../, '52:54');

let api: IronicApi;

/**
 * The agent path of Ironic 21.4 (issue 14) and 39.0 (issue 15). 39.0's lookup answers other
 * config keys (the gateway does too when it serves 39.0, i.e. unpinned), and its conductor
 * refuses a callback URL that is not https ([agent]require_tls, true by default): the agent
 * here calls back on https on 39.0.
 */
const ON_39 = stack.release() === '39.0';
const SKIP = stack.release() === '21.4' || ON_39 ? false : `no agent path test for Ironic ${stack.release()}`;

before(async () => {
  if (SKIP) return;
  api = await startIronicApi({
    conductorConfig: stack.conductorConfig(),
    dir: join(import.meta.dirname, '..', '..', '.tmp', 'agent-real-ironic-api'),
    workers: 1,
    timeoutS: 60,
  });
});

after(async () => {
  await api?.stop();
});

const envPin = process.env.IRONIC_GATEWAY_PIN_RELEASE_VERSION;
const pins: (string | undefined)[] = envPin ? [envPin] : [undefined, '21.4'];

for (const pin of pins) {
  describe(`the agent through the gateway (pin ${pin ?? 'unset'}) against the real ironic-conductor`, {
    skip: SKIP,
  }, () => {
    let gateway: Gateway;
    let gw = '';
    const created: string[] = [];
    const tag = `agent-${randomUUID().slice(0, 8)}`;
    const mac = randomMac();
    const callback_url = ON_39 ? 'https://192.0.2.10:9999' : 'http://192.0.2.10:9999';
    /**
     * Whether the gateway answers as the stack's ironic-api: always on 21.4; on 39.0 only
     * unpinned (pinned to 21.4 in front of a 39.0 conductor, the mixed state of a rolling
     * upgrade, it answers lookups as 21.4's ironic-api did).
     */
    const sameApi = !ON_39 || (pin ?? stack.pin()) === undefined;
    let uuid = '';
    let token = '';

    async function createNode(name: string, driver_info: Record<string, unknown>, address?: string): Promise<string> {
      const n = await send(gw, 'POST', '/v1/nodes', '1.62', { driver: 'fake-hardware', name, driver_info });
      assert.equal(n.status, 201, JSON.stringify(n.body));
      created.push(n.body.uuid);
      if (address) {
        const p = await send(gw, 'POST', '/v1/ports', '1.62', { node_uuid: n.body.uuid, address });
        assert.equal(p.status, 201, JSON.stringify(p.body));
      }
      return n.body.uuid;
    }

    before(async () => {
      gateway = await createGateway(
        loadConfig({
          env: {},
          overrides: {
            ...stack.gatewaySettings(),
            log_level: 'silent',
            rpc_response_timeout: 30,
            host: '127.0.0.1',
            port: 0,
            pin_release_version: pin ?? stack.pin(),
          },
        }),
      );
      await gateway.app.listen({ host: '127.0.0.1', port: 0 });
      gw = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
      uuid = await createNode(tag, { fast_track: true }, mac);
    });

    after(async () => {
      for (const id of created) if (gw) await send(gw, 'DELETE', `/v1/nodes/${id}`, '1.62').catch(() => undefined);
      await gateway?.close();
    });

    it('announces its release: 1.82 pinned to 21.4, 1.115 unpinned', async () => {
      const v1 = await send(gw, 'GET', '/v1', '1.1');
      assert.equal(v1.body.version.version, (pin ?? stack.pin()) === '21.4' ? '1.82' : '1.115');
    });

    it('lookup at 1.62 by MAC gets the token the conductor minted; the node shows it masked', async () => {
      const r = await send(gw, 'GET', `/v1/lookup?addresses=${mac}`, '1.62');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.node.uuid, uuid);
      token = r.body.config.agent_token;
      assert.match(token, /^[A-Za-z0-9_-]{43}$/, 'secrets.token_urlsafe()');
      assert.equal(r.body.config.agent_token_required, true);
      assert.equal(r.body.node.driver_internal_info.agent_secret_token, '******');
      const node = await send(gw, 'GET', `/v1/nodes/${uuid}`, '1.62');
      assert.equal(node.body.driver_internal_info.agent_secret_token, '******');
    });

    it("a second lookup, through the gateway or ironic-api, answers the same: the token as '******'", async () => {
      for (const v of ['1.62', '1.82']) {
        const viaGw = await send(gw, 'GET', `/v1/lookup?node_uuid=${uuid}`, v);
        const viaApi = await send(api.base, 'GET', `/v1/lookup?node_uuid=${uuid}`, v);
        assert.equal(viaApi.status, 200, JSON.stringify(viaApi.body));
        assert.equal(viaGw.status, 200, JSON.stringify(viaGw.body));
        assert.equal(viaGw.body.config.agent_token, '******');
        if (sameApi) assert.deepEqual(withoutHosts(viaGw.body), withoutHosts(viaApi.body));
        else assert.deepEqual(withoutHosts(viaGw.body.node), withoutHosts(viaApi.body.node));
      }
    });

    it('heartbeats with the minted token are accepted (202) and reach the driver', async () => {
      for (const [v, extra] of [
        ['1.62', { agent_version: '9.4.0' }],
        ['1.72', { agent_version: '9.4.0', agent_status: 'start', agent_status_message: 'booted' }],
      ] as const) {
        const r = await send(gw, 'POST', `/v1/heartbeat/${uuid}`, v, { callback_url, agent_token: token, ...extra });
        assert.equal(r.status, 202, JSON.stringify(r.body));
        assert.equal(r.body, null);
      }
      // by name, as ironic-api allows
      const named = await send(gw, 'POST', `/v1/heartbeat/${tag}`, '1.62', {
        callback_url,
        agent_token: token,
        agent_version: '9.4.0',
      });
      assert.equal(named.status, 202, JSON.stringify(named.body));
      // the conductor spawned the deploy interface's heartbeat, which fake-hardware only logs
      const marker = `Got heartbeat message from node ${uuid}`;
      for (let i = 0; ; i++) {
        if (readFileSync(stack.conductorLog(), 'utf8').includes(marker)) break;
        if (i > 100) assert.fail(`the conductor log never shows "${marker}"`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    it('a wrong token, no token, or no version is refused as ironic-api refuses it', async () => {
      const cases: [string, string, Record<string, unknown>, RegExp][] = [
        [
          '1.62',
          'wrong token',
          { agent_token: `${token}x`, agent_version: '9.4.0' },
          /^Invalid or missing agent token received\.$/,
        ],
        [
          '1.62',
          'the mask',
          { agent_token: '******', agent_version: '9.4.0' },
          /^Invalid or missing agent token received\.$/,
        ],
        [
          '1.72',
          'wrong token, status',
          { agent_token: 'nope', agent_status: 'end' },
          /^Invalid or missing agent token received\.$/,
        ],
        ['1.62', 'no token', { agent_version: '9.4.0' }, /^Agent token is required for heartbeat processing\.$/],
        ['1.22', 'no token, old agent', {}, /^Agent token is required for heartbeat processing\.$/],
        [
          '1.62',
          'no version',
          { agent_token: token },
          /^Agent did not transmit a version, and a version is required\./,
        ],
        ['1.72', 'bad status', { agent_token: token, agent_status: 'bogus' }, /^Agent status is invalid\./],
        [
          '1.67',
          'verify_ca below 1.68',
          { agent_token: token, agent_verify_ca: 'pem' },
          /^Field "agent_verify_ca" not recognised in this version$/,
        ],
      ];
      // ironic's args.validate, before the microversion: the same from the gateway
      cases.push(
        [
          '1.62',
          'unexpected argument',
          { agent_token: token, agent_version: '9.4.0', bogus: 1 },
          /^Unexpected arguments: bogus$/,
        ],
        [
          '1.62',
          'a number for a string',
          { agent_token: token, agent_version: 9 },
          /^Expected string for agent_version: 9$/,
        ],
        ['1.21', 'below 1.22, arguments first', { agent_token: [token] }, /^Expected string for agent_token: \['/],
      );
      for (const [v, what, body, message] of cases) {
        const viaGw = await send(gw, 'POST', `/v1/heartbeat/${uuid}`, v, { callback_url, ...body });
        const viaApi = await send(api.base, 'POST', `/v1/heartbeat/${uuid}`, v, { callback_url, ...body });
        assert.equal(viaApi.status, 400, `${what}: ironic-api ${JSON.stringify(viaApi.body)}`);
        assert.deepEqual(viaGw, viaApi, `${what} @${v}`);
        assert.match(viaGw.body.error_message.faultstring, message, what);
      }
      // the right token still works afterwards: a refused heartbeat changes nothing
      const ok = await send(gw, 'POST', `/v1/heartbeat/${uuid}`, '1.62', {
        callback_url,
        agent_token: token,
        agent_version: '9.4.0',
      });
      assert.equal(ok.status, 202, JSON.stringify(ok.body));
    });

    it('without fast track an enrolled node cannot be looked up: 404 from both, and no token minted', async () => {
      const other = randomMac();
      const id = await createNode(`${tag}-slow`, {}, other);
      const viaGw = await send(gw, 'GET', `/v1/lookup?addresses=${other}`, '1.62');
      const viaApi = await send(api.base, 'GET', `/v1/lookup?addresses=${other}`, '1.62');
      assert.equal(viaGw.status, 404, JSON.stringify(viaGw.body));
      assert.deepEqual(viaGw, viaApi);
      const node = await send(gw, 'GET', `/v1/nodes/${id}`, '1.62');
      assert.equal(node.body.driver_internal_info.agent_secret_token, undefined);
    });
  });
}
