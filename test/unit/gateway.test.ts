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

for (const coalesce of [true, false]) {
  test(`reads of different nodes in flight together ${coalesce ? 'share Node.list calls' : 'each make a call with coalesce_reads off'}, each answer its own node's`, async () => {
    const gateway = await createGateway(
      loadConfig({
        env: {},
        overrides: {
          log_level: 'silent',
          simulator_nodes: 12,
          transport_url: `memory://gateway-batch-${coalesce}`,
          coalesce_reads: coalesce,
        },
      }),
    );
    try {
      const h = { 'x-openstack-ironic-api-version': 'latest', 'content-type': 'application/json' };
      const uuids: string[] = (await gateway.app.inject({ url: '/v1/nodes', headers: h }))
        .json()
        .nodes.map((n: { uuid: string }) => n.uuid);
      assert.equal(uuids.length, 12);
      // a child node (hidden from lists unless include_children) and a deleted one among them
      const child = await gateway.app.inject({
        method: 'POST',
        url: '/v1/nodes',
        headers: h,
        payload: { driver: 'fake-hardware', parent_node: uuids[0] },
      });
      assert.equal(child.statusCode, 201);
      const gone = uuids.pop() as string;
      assert.equal(
        (await gateway.app.inject({ method: 'DELETE', url: `/v1/nodes/${gone}`, headers: h })).statusCode,
        204,
      );
      const wanted = [...uuids, child.json().uuid, gone];
      const serial: Awaited<ReturnType<typeof gateway.app.inject>>[] = [];
      for (const u of wanted) serial.push(await gateway.app.inject({ url: `/v1/nodes/${u}`, headers: h }));
      const together = await Promise.all(
        [...wanted, ...wanted].map((u) => gateway.app.inject({ url: `/v1/nodes/${u}`, headers: h })),
      );
      for (const [i, a] of together.entries()) {
        const s = serial[i % wanted.length] as (typeof serial)[number];
        assert.equal(a.statusCode, s.statusCode, wanted[i % wanted.length]);
        const { updated_at: _a, ...got } = a.json();
        const { updated_at: _s, ...want } = s.json();
        if (s.statusCode === 200) assert.deepEqual(got, want);
        else assert.equal(JSON.parse(got.error_message).faultstring, `Node ${gone} could not be found.`);
      }
      const m = (await gateway.app.inject({ url: '/metrics' })).body;
      const batches = /^ironic_gateway_rpc_node_read_batches_total (\d+)$/m.exec(m);
      const batched = /^ironic_gateway_rpc_batched_node_reads_total\{outcome="batched"\} (\d+)$/m.exec(m);
      if (coalesce) {
        assert.ok(batches && Number(batches[1]) > 0, `reads shared Node.list calls (${batches?.[1]})`);
        assert.ok(batched && Number(batched[1]) >= 10, `reads were answered by batches (${batched?.[1]})`);
      } else assert.equal(batches, null, 'no batcher, no counter');
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
