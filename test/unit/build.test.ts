import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort } from '../support/free-port.ts';

const root = join(import.meta.dirname, '..', '..');

test('`npm start` runs the esbuild bundle: it builds, serves the embedded gateway and stops on SIGTERM', async () => {
  execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist', 'ironic-gateway.mjs'), 'serve'], {
    env: {
      ...process.env,
      IRONIC_GATEWAY_HOST: '127.0.0.1',
      IRONIC_GATEWAY_PORT: String(port),
      IRONIC_GATEWAY_LOG_LEVEL: 'warn',
      IRONIC_GATEWAY_SIMULATOR_NODES: '1',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const base = `http://127.0.0.1:${port}`;
    let up = false;
    for (let i = 0; i < 300 && !up; i++) {
      up = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(up, 'the bundled gateway answers /healthz');
    const h = { 'x-openstack-ironic-api-version': '1.66', 'content-type': 'application/json' };
    const nodes = (await (await fetch(`${base}/v1/nodes`, { headers: h })).json()) as { nodes: { uuid: string }[] };
    assert.equal(nodes.nodes.length, 1);
    // the network_data schema (a JSON file) is in the bundle
    const bad = await fetch(`${base}/v1/nodes/${nodes.nodes[0].uuid}`, {
      method: 'PATCH',
      headers: h,
      body: JSON.stringify([{ op: 'add', path: '/network_data', value: { links: 5 } }]),
    });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /Invalid network_data/);
  } finally {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'it stops cleanly on SIGTERM');
  }
});
