/**
 * HTTP load benchmark: the gateway with its embedded simulated conductor (memory://), driven by
 * autocannon on loopback. Prints requests/s, latency p50/p99 and the process RSS per scenario.
 * Bounded: each scenario runs a fixed number of seconds against 127.0.0.1 only.
 */
import autocannon from 'autocannon';
import { loadConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';

interface Scenario {
  name: string;
  path: string | ((first: string) => string);
  headers?: Record<string, string>;
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

export async function benchHttp(): Promise<void> {
  const config = loadConfig({ env: {}, overrides: { port: 0, log_level: 'warn', simulator_nodes: 200 } });
  const gateway = await createGateway(config);
  await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const address = gateway.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no listening address');
  const base = `http://127.0.0.1:${address.port}`;
  const latest = { 'x-openstack-ironic-api-version': 'latest' };
  const list = await fetch(`${base}/v1/nodes?limit=1`, { headers: latest });
  const first = ((await list.json()) as { nodes?: Array<{ uuid: string }> }).nodes?.[0]?.uuid ?? 'none';

  const scenarios: Scenario[] = [
    { name: 'GET /v1 (discovery, no RPC)', path: '/v1' },
    { name: 'GET /v1/nodes?limit=50 (Node.list RPC)', path: '/v1/nodes?limit=50', headers: latest },
    { name: 'GET /v1/nodes/{uuid} (Node.get RPC)', path: (u) => `/v1/nodes/${u}`, headers: latest },
    { name: 'GET /v1/nodes/{uuid}/management/boot_device (lookup + get_boot_device)', path: (u) => `/v1/nodes/${u}/management/boot_device`, headers: latest },
  ];
  console.log(`HTTP benchmark: ${CONNECTIONS} connections, ${SECONDS}s per scenario, embedded simulator (memory://)`);
  console.log('scenario'.padEnd(76), 'req/s'.padStart(9), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), 'non2xx'.padStart(7), 'RSS MiB'.padStart(8));
  for (const s of scenarios) {
    const path = typeof s.path === 'function' ? s.path(first) : s.path;
    const result = await autocannon({ url: `${base}${path}`, connections: CONNECTIONS, duration: SECONDS, headers: s.headers });
    const rss = process.memoryUsage().rss / 2 ** 20;
    console.log(
      s.name.padEnd(76),
      result.requests.average.toFixed(0).padStart(9),
      result.latency.p50.toFixed(2).padStart(8),
      result.latency.p99.toFixed(2).padStart(8),
      String(result.non2xx).padStart(7),
      rss.toFixed(0).padStart(8),
    );
  }
  await gateway.close();
}
