import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { ConfigError } from '../../../src/config.ts';
import { checkAuthConfig, EXPOSED_HEADERS } from '../../../src/http/auth/index.ts';
import { config, harness, SECRET, type Harness } from './helpers.ts';

const DASH = 'https://dash.example.com';
const preflight = (origin: string) => ({
  method: 'OPTIONS' as const,
  url: '/v1/nodes/n1/states/power',
  headers: {
    origin,
    'access-control-request-method': 'PUT',
    'access-control-request-headers': 'authorization, content-type, x-openstack-ironic-api-version',
  },
});

describe('CORS with allowed origins', () => {
  let h: Harness;
  before(async () => {
    h = await harness(
      config({
        auth_strategy: 'jwt',
        jwt_algorithm: 'HS256',
        jwt_secret: SECRET,
        cors_allowed_origins: `${DASH}, http://localhost:3000`,
      }),
    );
  });
  after(() => h.app.close());

  test('a preflight from an allowed origin is answered without credentials', async () => {
    const res = await h.app.inject(preflight(DASH));
    assert.equal(res.statusCode, 204);
    assert.equal(res.headers['access-control-allow-origin'], DASH);
    const allowed = String(res.headers['access-control-allow-headers']).toLowerCase();
    for (const hd of [
      'authorization',
      'x-auth-token',
      'content-type',
      'x-openstack-ironic-api-version',
      'openstack-api-version',
    ])
      assert.ok(allowed.includes(hd), hd);
    assert.match(String(res.headers['access-control-allow-methods']), /PUT/);
  });

  test('a preflight from another origin gets no allow-origin', async () => {
    const res = await h.app.inject(preflight('https://evil.example.com'));
    assert.equal(res.headers['access-control-allow-origin'], undefined);
  });

  test('an actual request exposes the Ironic headers to the allowed origin, also on 401', async () => {
    const token = jwt.sign({ sub: 'u', roles: ['reader'] }, SECRET, { algorithm: 'HS256', expiresIn: 60 });
    const ok = await h.app.inject({ url: '/v1/nodes', headers: { origin: DASH, authorization: `Bearer ${token}` } });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['access-control-allow-origin'], DASH);
    const exposed = String(ok.headers['access-control-expose-headers']).toLowerCase().split(/,\s*/);
    for (const hd of EXPOSED_HEADERS) assert.ok(exposed.includes(hd.toLowerCase()), hd);
    const denied = await h.app.inject({ url: '/v1/nodes', headers: { origin: DASH } });
    assert.equal(denied.statusCode, 401);
    assert.equal(denied.headers['access-control-allow-origin'], DASH, 'the dashboard can read the 401');
    const other = await h.app.inject({
      url: '/v1/nodes',
      headers: { origin: 'https://evil.example.com', authorization: `Bearer ${token}` },
    });
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });
});

describe('CORS by default', () => {
  test('no origins configured: no CORS headers, preflight not answered as CORS', async () => {
    const h = await harness(config({ auth_strategy: 'noauth' }));
    try {
      const res = await h.app.inject(preflight(DASH));
      assert.equal(res.headers['access-control-allow-origin'], undefined);
      assert.notEqual(res.statusCode, 204);
      const get = await h.app.inject({ url: '/v1/nodes', headers: { origin: DASH } });
      assert.equal(get.statusCode, 200);
      assert.equal(get.headers['access-control-allow-origin'], undefined);
    } finally {
      await h.app.close();
    }
  });

  test('a malformed origin stops start-up', () => {
    assert.throws(() => checkAuthConfig(config({ cors_allowed_origins: 'dash.example.com' })), ConfigError);
    assert.throws(() => checkAuthConfig(config({ cors_allowed_origins: 'https://dash.example.com/app' })), ConfigError);
  });
});
