/**
 * Fuzz: requests drawn from openapi/openapi.json (test/support/fuzz-requests.ts), valid and
 * hostile, sent over HTTP to a gateway process serving the embedded simulator, plus hostile
 * bytes no well-behaved client sends. Whatever comes in: no answer ≥ 500 but a 503/504 with
 * Retry-After and a reason; every error in Ironic's format; every answer with a request id;
 * no request left hanging; the process alive, serving, its memory bounded, nothing logged at
 * error level; and every answer to a documented operation as the document describes it
 * (test/support/openapi-check.ts: status, body, headers). Seeded and bounded: FUZZ_SEED, FUZZ_REQUESTS (default 6000), FUZZ_CONCURRENCY.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { Fuzz, loadOperations, prng, type Operation } from '../../support/fuzz-requests.ts';
import { startGatewayProcess, type GatewayProcess } from '../../support/gateway-process.ts';
import { exchange, parseAnswers, type RawAnswer } from '../../support/raw-http.ts';
import { jsonBody, openApiCheck } from '../../support/openapi-check.ts';
import { TOO_DEEP_39, TOO_LARGE_39, rawFaultBody } from '../../../src/http/json-depth.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 6000);
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 8);
/** Resident memory the gateway may reach by the end (it starts near 100 MiB). */
const RSS_LIMIT = 384 * 1024 * 1024;
/** No answer may take longer than the gateway's RPC timeout (10 s here) and a margin for a busy machine. */
const ANSWER_LIMIT_MS = 40_000;
const BODY_LIMIT = 1024 * 1024;

let gw: GatewayProcess;
before(async () => {
  gw = await startGatewayProcess(
    {
      IRONIC_GATEWAY_SIMULATOR_NODES: '12',
      IRONIC_GATEWAY_SIMULATOR_ACTION_DELAY_MS: '20',
      IRONIC_GATEWAY_RPC_RESPONSE_TIMEOUT: '10',
      IRONIC_GATEWAY_BODY_LIMIT: String(BODY_LIMIT),
      // the raw exchanges that leave their connection open end sooner
      IRONIC_GATEWAY_HTTP_KEEP_ALIVE_TIMEOUT: '2',
      ...(process.env.FUZZ_DEBUG ? { IRONIC_GATEWAY_LOG_LEVEL: 'debug' } : {}),
    },
    // FUZZ_DEBUG: the gateway's refusals and client errors too, printed at the end
    { keep: (l) => process.env.FUZZ_DEBUG !== undefined && /client error|request refused/.test(l) },
  );
});
after(() => gw?.stop());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/**
 * Sends one request. A kept-alive socket the gateway closed as idle (its 2 s keep-alive here)
 * just as the request went out on it fails with ECONNRESET before the gateway read anything:
 * that request is sent again, once, on a new socket, as Node's documentation advises
 * (`request.reusedSocket`). It happens when this process is busy for seconds (the contract
 * checker compiles a schema on its first use) while other sockets sit idle.
 */
async function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  try {
    return await sendOnce(method, path, headers, body);
  } catch (err) {
    if (!(err instanceof StaleSocket)) throw err;
    return sendOnce(method, path, headers, body);
  }
}

class StaleSocket extends Error {}

function sendOnce(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  // Node's client sends a DELETE's body without a length unless told: the server would read it as the next request
  if (body !== undefined) headers = { ...headers, 'content-length': String(Buffer.byteLength(body)) };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ agent, host: '127.0.0.1', port: gw.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', reject);
    });
    req.setTimeout(ANSWER_LIMIT_MS, () => req.destroy(new Error(`no answer within ${ANSWER_LIMIT_MS / 1000} s`)));
    req.on('error', (err: NodeJS.ErrnoException) =>
      reject(req.reusedSocket && err.code === 'ECONNRESET' ? new StaleSocket(err.message) : err),
    );
    req.end(body);
  });
}

/** What is wrong with an answer, or null: the properties every answer must have. */
function defect(a: Pick<Answer, 'status' | 'headers' | 'body'>, head: boolean): string | null {
  const id = a.headers['x-openstack-request-id'];
  if (typeof id !== 'string' || !/^req-[0-9a-f-]{36}$/.test(id)) return 'no request id';
  if (a.status >= 500 && a.status !== 503 && a.status !== 504) return `status ${a.status}`;
  if (a.status >= 500 && !a.headers['retry-after']) return `${a.status} without Retry-After`;
  if (a.status < 400 || head) return null;
  // issue 15: 39.0's JSON limits middleware answers before the API with a raw body
  // (json-depth.ts), the only errors not wrapped in error_message
  if (
    (a.status === 400 && a.body === rawFaultBody(TOO_DEEP_39)) ||
    (a.status === 413 && a.body === rawFaultBody(TOO_LARGE_39))
  )
    return null;
  try {
    const outer = JSON.parse(a.body) as { error_message?: unknown };
    const inner = JSON.parse(String(outer.error_message)) as {
      faultstring?: unknown;
      faultcode?: unknown;
      code?: unknown;
      title?: unknown;
    };
    // webob's 404 of a node sub-resource below its microversion has an empty description, as
    // ironic-api's router answers (api-utils/subresources.ts webobError): its title is the reason
    const webob = inner.code === a.status && typeof inner.title === 'string' && inner.title !== '';
    if (typeof inner.faultstring !== 'string' || (inner.faultstring === '' && !webob))
      return 'an error without a reason';
    if (inner.faultcode !== (a.status < 500 ? 'Client' : 'Server')) return `faultcode ${String(inner.faultcode)}`;
  } catch {
    return "an error body not in Ironic's format";
  }
  return null;
}

