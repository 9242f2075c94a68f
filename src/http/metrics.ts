/**
 * Prometheus metrics (prom-client): request counts and latencies per route, and a gauge any
 * component can set. One registry per app, so several apps in one process do not collide.
 */
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RouteDef } from './route.ts';
import type { RpcObserver } from '../rpc/client.ts';
import type { BatchCounts } from '../rpc/batch.ts';
import type { CoalesceCounts } from '../rpc/coalesce.ts';

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

/** Conductor RPC metrics on `registry`: the observer to hand to the RpcClient. */
export function rpcMetrics(registry: Registry): RpcObserver {
  const calls = new Histogram({
    name: 'ironic_gateway_rpc_duration_seconds',
    help: 'Conductor RPC calls and casts, by kind, method and outcome (ok, or the exception class)',
    labelNames: ['kind', 'method', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  return (e) => calls.observe({ kind: e.kind, method: e.method, outcome: e.outcome }, e.seconds);
}

/**
 * `ironic_gateway_transport_connected`: 1 while the transport has a link to the broker, read at
 * each scrape, so that an alert can fire on a gateway cut off from its conductors.
 */
export function transportMetrics(registry: Registry, isConnected: () => boolean): void {
  new Gauge({
    name: 'ironic_gateway_transport_connected',
    help: '1 while the RPC transport is connected to the message broker (always 1 on memory://)',
    registers: [registry],
    collect() {
      this.set(isConnected() ? 1 : 0);
    },
  });
}

/**
 * `ironic_gateway_rpc_reads_total{answered_by}`: indirection reads by how they were answered,
 * `call` (a conductor call sent for this read) or `coalesced` (the call sent for an identical
 * read that arrived with it, src/rpc/coalesce.ts); read from the coalescer at each scrape.
 */
export function coalesceMetrics(registry: Registry, counts: CoalesceCounts): void {
  new Counter({
    name: 'ironic_gateway_rpc_reads_total',
    help: 'Conductor reads (indirection get/list) by how they were answered: call (one sent for them) or coalesced (sharing the call of an identical read)',
    labelNames: ['answered_by'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ answered_by: 'call' }, counts.sent);
      this.inc({ answered_by: 'coalesced' }, counts.joined);
    },
  });
}

/**
 * `ironic_gateway_rpc_node_read_batches_total`: Node.list calls sent for reads of different
 * nodes waiting together, and `ironic_gateway_rpc_batched_node_reads_total{outcome}`: reads
 * answered by one (`batched`) or sent again on their own (`resent`: not in the reply, or the
 * conductor could not answer the batch; src/rpc/batch.ts); read from the batcher at each scrape.
 */
export function batchMetrics(registry: Registry, counts: BatchCounts): void {
  new Counter({
    name: 'ironic_gateway_rpc_node_read_batches_total',
    help: 'Node.list calls sent for reads of different nodes by uuid that waited together',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(counts.batches);
    },
  });
  new Counter({
    name: 'ironic_gateway_rpc_batched_node_reads_total',
    help: 'Reads of one node by uuid that waited for a batch: answered by it (batched) or sent again on their own (resent)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ outcome: 'batched' }, counts.batched);
      this.inc({ outcome: 'resent' }, counts.resent);
    },
  });
}

export function installMetrics(app: FastifyInstance, registry: Registry = new Registry()): void {
  collectDefaultMetrics({ register: registry, prefix: 'ironic_gateway_' });
  const requests = new Counter({
    name: 'ironic_gateway_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'ironic_gateway_http_request_duration_seconds',
    help: 'HTTP request duration, by method and route pattern',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
    registers: [registry],
  });
  // Which conductor calls each route makes (RPC methods, helpers, `Class.method` indirection
  // calls): where the conductor's load comes from, and the REST ⇄ RPC map as it really runs.
  // Bounded: route patterns times the ConductorCall vocabulary.
  const conductorCalls = new Counter({
    name: 'ironic_gateway_route_conductor_calls_total',
    help: 'Conductor calls made while answering requests, by method, route pattern and call',
    labelNames: ['method', 'route', 'call'] as const,
    registers: [registry],
  });
  app.decorate('metrics', registry);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    duration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (request.conductorCalls)
      for (const call of request.conductorCalls) conductorCalls.inc({ method: request.method, route, call });
  });
}

export const metricsRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/metrics',
    operationId: 'getMetrics',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'Prometheus metrics',
    tags: ['health'],
    schema: { response: { 200: { type: 'string' } } },
    handler: async (request, reply) => {
      reply.type(request.server.metrics.contentType);
      return request.server.metrics.metrics();
    },
  },
];
