/**
 * `npm run bench page-cost`: what a page of the embedded simulator costs, in CPU time, at 100
 * and at 10,000 nodes. Two embedded gateways (memory://, unpinned) in this one process, the
 * same pages run in turn on each through `app.inject` (no HTTP, no load generator), the lowest
 * CPU ms per request of several rounds kept: other work on the machine only ever adds to it, so
 * the lowest is the page's own cost, which a busy machine disturbs far less than a rate.
 */
import { resourceRoutes } from '../src/http/routes/index.ts';
import { seedNodes } from '../src/simulator/index.ts';
import { testGateway, type TestGateway } from '../test/support/app.ts';

const SIZES = (process.env.BENCH_EMBEDDED_NODES ?? '100,10000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const PER_ROUND = 40;
const PAGES = [
  '/v1/nodes?limit=100',
  '/v1/nodes/detail?limit=100',
  '/v1/ports?limit=100',
  '/v1/nodes?limit=100&sort_key=name',
  '/v1/nodes?limit=100&provision_state=enroll',
];
const HEADERS = { 'x-openstack-ironic-api-version': 'latest' };

export async function benchPageCost(): Promise<void> {
  const gateways: TestGateway[] = [];
  try {
    for (const n of SIZES) {
      const g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
      gateways.push(g);
      const started = Date.now();
      seedNodes(g.sim.store, n);
      console.log(`  (${n} nodes enrolled in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    const best = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const url of PAGES) {
        for (const [i, g] of gateways.entries()) {
          for (let w = 0; w < 5; w++) await g.app.inject({ url, headers: HEADERS });
          const before = process.cpuUsage();
          for (let k = 0; k < PER_ROUND; k++) {
            const r = await g.app.inject({ url, headers: HEADERS });
            if (r.statusCode !== 200) throw new Error(`${url}: ${r.statusCode} ${r.body}`);
          }
          const used = process.cpuUsage(before);
          const ms = (used.user + used.system) / 1000 / PER_ROUND;
          const key = `${url} ${SIZES[i]}`;
          best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, ms));
        }
      }
    }
    console.log(`\nCPU ms per page of the embedded simulator (in process, lowest of ${ROUNDS} rounds of ${PER_ROUND})`);
    console.log(
      `  ${'page'.padEnd(50)} ${SIZES.map((s) => `${s} nodes`.padStart(13)).join(' ')} ${'ratio'.padStart(6)}`,
    );
    for (const url of PAGES) {
      const v = SIZES.map((s) => best.get(`${url} ${s}`) ?? Number.NaN);
      const ratio = (v[v.length - 1] as number) / (v[0] as number);
      console.log(
        `  ${url.padEnd(50)} ${v.map((x) => `${x.toFixed(2)} ms`.padStart(13)).join(' ')} ${ratio.toFixed(2).padStart(6)}`,
      );
    }
    console.log(`  RSS of this process: ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`);
  } finally {
    for (const g of gateways) await g.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchPageCost();
