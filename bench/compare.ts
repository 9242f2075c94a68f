/**
 * `npm run bench compare`: the gateway beside the real ironic-api of the same release, both in
 * front of the same real ironic-conductor and database (test/support/stack.sh, STACK_RELEASE
 * 21.4 or 39.0), driven alike on loopback, in one run: wrk (bench/wrk.ts) for the reads,
 * autocannon for the per-node writes (a connection each, a few requests a second). For 39.0 it runs twice:
 * ironic-api reading its database, then ironic-api in its own DB-less mode
 * (`[DEFAULT] use_rpc_for_database = true`: objects through the conductor, as the gateway).
 * Prints requests/s and p50 per request for both and the ratio gateway ÷ ironic-api, then the
 * gateway's RSS. Skipped when ironic-api is not installed.
 *
 * Then (BENCH_COMPARE_SCALE, on by default) the gateway's reads with one conductor and with a
 * second of the same release started on the broker (stack.sh start-second-conductor): the
 * indirection calls go to the conductors' shared topic, so both serve them.
 *
 * With each comparison table, where the gateway's time goes per request, from its own /metrics
 * scraped around each load (ironic_gateway_http_request_duration_seconds and
 * ironic_gateway_rpc_duration_seconds): the whole answer, the part spent waiting on conductor
 * RPC (broker and conductor; RPC calls per request), and the rest, the gateway's own work.
 *
 * BENCH_SECONDS (5) per request and side, BENCH_COMPARE_CONNECTIONS (16),
 * BENCH_COMPARE_MODES (`db` for 21.4, `db,rpc` for 39.0).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { IRONIC_API, startIronicApi } from '../test/support/ironic-api.ts';
import { freePort, rssMiB, startGateway, stopProcess } from './processes.ts';
import { type WrkFigure, wrkLoad } from './wrk.ts';
import { testStack } from './stack.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_COMPARE_CONNECTIONS ?? 16);
const NODES = 60;
/** boot_device and the writes run on this many nodes, one connection each */
const PER_NODE = 16;
const VERSION = '1.38';
const HEADERS = { 'x-openstack-ironic-api-version': VERSION, 'content-type': 'application/json' };

/** Sums and counts of the two duration histograms, over all their labels. */
interface Timing {
  httpSeconds: number;
  httpCount: number;
  rpcSeconds: number;
  rpcCount: number;
}

/** Reads the gateway's /metrics (Prometheus text) into the totals the breakdown needs. */
export function parseTiming(text: string): Timing {
  const t: Timing = { httpSeconds: 0, httpCount: 0, rpcSeconds: 0, rpcCount: 0 };
  for (const line of text.split('\n')) {
    const m = /^(ironic_gateway_(?:http_request|rpc)_duration_seconds)_(sum|count)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(
      line,
    );
    if (!m) continue;
    const value = Number(m[3]);
    const http = m[1] === 'ironic_gateway_http_request_duration_seconds';
    if (m[2] === 'sum') t[http ? 'httpSeconds' : 'rpcSeconds'] += value;
    else t[http ? 'httpCount' : 'rpcCount'] += value;
  }
  return t;
}

async function timing(base: string): Promise<Timing> {
  const r = await fetch(`${base}/metrics`);
  if (!r.ok) throw new Error(`GET /metrics: ${r.status}`);
  return parseTiming(await r.text());
}

/** The gateway's V8 heap from its /metrics: what its resident memory holds besides code and buffers. */
async function heapOf(base: string): Promise<string> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const mib = (name: string): string => {
    const m = new RegExp(`^ironic_gateway_${name} ([0-9.e+]+)$`, 'm').exec(text);
    return m ? (Number(m[1]) / 1048576).toFixed(0) : '?';
  };
  return `V8 heap ${mib('nodejs_heap_size_used_bytes')} MiB used of ${mib('nodejs_heap_size_total_bytes')} MiB, external ${mib('nodejs_external_memory_bytes')} MiB`;
}

/** Per request between two scrapes: the whole answer, the RPC wait, the gateway's own part (ms), calls. */
function breakdown(before: Timing, after: Timing): { total: number; rpc: number; own: number; calls: number } {
  const n = after.httpCount - before.httpCount;
  if (n <= 0) return { total: 0, rpc: 0, own: 0, calls: 0 };
  const total = ((after.httpSeconds - before.httpSeconds) / n) * 1000;
  const rpc = ((after.rpcSeconds - before.rpcSeconds) / n) * 1000;
  return { total, rpc, own: Math.max(0, total - rpc), calls: (after.rpcCount - before.rpcCount) / n };
}

