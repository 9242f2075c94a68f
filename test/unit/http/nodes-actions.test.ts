/** Node update, delete, maintenance, power and provision states against the simulated conductor. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { nodeRoutes } from '../../../src/http/routes/nodes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError, provision, waitFor } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: nodeRoutes });
});
after(async () => {
  await g.close();
});

const patch = (ident: string, body: unknown, version = '1.38') =>
  call(g.app, `/v1/nodes/${ident}`, { method: 'PATCH', version, body });

test('PATCH: changes the patched fields; read-only paths, root adds and versions refused', async () => {
  const n = await createNode(g.app, { name: 'patch-me' });
  const r = await patch('patch-me', [
    { op: 'add', path: '/extra/a', value: 1 },
    { op: 'replace', path: '/name', value: 'patched' },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json().extra, { a: 1 });
  assert.equal(r.json().name, 'patched');
  expectError(
    await patch(n.uuid, [{ op: 'replace', path: '/uuid', value: n.uuid }]),
    400,
    /'\/uuid' is an internal attribute and can not be updated/,
  );
  expectError(await patch(n.uuid, [{ op: 'replace', path: '/power_state', value: 'x' }]), 400, /internal attribute/);
  expectError(
    await patch(n.uuid, [{ op: 'remove', path: '/driver' }]),
    400,
    /mandatory attribute and can not be removed/,
  );
  expectError(await patch(n.uuid, [{ op: 'add', path: '/foo', value: 1 }]), 400, /Adding a new attribute \(\/foo\)/);
  expectError(
    await patch(n.uuid, [{ op: 'replace', path: '/extra/missing/x', value: 1 }]),
    400,
    /Couldn't apply patch/,
  );
  expectError(await patch(n.uuid, [{ op: 'replace', path: '/name' }]), 400, /need a value/);
  expectError(await patch(n.uuid, [{ op: 'move', path: '/name' }]), 400);
  expectError(
    await patch(n.uuid, [{ op: 'add', path: '/traits', value: ['CUSTOM_X'] }]),
    400,
    /Cannot update node traits via node patch/,
  );
  expectError(await patch(n.uuid, [{ op: 'replace', path: '/resource_class', value: 'x' }], '1.20'), 406);
  expectError(
    await patch(n.uuid, [{ op: 'replace', path: '/name', value: 'bad name' }]),
    400,
    /Cannot change name to invalid name 'bad name'/,
  );
  expectError(await patch(n.uuid, [{ op: 'replace', path: '/driver', value: 'no-such' }]), 400, /No valid host/);
  expectError(await patch('nope', [{ op: 'add', path: '/extra/a', value: 1 }]), 404);
});

test('DELETE: 204 then 404', async () => {
  const n = await createNode(g.app);
  const r = await call(g.app, `/v1/nodes/${n.uuid}`, { method: 'DELETE', version: '1.38' });
  assert.equal(r.statusCode, 204);
  assert.equal(r.body, '');
  expectError(await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.38' }), 404);
  expectError(await call(g.app, `/v1/nodes/${n.uuid}`, { method: 'DELETE', version: '1.38' }), 404);
});

test('maintenance PUT (reason in body or query) and DELETE: 202', async () => {
  const n = await createNode(g.app);
  const put = await call(g.app, `/v1/nodes/${n.uuid}/maintenance`, {
    method: 'PUT',
    version: '1.38',
    body: { reason: 'broken fan' },
  });
  assert.equal(put.statusCode, 202, put.body);
  let got = (await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.38' })).json();
  assert.equal(got.maintenance, true);
  assert.equal(got.maintenance_reason, 'broken fan');
  assert.equal(
    (await call(g.app, `/v1/nodes/${n.uuid}/maintenance?reason=q`, { method: 'PUT', version: '1.38' })).statusCode,
    202,
  );
  assert.equal((await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.38' })).json().maintenance_reason, 'q');
  assert.equal(
    (await call(g.app, `/v1/nodes/${n.uuid}/maintenance`, { method: 'DELETE', version: '1.38' })).statusCode,
    202,
  );
  got = (await call(g.app, `/v1/nodes/${n.uuid}`, { version: '1.38' })).json();
  assert.equal(got.maintenance, false);
  assert.equal(got.maintenance_reason, null);
});

test('power: 202 + Location; soft targets and timeout from 1.27; bad target and timeout', async () => {
  const n = await createNode(g.app, { name: 'power-1' });
  const power = (body: unknown, version = '1.38') =>
    call(g.app, '/v1/nodes/power-1/states/power', { method: 'PUT', version, body });
  const r = await power({ target: 'power on' });
  assert.equal(r.statusCode, 202, r.body);
  assert.equal(r.headers.location, 'http://localhost:80/v1/nodes/power-1/states');
  await waitFor(g.app, n.uuid, (x) => x.power_state === 'power on' && x.target_power_state === null);
  expectError(await power({ target: 'soft power off' }, '1.26'), 406);
  expectError(await power({ target: 'power off', timeout: 10 }, '1.26'), 406);
  expectError(await power({ target: 'power off', timeout: 0 }), 400, /timeout has to be positive integer/);
  expectError(
    await power({ target: 'sideways' }),
    400,
    /The requested action "sideways" can not be performed on node "power-1"/,
  );
  expectError(await power({}), 400);
  assert.equal((await power({ target: 'soft power off', timeout: 5 })).statusCode, 202);
  await waitFor(g.app, n.uuid, (x) => x.power_state === 'power off' && x.target_power_state === null);
});

test('provision: version per verb, state machine, argument rules, the lifecycle', async () => {
  const n = await createNode(g.app, { name: 'prov-1' });
  const put = (body: unknown, version = '1.38') =>
    call(g.app, '/v1/nodes/prov-1/states/provision', { method: 'PUT', version, body });
  // 21.4 finds the node before it checks the verb's version (Queens did it the other way
  // round): below 1.5 the node is named by its uuid, else its name is not found (404)
  expectError(await put({ target: 'manage' }, '1.3'), 404);
  expectError(
    await call(g.app, `/v1/nodes/${n.uuid}/states/provision`, {
      method: 'PUT',
      version: '1.3',
      body: { target: 'manage' },
    }),
    406,
  );
  expectError(await put({ target: 'rescue', rescue_password: 'x' }, '1.37'), 406);
  expectError(
    await put({ target: 'active' }),
    400,
    /The requested action "active" can not be performed on node ".*" while it is in state "enroll"/,
  );
  expectError(await put({ target: 'warp' }), 400, /"warp"/);
  const r = await put({ target: 'manage' });
  assert.equal(r.statusCode, 202);
  assert.equal(r.headers.location, 'http://localhost:80/v1/nodes/prov-1/states');
  await waitFor(g.app, n.uuid, (x) => x.provision_state === 'manageable');
  expectError(await put({ target: 'clean' }), 400, /"clean_steps" is required/);
  expectError(
    await put({ target: 'provide', clean_steps: [{ interface: 'deploy', step: 'x' }] }),
    400,
    /"clean_steps" is only valid/,
  );
  expectError(await put({ target: 'provide', rescue_password: 'x' }), 400, /"rescue_password" is only valid/);
  expectError(
    await put({ target: 'provide', configdrive: 'abc' }),
    400,
    /config drive is only supported when setting provision state to active, rebuild/,
  );
  expectError(
    await put({ target: 'clean', clean_steps: [{ interface: 'bogus', step: 'x' }] }),
    400,
    /Invalid clean_steps/,
  );
  await provision(g.app, 'prov-1', 'provide');
  // a node in maintenance can not be deployed
  await call(g.app, '/v1/nodes/prov-1/maintenance', { method: 'PUT', version: '1.38' });
  expectError(await put({ target: 'active' }), 400, /can't be performed on node .* because it's in maintenance mode/);
  await call(g.app, '/v1/nodes/prov-1/maintenance', { method: 'DELETE', version: '1.38' });
  const deploying = await put({ target: 'active' });
  assert.equal(deploying.statusCode, 202);
  expectError(await put({ target: 'manage' }), 409, /is locked by host/);
  await waitFor(g.app, n.uuid, (x) => x.provision_state === 'active' && x.reservation === null);
  expectError(
    await put({ target: 'rebuild', configdrive: 'abc' }, '1.34'),
    400,
    /only supported when setting provision state to active$/,
  );
  expectError(await put({ target: 'rescue' }), 400, /non-empty "rescue_password"/);
  await provision(g.app, 'prov-1', 'rescue', { rescue_password: 'secret' });
  assert.equal((await call(g.app, '/v1/nodes/prov-1', { version: '1.38' })).json().provision_state, 'rescue');
  await provision(g.app, 'prov-1', 'unrescue');
  await provision(g.app, 'prov-1', 'deleted');
  assert.equal((await call(g.app, '/v1/nodes/prov-1', { version: '1.38' })).json().provision_state, 'available');
});

test('PATCH during a transition is 409; RAID needs 1.12 (406); console GET/PUT', async () => {
  const n = await createNode(g.app, { name: 'misc-1' });
  expectError(await call(g.app, '/v1/nodes/misc-1/states/raid', { method: 'PUT', version: '1.11', body: {} }), 406);
  const raid = await call(g.app, '/v1/nodes/misc-1/states/raid', {
    method: 'PUT',
    version: '1.38',
    body: { logical_disks: [{ size_gb: 10, raid_level: '1', is_root_volume: true }] },
  });
  assert.equal(raid.statusCode, 204, raid.body);
  assert.equal(
    (await call(g.app, '/v1/nodes/misc-1/states', { version: '1.38' })).json().target_raid_config.logical_disks.length,
    1,
  );
  const off = await call(g.app, '/v1/nodes/misc-1/states/console', { version: '1.38' });
  assert.deepEqual(off.json(), { console_enabled: false, console_info: null });
  const on = await call(g.app, '/v1/nodes/misc-1/states/console', {
    method: 'PUT',
    version: '1.38',
    body: { enabled: true },
  });
  assert.equal(on.statusCode, 202, on.body);
  assert.equal(on.headers.location, 'http://localhost:80/v1/nodes/misc-1/states/console');
  await waitFor(g.app, n.uuid, (x) => x.console_enabled === true);
  const info = await call(g.app, '/v1/nodes/misc-1/states/console', { version: '1.38' });
  assert.equal(info.json().console_enabled, true);
  expectError(
    await call(g.app, '/v1/nodes/misc-1/states/console', {
      method: 'PUT',
      version: '1.38',
      body: { enabled: 'perhaps' },
    }),
    400,
  );
  await call(g.app, '/v1/nodes/misc-1/states/provision', {
    method: 'PUT',
    version: '1.38',
    body: { target: 'manage' },
  });
  const during = await patch('misc-1', [{ op: 'add', path: '/extra/x', value: 1 }]);
  assert.ok(during.statusCode === 409 || during.statusCode === 200, during.body);
});
