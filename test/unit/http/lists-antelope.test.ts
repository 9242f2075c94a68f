/**
 * Portgroups, chassis and drivers as 21.4 serves them (pinned to 21.4, on the simulated 21.4
 * conductor): `?detail` (1.43) with 21.4's next links, drivers' `?fields` (1.77) and the bios
 * interface fields (1.40) — below and at each gate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
});
after(() => g.close());

test('portgroups: ?detail from 1.43 (400 below), not with fields; 21.4 next link without filters', async () => {
  const n = await createNode(g.app);
  const pgs = [];
  for (let i = 0; i < 2; i++) {
    const r = await call(g.app, '/v1/portgroups', {
      method: 'POST',
      version: '1.43',
      body: { node_uuid: n.uuid, address: `52:54:00:00:0b:0${i}` },
    });
    assert.equal(r.statusCode, 201, r.body);
    pgs.push(r.json());
  }
  expectError(
    await call(g.app, '/v1/portgroups?detail=true', { version: '1.42' }),
    400,
    /Invalid query parameter \?detail=True received/,
  );
  let r = await call(g.app, '/v1/portgroups?detail=true', { version: '1.43' });
  assert.ok('extra' in r.json().portgroups[0]);
  r = await call(g.app, '/v1/portgroups?detail=false', { version: '1.43' });
  assert.deepEqual(Object.keys(r.json().portgroups[0]).sort(), ['address', 'links', 'name', 'uuid']);
  expectError(await call(g.app, '/v1/portgroups?detail=true&fields=uuid', { version: '1.43' }), 400, /Can not specify/);
  r = await call(g.app, `/v1/nodes/${n.uuid}/portgroups?limit=1`, { version: '1.43' });
  const next = new URL(r.json().next);
  assert.equal(next.pathname, '/v1/portgroups');
  assert.equal(next.search, `?sort_key=id&sort_dir=asc&fields=uuid,address,name&limit=1&marker=${pgs[0].uuid}`);
});

test('chassis: ?detail from 1.43, next link with the returned fields', async () => {
  for (let i = 0; i < 2; i++)
    assert.equal((await call(g.app, '/v1/chassis', { method: 'POST', version: '1.43', body: {} })).statusCode, 201);
  expectError(await call(g.app, '/v1/chassis?detail=true', { version: '1.42' }), 400, /Invalid query parameter/);
  let r = await call(g.app, '/v1/chassis?detail=True', { version: '1.43' });
  assert.ok('extra' in r.json().chassis[0]);
  r = await call(g.app, '/v1/chassis?limit=1', { version: '1.43' });
  assert.match(r.json().next, /\/v1\/chassis\?sort_key=id&sort_dir=asc&fields=uuid,description&limit=1&marker=/);
  r = await call(g.app, '/v1/chassis/detail?limit=1', { version: '1.43' });
  assert.match(r.json().next, /\/v1\/chassis\/detail\?sort_key=id&sort_dir=asc&limit=1&marker=/);
});

test('drivers: ?fields from 1.77 (406 below), not with detail; bios interface fields from 1.40', async () => {
  expectError(await call(g.app, '/v1/drivers?fields=name', { version: '1.76' }), 406);
  expectError(await call(g.app, '/v1/drivers/fake-hardware?fields=name', { version: '1.76' }), 406);
  let r = await call(g.app, '/v1/drivers?fields=name,hosts', { version: '1.77' });
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(Object.keys(r.json().drivers[0]).sort(), ['hosts', 'links', 'name']);
  expectError(await call(g.app, '/v1/drivers?fields=name&detail=true', { version: '1.77' }), 400, /Can not specify/);
  // a field the (non-detailed) driver does not show is not valid
  expectError(
    await call(g.app, '/v1/drivers?fields=default_boot_interface', { version: '1.77' }),
    400,
    /are not valid/,
  );
  r = await call(g.app, '/v1/drivers/fake-hardware?fields=default_boot_interface', { version: '1.77' });
  assert.deepEqual(Object.keys(r.json()).sort(), ['default_boot_interface', 'links']);
  const detail = async (v: string) =>
    Object.keys((await call(g.app, '/v1/drivers/fake-hardware', { version: v })).json());
  assert.ok(!(await detail('1.39')).includes('default_bios_interface'));
  assert.ok((await detail('1.40')).includes('enabled_bios_interfaces'));
});
