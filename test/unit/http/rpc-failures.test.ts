/**
 * What a client sees when conductors cannot answer: never a hung request, but 503 (nobody
 * consumes the topic) or 504 (nobody answers in time) with Retry-After, in Ironic's format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../../src/config.ts';
import { createConductorAPI, createConductorRpcClient } from '../../../src/conductor/api.ts';
import { buildApp } from '../../../src/http/app.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { createTransport } from '../../../src/rpc/transport.ts';

async function gatewayOn(url: string, timeoutS: number) {
  const config = loadConfig({
    env: {},
    overrides: { log_level: 'silent', rpc_response_timeout: timeoutS, transport_url: url },
  });
  const transport = createTransport(url);
  const conductor = createConductorAPI(createConductorRpcClient(transport, config), config);
  const app = await buildApp(config, { conductor, routes: resourceRoutes });
  return { app, transport };
}

const inner = (body: string) => JSON.parse(JSON.parse(body).error_message);
const latest = { 'x-openstack-ironic-api-version': 'latest' };

test('no conductor consumes the topic: 503 with Retry-After at once', async () => {
  const { app, transport } = await gatewayOn(`memory://nobody-${randomUUID()}`, 30);
  const started = Date.now();
  const r = await app.inject({ url: '/v1/nodes', headers: latest });
  assert.equal(r.statusCode, 503);
  assert.equal(r.headers['retry-after'], '5');
  assert.equal(inner(r.body).faultcode, 'Server');
  // half the timeout: the first request also compiles the routes' schemas, seconds on a busy host
  assert.ok(Date.now() - started < 15_000, 'answered without waiting for the 30 s timeout');
  await app.close();
  await transport.close();
});

test('a conductor that does not answer in time: 504 with Retry-After after rpc_response_timeout', async () => {
  const url = `memory://silent-${randomUUID()}`;
  const silentSide = createTransport(url);
  const listener = await silentSide.serve(
    { topic: 'ironic.conductor_manager', server: 'mute-1' },
    () => new Promise(() => undefined),
  );
  const { app, transport } = await gatewayOn(url, 0.3);
  const started = Date.now();
  const r = await app.inject({ url: '/v1/nodes', headers: latest });
  const elapsed = Date.now() - started;
  assert.equal(r.statusCode, 504);
  assert.equal(r.headers['retry-after'], '5');
  assert.match(inner(r.body).faultstring, /did not answer in time/);
  assert.ok(elapsed >= 250 && elapsed < 3000, `answered after the timeout (${elapsed} ms)`);
  await app.close();
  await transport.close();
  await listener.stop();
  await silentSide.close();
});
