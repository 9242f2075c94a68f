/** Node create and reads against the simulated conductor through the whole stack. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeRoutes } from '../../../src/http/routes/nodes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: nodeRoutes });
});
after(async () => {
  await g.close();
});

test('POST /v1/nodes at 1.38: 201, Location, enroll, full body with links and secrets masked', async () => {
  const r = await call(g.app, '/v1/nodes', {
    method: 'POST',
    version: '1.38',
    body: { driver: 'fake-hardware', name: 'create-1', driver_info: { ipmi_password: 'p', ipmi_address: '10.0.0.1' } },
  });
  assert.equal(r.statusCode, 201, r.body);
  const n = r.json();
  assert.equal(r.headers.location, `http://localhost:80/v1/nodes/${n.uuid}`);
  assert.equal(n.provision_state, 'enroll');
  assert.equal(n.name, 'create-1');
  assert.deepEqual(n.traits, []);
  assert.equal(n.driver_info.ipmi_password, '******');
  assert.equal(n.driver_info.ipmi_address, '10.0.0.1');
  assert.deepEqual(
    n.links.map((l: { rel: string }) => l.rel),
    ['self', 'bookmark'],
  );
  for (const k of [
    'ports',
    'states',
    'portgroups',
    'volume',
    'rescue_interface',
    'storage_interface',
    'boot_interface',
  ])
    assert.ok(k in n, k);
  assert.match(n.created_at, /\+00:00$/);
});

test('POST at 1.1: available, and no fields of later versions', async () => {
  const r = await call(g.app, '/v1/nodes', { method: 'POST', body: { driver: 'fake-hardware' } });
  assert.equal(r.statusCode, 201, r.body);
  const n = r.json();
  assert.equal(n.provision_state, null, 'available shows as None before 1.2');
  for (const k of [
    'name',
    'driver_internal_info',
    'clean_step',
    'raid_config',
    'resource_class',
    'traits',
    'boot_interface',
    'states',
    'portgroups',
    'volume',
  ]) {
    assert.ok(!(k in n), `${k} hidden at 1.1`);
  }
  const at2 = await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.2' });
  assert.equal(at2.json().provision_state, 'available');
});

test('POST validation: traits, versions, names, read-only fields, driver', async () => {
  const post = (body: unknown, version = '1.38') => call(g.app, '/v1/nodes', { method: 'POST', version, body });
  expectError(
    await post({ driver: 'fake-hardware', traits: ['CUSTOM_A'] }),
    400,
    /Cannot specify node traits on node creation/,
  );
  expectError(await post({ driver: 'fake-hardware', resource_class: 'gold' }, '1.20'), 406);
  expectError(await post({ driver: 'fake-hardware', network_interface: 'flat' }, '1.19'), 406);
  expectError(await post({ driver: 'fake-hardware', boot_interface: 'fake' }, '1.30'), 406);
  expectError(await post({ driver: 'fake-hardware', rescue_interface: 'fake' }, '1.37'), 406);
  expectError(await post({ driver: 'fake-hardware', name: 'n' }, '1.4'), 406);
  expectError(await post({ driver: 'fake-hardware', name: 'detail' }), 400, /The word "detail" is reserved/);
  expectError(
    await post({ driver: 'fake-hardware', name: 'bad name' }),
    400,
    /Cannot create node with invalid name 'bad name'/,
  );
  expectError(await post({ driver: 'fake-hardware', power_state: 'power on' }), 400, /Cannot set read only field/);
  expectError(await post({ driver: 'fake-hardware', nonsense: 1 }), 400);
  expectError(await post({ name: 'no-driver' }), 400);
  expectError(await post({ driver: 'no-such-driver' }), 400, /No valid host was found/);
  expectError(await post({ driver: 'fake-hardware', uuid: 'not-a-uuid' }), 400, /Expected a UUID/);
});

test('GET /v1/nodes: default fields, fields= (1.8), detail, per-version gates', async () => {
  const made = await createNode(g.app, { name: 'list-1', extra: { k: 'v' } });
  const list = await call(g.app, '/v1/nodes', { version: '1.38' });
  assert.equal(list.statusCode, 200);
  const item = list.json().nodes.find((n: { uuid: string }) => n.uuid === made.uuid);
  assert.deepEqual(Object.keys(item).sort(), [
    'instance_uuid',
    'links',
    'maintenance',
    'name',
    'power_state',
    'provision_state',
    'uuid',
  ]);
  const f = await call(g.app, '/v1/nodes?fields=uuid,extra', { version: '1.8' });
  const fi = f.json().nodes.find((n: { uuid: string }) => n.uuid === made.uuid);
  assert.deepEqual(Object.keys(fi).sort(), ['extra', 'links', 'uuid']);
  expectError(await call(g.app, '/v1/nodes?fields=uuid', { version: '1.7' }), 406);
  expectError(await call(g.app, '/v1/nodes?fields=traits', { version: '1.36' }), 406);
  expectError(
    await call(g.app, '/v1/nodes?fields=bogus', { version: '1.38' }),
    400,
    /Field\(s\) "bogus" are not valid/,
  );
  const detail = await call(g.app, '/v1/nodes/detail', { version: '1.38' });
  const di = detail.json().nodes.find((n: { uuid: string }) => n.uuid === made.uuid);
  assert.deepEqual(di.extra, { k: 'v' });
  assert.ok(di.links && di.ports && di.traits);
  expectError(await call(g.app, '/v1/nodes/detail?fields=uuid', { version: '1.38' }), 400);
});

test('GET /v1/nodes: limit, marker and the next link; sort checks', async () => {
  for (let i = 0; i < 3; i++) await createNode(g.app);
  const p1 = await call(g.app, '/v1/nodes?limit=2', { version: '1.38' });
  const b1 = p1.json();
  assert.equal(b1.nodes.length, 2);
  const last = b1.nodes[1].uuid;
  assert.equal(b1.next, `http://localhost:80/v1/nodes?sort_key=id&sort_dir=asc&limit=2&marker=${last}`);
  const p2 = await call(g.app, b1.next.replace('http://localhost:80', ''), { version: '1.38' });
  assert.equal(p2.statusCode, 200);
  assert.notEqual(p2.json().nodes[0].uuid, b1.nodes[0].uuid);
  const d = await call(g.app, '/v1/nodes/detail?limit=1&maintenance=false', { version: '1.38' });
  assert.match(d.json().next, /^http:\/\/localhost:80\/v1\/nodes\/detail\?sort_key=id&sort_dir=asc&limit=1&marker=/);
  expectError(await call(g.app, '/v1/nodes?limit=0'), 400, /Limit must be positive/);
  expectError(await call(g.app, '/v1/nodes?limit=abc'), 400);
  expectError(await call(g.app, '/v1/nodes?sort_dir=up'), 400);
  expectError(await call(g.app, '/v1/nodes?sort_key=extra'), 400, /sort_key value extra is an invalid field/);
  expectError(await call(g.app, '/v1/nodes?marker=11111111-2222-3333-4444-555555555555'), 404);
  expectError(await call(g.app, '/v1/nodes?unknown=1'), 400);
});

test('GET /v1/nodes filters: maintenance, provision_state (1.9), driver (1.16), resource_class (1.21), instance_uuid', async () => {
  const m = await createNode(g.app, { maintenance: true, resource_class: 'rc-filter' });
  const inMaint = await call(g.app, '/v1/nodes?maintenance=true', { version: '1.38' });
  assert.ok(inMaint.json().nodes.every((n: { maintenance: boolean }) => n.maintenance));
  assert.ok(inMaint.json().nodes.some((n: { uuid: string }) => n.uuid === m.uuid));
  expectError(await call(g.app, '/v1/nodes?maintenance=maybe', { version: '1.38' }), 400, /Unrecognized value 'maybe'/);
  const rc = await call(g.app, '/v1/nodes?resource_class=rc-filter', { version: '1.38' });
  assert.deepEqual(
    rc.json().nodes.map((n: { uuid: string }) => n.uuid),
    [m.uuid],
  );
  expectError(await call(g.app, '/v1/nodes?resource_class=x', { version: '1.20' }), 406);
  expectError(await call(g.app, '/v1/nodes?driver=fake-hardware', { version: '1.15' }), 406);
  assert.equal((await call(g.app, '/v1/nodes?driver=fake-hardware', { version: '1.16' })).statusCode, 200);
  expectError(await call(g.app, '/v1/nodes?provision_state=enroll', { version: '1.8' }), 406);
  expectError(
    await call(g.app, '/v1/nodes?provision_state=nowhere', { version: '1.9' }),
    400,
    /Provision state "nowhere" is not valid/,
  );
  const enroll = await call(g.app, '/v1/nodes?provision_state=enroll', { version: '1.38' });
  assert.ok(enroll.json().nodes.length > 0);
  const none = await call(g.app, '/v1/nodes?instance_uuid=11111111-2222-3333-4444-555555555555', { version: '1.38' });
  assert.deepEqual(none.json(), { nodes: [] });
  expectError(await call(g.app, '/v1/nodes?instance_uuid=nope'), 400, /Expected a UUID/);
});

test('GET /v1/nodes/{ident}: uuid, name from 1.5, 404s, invalid names, fields', async () => {
  const n = await createNode(g.app, { name: 'get-me' });
  const byUuid = await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.38' });
  assert.equal(byUuid.statusCode, 200);
  assert.equal(byUuid.json().name, 'get-me');
  assert.equal((await call(g.app, '/v1/nodes/get-me', { version: '1.5' })).json().uuid, n.uuid);
  expectError(await call(g.app, '/v1/nodes/get-me', { version: '1.4' }), 404, /Node get-me could not be found/);
  expectError(await call(g.app, '/v1/nodes/nope', { version: '1.38' }), 404, /^Node nope could not be found\.$/);
  expectError(await call(g.app, '/v1/nodes/bad%20name', { version: '1.38' }), 400, /Expected a logical name or UUID/);
  const f = await call(g.app, `/v1/nodes/${n.uuid}?fields=name,driver`, { version: '1.38' });
  assert.deepEqual(Object.keys(f.json()).sort(), ['driver', 'links', 'name']);
  const v = await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.30' });
  assert.ok(!('boot_interface' in v.json()) && 'network_interface' in v.json() && 'resource_class' in v.json());
  expectError(await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.99' }), 406);
});

test('GET states and validate', async () => {
  const n = await createNode(g.app);
  const s = await call(g.app, `/v1/nodes/${n.uuid}/states`, { version: '1.38' });
  assert.equal(s.statusCode, 200);
  assert.deepEqual(Object.keys(s.json()).sort(), [
    'console_enabled',
    'last_error',
    'power_state',
    'provision_state',
    'provision_updated_at',
    'raid_config',
    'target_power_state',
    'target_provision_state',
    'target_raid_config',
  ]);
  const old = await call(g.app, `/v1/nodes/${n.uuid}/states`, { version: '1.11' });
  assert.ok(!('raid_config' in old.json()));
  const v = await call(g.app, `/v1/nodes/${n.uuid}/validate`, { version: '1.38' });
  assert.equal(v.statusCode, 200);
  assert.equal(typeof v.json().power.result, 'boolean');
  expectError(await call(g.app, '/v1/nodes/nope/validate', { version: '1.38' }), 404);
});
