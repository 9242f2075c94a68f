/**
 * The keystone strategy against a fake Keystone (fake-keystone.ts) on a clock the tests move:
 * identity, 401s with the Keystone challenge, the token cache (TTL, bound, revocation within
 * the cache time, failures never cached), the gateway's own service token, X-Service-Token,
 * access rules, and 503 when Keystone cannot answer.
 */
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../../src/config.ts';
import { ConfigError } from '../../../src/config.ts';
import { buildApp } from '../../../src/http/app.ts';
import { authPlugins, checkAuthConfig } from '../../../src/http/auth/index.ts';
import { accessPathMatches, loadKeystoneSettings, parseKeystoneTime } from '../../../src/http/auth/keystone.ts';
import { config, faultstring, file, standInConfig, TEST_ROUTES } from './helpers.ts';
import { clock, DEFAULT_DOMAIN, FakeKeystone, type FakeToken, SERVICE_USER } from './fake-keystone.ts';

const member: FakeToken = {
  user: { id: 'u-alice', name: 'alice', domain: DEFAULT_DOMAIN },
  project: { id: 'p-ops', name: 'ops', domain: { id: 'd-ops', name: 'OpsDomain' } },
  roles: ['member', 'reader'],
};
const reader: FakeToken = { ...member, user: { id: 'u-bob', name: 'bob', domain: DEFAULT_DOMAIN }, roles: ['reader'] };
const admin: FakeToken = {
  user: { id: 'u-root', name: 'root', domain: DEFAULT_DOMAIN },
  system: { all: true },
  roles: ['Admin', 'member', 'reader'],
};
const nova: FakeToken = {
  user: { id: 'u-nova', name: 'nova', domain: DEFAULT_DOMAIN },
  project: { id: 'p-service', name: 'service', domain: DEFAULT_DOMAIN },
  roles: ['service'],
};

function keystoneConfig(url: string, overrides: Partial<Config> = {}): Config {
  return config({
    auth_strategy: 'keystone',
    keystone_auth_url: url,
    keystone_username: SERVICE_USER.name,
    keystone_password: SERVICE_USER.password,
    keystone_www_authenticate_uri: 'https://keystone.example.com/v3',
    ...overrides,
  });
}

interface H {
  app: FastifyInstance;
  logs: string[];
}

async function harness(given: Config, now: () => number): Promise<H> {
  const cfg = standInConfig(given);
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const plugins = authPlugins(cfg, { keystone: { now } });
  const app = await buildApp(cfg, { logger: pino({ level: 'trace' }, stream), plugins, routes: TEST_ROUTES });
  await app.ready();
  return { app, logs };
}

const CHALLENGE = 'Keystone uri="https://keystone.example.com/v3"';
const tok = (token: string) => ({ 'x-auth-token': token });

