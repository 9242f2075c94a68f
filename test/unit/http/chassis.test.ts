/** /v1/chassis against the simulated conductor: CRUD through the indirection API, nodes of a chassis. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes });
});
after(async () => {
  await g.close();
});

const create = async (body: Record<string, unknown> = {}) => {
  const r = await call(g.app, '/v1/chassis', { method: 'POST', body });
  assert.equal(r.statusCode, 201, r.body);
  return r;
};

test('POST: 201, Location, full body with nodes links; given uuid kept; bad input 400', async () => {
  const r = await create({ description: 'rack 1', extra: { row: 'a' } });
  const c = r.json();
  assert.match(c.uuid, /^[0-9a-f-]{36}$/);
  assert.equal(r.headers.location, `http://localhost:80/v1/chassis/${c.uuid}`);
  assert.equal(c.description, 'rack 1');
  assert.deepEqual(c.extra, { row: 'a' });
  assert.match(c.created_at, /\+00:00$/);
  assert.equal(c.updated_at, null);
  assert.deepEqual(
    c.nodes.map((l: { href: string }) => l.href),
    [`http://localhost:80/v1/chassis/${c.uuid}/nodes`, `http://localhost:80/chassis/${c.uuid}/nodes`],
  );
  assert.deepEqual(
    c.links.map((l: { rel: string }) => l.rel),
    ['self', 'bookmark'],
  );

  const uuid = '0f1d9bd2-7a1f-4d4b-9d4e-1a2b3c4d5e6f';
  assert.equal((await create({ uuid })).json().uuid, uuid);
  expectError(await call(g.app, '/v1/chassis', { method: 'POST', body: { uuid } }), 409);
  expectError(await call(g.app, '/v1/chassis', { method: 'POST', body: { uuid: 'nope' } }), 400);
  expectError(await call(g.app, '/v1/chassis', { method: 'POST', body: { description: 'x'.repeat(256) } }), 400, /255/);
  expectError(await call(g.app, '/v1/chassis', { method: 'POST', body: { foo: 1 } }), 400);
});

test('GET list/detail/one: default fields, fields=, pagination with next, sorting, errors', async () => {
  for (let i = 0; i < 3; i++) await create({ description: `page-${i}` });
  let r = await call(g.app, '/v1/chassis');
  assert.equal(r.statusCode, 200, r.body);
  const all = r.json().chassis;
  assert.ok(all.length >= 3);
  assert.deepEqual(Object.keys(all[0]).sort(), ['description', 'links', 'uuid']);

  r = await call(g.app, '/v1/chassis?limit=2');
  assert.equal(r.json().chassis.length, 2);
  const next = new URL(r.json().next);
  assert.equal(next.pathname, '/v1/chassis');
  assert.equal(next.searchParams.get('limit'), '2');
  assert.equal(next.searchParams.get('marker'), r.json().chassis[1].uuid);
  const r2 = await call(g.app, `${next.pathname}${next.search}`);
  assert.equal(r2.statusCode, 200, r2.body);
  assert.equal(r2.json().chassis[0].uuid, all[2].uuid);

  r = await call(g.app, '/v1/chassis/detail?sort_key=created_at&sort_dir=desc');
  assert.equal(r.statusCode, 200, r.body);
  assert.ok('extra' in r.json().chassis[0] && 'nodes' in r.json().chassis[0]);

  r = await call(g.app, `/v1/chassis/${all[0].uuid}?fields=uuid,extra`, { version: '1.8' });
  assert.deepEqual(Object.keys(r.json()).sort(), ['extra', 'links', 'uuid']);
  r = await call(g.app, '/v1/chassis?fields=extra', { version: '1.8' });
  assert.deepEqual(Object.keys(r.json().chassis[0]).sort(), ['extra', 'links']);

  expectError(await call(g.app, '/v1/chassis?fields=uuid', { version: '1.7' }), 406);
  expectError(await call(g.app, '/v1/chassis?fields=bogus', { version: '1.8' }), 400, /bogus/);
  expectError(await call(g.app, '/v1/chassis?sort_key=extra'), 400, /sort_key value extra is an invalid field/);
  expectError(await call(g.app, '/v1/chassis?sort_dir=up'), 400, /Invalid sort direction/);
  expectError(await call(g.app, '/v1/chassis?limit=0'), 400, /Limit must be positive/);
  expectError(await call(g.app, '/v1/chassis?marker=0f1d9bd2-7a1f-4d4b-9d4e-000000000000'), 404);
  expectError(await call(g.app, '/v1/chassis/0f1d9bd2-7a1f-4d4b-9d4e-000000000000'), 404, /could not be found/);
  expectError(await call(g.app, '/v1/chassis/not-a-uuid'), 400);
});

test('PATCH: description and extra; read-only paths refused; save via the indirection API', async () => {
  const c = (await create({ description: 'old' })).json();
  let r = await call(g.app, `/v1/chassis/${c.uuid}`, {
    method: 'PATCH',
    body: [
      { op: 'replace', path: '/description', value: 'new' },
      { op: 'add', path: '/extra/k', value: 'v' },
    ],
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().description, 'new');
  assert.deepEqual(r.json().extra, { k: 'v' });
  assert.notEqual(r.json().updated_at, null);
  assert.equal((await call(g.app, `/v1/chassis/${c.uuid}`)).json().description, 'new');
  r = await call(g.app, `/v1/chassis/${c.uuid}`, { method: 'PATCH', body: [{ op: 'remove', path: '/description' }] });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().description, null);
  expectError(
    await call(g.app, `/v1/chassis/${c.uuid}`, {
      method: 'PATCH',
      body: [{ op: 'replace', path: '/uuid', value: c.uuid }],
    }),
    400,
    /internal attribute/,
  );
  expectError(
    await call(g.app, `/v1/chassis/${c.uuid}`, { method: 'PATCH', body: [{ op: 'add', path: '/foo', value: 1 }] }),
    400,
  );
  expectError(
    await call(g.app, `/v1/chassis/${c.uuid}`, {
      method: 'PATCH',
      body: [{ op: 'replace', path: '/description', value: 'x'.repeat(256) }],
    }),
    400,
  );
  expectError(
    await call(g.app, '/v1/chassis/0f1d9bd2-7a1f-4d4b-9d4e-000000000000', {
      method: 'PATCH',
      body: [{ op: 'remove', path: '/description' }],
    }),
    404,
  );
});

test('nodes of a chassis; DELETE refused while it holds nodes (ChassisNotEmpty 400), then 204', async () => {
  const c = (await create({ description: 'with nodes' })).json();
  const n = await createNode(g.app, { chassis_uuid: c.uuid, name: 'in-chassis' });
  await createNode(g.app, { name: 'elsewhere' });
  let r = await call(g.app, `/v1/chassis/${c.uuid}/nodes`, { version: '1.38' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(
    r.json().nodes.map((x: { uuid: string }) => x.uuid),
    [n.uuid],
  );
  r = await call(g.app, `/v1/chassis/${c.uuid}/nodes/detail`, { version: '1.38' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().nodes[0].chassis_uuid, c.uuid);
  expectError(await call(g.app, '/v1/chassis/0f1d9bd2-7a1f-4d4b-9d4e-000000000000/nodes'), 404);

  expectError(await call(g.app, `/v1/chassis/${c.uuid}`, { method: 'DELETE' }), 400, /contains nodes|not empty/i);
  assert.equal((await call(g.app, `/v1/nodes/${n.uuid}`, { method: 'DELETE', version: '1.38' })).statusCode, 204);
  r = await call(g.app, `/v1/chassis/${c.uuid}`, { method: 'DELETE' });
  assert.equal(r.statusCode, 204, r.body);
  expectError(await call(g.app, `/v1/chassis/${c.uuid}`), 404);
});
