import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { config, ec, faultstring, harness, rsa, rsaOther, SECRET, type Harness } from './helpers.ts';
import { JWT_CHALLENGE, MAX_TOKEN_LENGTH } from '../../../src/http/auth/index.ts';

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = (): number => Math.floor(Date.now() / 1000);
const ISS = 'https://idp.example.com';
const AUD = 'ironic';

const claims = (extra: Record<string, unknown> = {}) => ({
  sub: 'alice',
  project_id: 'p1',
  roles: ['admin'],
  system_scope: 'all',
  iss: ISS,
  aud: AUD,
  exp: now() + 300,
  ...extra,
});
const rs256 = (extra: Record<string, unknown> = {}, key = rsa.privateKey) =>
  jwt.sign(claims(extra), key, { algorithm: 'RS256' });

describe('jwt strategy, RS256 with issuer and audience', () => {
  let h: Harness;
  const get = (headers: Record<string, string>) => h.app.inject({ method: 'GET', url: '/v1/nodes', headers });
  const bearer = (token: string) => get({ authorization: `Bearer ${token}` });

  test('set-up', async () => {
    h = await harness(
      config({
        auth_strategy: 'jwt',
        jwt_algorithm: 'RS256',
        jwt_public_key_file: rsa.publicFile,
        jwt_issuer: ISS,
        jwt_audience: AUD,
        jwt_clock_skew: 5,
      }),
    );
  });
  after(() => h?.app.close());

  test('a valid token is accepted and its claims become the context', async () => {
    const res = await bearer(rs256());
    assert.equal(res.statusCode, 200);
    const ctx = res.json().ctx;
    assert.equal(ctx.user_id, 'alice');
    assert.equal(ctx.project_id, 'p1');
    assert.deepEqual(ctx.roles, ['admin']);
    assert.equal(ctx.system_scope, 'all');
    assert.equal(ctx.is_admin, true);
    assert.equal(ctx.auth_token, null);
  });

  test('X-Auth-Token carries a token too', async () => {
    const res = await get({ 'x-auth-token': rs256() });
    assert.equal(res.statusCode, 200);
  });

  test('admin role without system scope is not is_admin; `project` claim maps to project_id', async () => {
    const res = await bearer(
      rs256({ system_scope: undefined, project_id: undefined, project: 'p2', roles: ['Admin'] }),
    );
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().ctx.is_admin, false);
    assert.equal(res.json().ctx.project_id, 'p2');
    assert.deepEqual(res.json().ctx.roles, ['admin']);
  });

  const attacks: Array<[string, () => string, string]> = [
    ['alg: none', () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, 'wrong algorithm'],
    [
      'HS256 signed with the RS256 public key (key confusion)',
      () => jwt.sign(claims(), Buffer.from(rsa.publicPem), { algorithm: 'HS256' }),
      'wrong algorithm',
    ],
    ['expired', () => rs256({ exp: now() - 60 }), 'expired'],
    ['not yet valid (nbf)', () => rs256({ nbf: now() + 60 }), 'not yet valid'],
    ['wrong issuer', () => rs256({ iss: 'https://evil.example.com' }), 'wrong issuer'],
    ['wrong audience', () => rs256({ aud: 'nova' }), 'wrong audience'],
    ['bad signature (another key)', () => rs256({}, rsaOther.privateKey), 'bad signature'],
    [
      'tampered payload',
      () => {
        const [h1, , s] = rs256().split('.');
        return `${h1}.${b64(claims({ roles: ['admin', 'superuser'] }))}.${s}`;
      },
      'bad signature',
    ],
    [
      'missing exp',
      () => {
        const { exp: _exp, ...rest } = claims();
        return jwt.sign(rest, rsa.privateKey, { algorithm: 'RS256' });
      },
      'missing exp',
    ],
    ['malformed', () => 'not-a.jwt', 'malformed token'],
    ['garbage base64', () => '%%%.%%%.%%%', 'malformed token'],
    ['oversized (> 8 KiB)', () => rs256({ pad: 'x'.repeat(MAX_TOKEN_LENGTH) }), 'token too large'],
    ['roles not an array', () => rs256({ roles: 'admin' }), 'invalid claims'],
  ];

  for (const [name, make, reason] of attacks) {
    test(`401 for ${name}`, async () => {
      const token = make();
      const res = await bearer(token);
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], JWT_CHALLENGE);
      assert.equal(faultstring(res.body), 'The credentials supplied are invalid or expired.');
      const requestId = String(res.headers['openstack-request-id']);
      const line = h.logs.find((l) => l.includes(`"reason":"${reason}"`) && l.includes(requestId));
      assert.ok(line, `log says why (${reason})`);
      const signature = token.split('.')[2];
      for (const l of h.logs) {
        assert.ok(!l.includes(token), 'token in log');
        if (signature && signature.length > 10) assert.ok(!l.includes(signature), 'signature in log');
      }
    });
  }

  test('a token within the clock skew is still accepted', async () => {
    const res = await bearer(rs256({ exp: now() - 2 }));
    assert.equal(res.statusCode, 200);
  });

  test('missing credentials: 401 with the challenge', async () => {
    const res = await get({});
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], JWT_CHALLENGE);
    assert.equal(faultstring(res.body), 'Authentication required');
  });

  test('a non-Bearer Authorization header is refused', async () => {
    const res = await get({ authorization: 'Basic YWxpY2U6cHc=' });
    assert.equal(res.statusCode, 401);
  });

  test('a 16 KiB header over a real socket gets an answer, not a crash', async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    const address = h.app.server.address();
    assert.ok(address && typeof address === 'object');
    const res = await fetch(`http://127.0.0.1:${address.port}/v1/nodes`, {
      headers: { authorization: `Bearer ${'a'.repeat(12000)}.b.c` },
    });
    assert.equal(res.status, 401);
    const huge = await fetch(`http://127.0.0.1:${address.port}/v1/nodes`, {
      headers: { authorization: `Bearer ${'a'.repeat(20000)}` },
    });
    assert.equal(huge.status, 431);
    const ok = await fetch(`http://127.0.0.1:${address.port}/v1/nodes`, {
      headers: { authorization: `Bearer ${rs256()}` },
    });
    assert.equal(ok.status, 200);
  });
});

