import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { config, faultstring, file, FAMILY_ROUTES, harness, SECRET, type Harness, type Level } from './helpers.ts';

const RANK: Record<Level, number> = { public: 0, reader: 1, member: 2, admin: 3 };
const PERSONAS: Array<{ name: string; roles: string[]; system_scope?: string; rank: number }> = [
  { name: 'no role', roles: [], rank: 0 },
  { name: 'reader', roles: ['reader'], rank: 1 },
  { name: 'member', roles: ['member'], rank: 2 },
  { name: 'admin (system scope)', roles: ['admin'], system_scope: 'all', rank: 3 },
];

const token = (roles: string[], system_scope?: string) =>
  jwt.sign({ sub: 'u1', project_id: 'p1', roles, ...(system_scope ? { system_scope } : {}) }, SECRET, {
    algorithm: 'HS256',
    expiresIn: 300,
  });

describe('role matrix across the route families (role-only defaults: stand-in routes, pinned below 21.4)', () => {
  let h: Harness;
  before(async () => {
    h = await harness(config({ auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET }));
  });
  after(() => h.app.close());

  for (const persona of PERSONAS) {
    test(persona.name, async () => {
      const auth = { authorization: `Bearer ${token(persona.roles, persona.system_scope)}` };
      for (const route of FAMILY_ROUTES) {
        const res = await h.app.inject({
          method: route.method,
          url: route.url,
          headers: auth,
          payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
        });
        const expected = persona.rank >= RANK[route.level] ? 200 : 403;
        assert.equal(res.statusCode, expected, `${persona.name} ${route.method} ${route.url} (${route.policy})`);
        if (expected === 403)
          assert.equal(faultstring(res.body), `Access was denied to the following resource: ${route.policy}`);
      }
    });
  }

  test('public routes answer without credentials; the others ask for them', async () => {
    for (const route of FAMILY_ROUTES) {
      const res = await h.app.inject({
        method: route.method,
        url: route.url,
        payload: route.method === 'GET' || route.method === 'DELETE' ? undefined : {},
      });
      assert.equal(res.statusCode, route.level === 'public' ? 200 : 401, `${route.method} ${route.url}`);
    }
    for (const url of ['/', '/v1', '/healthz']) assert.equal((await h.app.inject({ url })).statusCode, 200, url);
  });

  test('a route without a policy is denied even to an admin, and logged', async () => {
    const res = await h.app.inject({
      url: '/v1/forgotten',
      headers: { authorization: `Bearer ${token(['admin'], 'all')}` },
    });
    assert.equal(res.statusCode, 403);
    assert.ok(h.logs.some((l) => l.includes('route declares no policy rule; denied')));
    const misspelt = await h.app.inject({
      url: '/v1/misspelt',
      headers: { authorization: `Bearer ${token(['admin'], 'all')}` },
    });
    assert.equal(misspelt.statusCode, 403);
    assert.ok(
      h.logs.some((l) => l.includes('route declares no policy rule; every request to it will be denied')),
      'warned at start-up',
    );
  });

  test('an unknown path asks for credentials first, then answers 404', async () => {
    assert.equal((await h.app.inject({ url: '/v1/nothing-here' })).statusCode, 401);
    assert.equal(
      (await h.app.inject({ url: '/v1/nothing-here', headers: { authorization: `Bearer ${token(['reader'])}` } }))
        .statusCode,
      404,
    );
  });
});

describe('operator policy file overrides the defaults', () => {
  test('readers may create nodes, nobody may list them', async () => {
    const policy_file = file(
      'matrix-policy.json',
      JSON.stringify({
        'baremetal:node:create': 'role:reader',
        'baremetal:node:get': '!',
        'baremetal:driver:ipa_lookup': 'rule:is_admin',
      }),
    );
    const h = await harness(config({ auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET, policy_file }));
    try {
      const reader = { authorization: `Bearer ${token(['reader'])}` };
      const admin = { authorization: `Bearer ${token(['admin'], 'all')}` };
      assert.equal(
        (await h.app.inject({ method: 'POST', url: '/v1/nodes', headers: reader, payload: {} })).statusCode,
        200,
      );
      assert.equal((await h.app.inject({ url: '/v1/nodes', headers: admin })).statusCode, 403);
      // lookup made private: now needs credentials and the admin rule
      assert.equal((await h.app.inject({ url: '/v1/lookup' })).statusCode, 401);
      assert.equal((await h.app.inject({ url: '/v1/lookup', headers: reader })).statusCode, 403);
      assert.equal((await h.app.inject({ url: '/v1/lookup', headers: admin })).statusCode, 200);
    } finally {
      await h.app.close();
    }
  });
});
