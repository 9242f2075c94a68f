/**
 * The broker going away, seen over HTTP: requests get 503 with Retry-After at once (never a
 * hung request), /healthz reports it, and the gateway reconnects by itself when it is back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { createGateway } from '../../src/gateway.ts';
import { stack } from '../support/stack-env.ts';

const latest = { 'x-openstack-ironic-api-version': 'latest' };

/** Polls /healthz alone (no other request) until it answers 200; the time it took, in ms. */
async function healthyWithin(app: Awaited<ReturnType<typeof createGateway>>['app'], ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if ((await app.inject({ url: '/healthz' })).statusCode === 200) return Date.now() - started;
    if (Date.now() - started > ms) assert.fail(`/healthz still not 200 after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('a gateway connects at start-up: /healthz is 200 before any request', async () => {
  const config = loadConfig({ env: {}, overrides: { ...stack.gatewaySettings(), log_level: 'silent' } });
  const gateway = await createGateway(config);
  try {
    await healthyWithin(gateway.app, 5000);
    assert.equal((await gateway.app.inject({ url: '/healthz' })).json().transport_connected, true);
  } finally {
    await gateway.close();
  }
});

test('broker stop → 503 fast with Retry-After; broker back → served again without a restart', {
  timeout: 180_000,
}, async () => {
  const config = loadConfig({
    env: {},
    overrides: { ...stack.gatewaySettings(), log_level: 'silent', rpc_response_timeout: 20 },
  });
  const gateway = await createGateway(config);
  const app = gateway.app;
  let brokerStopped = false;
  try {
    const before = await app.inject({ url: '/v1/nodes', headers: latest });
    assert.equal(before.statusCode, 200, before.body);

    await stack.sh('stop-rabbit');
    brokerStopped = true;
    const started = Date.now();
    const down = await app.inject({ url: '/v1/nodes', headers: latest });
    assert.equal(down.statusCode, 503, down.body);
    assert.equal(down.headers['retry-after'], '5');
    // well under the 20 s RPC timeout, even on a busy machine
    assert.ok(Date.now() - started < 10_000, `answered in ${Date.now() - started} ms, not after the RPC timeout`);
    const health = await app.inject({ url: '/healthz' });
    assert.equal(health.statusCode, 503);
    assert.match((await app.inject({ url: '/metrics' })).body, /^ironic_gateway_transport_connected 0$/m);

    await stack.sh('start-rabbit');
    brokerStopped = false;
    // it reconnects by itself: no request is needed for /healthz to recover
    await healthyWithin(app, 60_000);
    assert.match((await app.inject({ url: '/metrics' })).body, /^ironic_gateway_transport_connected 1$/m);
    let status = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      status = (await app.inject({ url: '/v1/nodes', headers: latest })).statusCode;
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(status, 200, 'served again once the broker and the conductor are back');
    assert.equal((await app.inject({ url: '/healthz' })).statusCode, 200);
  } finally {
    // the broker is shared with the rest of the suite: never leave it stopped
    if (brokerStopped) await stack.sh('start-rabbit');
    await gateway.close();
  }
});
