/** /v1/ports and the port sub-collections against the simulated conductor. */
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
const nextMac = () => `52:54:00:00:01:${(macSeq++).toString(16).padStart(2, '0')}`;

async function createPort(body: Record<string, unknown>, version = '1.38') {
  const r = await call(g.app, '/v1/ports', { method: 'POST', version, body: { address: nextMac(), ...body } });
  assert.equal(r.statusCode, 201, r.body);
  return r;
}

const FULL_138 = [
  'address',
  'created_at',
  'extra',
  'internal_info',
  'links',
  'local_link_connection',
  'node_uuid',
  'physical_network',
  'portgroup_uuid',
  'pxe_enabled',
  'updated_at',
  'uuid',
];

test("POST: create_port on the node's conductor; Location; body per microversion", async () => {
  const n = await createNode(g.app);
  const llc = { switch_id: 'AA:BB:CC:DD:EE:FF', port_id: 'Gig0/1', switch_info: 'sw1' };
  const r = await createPort({
    node_uuid: n.uuid,
    extra: { a: 1 },
    pxe_enabled: false,
    local_link_connection: llc,
    physical_network: 'physnet1',
  });
  const p = r.json();
  assert.equal(r.headers.location, `http://localhost:80/v1/ports/${p.uuid}`);
  assert.deepEqual(Object.keys(p).sort(), FULL_138);
  assert.equal(p.node_uuid, n.uuid);
  assert.equal(p.portgroup_uuid, null);
  assert.equal(p.pxe_enabled, false);
  assert.equal(p.local_link_connection.switch_id, 'aa:bb:cc:dd:ee:ff');
  assert.equal(p.physical_network, 'physnet1');

  const at = async (v: string) => Object.keys((await call(g.app, `/v1/ports/${p.uuid}`, { version: v })).json()).sort();
  assert.deepEqual(await at('1.1'), ['address', 'created_at', 'extra', 'links', 'node_uuid', 'updated_at', 'uuid']);
  assert.ok((await at('1.18')).includes('internal_info'));
  assert.ok((await at('1.19')).includes('pxe_enabled') && (await at('1.19')).includes('local_link_connection'));
  assert.ok(!(await at('1.23')).includes('portgroup_uuid') && (await at('1.24')).includes('portgroup_uuid'));
  assert.ok(!(await at('1.33')).includes('physical_network') && (await at('1.34')).includes('physical_network'));
});

test('POST: errors — version-gated fields, bad MAC, missing node (400), duplicate MAC (409), bad local_link_connection', async () => {
  const n = await createNode(g.app);
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.18',
      body: { address: nextMac(), node_uuid: n.uuid, pxe_enabled: true },
    }),
    406,
  );
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.33',
      body: { address: nextMac(), node_uuid: n.uuid, physical_network: 'p' },
    }),
    406,
  );
  expectError(
    await call(g.app, '/v1/ports', { method: 'POST', version: '1.38', body: { address: 'zz', node_uuid: n.uuid } }),
    400,
    /MAC address/,
  );
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.38',
      body: { address: nextMac(), node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' },
    }),
    400,
    /could not be found/,
  );
  expectError(await call(g.app, '/v1/ports', { method: 'POST', version: '1.38', body: { address: nextMac() } }), 400);
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.38',
      body: { address: nextMac(), node_uuid: n.uuid, internal_info: {} },
    }),
    400,
  );
  const mac = nextMac();
  await createPort({ address: mac, node_uuid: n.uuid });
  expectError(
    await call(g.app, '/v1/ports', { method: 'POST', version: '1.38', body: { address: mac, node_uuid: n.uuid } }),
    409,
  );
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.38',
      body: { address: nextMac(), node_uuid: n.uuid, local_link_connection: { port_id: 'x' } },
    }),
    400,
    /Missing mandatory keys/,
  );
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.38',
      body: { address: nextMac(), node_uuid: n.uuid, local_link_connection: { switch_id: 'nope', port_id: 'x' } },
    }),
    400,
  );
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.38',
      body: {
        address: nextMac(),
        node_uuid: n.uuid,
        local_link_connection: { switch_id: 'aa:bb:cc:dd:ee:ff', port_id: 'x', bad: 'y' },
      },
    }),
    400,
    /invalid keys/,
  );
});

