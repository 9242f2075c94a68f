/** /v1/volume (1.32+): index, connectors and targets, and the node sub-resources, against the simulator. */
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

const V = '1.32';

/** A node powered off: the conductor changes volume resources only then (InvalidStateRequested otherwise). */
async function offNode(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const n = await createNode(g.app, extra);
  g.sim.store.updateNode(g.sim.store.node(n.uuid), { power_state: 'power off' });
  return n;
}

test('GET /v1/volume and /v1/nodes/{node}/volume: links; 404 below 1.32', async () => {
  let r = await call(g.app, '/v1/volume', { version: V });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(
    r.json().links.map((l: { href: string }) => l.href),
    ['http://localhost:80/v1/volume/', 'http://localhost:80/volume/'],
  );
  assert.equal(r.json().connectors[0].href, 'http://localhost:80/v1/volume/connectors');
  assert.equal(r.json().targets[1].href, 'http://localhost:80/volume/targets');
  r = await call(g.app, '/v1/nodes/some-node/volume', { version: V });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().targets[0].href, 'http://localhost:80/v1/nodes/some-node/volume/targets');
  expectError(await call(g.app, '/v1/volume', { version: '1.31' }), 404);
  expectError(await call(g.app, '/v1/volume/connectors', { version: '1.31' }), 404);
  expectError(await call(g.app, '/v1/nodes/some-node/volume/targets', { version: '1.31' }), 404);
});

