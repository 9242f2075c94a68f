/** GET /v1/lookup and POST /v1/heartbeat/{node_ident}: the deploy ramdisk's endpoints, without authentication. */
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

async function nodeWithPort(mac: string, state: string | null): Promise<Record<string, any>> {
  const n = await createNode(g.app, {
    instance_info: { image_url: 'http://secret/x', foo: 'bar' },
    properties: { cpus: 2 },
  });
  const p = await call(g.app, '/v1/ports', {
    method: 'POST',
    version: '1.38',
    body: { address: mac, node_uuid: n.uuid },
  });
  assert.equal(p.statusCode, 201, p.body);
  if (state) g.sim.store.updateNode(g.sim.store.node(n.uuid), { provision_state: state });
  return n;
}

test('lookup: by MAC or uuid in a ramdisk state; short node, config; image_url masked', async () => {
  const n = await nodeWithPort('52:54:00:12:34:56', 'clean wait');
  for (const q of [
    'addresses=52:54:00:12:34:56',
    'addresses=zz,52:54:00:12:34:56',
    `node_uuid=${n.uuid}`,
    'addresses=52:54:00:12:34:56,52:54:00:12:34:57',
  ]) {
    const r = await call(g.app, `/v1/lookup?${q}`, { version: '1.22' });
    assert.equal(r.statusCode, 200, `${q}: ${r.body}`);
    const b = r.json();
    assert.deepEqual(Object.keys(b.node).sort(), [
      'driver_internal_info',
      'instance_info',
      'links',
      'properties',
      'uuid',
    ]);
    assert.equal(b.node.uuid, n.uuid);
    assert.deepEqual(b.node.properties, { cpus: 2 });
    assert.equal(b.node.instance_info.image_url, '******');
    assert.equal(b.node.instance_info.foo, 'bar');
    assert.equal(b.config.heartbeat_timeout, 300);
    assert.ok(b.config.metrics && b.config.metrics_statsd);
  }
  // upper case MACs are normalized
  assert.equal(
    (await call(g.app, `/v1/lookup?addresses=${'52:54:00:12:34:56'.toUpperCase()}`, { version: '1.22' })).statusCode,
    200,
  );
});

test('lookup: errors — version, incomplete, not found, wrong state', async () => {
  await nodeWithPort('52:54:00:aa:00:01', null); // enroll: not a ramdisk state
  expectError(await call(g.app, '/v1/lookup?addresses=52:54:00:aa:00:01', { version: '1.21' }), 404);
  expectError(await call(g.app, '/v1/lookup', { version: '1.22' }), 400, /addresses.*node_uuid/);
  expectError(await call(g.app, '/v1/lookup?addresses=not-a-mac', { version: '1.22' }), 400);
  expectError(await call(g.app, '/v1/lookup?node_uuid=nope', { version: '1.22' }), 400);
  expectError(
    await call(g.app, '/v1/lookup?addresses=52:54:00:aa:00:01', { version: '1.22' }),
    404,
    /^Resource could not be found\.$/,
  );
  expectError(
    await call(g.app, '/v1/lookup?addresses=52:54:00:ff:ff:ff', { version: '1.22' }),
    404,
    /^Resource could not be found\.$/,
  );
  expectError(
    await call(g.app, '/v1/lookup?node_uuid=1be26c0b-03f2-4d2e-ae87-c02d7f33c123', { version: '1.22' }),
    404,
    /^Resource could not be found\.$/,
  );
});

test('heartbeat: by uuid or name; agent_version from 1.36; errors', async () => {
  // Pinned to Queens (RPC 1.44) the gateway asks for no token and can send none; the simulated
  // conductor is a 21.4 one, which refuses a heartbeat without a version, then without the token:
  // a gateway pinned to 10.1 cannot run the agent against 21.4 (the token path: ramdisk-token.test.ts)
  const n = await createNode(g.app, { name: 'hb-node' });
  expectError(
    await call(g.app, `/v1/heartbeat/${n.uuid}`, {
      method: 'POST',
      version: '1.22',
      body: { callback_url: 'http://10.0.0.1:9999' },
    }),
    400,
    /^Agent did not transmit a version, and a version is required\. Please update the agent being used\.$/,
  );
  expectError(
    await call(g.app, '/v1/heartbeat/hb-node', {
      method: 'POST',
      version: '1.36',
      body: { callback_url: 'http://10.0.0.1:9999', agent_version: '3.2.0' },
    }),
    400,
    /^Invalid or missing agent token received\.$/,
  );
  expectError(
    await call(g.app, '/v1/heartbeat/hb-node', {
      method: 'POST',
      version: '1.35',
      body: { callback_url: 'http://x', agent_version: '3' },
    }),
    400,
    /Field "agent_version" not recognised/,
  );
  expectError(
    await call(g.app, '/v1/heartbeat/hb-node', { method: 'POST', version: '1.21', body: { callback_url: 'http://x' } }),
    404,
  );
  expectError(await call(g.app, '/v1/heartbeat/hb-node', { method: 'POST', version: '1.22', body: {} }), 400);
  expectError(
    await call(g.app, '/v1/heartbeat/no-such-node', {
      method: 'POST',
      version: '1.22',
      body: { callback_url: 'http://x' },
    }),
    404,
    /no-such-node/,
  );
  expectError(
    await call(g.app, '/v1/heartbeat/bad%20name', {
      method: 'POST',
      version: '1.22',
      body: { callback_url: 'http://x' },
    }),
    400,
  );
});

test('heartbeat: a node whose driver no conductor has is 400 (NoValidHost), as ironic-api answers', async () => {
  const n = await createNode(g.app);
  g.sim.store.unregisterConductor(g.config.simulator_host);
  g.sim.store.registerConductor(g.config.simulator_host, ['other-hardware']);
  g.conductor.ringManager.reset();
  try {
    expectError(
      await call(g.app, `/v1/heartbeat/${n.uuid}`, {
        method: 'POST',
        version: '1.22',
        body: { callback_url: 'http://x' },
      }),
      400,
      /No valid host/,
    );
  } finally {
    g.sim.store.unregisterConductor(g.config.simulator_host);
    g.sim.store.registerConductor(g.config.simulator_host, ['fake-hardware']);
    g.conductor.ringManager.reset();
  }
});

test('lookup and heartbeat need no credentials when the gateway authenticates (jwt)', async () => {
  const secured = await testGateway({
    routes: resourceRoutes,
    config: {
      auth_strategy: 'jwt',
      jwt_algorithm: 'HS256',
      jwt_secret: 'a-test-secret-that-is-long-enough-0123456789',
    },
  });
  try {
    expectError(await call(secured.app, '/v1/ports', { version: '1.22' }), 401);
    const node = await secured.app.inject({
      url: '/v1/lookup?addresses=52:54:00:00:00:99',
      headers: { 'x-openstack-ironic-api-version': '1.22' },
    });
    assert.equal(node.statusCode, 404, node.body); // reached the handler: no such port, not 401
    const hb = await call(secured.app, '/v1/heartbeat/1be26c0b-03f2-4d2e-ae87-c02d7f33c123', {
      method: 'POST',
      version: '1.22',
      body: { callback_url: 'http://x' },
    });
    assert.equal(hb.statusCode, 404, hb.body);
  } finally {
    await secured.close();
  }
});