describe('keystone strategy: settings', () => {
  test('needs the Keystone URL, the service user and its password, each named', () => {
    for (const [missing, env] of [
      ['keystone_auth_url', 'IRONIC_GATEWAY_KEYSTONE_AUTH_URL'],
      ['keystone_username', 'IRONIC_GATEWAY_KEYSTONE_USERNAME'],
      ['keystone_password', 'IRONIC_GATEWAY_KEYSTONE_PASSWORD'],
    ] as const) {
      const cfg = keystoneConfig('http://127.0.0.1:5000/v3', { [missing]: undefined });
      assert.throws(
        () => checkAuthConfig(cfg),
        (e: Error) => e instanceof ConfigError && e.message.includes(env),
      );
    }
  });

  test('refuses a URL that is not http(s) or carries credentials', () => {
    for (const url of ['keystone:5000', 'ftp://k/v3', 'http://u:p@k/v3', 'http://k/v3?x=1']) {
      assert.throws(() => checkAuthConfig(keystoneConfig(url)), /KEYSTONE_AUTH_URL/, url);
    }
  });

  test('an unversioned URL gets /v3; the challenge defaults to the URL as given', () => {
    const s = loadKeystoneSettings(
      keystoneConfig('http://keystone:5000/', { keystone_www_authenticate_uri: undefined }),
    );
    assert.equal(s.authUrl, 'http://keystone:5000/v3');
    assert.equal(s.wwwAuthenticateUri, 'http://keystone:5000/');
    assert.equal(loadKeystoneSettings(keystoneConfig('https://k/identity/v3/')).authUrl, 'https://k/identity/v3');
  });

  test('service_token_roles_required with no roles is refused', () => {
    assert.throws(
      () => checkAuthConfig(keystoneConfig('http://k/v3', { keystone_service_token_roles: ' , ' })),
      /KEYSTONE_SERVICE_TOKEN_ROLES/,
    );
  });

  test("Keystone's timestamps, microseconds included", () => {
    assert.equal(parseKeystoneTime('2026-11-27T11:33:15.123456Z'), Date.parse('2026-11-27T11:33:15.123Z'));
    assert.equal(parseKeystoneTime('2026-11-27T11:33:15Z'), Date.parse('2026-11-27T11:33:15Z'));
    assert.ok(Number.isNaN(parseKeystoneTime('tomorrow')));
  });

  test('access rule paths: {x} and * one segment, ** any', () => {
    assert.ok(accessPathMatches('/v1/nodes/n1', '/v1/nodes/{node_id}'));
    assert.ok(accessPathMatches('/v1/nodes/n1', '/v1/nodes/*'));
    assert.ok(!accessPathMatches('/v1/nodes/n1/states', '/v1/nodes/*'));
    assert.ok(accessPathMatches('/v1/nodes/n1/states', '/v1/nodes/**'));
    assert.ok(!accessPathMatches('/v1/nodesX', '/v1/nodes'));
    assert.ok(!accessPathMatches('/v1/nodes/a', '/v1/nodes.a'), 'a dot is a dot');
  });
});