/** One side's figures for one request: wrk's, and autocannon's put in the same shape. */
type Figure = WrkFigure;

interface Request {
  method?: 'GET' | 'PATCH' | 'PUT';
  path: string;
  body?: string;
}

interface Scenario {
  name: string;
  /** one request, or a cycle each connection runs in turn */
  requests: Request[];
  /** the status every answer should have (200 unless said) */
  status?: number;
  /** run as one connection per node, each cycling its own requests (writes that lock the node) */
  perNode?: Request[][];
}

function unexpected(r: autocannon.Result, status: number, into: Record<string, number> = {}): number {
  let total = 0;
  for (const [code, s] of Object.entries(r.statusCodeStats ?? {})) {
    const n = (s as { count: number }).count;
    if (Number(code) === status || n === 0) continue;
    total += n;
    into[code] = (into[code] ?? 0) + n;
  }
  if (r.timeouts) into.timeout = (into.timeout ?? 0) + r.timeouts;
  if (r.errors - r.timeouts > 0) into.error = (into.error ?? 0) + r.errors - r.timeouts;
  return total + r.errors;
}

const statusList = (f: Figure): string =>
  Object.entries(f.statuses)
    .map(([k, n]) => `${n}×${k}`)
    .join(' ');

export async function load(base: string, s: Scenario): Promise<Figure> {
  const status = s.status ?? 200;
  if (s.perNode) {
    const runs = await Promise.all(
      s.perNode.map((requests) =>
        autocannon({ url: base, connections: 1, duration: SECONDS, headers: HEADERS, requests }),
      ),
    );
    const statuses: Record<string, number> = {};
    return {
      rps: runs.reduce((a, r) => a + r.requests.average, 0),
      p50: runs.reduce((a, r) => a + r.latency.p50, 0) / runs.length,
      unexpected: runs.reduce((a, r) => a + unexpected(r, status, statuses), 0),
      statuses,
    };
  }
  if (s.requests.some((r) => (r.method ?? 'GET') !== 'GET'))
    throw new Error(`${s.name}: only GET requests are driven by wrk; give writes per node`);
  return wrkLoad(
    base,
    s.requests.map((r) => r.path),
    { connections: CONNECTIONS, seconds: SECONDS, headers: HEADERS, status },
  );
}

export async function json(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: HEADERS,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${await r.text()}`);
  return r.status === 204 || r.status === 202 ? null : r.json();
}

export async function waitForState(base: string, uuid: string, state: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    const n = await json(base, 'GET', `/v1/nodes/${uuid}`);
    if (n.provision_state === state && !n.target_provision_state) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`node ${uuid} did not reach ${state}`);
}

export function scenarios(uuids: string[]): Scenario[] {
  const rr = uuids.slice(0, PER_NODE);
  const provision = (target: string): Request => ({ method: 'PUT', path: '', body: JSON.stringify({ target }) });
  return [
    { name: 'GET /v1', requests: [{ path: '/v1' }] },
    { name: 'GET /v1/nodes/{uuid}', requests: [{ path: `/v1/nodes/${uuids[0]}` }] },
    {
      name: `GET /v1/nodes/{uuid}, ${uuids.length} nodes round robin`,
      requests: uuids.map((u) => ({ path: `/v1/nodes/${u}` })),
    },
    { name: 'GET /v1/nodes?limit=50', requests: [{ path: '/v1/nodes?limit=50' }] },
    { name: 'GET /v1/nodes/detail?limit=50', requests: [{ path: '/v1/nodes/detail?limit=50' }] },
    { name: `GET /v1/nodes?limit=1000 (${NODES} nodes)`, requests: [{ path: '/v1/nodes?limit=1000' }] },
    { name: 'GET /v1/nodes/no-such (404)', requests: [{ path: '/v1/nodes/no-such' }], status: 404 },
    {
      // the conductor takes the node's exclusive lock for get_boot_device, and a request finding
      // it taken waits node_locked_retry_interval (1 s): connections cycling over the same nodes
      // measured lock waits, so each connection keeps to its node, as the writes below do
      name: `GET …/management/boot_device (one connection per node, ${PER_NODE})`,
      requests: [],
      perNode: rr.map((u) => [{ path: `/v1/nodes/${u}/management/boot_device` }]),
    },
    { name: 'GET /v1/ports?limit=50', requests: [{ path: '/v1/ports?limit=50' }] },
    {
      name: `PATCH a node's extra (one connection per node, ${PER_NODE})`,
      requests: [],
      perNode: rr.map((u) => [
        {
          method: 'PATCH',
          path: `/v1/nodes/${u}`,
          body: JSON.stringify([{ op: 'add', path: '/extra/bench', value: 'x' }]),
        },
      ]),
    },
    {
      name: `PUT …/states/provision provide, manage (per node, ${PER_NODE})`,
      requests: [],
      status: 202,
      perNode: rr.map((u) =>
        ['provide', 'manage'].map((t) => ({ ...provision(t), path: `/v1/nodes/${u}/states/provision` })),
      ),
    },
  ];
}

