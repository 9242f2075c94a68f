/** /openapi.json, /openapi.yaml and the /docs page: served, public, and off when api_docs is false. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { parse as parseYaml } from 'yaml';
import { authPlugins } from '../../../src/http/auth/index.ts';
import { buildApp } from '../../../src/http/app.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { OPENAPI_PATH } from '../../../src/tools/openapi.ts';
import { config, SECRET } from '../auth/helpers.ts';

let open: FastifyInstance;
let secured: FastifyInstance;
let off: FastifyInstance;

before(async () => {
  open = await buildApp(config({ log_level: 'silent' }), { routes: resourceRoutes });
  const jwt = config({ log_level: 'silent', auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET });
  secured = await buildApp(jwt, { routes: resourceRoutes, plugins: authPlugins(jwt) });
  off = await buildApp(config({ log_level: 'silent', api_docs: false }), { routes: resourceRoutes });
  await Promise.all([open.ready(), secured.ready(), off.ready()]);
});
after(() => Promise.all([open.close(), secured.close(), off.close()]));

test('GET /openapi.json is the committed document', async () => {
  const r = await open.inject({ url: '/openapi.json' });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^application\/json/);
  assert.deepEqual(r.json(), JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
  assert.match(String(r.headers['x-openstack-request-id']), /^req-/);
});

test('GET /openapi.yaml is the same document in YAML', async () => {
  const r = await open.inject({ url: '/openapi.yaml' });
  assert.equal(r.statusCode, 200);
  assert.match(String(r.headers['content-type']), /^application\/yaml/);
  assert.deepEqual(parseYaml(r.body), JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')));
});

test('/docs renders the document with the assets shipped in the package', async () => {
  const page = await open.inject({ url: '/docs/' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /swagger-ui/);
  const init = await open.inject({ url: '/docs/static/swagger-initializer.js' });
  assert.equal(init.statusCode, 200);
  const spec = await open.inject({ url: '/docs/json' });
  assert.equal(spec.json().openapi, '3.1.0');
});

test('the document and the docs page are public when the API needs a token', async () => {
  for (const url of ['/openapi.json', '/openapi.yaml', '/docs/', '/docs/json'])
    assert.equal((await secured.inject({ url })).statusCode, 200, url);
  assert.equal((await secured.inject({ url: '/v1/nodes' })).statusCode, 401);
});

test('api_docs=false: 404 in Ironic’s format', async () => {
  for (const url of ['/openapi.json', '/openapi.yaml', '/docs', '/docs/json']) {
    const r = await off.inject({ url });
    assert.equal(r.statusCode, 404, url);
    assert.ok(JSON.parse(r.json().error_message).faultstring, url);
  }
});

test('the docs routes are not in the document they show', async () => {
  const doc = (await open.inject({ url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
  assert.deepEqual(
    Object.keys(doc.paths).filter((p) => p.startsWith('/docs') || p.startsWith('/openapi')),
    [],
  );
});
