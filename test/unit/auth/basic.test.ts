import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync, writeFileSync } from 'node:fs';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../../../src/config.ts';
import { BASIC_CHALLENGE, checkAuthConfig } from '../../../src/http/auth/index.ts';
import { config, file, harness, type Harness } from './helpers.ts';

// htpasswd -B writes $2y$; bcryptjs writes $2b$ (the same algorithm).
const y = (hash: string) => hash.replace(/^\$2[ab]\$/, '$2y$');
const PASSWORD = 'correct horse battery staple';
const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

describe('http_basic strategy', () => {
  let h: Harness;
  let users: string;
  before(async () => {
    users = file(
      'htpasswd',
      `# operators\nalice:${y(bcrypt.hashSync(PASSWORD, 4))}\nbob:${bcrypt.hashSync('bobs-password', 4)}\n`,
    );
    h = await harness(config({ auth_strategy: 'http_basic', http_basic_auth_user_file: users }));
  });
  after(() => h.app.close());

  test('a good password is accepted; the user acts as admin, as in Ironic', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/nodes',
      headers: basic('alice', PASSWORD),
      payload: {},
    });
    assert.equal(res.statusCode, 200);
    const ctx = res.json().ctx;
    assert.equal(ctx.user_id, 'alice');
    assert.equal(ctx.is_admin, true);
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: basic('bob', 'bobs-password') })).statusCode, 200);
  });

  for (const [name, headers, reason] of [
    ['wrong password', basic('alice', 'wrong'), 'wrong password'],
    ['unknown user', basic('mallory', PASSWORD), 'unknown user'],
    ['no credentials', {}, 'missing credentials'],
    ['a Bearer token', { authorization: 'Bearer abc.def.ghi' }, 'malformed credentials'],
    ['no colon', { authorization: `Basic ${Buffer.from('alice').toString('base64')}` }, 'malformed credentials'],
  ] as Array<[string, Record<string, string>, string]>) {
    test(`401 with the Basic challenge for ${name}`, async () => {
      const res = await h.app.inject({ url: '/v1/nodes', headers });
      assert.equal(res.statusCode, 401);
      assert.equal(res.headers['www-authenticate'], BASIC_CHALLENGE);
      assert.ok(
        h.logs.some(
          (l) => l.includes(`"reason":"${reason}"`) && l.includes(String(res.headers['openstack-request-id'])),
        ),
      );
    });
  }

  test('passwords never reach the log', () => {
    const all = h.logs.join('');
    assert.ok(!all.includes(PASSWORD));
    assert.ok(!all.includes(Buffer.from(`alice:${PASSWORD}`).toString('base64')));
  });

  test('a changed user file is picked up', async () => {
    writeFileSync(users, `carol:${y(bcrypt.hashSync('carols', 4))}\n`);
    const later = new Date(Date.now() + 5000);
    utimesSync(users, later, later);
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: basic('carol', 'carols') })).statusCode, 200);
    assert.equal((await h.app.inject({ url: '/v1/nodes', headers: basic('alice', PASSWORD) })).statusCode, 401);
  });
});

describe('http_basic configuration', () => {
  test('bad user files stop start-up with one line', () => {
    const cases: Array<[string | undefined, RegExp]> = [
      [undefined, /needs IRONIC_GATEWAY_HTTP_BASIC_AUTH_USER_FILE/],
      ['/nonexistent/htpasswd', /cannot read/],
      [file('htpasswd-md5', 'alice:$apr1$abc$defghijklmnopqrstuv\n'), /line 1: only bcrypt entries/],
      [file('htpasswd-empty', '# nobody\n'), /has no users/],
      [
        file('htpasswd-nouser', ':$2y$04$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyz01234\n'),
        /line 1: expected user:bcrypt-hash/,
      ],
    ];
    for (const [path, re] of cases) {
      assert.throws(
        () => checkAuthConfig(config({ auth_strategy: 'http_basic', http_basic_auth_user_file: path })),
        (e: unknown) => e instanceof ConfigError && re.test(e.message),
        String(path),
      );
    }
  });
});
