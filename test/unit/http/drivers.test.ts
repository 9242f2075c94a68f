/** /v1/drivers against the simulated conductor: membership, properties, RAID, vendor passthru. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes });
});
after(async () => {
  await g.close();
});

test("GET /v1/drivers: the live conductors' hardware types, fields per microversion", async () => {
  const r = await call(g.app, '/v1/drivers');
  assert.equal(r.statusCode, 200, r.body);
  let d = r.json().drivers;
  assert.equal(d.length, 1);
  assert.equal(d[0].name, 'fake-hardware');
  assert.deepEqual(d[0].hosts, [g.config.simulator_host]);
  assert.deepEqual(
    d[0].links.map((l: { rel: string }) => l.rel),
    ['self', 'bookmark'],
  );
  assert.match(d[0].links[0].href, /\/v1\/drivers\/fake-hardware$/);
  assert.equal(d[0].properties, undefined, 'properties links from 1.14');
  assert.equal(d[0].type, undefined, 'type from 1.30');

  d = (await call(g.app, '/v1/drivers', { version: '1.14' })).json().drivers;
  assert.match(d[0].properties[0].href, /\/v1\/drivers\/fake-hardware\/properties$/);

  d = (await call(g.app, '/v1/drivers', { version: '1.30' })).json().drivers;
  assert.equal(d[0].type, 'dynamic');
  assert.equal('default_boot_interface' in d[0], false, 'interfaces only with detail');

  d = (await call(g.app, '/v1/drivers?detail=true', { version: '1.32' })).json().drivers;
  assert.ok('default_boot_interface' in d[0]);
  assert.ok(!('default_storage_interface' in d[0]), 'storage from 1.33');
  assert.ok(!('default_rescue_interface' in d[0]), 'rescue from 1.38');
  d = (await call(g.app, '/v1/drivers?detail=true', { version: '1.38' })).json().drivers;
  assert.ok('enabled_rescue_interfaces' in d[0] && 'enabled_storage_interfaces' in d[0]);

  assert.deepEqual((await call(g.app, '/v1/drivers?type=classic', { version: '1.30' })).json().drivers, []);
  assert.equal((await call(g.app, '/v1/drivers?type=dynamic', { version: '1.30' })).json().drivers.length, 1);
  expectError(
    await call(g.app, '/v1/drivers?type=other', { version: '1.30' }),
    400,
    /"type" filter must be one of "classic" or "dynamic"/,
  );
  expectError(
    await call(g.app, '/v1/drivers?type=dynamic', { version: '1.29' }),
    406,
    /minimal required API version should be 1.30/,
  );
  expectError(await call(g.app, '/v1/drivers?detail=true', { version: '1.29' }), 406);
  expectError(await call(g.app, '/v1/drivers?detail=maybe', { version: '1.30' }), 400);
});

test('GET /v1/drivers/{name}: one driver with detail; unknown → 404 DriverNotFound', async () => {
  const r = await call(g.app, '/v1/drivers/fake-hardware', { version: '1.38' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().name, 'fake-hardware');
  assert.ok('default_deploy_interface' in r.json());
  expectError(await call(g.app, '/v1/drivers/nope', { version: '1.38' }), 404, /nope/);
});

test('GET /v1/drivers/{name}/properties → get_driver_properties', async () => {
  const r = await call(g.app, '/v1/drivers/fake-hardware/properties');
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(typeof r.json(), 'object');
  assert.ok(Object.keys(r.json()).length > 0);
  expectError(await call(g.app, '/v1/drivers/nope/properties'), 404);
});

test('GET /v1/drivers/{name}/raid/logical_disk_properties: 1.12+, 406 below', async () => {
  const r = await call(g.app, '/v1/drivers/fake-hardware/raid/logical_disk_properties', { version: '1.12' });
  assert.equal(r.statusCode, 200, r.body);
  assert.ok('raid_level' in r.json());
  expectError(await call(g.app, '/v1/drivers/fake-hardware/raid/logical_disk_properties', { version: '1.11' }), 406);
  expectError(await call(g.app, '/v1/drivers/nope/raid/logical_disk_properties', { version: '1.12' }), 404);
});

test('driver vendor passthru: methods, sync 200, async 202, attach raw body, errors', async () => {
  const m = await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru/methods');
  assert.equal(m.statusCode, 200, m.body);
  assert.deepEqual(Object.keys(m.json()).sort(), ['driver_method_async', 'driver_method_attach', 'driver_method_sync']);

  let r = await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_sync', {
    method: 'POST',
    body: { a: 1 },
  });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json(), { echo: { a: 1, http_method: 'POST' } });
  r = await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_sync');
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json(), { echo: { http_method: 'GET' } });

  r = await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_async', {
    method: 'POST',
    body: {},
  });
  assert.equal(r.statusCode, 202, r.body);

  r = await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_attach');
  assert.equal(r.statusCode, 200);
  assert.equal(r.body, 'fake-hardware driver attachment\n');
  // the raw bytes, with the content type ironic-api's passthru controllers declare (as the node route)
  assert.match(String(r.headers['content-type']), /^application\/json/);

  expectError(
    await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru', { method: 'POST', body: {} }),
    400,
    /Method not specified/,
  );
  // a method that does not take this HTTP method, and one that does not exist
  expectError(
    await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_async', {
      method: 'PUT',
      body: {},
    }),
    400,
  );
  expectError(
    await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru?method=nope', { method: 'POST', body: {} }),
    400,
  );
  expectError(await call(g.app, '/v1/drivers/nope/vendor_passthru?method=x', { method: 'POST', body: {} }), 404);
  expectError(await call(g.app, '/v1/drivers/nope/vendor_passthru/methods'), 404);
});

test("driver vendor passthru: a method named like a JavaScript object's key has no handler (400)", async () => {
  for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf']) {
    for (const url of [
      `/v1/drivers/fake-hardware/vendor_passthru?method=${name}`,
      `/v1/drivers/fake-hardware/vendor_passthru/${name}`,
    ]) {
      expectError(
        await call(g.app, url, { method: 'POST', body: {} }),
        400,
        new RegExp(`^No handler for method ${name}$`),
      );
    }
  }
});
