/**
 * `ironic-gateway serve` stopping on SIGTERM: requests on connections that are still open get an
 * answer a client can retry (503 in Ironic's format, Retry-After, Connection: close) instead of
 * a reset, and the process exits promptly even while clients keep their connections alive.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../support/free-port.ts';

const root = join(import.meta.dirname, '..', '..');

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(port: number, path: string, agent: Agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { 'x-openstack-ironic-api-version': 'latest' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

test("SIGTERM: a kept-alive connection gets 503 in Ironic's format with Retry-After, and the process exits 0 at once", async () => {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src', 'main.ts'), 'serve'], {
    env: {
      ...process.env,
      IRONIC_GATEWAY_HOST: '127.0.0.1',
      IRONIC_GATEWAY_PORT: String(port),
      IRONIC_GATEWAY_LOG_LEVEL: 'info',
      IRONIC_GATEWAY_TRANSPORT_URL: 'memory://',
      IRONIC_GATEWAY_SIMULATOR_NODES: '3',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await get(port, '/healthz', agent)).status === 200) break;
      } catch (err) {
        if (i > 200) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    const before = await get(port, '/v1/nodes', agent);
    assert.equal(before.status, 200);
    assert.notEqual(before.headers.connection, 'close', 'kept alive before the signal');

    child.kill('SIGTERM');
    for (let i = 0; i < 100 && !log.includes('shutting down'); i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const during = await get(port, '/v1/nodes', agent);
    assert.equal(during.status, 503);
    assert.equal(during.headers['retry-after'], '5');
    assert.equal(during.headers.connection, 'close');
    assert.match(JSON.parse(JSON.parse(during.body).error_message).faultstring, /shutting down/);

    const started = Date.now();
    const code = await Promise.race([
      exited,
      new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000)),
    ]);
    assert.equal(code, 0, `exit code (log: ${log.slice(-500)})`);
    // the only connection was closed by the 503's Connection: close, so no drain wait is left
    assert.ok(Date.now() - started < 1500, `exited ${Date.now() - started} ms after the 503`);
    assert.match(log, /"msg":"stopped"/);
  } finally {
    agent.destroy();
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});
