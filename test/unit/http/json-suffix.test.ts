/**
 * ironic-api's `.json` path suffix (JsonExtensionMiddleware and the get_rpc_*_with_suffix
 * lookups), against the simulated conductor through the whole stack.
 */
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

test('a path ending in .json is served without it, query string and trailing slash included', async () => {
  const node = await createNode(g.app, { name: 'sfx-plain' });
  const list = await call(g.app, '/v1/nodes.json?fields=uuid&limit=1', { version: '1.38' });
  assert.equal(list.statusCode, 200, list.body);
  assert.equal(list.json().nodes.length, 1);
  assert.deepEqual(Object.keys(list.json().nodes[0]).sort(), ['links', 'uuid']);
  assert.equal((await call(g.app, '/v1.json')).json().id, 'v1');
  const byName = await call(g.app, '/v1/nodes/sfx-plain.json/', { version: '1.38' });
  assert.equal(byName.statusCode, 200, byName.body);
  assert.equal(byName.json().uuid, node.uuid);
  const states = await call(g.app, `/v1/nodes/${node.uuid}/states.json`, { version: '1.38' });
  assert.equal(states.statusCode, 200, states.body);
  assert.ok('provision_state' in states.json());
});

test('a node named x.json is found at /v1/nodes/x.json; a node named x wins, as in ironic-api', async () => {
  const dotted = await createNode(g.app, { name: 'sfx-box.json' });
  const got = await call(g.app, '/v1/nodes/sfx-box.json', { version: '1.38' });
  assert.equal(got.statusCode, 200, got.body);
  assert.equal(got.json().uuid, dotted.uuid);

  const patched = await call(g.app, '/v1/nodes/sfx-box.json', {
    method: 'PATCH',
    version: '1.38',
    body: [{ op: 'add', path: '/extra/k', value: 'v' }],
  });
  assert.equal(patched.statusCode, 200, patched.body);
  assert.deepEqual(patched.json().extra, { k: 'v' });

  const plain = await createNode(g.app, { name: 'sfx-box' });
  assert.equal((await call(g.app, '/v1/nodes/sfx-box.json', { version: '1.38' })).json().uuid, plain.uuid);

  expectError(
    await call(g.app, '/v1/nodes/sfx-nothing.json', { version: '1.38' }),
    404,
    /Node sfx-nothing\.json could not be found/,
  );
  // only a final ".json" is taken off
  expectError(await call(g.app, '/v1/nodes/sfx-box.jsonx', { version: '1.38' }), 404, /sfx-box\.jsonx/);

  assert.equal((await call(g.app, '/v1/nodes/sfx-box', { method: 'DELETE', version: '1.38' })).statusCode, 204);
  assert.equal((await call(g.app, '/v1/nodes/sfx-box.json', { method: 'DELETE', version: '1.38' })).statusCode, 204);
  expectError(await call(g.app, `/v1/nodes/${dotted.uuid}`, { version: '1.38' }), 404);
});

test('a portgroup named x.json is found at /v1/portgroups/x.json', async () => {
  const node = await createNode(g.app, { name: 'sfx-pg-node' });
  const pg = await call(g.app, '/v1/portgroups', {
    method: 'POST',
    version: '1.38',
    body: { node_uuid: node.uuid, name: 'sfx-pg.json', address: '52:54:00:aa:bb:cc' },
  });
  assert.equal(pg.statusCode, 201, pg.body);
  const got = await call(g.app, '/v1/portgroups/sfx-pg.json', { version: '1.38' });
  assert.equal(got.statusCode, 200, got.body);
  assert.equal(got.json().uuid, pg.json().uuid);
  assert.equal(
    (await call(g.app, '/v1/portgroups/sfx-pg.json', { method: 'DELETE', version: '1.38' })).statusCode,
    204,
  );
});
