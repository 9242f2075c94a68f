/** Node management, vendor passthru, traits and VIFs against the simulated conductor. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { makeContext } from '../../../src/conductor/context.ts';
import { IronicObject } from '../../../src/conductor/objects.ts';
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

test('boot device: get, set (204), supported; inject_nmi from 1.29', async () => {
  await createNode(g.app, { name: 'mgmt-1' });
  const base = '/v1/nodes/mgmt-1/management';
  const got = await call(g.app, `${base}/boot_device`, { version: '1.38' });
  assert.equal(got.statusCode, 200);
  assert.deepEqual(Object.keys(got.json()).sort(), ['boot_device', 'persistent']);
  const sup = await call(g.app, `${base}/boot_device/supported`, { version: '1.38' });
  assert.ok(Array.isArray(sup.json().supported_boot_devices));
  const set = await call(g.app, `${base}/boot_device`, {
    method: 'PUT',
    version: '1.38',
    body: { boot_device: sup.json().supported_boot_devices[0], persistent: true },
  });
  assert.equal(set.statusCode, 204, set.body);
  expectError(
    await call(g.app, `${base}/boot_device`, { method: 'PUT', version: '1.38', body: { persistent: true } }),
    400,
  );
  expectError(await call(g.app, `${base}/inject_nmi`, { method: 'PUT', version: '1.28', body: {} }), 404);
  const nmi = await call(g.app, `${base}/inject_nmi`, { method: 'PUT', version: '1.29', body: {} });
  assert.ok([204, 400].includes(nmi.statusCode), nmi.body);
});

test('vendor passthru: methods, sync 200, async 202 without body, attach raw body, errors', async () => {
  await createNode(g.app, { name: 'vendor-1' });
  const methods = await call(g.app, '/v1/nodes/vendor-1/vendor_passthru/methods', { version: '1.38' });
  assert.equal(methods.statusCode, 200);
  assert.equal(methods.json().third_method_sync.async, false);
  const vp = (q: string, method: 'GET' | 'POST' | 'PUT' | 'DELETE' = 'POST', body?: unknown) =>
    call(g.app, `/v1/nodes/vendor-1/vendor_passthru${q}`, { method, version: '1.38', body });
  const sync = await vp('?method=third_method_sync', 'POST', { bar: 'meow' });
  assert.equal(sync.statusCode, 200, sync.body);
  assert.equal(sync.json(), true);
  const asyncR = await vp('?method=second_method', 'POST', { bar: 'kazoo' });
  assert.equal(asyncR.statusCode, 202, asyncR.body);
  assert.equal(asyncR.body, '');
  const attach = await vp('?method=attach_method', 'GET');
  assert.equal(attach.statusCode, 200, attach.body);
  assert.ok(attach.body.length > 0);
  assert.throws(() => JSON.parse(attach.body), 'an attachment is the raw return value, not JSON');
  assert.match(String(attach.headers['content-type']), /^application\/json/, 'as ironic-api and the driver route');
  expectError(await vp('', 'POST', { bar: 'x' }), 400, /^Method not specified$/);
  expectError(await vp('?method=third_method_sync', 'POST', {}), 400, /Parameter 'bar' not passed/);
  expectError(await vp('?method=third_method_sync', 'PUT', { bar: 'x' }), 400, /does not support HTTP PUT/);
  expectError(await vp('?method=nope', 'POST', {}), 400, /No handler for method nope/);
  // names a plain JavaScript object answers for (Object.prototype's keys) are no handlers either
  for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__']) {
    expectError(await vp(`?method=${name}`, 'POST', {}), 400, new RegExp(`^No handler for method ${name}$`));
    expectError(await vp(`/${name}`, 'POST', {}), 400, new RegExp(`^No handler for method ${name}$`));
  }
  expectError(
    await call(g.app, '/v1/nodes/nope/vendor_passthru?method=x', { method: 'POST', version: '1.38', body: {} }),
    404,
  );
});

test('traits (1.37): 404 before; replace, add one with Location, list, remove one, remove all; trait rules', async () => {
  await createNode(g.app, { name: 'traits-1' });
  const t = (path: string, method: 'GET' | 'PUT' | 'DELETE' = 'GET', body?: unknown, version = '1.38') =>
    call(g.app, `/v1/nodes/traits-1/traits${path}`, { method, version, body });
  expectError(await t('', 'GET', undefined, '1.36'), 404);
  assert.deepEqual((await t('')).json(), { traits: [] });
  assert.equal((await t('', 'PUT', { traits: ['CUSTOM_A', 'HW_CPU_X86_AVX2'] })).statusCode, 204);
  const one = await t('/CUSTOM_B', 'PUT');
  assert.equal(one.statusCode, 204, one.body);
  assert.equal(one.headers.location, 'http://localhost:80/v1/nodes/traits-1/traits/CUSTOM_B');
  assert.deepEqual((await t('')).json().traits.sort(), ['CUSTOM_A', 'CUSTOM_B', 'HW_CPU_X86_AVX2']);
  assert.deepEqual((await call(g.app, '/v1/nodes/traits-1', { version: '1.38' })).json().traits.sort(), [
    'CUSTOM_A',
    'CUSTOM_B',
    'HW_CPU_X86_AVX2',
  ]);
  expectError(await t('/lower_case', 'PUT'), 400, /Invalid trait/);
  expectError(await t('', 'PUT', { traits: ['NOT_STANDARD'] }), 400, /Invalid trait/);
  expectError(await t('', 'PUT', {}), 400, /A single node trait may be added/);
  expectError(await t('/CUSTOM_C', 'PUT', { traits: ['CUSTOM_C'] }), 400, /A single node trait may be added/);
  expectError(await t('/CUSTOM_C', 'PUT', { other: 1 }), 400, /No body should be provided/);
  assert.equal((await t('/CUSTOM_A', 'DELETE')).statusCode, 204);
  expectError(await t('/CUSTOM_A', 'DELETE'), 404);
  assert.equal((await t('', 'DELETE')).statusCode, 204);
  assert.deepEqual((await t('')).json(), { traits: [] });
});

test('VIFs (1.28): 404 before; attach 204, list, detach 204; id rules', async () => {
  const node = await createNode(g.app, { name: 'vifs-1' });
  const base = '/v1/nodes/vifs-1/vifs';
  expectError(await call(g.app, base, { version: '1.27' }), 404);
  const vif = '11111111-2222-3333-4444-555555555555';
  expectError(
    await call(g.app, base, { method: 'POST', version: '1.28', body: { id: vif } }),
    400,
    /not enough free physical ports/,
  );
  // a port for the flat network interface to bind the VIF to (through the conductor, as POST /v1/ports would)
  const { id } = (
    (await g.conductor.object_class_action_versions(
      makeContext(),
      'Node',
      'get_by_uuid',
      { Node: '1.23' },
      [node.uuid],
      {},
    )) as IronicObject<{ id: number }>
  ).toPlain() as { id: number };
  await g.conductor.create_port(
    makeContext(),
    IronicObject.create('Port', { uuid: randomUUID(), node_id: id, address: '52:54:00:12:34:56' }),
  );
  const att = await call(g.app, base, { method: 'POST', version: '1.28', body: { id: vif } });
  assert.equal(att.statusCode, 204, att.body);
  assert.deepEqual((await call(g.app, base, { version: '1.28' })).json(), { vifs: [{ id: vif }] });
  expectError(await call(g.app, base, { method: 'POST', version: '1.28', body: { id: vif } }), 409);
  expectError(
    await call(g.app, base, { method: 'POST', version: '1.28', body: { foo: 1 } }),
    400,
    /Missing mandatory keys: id/,
  );
  expectError(
    await call(g.app, base, { method: 'POST', version: '1.28', body: { id: 'bad id' } }),
    400,
    /Expected a logical name or UUID/,
  );
  assert.equal((await call(g.app, `${base}/${vif}`, { method: 'DELETE', version: '1.28' })).statusCode, 204);
  assert.deepEqual((await call(g.app, base, { version: '1.28' })).json(), { vifs: [] });
  expectError(await call(g.app, `${base}/${vif}`, { method: 'DELETE', version: '1.28' }), 400);
});