test('POST through the indirection API when the RPC cap is below create_port (1.41)', async () => {
  const n = await createNode(g.app);
  const original = g.conductor.can_send_create_port;
  g.conductor.can_send_create_port = () => false;
  try {
    const p = (await createPort({ node_uuid: n.uuid })).json();
    assert.equal(p.node_uuid, n.uuid);
    assert.equal((await call(g.app, `/v1/ports/${p.uuid}`)).statusCode, 200);
    // a portgroup member can not be checked without create_port: refused
    expectError(
      await call(g.app, '/v1/ports', {
        method: 'POST',
        version: '1.38',
        body: { address: nextMac(), node_uuid: n.uuid, portgroup_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' },
      }),
      406,
    );
  } finally {
    g.conductor.can_send_create_port = original;
  }
});

test('GET list, detail, filters, pagination, sorting, fields', async () => {
  const n1 = await createNode(g.app, { name: 'ports-n1' });
  const n2 = await createNode(g.app);
  const mine = [];
  for (let i = 0; i < 3; i++) mine.push((await createPort({ node_uuid: n1.uuid })).json());
  const other = (await createPort({ node_uuid: n2.uuid })).json();

  let r = await call(g.app, '/v1/ports');
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(Object.keys(r.json().ports[0]).sort(), ['address', 'links', 'uuid']);

  r = await call(g.app, `/v1/ports?node=ports-n1`, { version: '1.38' });
  assert.deepEqual(
    r.json().ports.map((p: { uuid: string }) => p.uuid),
    mine.map((p) => p.uuid),
  );
  r = await call(g.app, `/v1/ports?node_uuid=${n2.uuid}`);
  assert.deepEqual(
    r.json().ports.map((p: { uuid: string }) => p.uuid),
    [other.uuid],
  );
  expectError(await call(g.app, '/v1/ports?node=ports-n1', { version: '1.4' }), 406);
  r = await call(g.app, `/v1/ports?address=${other.address.toUpperCase()}`);
  assert.deepEqual(
    r.json().ports.map((p: { uuid: string }) => p.uuid),
    [other.uuid],
  );
  assert.deepEqual((await call(g.app, '/v1/ports?address=52:54:00:ff:ff:fe')).json().ports, []);
  expectError(await call(g.app, '/v1/ports?address=bad'), 400);

  r = await call(g.app, `/v1/ports?node=${n1.uuid}&limit=2`);
  assert.equal(r.json().ports.length, 2);
  const next = new URL(r.json().next);
  assert.equal(next.searchParams.get('node'), n1.uuid);
  assert.equal(next.searchParams.get('marker'), mine[1].uuid);
  r = await call(g.app, `${next.pathname}${next.search}`);
  assert.deepEqual(
    r.json().ports.map((p: { uuid: string }) => p.uuid),
    [mine[2].uuid],
  );

  r = await call(g.app, `/v1/ports/detail?node=${n1.uuid}&sort_key=address&sort_dir=desc`, { version: '1.38' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(Object.keys(r.json().ports[0]).sort(), FULL_138);
  const addrs = r.json().ports.map((p: { address: string }) => p.address);
  assert.deepEqual(addrs, [...addrs].sort().reverse());

  r = await call(g.app, `/v1/ports?fields=uuid,node_uuid&node=${n1.uuid}`, { version: '1.8' });
  assert.deepEqual(Object.keys(r.json().ports[0]).sort(), ['links', 'node_uuid', 'uuid']);
  expectError(await call(g.app, '/v1/ports?fields=uuid', { version: '1.7' }), 406);
  expectError(await call(g.app, '/v1/ports?fields=pxe_enabled', { version: '1.18' }), 406);
  expectError(await call(g.app, '/v1/ports?sort_key=physical_network', { version: '1.33' }), 406);
  expectError(await call(g.app, '/v1/ports?fields=nope', { version: '1.38' }), 400);
  expectError(await call(g.app, '/v1/ports?sort_key=extra'), 400, /invalid field for sorting/);
  expectError(await call(g.app, '/v1/ports?portgroup=x', { version: '1.23' }), 406);
  expectError(await call(g.app, `/v1/ports?node=${n1.uuid}&portgroup=pg`, { version: '1.38' }), 403);
  expectError(await call(g.app, `/v1/ports/${mine[0].uuid}?fields=uuid`, { version: '1.7' }), 406);
  expectError(await call(g.app, '/v1/ports/1be26c0b-03f2-4d2e-ae87-c02d7f33c123'), 404, /could not be found/);
  expectError(await call(g.app, '/v1/ports/not-a-uuid'), 400);
});

test('/v1/nodes/{node}/ports and /v1/portgroups/{pg}/ports sub-collections; writes under them refused (403)', async () => {
  const n = await createNode(g.app, { name: 'sub-node' });
  const pg = await call(g.app, '/v1/portgroups', {
    method: 'POST',
    version: '1.38',
    body: { node_uuid: n.uuid, name: 'sub-pg', address: nextMac() },
  });
  assert.equal(pg.statusCode, 201, pg.body);
  const inPg = (await createPort({ node_uuid: n.uuid, portgroup_uuid: pg.json().uuid })).json();
  const loose = (await createPort({ node_uuid: n.uuid })).json();
  assert.equal(inPg.portgroup_uuid, pg.json().uuid);

  let r = await call(g.app, '/v1/nodes/sub-node/ports', { version: '1.38' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(
    r
      .json()
      .ports.map((p: { uuid: string }) => p.uuid)
      .sort(),
    [inPg.uuid, loose.uuid].sort(),
  );
  r = await call(g.app, '/v1/nodes/sub-node/ports/detail', { version: '1.38' });
  assert.equal(r.json().ports[0].node_uuid, n.uuid);
  r = await call(g.app, '/v1/portgroups/sub-pg/ports', { version: '1.24' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(
    r.json().ports.map((p: { uuid: string }) => p.uuid),
    [inPg.uuid],
  );
  r = await call(g.app, `/v1/ports?portgroup=${pg.json().uuid}`, { version: '1.24' });
  assert.deepEqual(
    r.json().ports.map((p: { uuid: string }) => p.uuid),
    [inPg.uuid],
  );
  expectError(await call(g.app, '/v1/portgroups/sub-pg/ports', { version: '1.23' }), 404);
  expectError(await call(g.app, '/v1/nodes/no-such/ports', { version: '1.38' }), 404);

  expectError(await call(g.app, `/v1/nodes/sub-node/ports/${loose.uuid}`, { version: '1.38' }), 403);
  expectError(await call(g.app, '/v1/nodes/sub-node/ports', { method: 'POST', version: '1.38', body: {} }), 403);
  expectError(
    await call(g.app, `/v1/portgroups/sub-pg/ports/${loose.uuid}`, { method: 'DELETE', version: '1.38' }),
    403,
  );

  // a port of another node can not join this portgroup
  const other = await createNode(g.app);
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.38',
      body: { address: nextMac(), node_uuid: other.uuid, portgroup_uuid: pg.json().uuid },
    }),
    400,
    /different node/,
  );
  expectError(
    await call(g.app, '/v1/ports', {
      method: 'POST',
      version: '1.38',
      body: { address: nextMac(), node_uuid: n.uuid, portgroup_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' },
    }),
    400,
  );
});

test('PATCH → update_port; DELETE → destroy_port', async () => {
  const n = await createNode(g.app);
  const n2 = await createNode(g.app);
  const p = (await createPort({ node_uuid: n.uuid })).json();
  const patch = (body: unknown, version = '1.38') =>
    call(g.app, `/v1/ports/${p.uuid}`, { method: 'PATCH', version, body });
  let r = await patch([
    { op: 'add', path: '/extra/foo', value: 'bar' },
    { op: 'replace', path: '/pxe_enabled', value: false },
    { op: 'replace', path: '/address', value: 'AA:BB:CC:00:11:22' },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json().extra, { foo: 'bar' });
  assert.equal(r.json().pxe_enabled, false);
  assert.equal(r.json().address, 'aa:bb:cc:00:11:22');
  r = await patch([{ op: 'replace', path: '/node_uuid', value: n2.uuid }]);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().node_uuid, n2.uuid);
  expectError(await patch([{ op: 'replace', path: '/node_uuid', value: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123' }]), 400);
  expectError(await patch([{ op: 'replace', path: '/internal_info', value: {} }]), 400, /internal attribute/);
  expectError(await patch([{ op: 'remove', path: '/address' }]), 400, /mandatory attribute/);
  expectError(await patch([{ op: 'replace', path: '/pxe_enabled', value: true }], '1.18'), 406);
  expectError(await patch([{ op: 'replace', path: '/physical_network', value: 'x' }], '1.33'), 406);
  expectError(await patch([{ op: 'replace', path: '/address', value: 'bad' }]), 400);

  r = await call(g.app, `/v1/ports/${p.uuid}`, { method: 'DELETE' });
  assert.equal(r.statusCode, 204, r.body);
  expectError(await call(g.app, `/v1/ports/${p.uuid}`), 404);
  expectError(await call(g.app, `/v1/ports/${p.uuid}`, { method: 'DELETE' }), 404);
});
