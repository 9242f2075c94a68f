import assert from 'node:assert/strict';
import { test } from 'node:test';
import { freePort, startGateway, stopProcess } from '../../bench/processes.ts';

test('`npm start` runs the esbuild bundle: it builds, serves the embedded gateway and stops on SIGTERM', async () => {
  const port = await freePort();
  // builds dist/ironic-gateway.mjs (npm run build), runs it with plain Node, waits for /healthz
  const child = await startGateway(port, { IRONIC_GATEWAY_SIMULATOR_NODES: '1' });
  try {
    const base = `http://127.0.0.1:${port}`;
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
    await stopProcess(child);
  }
  assert.equal(child.exitCode, 0, 'it stops cleanly on SIGTERM');
});
