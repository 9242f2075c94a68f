/**
 * Node reads batched (src/rpc/batch.ts) against the REAL ironic-conductor of the stack: reads of
 * different nodes in flight together are answered by Node.list(uuid_in) calls, and every answer
 * is the one the node's own read gives. The conductor's list reply must come at the versions
 * the gateway asked get_by_uuid for (else the batcher resends each read: counted, and asserted
 * to be none here), so this checks that assumption against each release's real conductor.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { nodeRoutes } from '../../src/http/routes/nodes/index.ts';
import { stack } from '../support/stack-env.ts';
import { call } from '../unit/http/nodes-helpers.ts';

const V = 'latest';

function counter(metrics: string, name: string): number {
  const m = new RegExp(`^${name.replace(/[{}"]/g, (c) => `\\${c}`)} (\\d+)$`, 'm').exec(metrics);
  return m ? Number(m[1]) : 0;
}

describe('node reads batched against the real ironic-conductor', () => {
  let gateway: Gateway;
  let app: FastifyInstance;
  const uuids: string[] = [];
  const tag = randomUUID().slice(0, 8);

  before(async () => {
    const config = loadConfig({
      env: {},
      overrides: { log_level: 'silent', rpc_response_timeout: 30, coalesce_reads: true, ...stack.gatewaySettings() },
    });
    gateway = await createGateway(config, { routes: nodeRoutes });
    app = gateway.app;
    await app.ready();
  });

  after(async () => {
    for (const u of uuids) await call(app, `/v1/nodes/${u}`, { method: 'DELETE', version: V }).catch(() => undefined);
    await gateway?.close();
  });

  it('answers concurrent reads of different nodes as their own reads, a deleted one 404, with Node.list calls', async (t) => {
    for (let i = 0; i < 8; i++) {
      const r = await call(app, '/v1/nodes', {
        method: 'POST',
        version: V,
        body: { driver: 'fake-hardware', name: `batch-${tag}-${i}`, extra: { i } },
      });
      assert.equal(r.statusCode, 201, r.body);
      uuids.push(r.json().uuid);
    }
    // 39.0: a child node, which a list shows only with include_children
    if (stack.pin() === undefined) {
      const r = await call(app, '/v1/nodes', {
        method: 'POST',
        version: V,
        body: { driver: 'fake-hardware', name: `batch-${tag}-child`, parent_node: uuids[0] },
      });
      assert.equal(r.statusCode, 201, r.body);
      uuids.push(r.json().uuid);
    }
    const gone = uuids.pop() as string;
    assert.equal((await call(app, `/v1/nodes/${gone}`, { method: 'DELETE', version: V })).statusCode, 204);
    if (stack.pin() === undefined) {
      // the deleted one was the child: make another, so that a child is still read
      const r = await call(app, '/v1/nodes', {
        method: 'POST',
        version: V,
        body: { driver: 'fake-hardware', name: `batch-${tag}-child2`, parent_node: uuids[0] },
      });
      assert.equal(r.statusCode, 201, r.body);
      uuids.push(r.json().uuid);
    }
    const wanted = [...uuids, gone];
    const serial = [];
    for (const u of wanted) serial.push(await call(app, `/v1/nodes/${u}`, { version: V }));
    const before = (await app.inject({ url: '/metrics' })).body;
    const together = await Promise.all(
      [0, 1, 2].flatMap(() => wanted.map((u) => call(app, `/v1/nodes/${u}`, { version: V }))),
    );
    for (const [i, a] of together.entries()) {
      const s = serial[i % wanted.length] as (typeof serial)[number];
      assert.equal(a.statusCode, s.statusCode, `${wanted[i % wanted.length]}: ${a.body}`);
      if (s.statusCode !== 200) {
        assert.equal(s.statusCode, 404);
        assert.deepEqual(a.json(), s.json(), 'the missing node: the conductor’s own NodeNotFound');
        continue;
      }
      const { updated_at: _a, ...got } = a.json();
      const { updated_at: _s, ...want } = s.json();
      assert.deepEqual(got, want);
    }
    const m = (await app.inject({ url: '/metrics' })).body;
    const batches =
      counter(m, 'ironic_gateway_rpc_node_read_batches_total') -
      counter(before, 'ironic_gateway_rpc_node_read_batches_total');
    const batched =
      counter(m, 'ironic_gateway_rpc_batched_node_reads_total{outcome="batched"}') -
      counter(before, 'ironic_gateway_rpc_batched_node_reads_total{outcome="batched"}');
    const resent =
      counter(m, 'ironic_gateway_rpc_batched_node_reads_total{outcome="resent"}') -
      counter(before, 'ironic_gateway_rpc_batched_node_reads_total{outcome="resent"}');
    t.diagnostic(`${together.length} reads: ${batches} Node.list calls answered ${batched}; ${resent} sent again`);
    assert.ok(batches > 0, `Node.list calls answered the reads (${batches})`);
    assert.ok(batched >= 5, `reads answered by a batch (${batched})`);
    // only the deleted node's reads may be sent again (not in any reply): nothing else
    assert.ok(resent <= 3, `reads sent again on their own (${resent}): a batch the gateway could not use`);
  });
});
