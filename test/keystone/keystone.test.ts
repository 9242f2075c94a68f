/**
 * The keystone strategy against a real Keystone (Debian's package, on MariaDB, started by
 * test/support/keystone.sh) and the real 21.4 ironic-conductor (test/support/stack.sh):
 *
 * - set-up through Keystone's API: the `service` role and project, the gateway's service user,
 *   a project with an admin and a reader, and the gateway registered as the `baremetal`
 *   endpoint in RegionOne;
 * - the unmodified `baremetal` CLI with password authentication (--os-auth-url at Keystone)
 *   finds the gateway in the catalog and drives a node through its lifecycle; a reader may list
 *   but not create;
 * - garbage, revoked and expired tokens → 401 with `WWW-Authenticate: Keystone uri="…"`; an
 *   expired token with a service token (role `service`) as X-Service-Token → served;
 * - Keystone stopped → 503 with Retry-After, and the conductor never sees the request. This one
 *   runs last and leaves Keystone stopped (test/run.sh stops everything; by hand:
 *   `bash test/support/keystone.sh start-api`).
 *
 * Not here: project-scoped visibility of nodes (owner / lessee) needs the gateway's
 * multi-tenant support, which does not exist yet.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { Keystone, keystoneEnv, type Token } from '../support/keystone.ts';
import { stack } from '../support/stack-env.ts';

const tag = randomBytes(3).toString('hex');
const PASSWORD = `pw-${randomBytes(9).toString('base64url')}`;
const SERVICE_USER = `ironic-gateway-${tag}`;
const OPS_PROJECT = `bm-ops-${tag}`;
const OPS_ADMIN = `ops-admin-${tag}`;
const VIEWER = `viewer-${tag}`;
const NODE = `ks-${tag}`;
/** the gateway's token cache time in this test: short, so revocation is seen quickly */
const CACHE_TIME_S = 2;

interface Running {
  gateway: Gateway;
  url: string;
}

async function start(overrides: Partial<Config>): Promise<Running> {
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      log_level: (process.env.E2E_LOG_LEVEL as Config['log_level'] | undefined) ?? 'error',
      ...stack.gatewaySettings(),
      rpc_response_timeout: 30,
      hash_ring_reset_interval: 2,
      ...overrides,
    },
  });
  const gateway = await createGateway(config);
  await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const address = gateway.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { gateway, url: `http://127.0.0.1:${address.port}` };
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Debian's `baremetal`, unmodified, authenticating with a password at Keystone. */
function baremetal(user: string, args: string[]): Promise<CliResult> {
  // baremetal's default auth type is none: password must be named for its options to exist
  const auth = [
    '--os-auth-type',
    'password',
    '--os-auth-url',
    keystoneEnv.url(),
    '--os-username',
    user,
    '--os-password',
    PASSWORD,
    '--os-project-name',
    OPS_PROJECT,
    '--os-user-domain-name',
    'Default',
    '--os-project-domain-name',
    'Default',
    '--os-region-name',
    'RegionOne',
  ];
  const env = {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: process.env.HOME ?? '/tmp',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/baremetal',
      [...auth, ...args],
      { env, timeout: 180_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    );
  });
}

const show = (args: string[], r: CliResult) =>
  `baremetal ${args.join(' ')} → exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(-3000)}`;

async function cli<T = Record<string, unknown>>(user: string, ...args: string[]): Promise<T> {
  const json = args.includes('-f');
  const r = await baremetal(user, args);
  assert.equal(r.code, 0, show(args, r));
  return (json ? JSON.parse(r.stdout) : r.stdout) as T;
}

