import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { createGateway } from '../../src/gateway.ts';
import { redactTransportUrl } from '../../src/rpc/transport.ts';

test('the embedded default: a gateway backed by the in-process simulator, reached through memory://', async () => {
  const gateway = await createGateway(
    loadConfig({
      env: {},
      overrides: { log_level: 'silent', simulator_nodes: 2, transport_url: 'memory://gateway-test' },
    }),
  );
  try {
    assert.equal(gateway.simulator?.host, 'sim-1');
    const list = await gateway.app.inject({
      url: '/v1/nodes',
      headers: { 'x-openstack-ironic-api-version': 'latest' },
    });
    assert.equal(list.statusCode, 200);
    assert.equal(list.json().nodes.length, 2);
    const health = await gateway.app.inject({ url: '/healthz' });
    assert.deepEqual(health.json(), { status: 'ok', transport: 'memory://gateway-test', transport_connected: true });
  } finally {
    await gateway.close();
  }
});

test('/metrics counts conductor RPCs by method and outcome (ok, or the exception class)', async () => {
  const gateway = await createGateway(
    loadConfig({
      env: {},
      overrides: { log_level: 'silent', simulator_nodes: 1, transport_url: 'memory://gateway-metrics' },
    }),
  );
  try {
    const h = { 'x-openstack-ironic-api-version': 'latest' };
    assert.equal((await gateway.app.inject({ url: '/v1/nodes', headers: h })).statusCode, 200);
    assert.equal((await gateway.app.inject({ url: '/v1/nodes/no-such-node', headers: h })).statusCode, 404);
    const m = (await gateway.app.inject({ url: '/metrics' })).body;
    assert.match(
      m,
      /ironic_gateway_rpc_duration_seconds_count\{kind="call",method="object_class_action_versions",outcome="ok"\} [1-9]/,
    );
    assert.match(
      m,
      /ironic_gateway_rpc_duration_seconds_count\{kind="call",method="object_class_action_versions",outcome="NodeNotFound"\} 1/,
    );
    assert.match(m, /^ironic_gateway_transport_connected 1$/m);
  } finally {
    await gateway.close();
  }
});

for (const coalesce of [true, false]) {
  test(`identical reads in flight together ${coalesce ? 'share conductor calls' : 'each make a call with coalesce_reads off'}, every answer whole`, async () => {
    const gateway = await createGateway(
      loadConfig({
        env: {},
        overrides: {
          log_level: 'silent',
          simulator_nodes: 1,
          transport_url: `memory://gateway-coalesce-${coalesce}`,
          coalesce_reads: coalesce,
        },
      }),
    );
    try {
      const h = { 'x-openstack-ironic-api-version': 'latest' };
      const uuid = (await gateway.app.inject({ url: '/v1/nodes', headers: h })).json().nodes[0].uuid;
      const patched = await gateway.app.inject({
        method: 'PATCH',
        url: `/v1/nodes/${uuid}`,
        headers: { ...h, 'content-type': 'application/json' },
        payload: [{ op: 'add', path: '/extra/n', value: 1 }],
      });
      assert.equal(patched.statusCode, 200);
      const answers = await Promise.all(
        Array.from({ length: 20 }, () => gateway.app.inject({ url: `/v1/nodes/${uuid}`, headers: h })),
      );
      for (const a of answers) {
        assert.equal(a.statusCode, 200);
        assert.deepEqual(a.json().extra, { n: 1 }, 'every read sees the write that ended before it');
        assert.equal(a.json().uuid, uuid);
      }
      const m = (await gateway.app.inject({ url: '/metrics' })).body;
      const joined = /^ironic_gateway_rpc_reads_total\{answered_by="coalesced"\} (\d+)$/m.exec(m);
      if (coalesce) {
        assert.ok(joined, 'the coalesced reads are counted');
        assert.ok(Number(joined[1]) > 0, `some of the 20 reads shared a call (${joined[1]})`);
      } else assert.equal(joined, null, 'no coalescer, no counter');
    } finally {
      await gateway.close();
    }
  });
}

test('transport URLs lose their credentials in logs and health', () => {
  assert.equal(
    redactTransportUrl('rabbit://ironic:s3cret@r1:5672,ironic:s3cret@r2:5672/vh'),
    'rabbit://***@r1:5672,***@r2:5672/vh',
  );
  assert.equal(redactTransportUrl('memory://'), 'memory://');
});
