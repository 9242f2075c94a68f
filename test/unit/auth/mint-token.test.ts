import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { config, harness, rsa, file, SECRET } from './helpers.ts';

const mint = (...args: string[]): string =>
  execFileSync(process.execPath, ['--import', 'tsx', 'src/tools/mint-token.ts', ...args], { encoding: 'utf8' }).trim();

test('mint-token makes tokens the gateway accepts, HS256 and RS256', async () => {
  const hs = await harness(config({ auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET }));
  try {
    const token = mint('--secret', SECRET, '--roles', 'member,reader', '--project', 'p1', '--sub', 'dana');
    const res = await hs.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': token } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().ctx.user_id, 'dana');
    assert.deepEqual(res.json().ctx.roles, ['member', 'reader']);
  } finally {
    await hs.app.close();
  }
  const rs = await harness(
    config({ auth_strategy: 'jwt', jwt_algorithm: 'RS256', jwt_public_key_file: rsa.publicFile, jwt_issuer: 'iss-1' }),
  );
  try {
    const key = file('mint-private.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const token = mint('--key', key, '--issuer', 'iss-1', '--roles', 'admin', '--system-scope', 'all');
    const res = await rs.app.inject({
      method: 'POST',
      url: '/v1/nodes',
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().ctx.is_admin, true);
  } finally {
    await rs.app.close();
  }
});

test('mint-token carries project name and domains into the request context; a domain token has no project', async () => {
  // project_name is for policy only (Ironic's service_role compares it): a rule on it shows it arrived
  const policy = file(
    'mint-project-name.json',
    JSON.stringify({ 'baremetal:node:get': 'project_name:service or domain_id:d1' }),
  );
  const hs = await harness(
    config({ auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET, policy_file: policy }),
  );
  try {
    const other = mint('--secret', SECRET, '--roles', 'service', '--project', 'p-svc', '--project-name', 'other');
    assert.equal((await hs.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': other } })).statusCode, 403);
    const token = mint(
      '--secret',
      SECRET,
      '--roles',
      'service',
      '--project',
      'p-svc',
      '--project-name',
      'service',
      '--project-domain',
      'default',
      '--user-domain',
      'default',
    );
    const res = await hs.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': token } });
    assert.equal(res.statusCode, 200);
    const ctx = res.json().ctx;
    assert.equal(ctx.project_id, 'p-svc');
    assert.equal(ctx.project_domain_id, 'default');
    assert.equal(ctx.user_domain_id, 'default');
    const domain = mint('--secret', SECRET, '--roles', 'admin', '--domain', 'd1');
    const dres = await hs.app.inject({ url: '/v1/nodes', headers: { 'x-auth-token': domain } });
    assert.equal(dres.json().ctx.domain_id, 'd1');
    assert.equal(dres.json().ctx.project_id, null);
  } finally {
    await hs.app.close();
  }
  assert.throws(() => mint('--secret', SECRET, '--domain', 'd1', '--project', 'p1'), /domain-scoped/);
});
