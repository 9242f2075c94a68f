/** /v1/portgroups (1.23+) and /v1/nodes/{node}/portgroups (1.24+) against the simulated conductor. */
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

let macSeq = 0x10;
const nextMac = () => `52:54:00:00:02:${(macSeq++).toString(16).padStart(2, '0')}`;

async function createPg(body: Record<string, unknown>, version = '1.38') {
  const r = await call(g.app, '/v1/portgroups', { method: 'POST', version, body });
  assert.equal(r.statusCode, 201, r.body);
  return r;
}

test('POST: 201 via the indirection API, Location, full body; version and input errors', async () => {
  const n = await createNode(g.app);
  const r = await createPg({
    node_uuid: n.uuid,
    name: 'bond0',
    address: nextMac().toUpperCase(),
    mode: '802.3ad',
    properties: { miimon: 100 },
    extra: { a: 1 },
  });
  const pg = r.json();
  assert.equal(r.headers.location, `http://localhost:80/v1/portgroups/${pg.uuid}`);
  assert.deepEqual(Object.keys(pg).sort(), [
    'address',
    'created_at',
    'extra',
    'internal_info',
    'links',
    'mode',
    'name',
    'node_uuid',
    'ports',
    'properties',
    'standalone_ports_supported',
    'updated_at',
    'uuid',
  ]);
  assert.equal(pg.node_uuid, n.uuid);
  assert.equal(pg.mode, '802.3ad');
  assert.equal(pg.standalone_ports_supported, true);
  assert.match(pg.address, /^[0-9a-f:]+$/);
  assert.match(pg.ports[0].href, new RegExp(`/v1/portgroups/${pg.uuid}/ports$`));

  expectError(
    await call(g.app, '/v1/portgroups', { method: 'POST', version: '1.22', body: { node_uuid: n.uuid } }),
    404,
  );
  expectError(
    await call(g.app, '/v1/portgroups', { method: 'POST', version: '1.25', body: { node_uuid: n.uuid, mode: 'x' } }),
    406,
  );
  expectError(
    await call(g.app, '/v1/portgroups', {
      method: 'POST',
      version: '1.38',
      body: { node_uuid: n.uuid, name: 'bad name' },
    }),
    400,
    /invalid name 'bad name'/,
  );
  expectError(
    await call(g.app, '/v1/portgroups', {
      method: 'POST',
      version: '1.38',
      body: { node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' },
    }),
    400,
  );
  expectError(await call(g.app, '/v1/portgroups', { method: 'POST', version: '1.38', body: { name: 'x' } }), 400);
  expectError(
    await call(g.app, '/v1/portgroups', {
      method: 'POST',
      version: '1.38',
      body: { node_uuid: n.uuid, name: 'bond0' },
    }),
    409,
  );
  expectError(
    await call(g.app, '/v1/portgroups', {
      method: 'POST',
      version: '1.38',
      body: { node_uuid: n.uuid, address: pg.address },
    }),
    409,
  );
});

test('GET: list/detail/one by uuid or name, filters, pages, fields per version', async () => {
  const n = await createNode(g.app, { name: 'pg-node' });
  const pgs = [];
  for (let i = 0; i < 3; i++)
    pgs.push((await createPg({ node_uuid: n.uuid, name: `pg-list-${i}`, address: nextMac() })).json());
  let r = await call(g.app, '/v1/portgroups', { version: '1.23' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(Object.keys(r.json().portgroups[0]).sort(), ['address', 'links', 'name', 'uuid']);
  expectError(await call(g.app, '/v1/portgroups', { version: '1.22' }), 404);

  r = await call(g.app, '/v1/portgroups?node=pg-node&limit=2', { version: '1.38' });
  assert.deepEqual(
    r.json().portgroups.map((p: { uuid: string }) => p.uuid),
    pgs.slice(0, 2).map((p) => p.uuid),
  );
  const next = new URL(r.json().next);
  assert.equal(next.searchParams.get('node'), 'pg-node');
  r = await call(g.app, `${next.pathname}${next.search}`, { version: '1.38' });
  assert.deepEqual(
    r.json().portgroups.map((p: { uuid: string }) => p.uuid),
    [pgs[2].uuid],
  );

  r = await call(g.app, `/v1/portgroups?address=${pgs[1].address}`, { version: '1.38' });
  assert.deepEqual(
    r.json().portgroups.map((p: { uuid: string }) => p.uuid),
    [pgs[1].uuid],
  );
  r = await call(g.app, '/v1/portgroups/detail?sort_key=name&sort_dir=desc&node=pg-node', { version: '1.38' });
  assert.deepEqual(
    r.json().portgroups.map((p: { name: string }) => p.name),
    ['pg-list-2', 'pg-list-1', 'pg-list-0'],
  );
  assert.ok('mode' in r.json().portgroups[0]);

  r = await call(g.app, '/v1/portgroups/pg-list-1', { version: '1.38' });
  assert.equal(r.json().uuid, pgs[1].uuid);
  r = await call(g.app, `/v1/portgroups/${pgs[1].uuid}?fields=uuid,mode`, { version: '1.26' });
  assert.deepEqual(Object.keys(r.json()).sort(), ['links', 'mode', 'uuid']);
  expectError(await call(g.app, `/v1/portgroups/${pgs[1].uuid}?fields=mode`, { version: '1.25' }), 406);
  expectError(await call(g.app, '/v1/portgroups?sort_key=properties', { version: '1.38' }), 400);
  expectError(await call(g.app, '/v1/portgroups/no-such', { version: '1.38' }), 404, /no-such/);
  expectError(await call(g.app, '/v1/portgroups/bad%20name', { version: '1.38' }), 400);

  // the node's sub-collection (1.24)
  r = await call(g.app, '/v1/nodes/pg-node/portgroups', { version: '1.24' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().portgroups.length, 3);
  r = await call(g.app, '/v1/nodes/pg-node/portgroups/detail', { version: '1.24' });
  assert.equal(r.json().portgroups[0].node_uuid, n.uuid);
  expectError(await call(g.app, '/v1/nodes/pg-node/portgroups', { version: '1.23' }), 404);
  expectError(await call(g.app, `/v1/nodes/pg-node/portgroups/${pgs[0].uuid}`, { version: '1.38' }), 403);
  expectError(await call(g.app, '/v1/nodes/pg-node/portgroups', { method: 'POST', version: '1.38', body: {} }), 403);
});

test('PATCH → update_portgroup; DELETE → destroy_portgroup (PortgroupNotEmpty 400 while ports remain)', async () => {
  const n = await createNode(g.app);
  const pg = (await createPg({ node_uuid: n.uuid, name: 'patch-pg', address: nextMac() })).json();
  const patch = (body: unknown, version = '1.38') =>
    call(g.app, `/v1/portgroups/${pg.uuid}`, { method: 'PATCH', version, body });
  let r = await patch([
    { op: 'replace', path: '/name', value: 'patched-pg' },
    { op: 'add', path: '/extra/x', value: 1 },
    { op: 'replace', path: '/mode', value: 'balance-rr' },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().name, 'patched-pg');
  assert.equal(r.json().mode, 'balance-rr');
  assert.deepEqual(r.json().extra, { x: 1 });
  expectError(await patch([{ op: 'replace', path: '/mode', value: 'x' }], '1.25'), 406);
  expectError(await patch([{ op: 'remove', path: '/mode' }]), 400, /mandatory attribute/);
  expectError(await patch([{ op: 'replace', path: '/internal_info', value: {} }]), 400, /internal attribute/);
  expectError(
    await patch([{ op: 'replace', path: '/name', value: 'bad name' }]),
    400,
    /Cannot change name to invalid name/,
  );

  const port = await call(g.app, '/v1/ports', {
    method: 'POST',
    version: '1.38',
    body: { address: nextMac(), node_uuid: n.uuid, portgroup_uuid: pg.uuid },
  });
  assert.equal(port.statusCode, 201, port.body);
  expectError(await call(g.app, '/v1/portgroups/patched-pg', { method: 'DELETE', version: '1.38' }), 400);
  assert.equal((await call(g.app, `/v1/ports/${port.json().uuid}`, { method: 'DELETE' })).statusCode, 204);
  r = await call(g.app, '/v1/portgroups/patched-pg', { method: 'DELETE', version: '1.38' });
  assert.equal(r.statusCode, 204, r.body);
  expectError(await call(g.app, `/v1/portgroups/${pg.uuid}`, { version: '1.38' }), 404);
});
