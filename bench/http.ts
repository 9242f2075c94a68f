/**
 * HTTP load benchmark: the gateway with its embedded simulated conductor (memory://), as
 * `ironic-gateway serve` runs it, in its own process, driven by autocannon from this one on
 * loopback (in one process the load generator took the gateway's event loop). Prints
 * requests/s, latency p50/p99 and the gateway's RSS per scenario. Bounded: each scenario runs a
 * fixed number of seconds against 127.0.0.1 only.
 */
import autocannon from 'autocannon';
import { freePort, rssMiB, startGateway, stopProcess } from './processes.ts';

interface Scenario {
  name: string;
  path: string | ((first: string) => string);
  headers?: Record<string, string>;
}

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

export async function benchHttp(): Promise<void> {
  const port = await freePort();
  const gateway = await startGateway(port, {
    IRONIC_GATEWAY_TRANSPORT_URL: 'memory://',
    IRONIC_GATEWAY_SIMULATOR_NODES: '200',
  });
  const base = `http://127.0.0.1:${port}`;
  const latest = { 'x-openstack-ironic-api-version': 'latest' };
  const list = await fetch(`${base}/v1/nodes?limit=1`, { headers: latest });
  const first = ((await list.json()) as { nodes?: Array<{ uuid: string }> }).nodes?.[0]?.uuid ?? 'none';

  const scenarios: Scenario[] = [
    { name: 'GET /v1 (discovery, no RPC)', path: '/v1' },
    { name: 'GET /v1/nodes?limit=50 (Node.list RPC)', path: '/v1/nodes?limit=50', headers: latest },
    { name: 'GET /v1/nodes/{uuid} (Node.get RPC)', path: (u) => `/v1/nodes/${u}`, headers: latest },
    {
      name: 'GET /v1/nodes/{uuid}/management/boot_device (get_boot_device; the node read once, then routed from memory)',
      path: (u) => `/v1/nodes/${u}/management/boot_device`,
      headers: latest,
    },
  ];
  console.log(
    `HTTP benchmark: ${CONNECTIONS} connections, ${SECONDS}s per scenario; the gateway in its own process with its embedded simulator (memory://, 200 nodes)`,
  );
  console.log(
    'scenario'.padEnd(76),
    'req/s'.padStart(9),
    'p50 ms'.padStart(8),
    'p99 ms'.padStart(8),
    'non2xx'.padStart(7),
    'RSS MiB'.padStart(8),
  );
  for (const s of scenarios) {
    const path = typeof s.path === 'function' ? s.path(first) : s.path;
    const result = await autocannon({
      url: `${base}${path}`,
      connections: CONNECTIONS,
      duration: SECONDS,
      headers: s.headers,
    });
    const rss = rssMiB(gateway.pid!);
    console.log(
      s.name.padEnd(76),
      result.requests.average.toFixed(0).padStart(9),
      result.latency.p50.toFixed(2).padStart(8),
      result.latency.p99.toFixed(2).padStart(8),
      String(result.non2xx).padStart(7),
      rss.toFixed(0).padStart(8),
    );
  }
  await stopProcess(gateway);
}
