/**
 * The HTTP server's deadlines for slow clients (server-timeouts.ts): late headers and late
 * bodies get a 408 in Ironic's format and lose their connection; idle keep-alive connections
 * are closed. Deadlines are short here (1–2 s); the waits are bounded generously, and no
 * assertion is on a duration.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { freePort } from '../../support/free-port.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';

let g: TestGateway;
let port: number;
before(async () => {
  g = await testGateway({
    routes: resourceRoutes,
    config: { http_headers_timeout: 1, http_request_timeout: 2, http_keep_alive_timeout: 1 },
  });
  port = await freePort();
  await g.app.listen({ host: '127.0.0.1', port });
});
after(() => g.close());

/** Opens a connection, writes `bytes` and collects what comes back until the server closes it. */
function open(bytes: string): { socket: Socket; closed: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  let out = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    out += d;
  });
  const closed = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(out));
    socket.on('error', () => undefined);
  });
  socket.write(bytes);
  return { socket, closed };
}

/** Resolves with what the server wrote once it closed the connection; fails after `ms`. */
async function closedWithin(c: { socket: Socket; closed: Promise<string> }, ms: number, what: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      c.socket.destroy();
      reject(new Error(`the server kept the connection open for ${ms / 1000} s: ${what}`));
    }, ms);
  });
  try {
    return await Promise.race([c.closed, late]);
  } finally {
    clearTimeout(timer);
  }
}

function expect408(answer: string): void {
  assert.match(answer, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  assert.match(answer, /\r\nX-Openstack-Request-Id: req-[0-9a-f-]{36}\r\n/);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error_message: string };
  assert.match((JSON.parse(body.error_message) as { faultstring: string }).faultstring, /did not arrive in time/);
}

test("headers that never finish: 408 in Ironic's format after the headers timeout, connection closed", async () => {
  const answer = await closedWithin(open('GET /v1 HTTP/1.1\r\nHost: x\r\n'), 20_000, 'slow headers');
  expect408(answer);
});

test("a body that never finishes: 408 in Ironic's format after the request timeout, connection closed", async () => {
  const c = open(
    'POST /v1/nodes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"dri',
  );
  expect408(await closedWithin(c, 20_000, 'slow body'));
});

test('an idle keep-alive connection is closed after the keep-alive timeout', async () => {
  const c = open('GET /v1 HTTP/1.1\r\nHost: x\r\n\r\n');
  const answer = await closedWithin(c, 20_000, 'idle keep-alive');
  assert.match(answer, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(answer, /\r\nKeep-Alive: timeout=1\r\n/i);
});

test('the timeout settings: defaults, and values that do not nest are refused at start-up', () => {
  const c = loadConfig({ env: {} });
  assert.deepEqual(
    [c.http_headers_timeout, c.http_request_timeout, c.http_keep_alive_timeout, c.http_idle_timeout],
    [20, 60, 72, 120],
  );
  assert.throws(
    () => loadConfig({ env: { IRONIC_GATEWAY_HTTP_HEADERS_TIMEOUT: '90' } }),
    (err: Error) => err instanceof ConfigError && /HTTP_REQUEST_TIMEOUT \(60\) must be at least/.test(err.message),
  );
  assert.throws(
    () => loadConfig({ env: { IRONIC_GATEWAY_RPC_RESPONSE_TIMEOUT: '300' } }),
    (err: Error) => err instanceof ConfigError && /HTTP_IDLE_TIMEOUT \(120\) must be 0 or above/.test(err.message),
  );
  assert.equal(
    loadConfig({ env: { IRONIC_GATEWAY_RPC_RESPONSE_TIMEOUT: '300', IRONIC_GATEWAY_HTTP_IDLE_TIMEOUT: '0' } })
      .http_idle_timeout,
    0,
  );
  assert.throws(() => loadConfig({ env: { IRONIC_GATEWAY_HTTP_KEEP_ALIVE_TIMEOUT: '0' } }), ConfigError);
});
