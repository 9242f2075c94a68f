/**
 * The gateway beside the real ironic-api, both in front of the same real ironic-conductor and
 * database (test/support/stack.sh): Debian's ironic-api (its default workers) and one gateway
 * process on the broker, driven alike by autocannon on loopback. Prints requests/s and p50 per
 * request for both. Reads reach the database through the conductor for the gateway and
 * directly for ironic-api, so where the conductor's work dominates the two meet.
 * Skipped when /usr/bin/ironic-api is not installed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { IRONIC_API, startIronicApi } from '../test/support/ironic-api.ts';
import { freePort, startGateway, stopProcess } from './processes.ts';
import { testStack } from './stack.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONNECTIONS = Number(process.env.BENCH_COMPARE_CONNECTIONS ?? 10);
const NODES = 50;
const HEADERS = { 'x-openstack-ironic-api-version': '1.38', 'content-type': 'application/json' };

interface Figure {
  rps: number;
  p50: number;
  non2xx: number;
}

async function load(url: string): Promise<Figure> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers: HEADERS });
  return { rps: r.requests.average, p50: r.latency.p50, non2xx: r.non2xx };
}

export async function benchCompare(): Promise<void> {
  if (!existsSync(IRONIC_API)) {
    console.log(`\ncomparison with ironic-api skipped: ${IRONIC_API} is not installed`);
    return;
  }
  const stack = testStack();
  const cleanups: Array<() => Promise<void>> = [];
  try {
    if (!stack.conductorConfig)
      throw new Error('the comparison needs the conductor started by test/support/stack.sh (TEST_CONDUCTOR_CONFIG)');
    const api = await startIronicApi({
      conductorConfig: stack.conductorConfig,
      dir: join(import.meta.dirname, '..', '.tmp', 'bench-ironic-api'),
      timeoutS: 90,
    });
    cleanups.push(api.stop);
    const apiBase = api.base;

    const gwPort = await freePort();
    const gateway = await startGateway(gwPort, { IRONIC_GATEWAY_TRANSPORT_URL: stack.url });
    cleanups.push(() => stopProcess(gateway));
    const gw = `http://127.0.0.1:${gwPort}`;

    const uuids: string[] = [];
    for (let i = 0; i < NODES; i++) {
      const r = await fetch(`${gw}/v1/nodes`, {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({ driver: 'fake-hardware', name: `bench-compare-${process.pid}-${i}` }),
      });
      if (r.status !== 201) throw new Error(`enrolling a node: ${r.status} ${await r.text()}`);
      uuids.push(((await r.json()) as { uuid: string }).uuid);
    }
    cleanups.unshift(async () => {
      for (const u of uuids) await fetch(`${gw}/v1/nodes/${u}`, { method: 'DELETE', headers: HEADERS });
    });
    const node = uuids[0]!;
    const scenarios: Array<[string, string]> = [
      ['GET /v1 (no conductor, no database)', '/v1'],
      ['GET /v1/nodes/{uuid}', `/v1/nodes/${node}`],
      [`GET /v1/nodes?limit=${NODES}`, `/v1/nodes?limit=${NODES}`],
      ['GET /v1/nodes/detail?limit=20', '/v1/nodes/detail?limit=20'],
      ['GET /v1/nodes/{uuid}/management/boot_device (conductor RPC)', `/v1/nodes/${node}/management/boot_device`],
    ];
    console.log(
      `\nThe gateway (one process) beside ironic-api (Debian's, its default workers), the same real ironic-conductor and sqlite database; ${CONNECTIONS} connections, ${SECONDS}s per scenario, microversion 1.38`,
    );
    console.log(
      `  ${'request'.padEnd(60)} ${'ironic-api req/s'.padStart(16)} ${'p50 ms'.padStart(6)} ${'gateway req/s'.padStart(14)} ${'p50 ms'.padStart(6)} ${'ratio'.padStart(7)}`,
    );
    for (const [name, path] of scenarios) {
      const a = await load(`${apiBase}${path}`);
      const g = await load(`${gw}${path}`);
      const errors = a.non2xx + g.non2xx > 0 ? `  (non-2xx: ironic-api ${a.non2xx}, gateway ${g.non2xx})` : '';
      console.log(
        `  ${name.padEnd(60)} ${a.rps.toFixed(0).padStart(16)} ${a.p50.toFixed(1).padStart(6)} ${g.rps.toFixed(0).padStart(14)} ${g.p50.toFixed(1).padStart(6)} ${`${(g.rps / a.rps).toFixed(2)}×`.padStart(7)}${errors}`,
      );
    }
  } finally {
    for (const c of cleanups) await c().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
    stack.stop?.();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCompare();