/** ironic-api's configuration for a mode: the conductor's, plus use_rpc_for_database for `rpc`. */
function apiConfig(conductorConfig: string, mode: string, dir: string): string {
  if (mode !== 'rpc') return conductorConfig;
  mkdirSync(dir, { recursive: true });
  const conf = join(dir, 'conductor-rpc-db.conf');
  writeFileSync(conf, `${readFileSync(conductorConfig, 'utf8')}\n[DEFAULT]\nuse_rpc_for_database = true\n`);
  return conf;
}

export async function benchCompare(): Promise<void> {
  const release = process.env.STACK_RELEASE ?? '21.4';
  if (release === '21.4' && !existsSync(IRONIC_API)) {
    console.log(`\ncomparison with ironic-api skipped: ${IRONIC_API} is not installed`);
    return;
  }
  const modes = (process.env.BENCH_COMPARE_MODES ?? (release === '39.0' ? 'db,rpc' : 'db')).split(',');
  const stack = testStack();
  const cleanups: Array<() => Promise<void>> = [];
  const dir = join(import.meta.dirname, '..', '.tmp', 'bench-ironic-api');
  try {
    if (!stack.conductorConfig)
      throw new Error('the comparison needs the conductor started by test/support/stack.sh (TEST_CONDUCTOR_CONFIG)');
    const conductorConfig = stack.conductorConfig;
    const gwPort = await freePort();
    // 39.0's stack declares quorum queues and durable exchanges: the gateway says so too
    const quorum = process.env.TEST_RABBIT_QUORUM_QUEUES === 'true' ? 'true' : 'false';
    const gatewayEnv: Record<string, string> = {
      IRONIC_GATEWAY_TRANSPORT_URL: stack.url,
      IRONIC_GATEWAY_RABBIT_QUORUM_QUEUE: quorum,
      IRONIC_GATEWAY_RABBIT_TRANSIENT_QUORUM_QUEUE: quorum,
      // an older conductor needs the gateway pinned to its release (39.0 is the gateway's own)
      ...(release === '39.0' ? {} : { IRONIC_GATEWAY_PIN_RELEASE_VERSION: release }),
    };
    const gateway = await startGateway(gwPort, gatewayEnv);
    cleanups.push(() => stopProcess(gateway));
    const gw = `http://127.0.0.1:${gwPort}`;

    // NODES fake-hardware nodes with a port each, the round-robin ones moved to manageable
    const uuids: string[] = [];
    cleanups.unshift(async () => {
      for (const u of uuids) await fetch(`${gw}/v1/nodes/${u}`, { method: 'DELETE', headers: HEADERS });
    });
    for (let i = 0; i < NODES; i++) {
      const n = await json(gw, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: `bench-${process.pid}-${i}` });
      uuids.push(n.uuid);
      const mac = `52:54:01:${(process.pid & 0xff).toString(16).padStart(2, '0')}:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
      await json(gw, 'POST', '/v1/ports', { node_uuid: n.uuid, address: mac });
    }
    for (const u of uuids.slice(0, PER_NODE))
      await json(gw, 'PUT', `/v1/nodes/${u}/states/provision`, { target: 'manage' });
    for (const u of uuids.slice(0, PER_NODE)) await waitForState(gw, u, 'manageable');

    for (const mode of modes) {
      const api = await startIronicApi({
        conductorConfig: apiConfig(conductorConfig, mode, dir),
        dir,
        timeoutS: 90,
        release,
      });
      try {
        console.log(
          `\nThe gateway (one process) beside ironic-api ${release} (Debian's, its default workers${mode === 'rpc' ? ', use_rpc_for_database = true' : ', reading its database'}), the same real ironic-conductor and MariaDB; ${CONNECTIONS} connections, ${SECONDS}s per request and side, microversion ${VERSION}, ${NODES} nodes with a port each`,
        );
        console.log(
          `  ${'request'.padEnd(62)} ${'ironic-api req/s'.padStart(16)} ${'p50 ms'.padStart(6)} ${'gateway req/s'.padStart(14)} ${'p50 ms'.padStart(6)} ${'ratio'.padStart(7)}`,
        );
        const times: string[] = [];
        for (const s of scenarios(uuids)) {
          const a = await load(api.base, s);
          const before = await timing(gw);
          const g = await load(gw, s);
          const b = breakdown(before, await timing(gw));
          times.push(
            `  ${s.name.padEnd(62)} ${b.total.toFixed(2).padStart(8)} ${b.rpc.toFixed(2).padStart(8)} ${b.calls.toFixed(1).padStart(6)} ${b.own.toFixed(2).padStart(8)} ${`${((b.own / (b.total || 1)) * 100).toFixed(0)}%`.padStart(6)}`,
          );
          const odd =
            a.unexpected + g.unexpected > 0
              ? `  (unexpected answers: ironic-api ${statusList(a) || 0}, gateway ${statusList(g) || 0})`
              : '';
          console.log(
            `  ${s.name.padEnd(62)} ${a.rps.toFixed(0).padStart(16)} ${a.p50.toFixed(1).padStart(6)} ${g.rps.toFixed(0).padStart(14)} ${g.p50.toFixed(1).padStart(6)} ${`${(g.rps / a.rps).toFixed(2)}×`.padStart(7)}${odd}`,
          );
        }
        console.log(`  gateway RSS after the run: ${rssMiB(gateway.pid!).toFixed(0)} MiB (${await heapOf(gw)})`);
        console.log(
          `\n  Where the gateway's time goes, per request (its /metrics around each load): the answer, the wait on conductor RPC (broker and conductor) and its calls, the rest (the gateway's own work and queueing), ms`,
        );
        console.log(
          `  ${'request'.padEnd(62)} ${'answer'.padStart(8)} ${'RPC'.padStart(8)} ${'calls'.padStart(6)} ${'own'.padStart(8)} ${'own %'.padStart(6)}`,
        );
        for (const line of times) console.log(line);
      } finally {
        await api.stop();
      }
    }
    if (process.env.BENCH_COMPARE_SCALE !== '0') {
      // every read a call of its own, so that what scales is the conductors' share
      const port = await freePort();
      const uncoalesced = await startGateway(port, { ...gatewayEnv, IRONIC_GATEWAY_COALESCE_READS: 'false' });
      try {
        await scale(`http://127.0.0.1:${port}`, uuids);
      } finally {
        await stopProcess(uncoalesced);
      }
    }
  } finally {
    for (const c of cleanups) await c().catch((err: unknown) => console.error(`cleanup: ${String(err)}`));
    stack.stop?.();
  }
}