describe('keystone strategy', () => {
  const c = clock();
  const ks = new FakeKeystone(c);
  let h: H;
  let url: string;

  before(async () => {
    url = await ks.start();
    h = await harness(keystoneConfig(url, { keystone_token_cache_time: 60, keystone_timeout: 3 }), c.now);
  });
  after(async () => {
    await h.app.close();
    await ks.stop();
  });
  beforeEach(() => {
    ks.fail = null;
    ks.failAuthenticate = null;
  });

  test('a project-scoped token: identity as keystonemiddleware passes it; roles decide', async () => {
    const t = ks.issue(member);
    const res = await h.app.inject({ url: '/v1/nodes', headers: tok(t) });
    assert.equal(res.statusCode, 200, res.body);
    const ctx = res.json().ctx;
    assert.deepEqual(
      {
        user_id: ctx.user_id,
        project_id: ctx.project_id,
        user_domain_id: ctx.user_domain_id,
        project_domain_id: ctx.project_domain_id,
        domain_id: ctx.domain_id,
        system_scope: ctx.system_scope,
        roles: ctx.roles,
        is_admin: ctx.is_admin,
        is_admin_project: ctx.is_admin_project,
        auth_token: ctx.auth_token,
      },
      {
        user_id: 'u-alice',
        project_id: 'p-ops',
        user_domain_id: 'default',
        project_domain_id: 'd-ops',
        domain_id: null,
        system_scope: null,
        roles: ['member', 'reader'],
        is_admin: false,
        is_admin_project: true,
        auth_token: t,
      },
    );
    // the gateway asked without the catalog and said it understands access rules
    const v = ks.validations.at(-1)!;
    assert.deepEqual(v, { allowExpired: false, nocatalog: true, accessRules: '1' });
    // member: may act on nodes, may not create them
    assert.equal(
      (await h.app.inject({ method: 'PUT', url: '/v1/nodes/n1/states/power', headers: tok(t) })).statusCode,
      200,
    );
    const denied = await h.app.inject({ method: 'POST', url: '/v1/nodes', headers: tok(t), payload: {} });
    assert.equal(denied.statusCode, 403);
    assert.equal(faultstring(denied.body), 'Access was denied to the following resource: baremetal:node:create');
  });

  test('a reader reads only; a system admin (role names in any case) does everything', async () => {
    const r = ks.issue(reader);
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(r) })).statusCode, 200);
    assert.equal(
      (await h.app.inject({ method: 'PUT', url: '/v1/nodes/n1/states/power', headers: tok(r) })).statusCode,
      403,
    );
    const a = ks.issue(admin);
    const res = await h.app.inject({ method: 'DELETE', url: '/v1/nodes/n1', headers: tok(a) });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().ctx.system_scope, 'all');
    assert.equal(res.json().ctx.project_id, null);
  });

  test('domain scope and is_admin_project false come through', async () => {
    const t = ks.issue({
      user: member.user,
      domain: { id: 'd-ops', name: 'OpsDomain' },
      roles: ['reader'],
      is_admin_project: false,
    });
    const ctx = (await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).json().ctx;
    assert.equal(ctx.domain_id, 'd-ops');
    assert.equal(ctx.is_admin_project, false);
  });

  for (const [name, headers, reason, asksKeystone] of [
    ['no token', {}, 'missing credentials', false],
    ['a garbage token', tok('not-a-token'), 'rejected by keystone', true],
    ['a token with characters no Keystone token has', tok('gAAAA\u00e9x'), 'malformed token', false],
    ['an oversized token', tok('g'.repeat(9000)), 'token too large', false],
  ] as Array<[string, Record<string, string>, string, boolean]>) {
    test(`401 with the Keystone challenge, in Ironic's format, for ${name}`, async () => {
      const before = ks.calls.validate;
      const res = await h.app.inject({ url: '/v1/nodes', headers });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], CHALLENGE);
      assert.ok(res.headers['x-openstack-request-id']);
      assert.match(faultstring(res.body), /Authentication required|invalid or expired/);
      assert.equal(ks.calls.validate > before, asksKeystone);
      assert.ok(h.logs.some((l) => l.includes(`"reason":"${reason}"`)));
      // the token never reaches the log
      if (headers['x-auth-token']) assert.ok(!h.logs.some((l) => l.includes(headers['x-auth-token']!)));
    });
  }

  test('an unknown path answers 401 first, then 404, as behind keystonemiddleware', async () => {
    assert.equal((await h.app.inject({ url: '/v1/nowhere' })).statusCode, 401);
    assert.equal((await h.app.inject({ url: '/v1/nowhere', headers: tok(ks.issue(member)) })).statusCode, 404);
  });

  test('a validated token is served from the cache', async () => {
    const t = ks.issue(member);
    const before = ks.calls.validate;
    for (let i = 0; i < 3; i++)
      assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 200);
    assert.equal(ks.calls.validate, before + 1);
  });

  test('concurrent first requests with one token make one validation', async () => {
    const t = ks.issue(member);
    const before = ks.calls.validate;
    const codes = await Promise.all(
      Array.from({ length: 5 }, () => h.app.inject({ url: '/v1/nodes', headers: tok(t) }).then((r) => r.statusCode)),
    );
    assert.deepEqual(codes, [200, 200, 200, 200, 200]);
    assert.equal(ks.calls.validate, before + 1);
  });

  test('a revoked token keeps working within the cache time, and stops after it', async () => {
    const t = ks.issue(member);
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 200);
    ks.revoke(t);
    c.t += 59_000;
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 200, 'cached');
    c.t += 2_000;
    const res = await h.app.inject({ url: '/v1/nodes', headers: tok(t) });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], CHALLENGE);
  });

  test('a cached token is never served past its expires_at', async () => {
    const t = ks.issue({ ...member, lifetime: 10 });
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 200);
    c.t += 10_001;
    const before = ks.calls.validate;
    const res = await h.app.inject({ url: '/v1/nodes', headers: tok(t) });
    assert.equal(res.statusCode, 401);
    assert.equal(ks.calls.validate, before + 1, 'past its expires_at the entry is gone: Keystone is asked, says 404');
  });

  test('a refusal is never cached: the same token is asked about again, and accepted once valid', async () => {
    const t = ks.issue(member);
    ks.revoke(t);
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 401);
    ks.tokens.get(t)!.revoked = false; // (Keystone never un-revokes; this shows nothing was cached)
    const before = ks.calls.validate;
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 200);
    assert.equal(ks.calls.validate, before + 1);
  });

  for (const [name, failure] of [
    ['answers 500', { status: 500 }],
    ['answers 503', { status: 503 }],
    ['answers 200 with no JSON', { status: 200, body: '<html>' }],
    ['does not answer in time', 'hang'],
  ] as const) {
    test(`Keystone ${name}: ${name.includes('200') ? '401 (unreadable token data)' : '503 with Retry-After'}, nothing let through, nothing cached`, async () => {
      const t = ks.issue(member);
      ks.fail = failure;
      const res = await h.app.inject({ method: 'POST', url: '/v1/nodes', headers: tok(t), payload: {} });
      if (name.includes('200')) {
        assert.equal(res.statusCode, 401);
      } else {
        assert.equal(res.statusCode, 503);
        assert.equal(res.headers['retry-after'], '5');
        assert.equal(faultstring(res.body), 'The Keystone service is temporarily unavailable.');
        assert.equal(res.json().ctx, undefined, 'the route did not run');
      }
      ks.fail = null;
      const again = await h.app.inject({ url: '/v1/nodes', headers: tok(t) });
      assert.equal(again.statusCode, 200, 'the next request asks Keystone again');
    });
  }

  test("the gateway's service token: renewed before it expires, and again when Keystone refuses it", async () => {
    const t = ks.issue(member);
    await h.app.inject({ url: '/v1/nodes', headers: tok(t) }); // a service token exists now
    const auths = ks.calls.authenticate;
    // keystoneauth's margin: renewed when less than 120 s are left
    c.t += 3600_000 - 119_000;
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(ks.issue(member)) })).statusCode, 200);
    assert.equal(ks.calls.authenticate, auths + 1);
    // revoked behind our back: Keystone answers 401, the gateway authenticates again and retries once
    ks.revokeServiceTokens();
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(ks.issue(member)) })).statusCode, 200);
    assert.equal(ks.calls.authenticate, auths + 2);
  });

  test('Keystone refusing the service credentials or the validation: 503, logged with the reason', async () => {
    ks.revokeServiceTokens();
    ks.failAuthenticate = { status: 401 };
    const res = await h.app.inject({ url: '/v1/nodes', headers: tok(ks.issue(member)) });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['retry-after'], '5');
    assert.ok(h.logs.some((l) => l.includes("Keystone refused the gateway's service credentials")));
    ks.failAuthenticate = null;
    ks.fail = { status: 403 };
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(ks.issue(member)) })).statusCode, 503);
  });

  test('X-Service-Token with the service role lets an expired user token through (allow_expired)', async () => {
    const user = ks.issue({ ...member, lifetime: 5 });
    c.t += 6_000;
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(user) })).statusCode, 401);
    const svc = ks.issue(nova);
    const res = await h.app.inject({ url: '/v1/nodes', headers: { ...tok(user), 'x-service-token': svc } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().ctx.user_id, 'u-alice', 'the user is the caller; the service only vouches');
    assert.equal(ks.validations.at(-1)!.allowExpired, true);
  });

  test('X-Service-Token that is invalid, or lacks the service role: 401, even with a valid user token', async () => {
    const user = ks.issue(member);
    for (const svc of ['garbage', ks.issue(reader)]) {
      const res = await h.app.inject({ url: '/v1/nodes', headers: { ...tok(user), 'x-service-token': svc } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], CHALLENGE);
    }
  });

  test('X-Storage-Token is read when X-Auth-Token is absent; a repeated X-Auth-Token is refused', async () => {
    const t = ks.issue(member);
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: { 'x-storage-token': t } })).statusCode, 200);
    const res = await h.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': [t, t] } });
    assert.equal(res.statusCode, 401);
  });

  test('service_token_roles_required false: any valid service token passes, but only a service role allows expired', async () => {
    const h2 = await harness(keystoneConfig(url, { keystone_service_token_roles_required: false }), c.now);
    try {
      const user = ks.issue(member);
      const withReader = { ...tok(user), 'x-service-token': ks.issue(reader) };
      assert.equal((await h2.app.inject({ url: '/v1/nodes', headers: withReader })).statusCode, 200);
      const expired = ks.issue({ ...member, lifetime: 1 });
      c.t += 2_000;
      const late = { ...tok(expired), 'x-service-token': ks.issue(reader) };
      assert.equal((await h2.app.inject({ url: '/v1/nodes', headers: late })).statusCode, 401);
    } finally {
      await h2.app.close();
    }
  });

  test('application credential access rules: only the requests they name', async () => {
    const t = ks.issue({
      ...member,
      application_credential: {
        id: 'ac1',
        access_rules: [
          { method: 'GET', path: '/v1/nodes', service: 'baremetal' },
          { method: 'PUT', path: '/v1/nodes/*/states/power', service: 'compute' },
        ],
      },
    });
    assert.equal((await h.app.inject({ url: '/v1/nodes?limit=1', headers: tok(t) })).statusCode, 200);
    const res = await h.app.inject({ method: 'PUT', url: '/v1/nodes/n1/states/power', headers: tok(t) });
    assert.equal(res.statusCode, 401, 'a rule for another service does not count');
    assert.ok(h.logs.some((l) => l.includes('"reason":"outside access rules"')));
  });

  test('a Kerberos-bound token is refused', async () => {
    const t = ks.issue({ ...member, bind: { kerberos: 'alice@EXAMPLE.COM' } });
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 401);
  });

  test('a policy file can name the service identity (service_user_id, service_roles)', async () => {
    const policy = file('ks-policy.json', JSON.stringify({ 'baremetal:node:create': 'service_roles:service' }));
    const h2 = await harness(keystoneConfig(url, { policy_file: policy }), c.now);
    try {
      const user = ks.issue(member);
      const alone = await h2.app.inject({ method: 'POST', url: '/v1/nodes', headers: tok(user), payload: {} });
      assert.equal(alone.statusCode, 403);
      const headers = { ...tok(user), 'x-service-token': ks.issue(nova) };
      assert.equal((await h2.app.inject({ method: 'POST', url: '/v1/nodes', headers, payload: {} })).statusCode, 200);
    } finally {
      await h2.app.close();
    }
  });
});