describe('jwt strategy, other algorithms', () => {
  test('ES256 accepted; an RS256 token refused', async () => {
    const h = await harness(
      config({ auth_strategy: 'jwt', jwt_algorithm: 'ES256', jwt_public_key_file: ec.publicFile }),
    );
    try {
      const good = jwt.sign({ sub: 'bob', roles: ['reader'], exp: now() + 60 }, ec.privateKey, { algorithm: 'ES256' });
      assert.equal(
        (await h.app.inject({ url: '/v1/nodes', headers: { authorization: `Bearer ${good}` } })).statusCode,
        200,
      );
      const rsTok = jwt.sign({ sub: 'bob', roles: ['reader'], exp: now() + 60 }, rsa.privateKey, {
        algorithm: 'RS256',
      });
      assert.equal(
        (await h.app.inject({ url: '/v1/nodes', headers: { authorization: `Bearer ${rsTok}` } })).statusCode,
        401,
      );
    } finally {
      await h.app.close();
    }
  });

  test('HS256 accepted with the secret; refused with another secret', async () => {
    const h = await harness(config({ auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET }));
    try {
      const good = jwt.sign({ sub: 'carol', roles: ['member'], exp: now() + 60 }, SECRET, { algorithm: 'HS256' });
      const res = await h.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': good } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().ctx.user_id, 'carol');
      const bad = jwt.sign({ sub: 'carol', roles: ['member'], exp: now() + 60 }, `${SECRET}-other`, {
        algorithm: 'HS256',
      });
      assert.equal((await h.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': bad } })).statusCode, 401);
      const hs512 = jwt.sign({ sub: 'carol', exp: now() + 60 }, SECRET, { algorithm: 'HS512' });
      assert.equal((await h.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': hs512 } })).statusCode, 401);
    } finally {
      await h.app.close();
    }
  });
});