test('connectors: create, list (default fields, detail, fields, node filter, pages), get, patch, delete', async () => {
  const n = await offNode({ name: 'vol-node' });
  const n2 = await offNode();
  const post = (body: Record<string, unknown>) =>
    call(g.app, '/v1/volume/connectors', { method: 'POST', version: V, body });
  let r = await post({ node_uuid: n.uuid, type: 'iqn', connector_id: 'iqn.2010-10.org.openstack:1', extra: { a: 1 } });
  assert.equal(r.statusCode, 201, r.body);
  const c = r.json();
  assert.equal(r.headers.location, `http://localhost:80/v1/volume/connectors/${c.uuid}`);
  assert.deepEqual(Object.keys(c).sort(), [
    'connector_id',
    'created_at',
    'extra',
    'links',
    'node_uuid',
    'type',
    'updated_at',
    'uuid',
  ]);
  assert.match(c.links[0].href, /\/v1\/volume\/connectors\//);
  const c2 = (await post({ node_uuid: n.uuid, type: 'ip', connector_id: '10.0.0.1' })).json();
  await post({ node_uuid: n2.uuid, type: 'ip', connector_id: '10.0.0.2' });
  expectError(await post({ node_uuid: n.uuid, type: 'iqn', connector_id: 'iqn.2010-10.org.openstack:1' }), 409);
  expectError(await post({ node_uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', type: 'ip', connector_id: 'x' }), 400);
  expectError(await post({ node_uuid: n.uuid, type: 'ip' }), 400);

  r = await call(g.app, '/v1/volume/connectors', { version: V });
  assert.deepEqual(Object.keys(r.json().connectors[0]).sort(), ['connector_id', 'links', 'node_uuid', 'type', 'uuid']);
  r = await call(g.app, '/v1/volume/connectors?detail=True&node=vol-node', { version: V });
  assert.deepEqual(
    r.json().connectors.map((x: { uuid: string }) => x.uuid),
    [c.uuid, c2.uuid],
  );
  assert.ok('extra' in r.json().connectors[0]);
  r = await call(g.app, '/v1/volume/connectors?fields=uuid,type&limit=1&node=vol-node', { version: V });
  assert.deepEqual(Object.keys(r.json().connectors[0]).sort(), ['links', 'type', 'uuid']);
  const next = new URL(r.json().next);
  assert.equal(next.searchParams.get('marker'), c.uuid);
  r = await call(g.app, `${next.pathname}${next.search}`, { version: V });
  assert.deepEqual(
    r.json().connectors.map((x: { uuid: string }) => x.uuid),
    [c2.uuid],
  );
  expectError(
    await call(g.app, '/v1/volume/connectors?fields=uuid&detail=true', { version: V }),
    400,
    /subset of fields with 'detail'/,
  );
  expectError(await call(g.app, '/v1/volume/connectors?sort_key=extra', { version: V }), 400);

  r = await call(g.app, '/v1/nodes/vol-node/volume/connectors', { version: V });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().connectors.length, 2);
  expectError(await call(g.app, `/v1/nodes/vol-node/volume/connectors/${c.uuid}`, { version: V }), 403);
  expectError(await call(g.app, '/v1/nodes/vol-node/volume/connectors', { method: 'POST', version: V, body: {} }), 403);
  expectError(await call(g.app, '/v1/nodes/no-such/volume/connectors', { version: V }), 404);

  r = await call(g.app, `/v1/volume/connectors/${c.uuid}?fields=connector_id`, { version: V });
  assert.deepEqual(Object.keys(r.json()).sort(), ['connector_id', 'links']);
  expectError(await call(g.app, '/v1/volume/connectors/1be26c0b-03f2-4d2e-ae87-c02d7f33c123', { version: V }), 404);

  const patch = (body: unknown) =>
    call(g.app, `/v1/volume/connectors/${c.uuid}`, { method: 'PATCH', version: V, body });
  r = await patch([
    { op: 'replace', path: '/connector_id', value: 'iqn.2010-10.org.openstack:2' },
    { op: 'replace', path: '/node_uuid', value: n2.uuid },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().connector_id, 'iqn.2010-10.org.openstack:2');
  assert.equal(r.json().node_uuid, n2.uuid);
  expectError(
    await patch([{ op: 'replace', path: '/node_uuid', value: 'not-uuid' }]),
    400,
    /Expected a UUID for node_uuid/,
  );
  expectError(await patch([{ op: 'remove', path: '/type' }]), 400, /mandatory attribute/);
  expectError(await patch([{ op: 'replace', path: '/uuid', value: c.uuid }]), 400, /internal attribute/);

  r = await call(g.app, `/v1/volume/connectors/${c.uuid}`, { method: 'DELETE', version: V });
  assert.equal(r.statusCode, 204, r.body);
  expectError(await call(g.app, `/v1/volume/connectors/${c.uuid}`, { version: V }), 404);
});

test('targets: create, list, patch, delete; boot index conflicts', async () => {
  const n = await offNode({ name: 'tgt-node' });
  const post = (body: Record<string, unknown>) =>
    call(g.app, '/v1/volume/targets', { method: 'POST', version: V, body });
  let r = await post({
    node_uuid: n.uuid,
    volume_type: 'iscsi',
    boot_index: 0,
    volume_id: 'vol-1',
    properties: { target_lun: 0 },
  });
  assert.equal(r.statusCode, 201, r.body);
  const t = r.json();
  assert.deepEqual(Object.keys(t).sort(), [
    'boot_index',
    'created_at',
    'extra',
    'links',
    'node_uuid',
    'properties',
    'updated_at',
    'uuid',
    'volume_id',
    'volume_type',
  ]);
  expectError(await post({ node_uuid: n.uuid, volume_type: 'iscsi', boot_index: 0, volume_id: 'vol-2' }), 409);
  expectError(await post({ node_uuid: n.uuid, volume_type: 'iscsi', volume_id: 'vol-2' }), 400);
  expectError(await post({ node_uuid: n.uuid, volume_type: 'iscsi', boot_index: 'x', volume_id: 'vol-2' }), 400);
  const t2 = (await post({ node_uuid: n.uuid, volume_type: 'iscsi', boot_index: 1, volume_id: 'vol-2' })).json();

  r = await call(g.app, '/v1/volume/targets?node=tgt-node', { version: V });
  assert.deepEqual(Object.keys(r.json().targets[0]).sort(), [
    'boot_index',
    'links',
    'node_uuid',
    'uuid',
    'volume_id',
    'volume_type',
  ]);
  r = await call(g.app, '/v1/nodes/tgt-node/volume/targets?detail=true', { version: V });
  assert.deepEqual(
    r.json().targets.map((x: { uuid: string }) => x.uuid),
    [t.uuid, t2.uuid],
  );
  assert.deepEqual(r.json().targets[0].properties, { target_lun: 0 });

  const patch = (body: unknown) => call(g.app, `/v1/volume/targets/${t2.uuid}`, { method: 'PATCH', version: V, body });
  r = await patch([{ op: 'replace', path: '/boot_index', value: 5 }]);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().boot_index, 5);
  expectError(await patch([{ op: 'replace', path: '/boot_index', value: 0 }]), 409);
  expectError(await patch([{ op: 'replace', path: '/boot_index', value: 'x' }]), 400);
  expectError(await patch([{ op: 'remove', path: '/volume_id' }]), 400, /mandatory attribute/);

  assert.equal((await call(g.app, `/v1/volume/targets/${t2.uuid}`, { method: 'DELETE', version: V })).statusCode, 204);
  // a powered-on node's volume targets can not change
  g.sim.store.updateNode(g.sim.store.node(n.uuid), { power_state: 'power on' });
  expectError(await call(g.app, `/v1/volume/targets/${t.uuid}`, { method: 'DELETE', version: V }), 400, /power on/);
  expectError(await call(g.app, `/v1/volume/targets/${t2.uuid}`, { method: 'DELETE', version: V }), 404);
});