describe('keystone strategy: cache bound and cache off', () => {
  const c = clock();
  const ks = new FakeKeystone(c);
  let url: string;
  before(async () => {
    url = await ks.start();
  });
  after(() => ks.stop());

  test('at most keystone_token_cache_size tokens are kept; the least recently used goes', async () => {
    const h = await harness(keystoneConfig(url, { keystone_token_cache_size: 2 }), c.now);
    try {
      const [a, b, d] = [ks.issue(member), ks.issue(member), ks.issue(member)];
      for (const t of [a, b, d]) await h.app.inject({ url: '/v1/nodes', headers: tok(t) });
      const before = ks.calls.validate;
      await h.app.inject({ url: '/v1/nodes', headers: tok(d) });
      await h.app.inject({ url: '/v1/nodes', headers: tok(b) });
      assert.equal(ks.calls.validate, before, 'b and d are cached');
      await h.app.inject({ url: '/v1/nodes', headers: tok(a) });
      assert.equal(ks.calls.validate, before + 1, 'a was evicted');
    } finally {
      await h.app.close();
    }
  });

  test('keystone_token_cache_time -1: every request asks Keystone, and a revocation is seen at once', async () => {
    const h = await harness(keystoneConfig(url, { keystone_token_cache_time: -1 }), c.now);
    try {
      const t = ks.issue(member);
      const before = ks.calls.validate;
      for (let i = 0; i < 2; i++)
        assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 200);
      assert.equal(ks.calls.validate, before + 2);
      ks.revoke(t);
      assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 401);
    } finally {
      await h.app.close();
    }
  });

  test('Keystone down (connection refused): 503 with Retry-After, the route never runs; back up: served', async () => {
    const h = await harness(keystoneConfig(url, { keystone_token_cache_time: -1 }), c.now);
    try {
      const t = ks.issue(member);
      await ks.stop();
      const res = await h.app.inject({ method: 'DELETE', url: '/v1/nodes/n1', headers: tok(ks.issue(admin)) });
      assert.equal(res.statusCode, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(res.json().ctx, undefined);
      await ks.start();
      assert.equal((await h.app.inject({ url: '/v1/nodes', headers: tok(t) })).statusCode, 200);
    } finally {
      await h.app.close();
    }
  });
});