/** Creates what the requests' idents name: ports, portgroups, chassis, volume connectors and targets. */
async function seedIdents(): Promise<Record<string, string[]>> {
  const h = { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.38' };
  const post = async (path: string, body: unknown) => {
    const r = await send('POST', path, h, JSON.stringify(body));
    assert.equal(r.status, 201, `${path}: ${r.body}`);
    return JSON.parse(r.body) as Record<string, string>;
  };
  const nodes = (JSON.parse((await send('GET', '/v1/nodes', h)).body) as { nodes: Array<Record<string, string>> })
    .nodes;
  const node = nodes[0]!;
  const chassis = await post('/v1/chassis', { description: 'fuzz' });
  const pg = await post('/v1/portgroups', { node_uuid: node.uuid, address: '52:54:00:00:01:01', name: 'fuzz-pg' });
  const port = await post('/v1/ports', { node_uuid: node.uuid, address: '52:54:00:00:01:02' });
  const vc = await post('/v1/volume/connectors', { node_uuid: node.uuid, type: 'iqn', connector_id: 'iqn.fuzz' });
  const vt = await post('/v1/volume/targets', {
    node_uuid: node.uuid,
    volume_type: 'iscsi',
    volume_id: 'vol-fuzz',
    boot_index: 0,
  });
  return {
    node_ident: nodes.flatMap((n) => [n.uuid!, n.name!]),
    port_uuid: [port.uuid!],
    portgroup_ident: [pg.uuid!, pg.name!],
    chassis_uuid: [chassis.uuid!],
    connector_uuid: [vc.uuid!],
    target_uuid: [vt.uuid!],
    driver_name: ['fake-hardware', 'fake-hardware', 'ipmi', 'constructor'],
    method: [
      'driver_method_sync',
      'third_method_sync',
      'attach_method',
      'driver_method_attach',
      'constructor',
      '__proto__',
    ],
    trait: ['CUSTOM_FUZZ', 'HW_CPU_X86_AVX2', 'custom_lower', 'CUSTOM_'.padEnd(300, 'X')],
    vif_id: ['vif-1', 'd8e0b8a2-8d5d-4a4c-bc9c-2b1e7c5d0a11'],
  };
}

/** One request of the sequence: a function of the seed and its index only. */
function requestAt(ops: Operation[], idents: Record<string, string[]>, i: number) {
  const f = new Fuzz(prng((SEED ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0), idents);
  const op = f.pick(ops);
  const method =
    op.method === 'GET' && f.chance(0.05) ? 'HEAD' : f.chance(0.02) ? f.pick(['OPTIONS', 'PUT', 'DELETE']) : op.method;
  const path = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => f.pathValue(name)) + f.query(op);
  const hasBody = method !== 'GET' && method !== 'HEAD' && (op.body !== null || f.chance(0.2)) && f.chance(0.92);
  const headers = f.headers(hasBody);
  const body = hasBody ? f.body(op) : undefined;
  return { op, method, path, headers, body };
}

test(`fuzz: ${REQUESTS} requests from the OpenAPI document, no 5xx, errors in Ironic's format, the process intact`, {
  timeout: 600_000,
}, async (t) => {
  const ops = loadOperations(new URL('../../../openapi/openapi.json', import.meta.url));
  assert.ok(ops.length > 90, 'the document lists the operations');
  const idents = await seedIdents();
  const rssStart = gw.rss();
  const started = Date.now();
  const statuses = new Map<number, number>();
  const okOps = new Set<string>();
  const defects: string[] = [];
  const contract = openApiCheck();
  const disagreements: string[] = [];
  let outside = 0;
  let resets = 0;
  let slowest = 0;
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const r = requestAt(ops, idents, i);
      const what = `#${i} ${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers)} ${(r.body ?? '').slice(0, 200)}`;
      const t0 = Date.now();
      let a: Answer;
      try {
        a = await send(r.method, r.path, r.headers, r.body);
      } catch (err) {
        // a body over the limit is answered 413 and the connection closed while it is still being sent
        if (r.body !== undefined && Buffer.byteLength(r.body) > BODY_LIMIT) {
          resets++;
          continue;
        }
        defects.push(`${what} → ${(err as Error).message}`);
        continue;
      }
      slowest = Math.max(slowest, Date.now() - t0);
      statuses.set(a.status, (statuses.get(a.status) ?? 0) + 1);
      if (a.status < 300) okOps.add(`${r.op.method} ${r.op.path}`);
      if (r.method !== 'HEAD') {
        const problems = contract.problems({
          method: r.method,
          path: r.path,
          status: a.status,
          body: jsonBody(a.body),
          headers: a.headers,
          version: r.headers['x-openstack-ironic-api-version'],
        });
        // a method or path the document does not have (405, 404 of a mangled path) is no operation's answer
        if (problems.some((p) => p.includes('no operation of the document matches'))) outside++;
        else disagreements.push(...problems);
      }
      const d = defect(a, r.method === 'HEAD');
      if (d) defects.push(`${what} → ${a.status} ${d}: ${a.body.slice(0, 300)}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - started) / 1000;

  const raw = await hostileBytes();
  const rssEnd = gw.rss();
  const health = await send('GET', '/healthz', {});
  agent.destroy();

  const byStatus = [...statuses]
    .sort(([a], [b]) => a - b)
    .map(([s, n]) => `${s}:${n}`)
    .join(' ');
  t.diagnostic(
    `${REQUESTS} requests in ${seconds.toFixed(1)} s (${(REQUESTS / seconds).toFixed(0)}/s, ${CONCURRENCY} at a time, seed ${SEED}); ` +
      `slowest ${slowest} ms; statuses ${byStatus}; ${resets} oversized bodies cut off; ` +
      `${okOps.size}/${ops.length} operations answered 2xx at least once; ` +
      `${contract.count - outside} answers checked against the document (${outside} to requests outside it); ${raw.sent} raw exchanges (${raw.silent} closed without an answer); ` +
      `RSS ${(rssStart / 2 ** 20).toFixed(0)} → ${(rssEnd / 2 ** 20).toFixed(0)} MiB`,
  );
  assert.deepEqual(
    [...defects, ...raw.defects].slice(0, 10),
    [],
    `${defects.length + raw.defects.length} defective answers`,
  );
  assert.deepEqual(
    disagreements.slice(0, 10),
    [],
    `${disagreements.length} answers disagree with openapi/openapi.json`,
  );
  assert.equal(gw.alive(), true, 'the gateway process is alive');
  assert.equal(health.status, 200, `/healthz after the fuzz: ${health.body}`);
  assert.ok(rssEnd < RSS_LIMIT, `resident memory ${rssEnd} bytes, above ${RSS_LIMIT}`);
  assert.deepEqual(gw.errors.filter((l) => /"level":(5|6)\d/.test(l)).slice(0, 5), [], 'nothing logged at error level');
  assert.ok(okOps.size >= ops.length / 3, `the fuzz reached the conductor on ${okOps.size} operations only`);
});

/** Bytes no well-behaved client sends; each on its own connection. */
const HOSTILE: Array<[string, boolean?]> = [
  ['GET /v1/nodes/%ZZ HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['GET /v1/nodes/%C0%AF?limit=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['GET /v1/nodes/\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['GET /v1/nodes/a b HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['GET http://evil.example/v1/nodes HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['CONNECT evil.example:443 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['BREW /v1 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['get /v1 HTTP/1.1\r\nHost: x\r\n\r\n'],
  ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'],
  ['GET /v1 HTTP/1.0\r\n\r\n'],
  ['GET /v1 HTTP/9.9\r\nHost: x\r\n\r\n'],
  ['GET /v1 HTTP/1.1\r\nHost: x\r\nNo-Colon\r\n\r\n'],
  ['GET /v1 HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n'],
  ['GET /v1 HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n'],
  [`GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
  [`GET /v1 HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n`],
  [
    'POST /v1/nodes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v1 HTTP/1.1\r\n\r\n',
  ],
  ['POST /v1/nodes HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n{}{}{}'],
  ['POST /v1/nodes HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n'],
  [
    'POST /v1/nodes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n',
  ],
  ['POST /v1/nodes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n'],
  [
    'POST /v1/nodes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}',
  ],
  ['POST /v1/nodes HTTP/1.1\r\nHost: x\r\nExpect: fancy\r\nContent-Length: 2\r\n\r\n{}'],
  ['HEAD /v1/nodes/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', true],
  [
    'GET /v1 HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nodes/nope HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  ],
];

async function hostileBytes(): Promise<{ sent: number; silent: number; defects: string[] }> {
  const defects: string[] = [];
  let silent = 0;
  // all at once: those that leave their connection open wait for the keep-alive timeout
  const exchanges = await Promise.all(
    HOSTILE.map(([bytes]) => exchange(gw.port, Buffer.from(bytes, 'latin1'), 20_000)),
  );
  exchanges.forEach(({ text, timedOut }, i) => {
    const [bytes, head] = HOSTILE[i]!;
    const what = JSON.stringify(bytes.slice(0, 80));
    if (text === '') {
      if (timedOut) defects.push(`${what} → no answer and the connection still open after 20 s`);
      else silent++;
      return;
    }
    let answers: RawAnswer[];
    try {
      answers = parseAnswers(text, head === true);
    } catch (err) {
      defects.push(`${what} → ${(err as Error).message}`);
      return;
    }
    for (const a of answers) {
      const d = defect(a, head === true);
      if (d) defects.push(`${what} → ${a.status} ${d}: ${a.body.slice(0, 200)}`);
    }
  });
  return { sent: HOSTILE.length, silent, defects };
}