describe('keystone strategy · real Keystone, baremetal CLI, real conductor', {
  concurrency: false,
  timeout: 600_000,
}, () => {
  const keystone = new Keystone(keystoneEnv.url());
  let gw: Running;
  /** a noauth gateway on the same conductor: sees what reached it, whatever Keystone does */
  let direct: Running;
  let expiring: Token;
  let serviceToken: Token;

  // Each step builds on the ones before: after a failure, the rest are skipped.
  let failed: string | undefined;
  const step = (title: string, fn: () => Promise<void>) =>
    test(title, async (t) => {
      if (failed) return t.skip(`an earlier step failed: ${failed}`);
      try {
        await fn();
      } catch (err) {
        failed = title;
        throw err;
      }
    });

  const nodeOnConductor = async (): Promise<number> =>
    (await fetch(`${direct.url}/v1/nodes/${NODE}`, { headers: { 'x-openstack-ironic-api-version': '1.38' } })).status;

  before(async () => {
    // the gateway's service user: role `service` in project `service`, as a cloud's services have
    const serviceProject = await keystone.projectId('service');
    const gwUser = await keystone.createUser(SERVICE_USER, PASSWORD);
    await keystone.grant(gwUser, serviceProject, 'service');
    // a project with an administrator and a reader
    const ops = await keystone.projectId(OPS_PROJECT);
    await keystone.grant(await keystone.createUser(OPS_ADMIN, PASSWORD), ops, 'admin');
    await keystone.grant(await keystone.createUser(VIEWER, PASSWORD), ops, 'reader');

    gw = await start({
      auth_strategy: 'keystone',
      keystone_auth_url: keystoneEnv.url(),
      keystone_username: SERVICE_USER,
      keystone_password: PASSWORD,
      keystone_project_name: 'service',
      keystone_token_cache_time: CACHE_TIME_S,
      keystone_timeout: 5,
    });
    direct = await start({ auth_strategy: 'noauth' });
    await keystone.registerBaremetal(gw.url);

    // a token used now, and again once it has expired
    expiring = await keystone.login(VIEWER, PASSWORD, { project: OPS_PROJECT });
    serviceToken = await keystone.login(SERVICE_USER, PASSWORD, { project: 'service' });
  });

  after(async () => {
    // never leave our node on the shared conductor (through the noauth gateway: Keystone may be down)
    if (direct && (await nodeOnConductor()) === 200) {
      const h = { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.38' };
      await fetch(`${direct.url}/v1/nodes/${NODE}/maintenance`, { method: 'PUT', headers: h, body: '{}' });
      await fetch(`${direct.url}/v1/nodes/${NODE}`, { method: 'DELETE', headers: h });
    }
    await gw?.gateway.close();
    await direct?.gateway.close();
  });

  step('a Keystone token (a reader in a project) is accepted', async () => {
    const res = await fetch(`${gw.url}/v1/nodes`, { headers: { 'x-auth-token': expiring.token } });
    assert.equal(res.status, 200, await res.text());
  });

  step('the baremetal CLI, password auth at Keystone, finds the gateway in the catalog: node lifecycle', async () => {
    const created = await cli(OPS_ADMIN, 'node', 'create', '--driver', 'fake-hardware', '--name', NODE, '-f', 'json');
    assert.equal(created.name, NODE);
    assert.equal(created.provision_state, 'enroll');
    // --wait fails the command unless the node reaches the verb's target state
    for (const verb of ['manage', 'provide', 'deploy']) await cli(OPS_ADMIN, 'node', verb, NODE, '--wait', '120');
    const direct1 = (await (
      await fetch(`${direct.url}/v1/nodes/${NODE}`, { headers: { 'x-openstack-ironic-api-version': '1.38' } })
    ).json()) as Record<string, unknown>;
    assert.equal(direct1.provision_state, 'active', 'as the conductor has it');
    await cli(OPS_ADMIN, 'node', 'undeploy', NODE, '--wait', '120');
    await cli(OPS_ADMIN, 'node', 'delete', NODE);
    assert.equal(await nodeOnConductor(), 404, 'deleted');
  });

  step('a reader may list nodes but not create one (403 from the policy)', async () => {
    const list = await cli<unknown[]>(VIEWER, 'node', 'list', '-f', 'json');
    assert.ok(Array.isArray(list));
    const r = await baremetal(VIEWER, ['node', 'create', '--driver', 'fake-hardware', '--name', `${NODE}-no`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /baremetal:node:create/);
    assert.match(r.stderr, /HTTP 403/);
  });

  const challenge = () => `Keystone uri="${keystoneEnv.url()}"`;
  const expect401 = async (headers: Record<string, string>) => {
    const res = await fetch(`${gw.url}/v1/nodes`, { headers });
    const body = (await res.json()) as { error_message: string };
    assert.equal(res.status, 401);
    assert.equal(res.headers.get('www-authenticate'), challenge());
    assert.ok(res.headers.get('x-openstack-request-id'));
    assert.ok(JSON.parse(body.error_message).faultstring, "Ironic's error format");
  };

  step('no token, or a garbage one → 401 with WWW-Authenticate: Keystone uri="…"', async () => {
    await expect401({});
    await expect401({ 'x-auth-token': 'gAAAAABgarbage' });
  });

  step(`a revoked token stops working within the cache time (${CACHE_TIME_S} s)`, async () => {
    const t = await keystone.login(OPS_ADMIN, PASSWORD, { project: OPS_PROJECT });
    const ok = await fetch(`${gw.url}/v1/nodes`, { headers: { 'x-auth-token': t.token } });
    assert.equal(ok.status, 200);
    await keystone.revoke(t.token);
    await new Promise((r) => setTimeout(r, CACHE_TIME_S * 1000 + 200));
    await expect401({ 'x-auth-token': t.token });
  });

  step('an expired token → 401; with a service token (role service) as X-Service-Token it is served', async () => {
    const wait = expiring.expiresAt + 1500 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await expect401({ 'x-auth-token': expiring.token });
    // the service token must itself be valid now
    if (serviceToken.expiresAt - Date.now() < 5000)
      serviceToken = await keystone.login(SERVICE_USER, PASSWORD, { project: 'service' });
    const res = await fetch(`${gw.url}/v1/nodes`, {
      headers: { 'x-auth-token': expiring.token, 'x-service-token': serviceToken.token },
    });
    assert.equal(res.status, 200, await res.text());
    // a reader's token as the service token does not count
    const reader = await keystone.login(VIEWER, PASSWORD, { project: OPS_PROJECT });
    await expect401({ 'x-auth-token': expiring.token, 'x-service-token': reader.token });
  });

  test('project-scoped users see only their nodes', {
    skip: 'needs the multi-tenant issue (node owner/lessee)',
  }, () => {});

  step('Keystone stopped → 503 with Retry-After, and no request reaches the conductor', async () => {
    const fresh = await keystone.login(OPS_ADMIN, PASSWORD, { project: OPS_PROJECT });
    await keystoneEnv.sh('stop-api');
    for (const token of [fresh.token, 'gAAAAABgarbage']) {
      const res = await fetch(`${gw.url}/v1/nodes`, {
        method: 'POST',
        // a request the conductor would carry out, were it let through
        headers: {
          'x-auth-token': token,
          'content-type': 'application/json',
          'x-openstack-ironic-api-version': '1.38',
        },
        body: JSON.stringify({ driver: 'fake-hardware', name: NODE }),
      });
      const body = (await res.json()) as { error_message: string };
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      assert.match(JSON.parse(body.error_message).faultstring, /Keystone/);
    }
    assert.equal(await nodeOnConductor(), 404, 'the node was not created');
  });
});
