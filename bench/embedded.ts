/**
 * The embedded simulator as `npm start` runs it (memory://, the gateway and its simulated
 * conductor in one process), at two sizes: a page must cost the same whatever the total. For
 * each size a fresh gateway process enrolls the nodes, then autocannon drives each page for a
 * fixed time after a 2 s warm-up; prints requests/s, p50, the gateway's CPU time per request (what a page costs it,
 * which a busy machine disturbs less than the rate) and the process's RSS after each page.
 */
import autocannon from 'autocannon';
import { cpuMs, freePort, rssMiB, startGateway, stopProcess } from './processes.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARMUP_SECONDS = 2;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const SIZES = (process.env.BENCH_EMBEDDED_NODES ?? '100,10000').split(',').map(Number);
const HEADERS = { 'x-openstack-ironic-api-version': 'latest' };

const PAGES: Array<[string, string]> = [
  ['GET /v1/nodes?limit=100', '/v1/nodes?limit=100'],
  ['GET /v1/nodes/detail?limit=100', '/v1/nodes/detail?limit=100'],
  ['GET /v1/ports?limit=100', '/v1/ports?limit=100'],
  ['GET /v1/nodes?limit=100&sort_key=name', '/v1/nodes?limit=100&sort_key=name'],
  ['GET /v1/nodes?limit=100&provision_state=enroll', '/v1/nodes?limit=100&provision_state=enroll'],
];

export async function benchEmbedded(): Promise<void> {
  console.log(
    `\nEmbedded simulator (memory://, one process): ${CONNECTIONS} connections, ${SECONDS}s per page, unpinned, latest microversion`,
  );
  console.log(
    `  ${'page'.padEnd(50)} ${'nodes'.padStart(7)} ${'req/s'.padStart(8)} ${'p50 ms'.padStart(7)} ${'non2xx'.padStart(7)} ${'CPU ms/req'.padStart(10)} ${'RSS MiB'.padStart(8)}`,
  );
  for (const nodes of SIZES) {
    const port = await freePort();
    const started = Date.now();
    const gateway = await startGateway(
      port,
      { IRONIC_GATEWAY_TRANSPORT_URL: 'memory://', IRONIC_GATEWAY_SIMULATOR_NODES: String(nodes) },
      120,
    );
    console.log(
      `  (${nodes} nodes enrolled and answering in ${((Date.now() - started) / 1000).toFixed(1)} s, RSS ${rssMiB(gateway.pid!).toFixed(0)} MiB)`,
    );
    try {
      for (const [name, path] of PAGES) {
        // a warm-up, not counted: the process has just enrolled its nodes (and compiled the
        // page's code), and what is compared is a page's steady cost at each size
        await autocannon({
          url: `http://127.0.0.1:${port}${path}`,
          connections: CONNECTIONS,
          duration: WARMUP_SECONDS,
          headers: HEADERS,
        });
        const cpu0 = cpuMs(gateway.pid!);
        const r = await autocannon({
          url: `http://127.0.0.1:${port}${path}`,
          connections: CONNECTIONS,
          duration: SECONDS,
          headers: HEADERS,
        });
        console.log(
          `  ${name.padEnd(50)} ${String(nodes).padStart(7)} ${r.requests.average.toFixed(0).padStart(8)} ${r.latency.p50.toFixed(1).padStart(7)} ${String(r.non2xx).padStart(7)} ${((cpuMs(gateway.pid!) - cpu0) / Math.max(1, r.requests.total)).toFixed(2).padStart(10)} ${rssMiB(gateway.pid!).toFixed(0).padStart(8)}`,
        );
      }
    } finally {
      await stopProcess(gateway);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchEmbedded();