/** The gateway's reads with one conductor, then two (the second stopped again afterwards). */
async function scale(gw: string, uuids: string[]): Promise<void> {
  const script = join(import.meta.dirname, '..', 'test', 'support', 'stack.sh');
  const reads = scenarios(uuids).filter((s) =>
    [
      `GET /v1/nodes/{uuid}, ${uuids.length} nodes round robin`,
      'GET /v1/nodes?limit=50',
      'GET /v1/nodes/detail?limit=50',
    ].includes(s.name),
  );
  const one: Figure[] = [];
  for (const s of reads) one.push(await load(gw, s));
  execFileSync('bash', [script, 'start-second-conductor'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    // the second conductor registers, then consumes the shared topic; give it a heartbeat
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    console.log(
      `
Scale: a gateway's reads with one conductor, then two of the same release on the broker (IRONIC_GATEWAY_COALESCE_READS=false: every read a call); ${CONNECTIONS} connections, ${SECONDS}s each`,
    );
    console.log(
      `  ${'request'.padEnd(62)} ${'1 conductor'.padStart(12)} ${'2 conductors'.padStart(13)} ${'ratio'.padStart(7)}`,
    );
    for (const [i, s] of reads.entries()) {
      const two = await load(gw, s);
      const first = one[i] as Figure;
      console.log(
        `  ${s.name.padEnd(62)} ${first.rps.toFixed(0).padStart(12)} ${two.rps.toFixed(0).padStart(13)} ${`${(two.rps / first.rps).toFixed(2)}×`.padStart(7)}`,
      );
    }
  } finally {
    execFileSync('bash', [script, 'stop-second-conductor'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchCompare();
