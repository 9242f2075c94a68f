import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp } from '../../../src/http/app.ts';
import { loadConfig } from '../../../src/config.ts';
import type { RouteDef } from '../../../src/http/route.ts';
import { ironicError } from '../../../src/conductor/exceptions.ts';
import { MessagingTimeout, RemoteError, TransportUnavailable } from '../../../src/rpc/errors.ts';
import { MINOR_28_VIFS_SUBCONTROLLER } from '../../../src/http/versions.ts';
import { MAX_VERSION_STRING } from '../../../src/http/microversion.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { lines, logger: pino({ level: 'info' }, stream) };
}

let failWith: unknown;
const testRoutes: RouteDef[] = [
  {
    method: 'POST',
    url: '/v1/echo',
    operationId: 'test1',
    policy: null,
    rpc: [],
    status: 201,
    summary: 'echo',
    schema: {
      body: {
        type: 'object',
        properties: { target: { type: 'string', enum: ['on', 'off'] } },
        required: ['target'],
        additionalProperties: false,
      },
    },
    handler: async (req) => req.body,
  },
  {
    method: 'GET',
    url: '/v1/fail',
    operationId: 'test2',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'fail',
    handler: async () => {
      throw failWith;
    },
  },
  {
    method: 'DELETE',
    url: '/v1/thing',
    operationId: 'test3',
    policy: null,
    rpc: [],
    status: 204,
    summary: 'delete',
    handler: async () => null,
  },
  {
    method: 'GET',
    url: '/v1/gated',
    operationId: 'test4',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'gated',
    minVersion: MINOR_28_VIFS_SUBCONTROLLER,
    handler: async (req) => ({ v: req.apiVersion }),
  },
];

/** The Queens tests run pinned to 10.1 (1.38); the unpinned and pinned maxima are tested below. */
async function app(logger = capture().logger, pin: string | null = '10.1') {
  const pinned = pin === null ? {} : { pin_release_version: pin };
  return buildApp(loadConfig({ env: {}, overrides: { body_limit: 2048, ...pinned } }), {
    routes: testRoutes,
    logger,
  });
}

const inner = (body: string) => JSON.parse(JSON.parse(body).error_message);

test('GET / lists v1 with min 1.1 and max 1.38', async () => {
  const a = await app();
  const r = await a.inject({ url: '/' });
  assert.equal(r.statusCode, 200);
  const b = r.json();
  assert.equal(b.default_version.id, 'v1');
  assert.equal(b.default_version.min_version, '1.1');
  assert.equal(b.default_version.version, '1.38');
  assert.equal(b.versions.length, 1);
  assert.match(b.default_version.links[0].href, /\/v1\/$/);
});

test('GET /v1 has resource links, media types and version headers; 1.1 by default', async () => {
  const a = await app();
  const r = await a.inject({ url: '/v1' });
  assert.equal(r.statusCode, 200);
  assert.equal(r.headers['x-openstack-ironic-api-version'], '1.1');
  assert.equal(r.headers['x-openstack-ironic-api-minimum-version'], '1.1');
  assert.equal(r.headers['x-openstack-ironic-api-maximum-version'], '1.38');
  assert.match(String(r.headers.vary), /X-OpenStack-Ironic-API-Version/);
  const b = r.json();
  assert.deepEqual(
    b.nodes,
    [
      { href: 'http://localhost:80/v1/nodes/', rel: 'self' },
      { href: 'http://localhost:80/nodes/', rel: 'bookmark' },
    ],
    'as ironic-api builds them, with a trailing slash',
  );
  assert.equal(b.media_types[0].type, 'application/vnd.openstack.ironic.v1+json');
  assert.equal(b.portgroups, undefined, 'portgroups appear only from 1.23');
  const latest = await a.inject({ url: '/v1', headers: { 'x-openstack-ironic-api-version': 'latest' } });
  assert.equal(latest.headers['x-openstack-ironic-api-version'], '1.38');
  assert.ok(latest.json().portgroups && latest.json().volume && latest.json().lookup);
});

for (const [pin, max] of [
  [null, MAX_VERSION_STRING],
  ['21.4', '1.82'],
  ['antelope', '1.82'],
  ['2023.1', '1.82'],
  ['11.1', '1.46'],
  ['10.1', '1.38'],
] as const) {
  test(`pin_release_version ${pin ?? 'unset'} announces ${max} in the root document, the headers and latest`, async () => {
    const a = await app(undefined, pin);
    assert.equal((await a.inject({ url: '/' })).json().default_version.version, max);
    const latest = await a.inject({ url: '/v1', headers: { 'x-openstack-ironic-api-version': 'latest' } });
    assert.equal(latest.headers['x-openstack-ironic-api-version'], max);
    assert.equal(latest.headers['x-openstack-ironic-api-maximum-version'], max);
    const above = await a.inject({
      url: '/v1',
      headers: { 'x-openstack-ironic-api-version': `1.${Number(max.split('.')[1]) + 1}` },
    });
    assert.equal(above.statusCode, 406);
    assert.match(inner(above.body).faultstring, new RegExp(`\\[1\\.1, ${max.replace('.', '\\.')}\\]`));
  });
}

test('OpenStack-API-Version: baremetal X.Y is honoured', async () => {
  const a = await app();
  const r = await a.inject({ url: '/v1', headers: { 'openstack-api-version': 'compute 2.1, baremetal 1.30' } });
  assert.equal(r.headers['x-openstack-ironic-api-version'], '1.30');
});

for (const bad of ['1.99', '2.1', '1.0', 'abc', '1.', '1.2.3']) {
  test(`version ${bad} → 406 in Ironic's error body`, async () => {
    const a = await app();
    const r = await a.inject({ url: '/v1', headers: { 'x-openstack-ironic-api-version': bad } });
    assert.equal(r.statusCode, 406);
    const e = inner(r.body);
    assert.equal(e.faultcode, 'Client');
    assert.match(e.faultstring, /1\.1, 1\.38|MAJOR\.MINOR/);
    assert.equal(r.headers['x-openstack-ironic-api-maximum-version'], '1.38');
  });
}

test('a route below its microversion is 404; at it, served', async () => {
  const a = await app();
  assert.equal(
    (await a.inject({ url: '/v1/gated', headers: { 'x-openstack-ironic-api-version': '1.27' } })).statusCode,
    404,
  );
  const ok = await a.inject({ url: '/v1/gated', headers: { 'x-openstack-ironic-api-version': '1.28' } });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json().v, { major: 1, minor: 28 });
});

test('unknown route 404, wrong method 405 with Allow, both in Ironic format', async () => {
  const a = await app();
  const nf = await a.inject({ url: '/v1/nope' });
  assert.equal(nf.statusCode, 404);
  assert.equal(inner(nf.body).faultcode, 'Client');
  const na = await a.inject({ method: 'DELETE', url: '/v1/echo' });
  assert.equal(na.statusCode, 405);
  assert.equal(na.headers.allow, 'POST');
  assert.match(inner(na.body).faultstring, /not allowed/);
});

test('schema violation 400, unsupported media type 415, body too large 413', async () => {
  const a = await app();
  const v = await a.inject({ method: 'POST', url: '/v1/echo', payload: { target: 'sideways' } });
  assert.equal(v.statusCode, 400);
  assert.match(inner(v.body).faultstring, /target/);
  const extra = await a.inject({ method: 'POST', url: '/v1/echo', payload: { target: 'on', x: 1 } });
  assert.equal(extra.statusCode, 400);
  const t = await a.inject({
    method: 'POST',
    url: '/v1/echo',
    payload: 'target=on',
    headers: { 'content-type': 'text/plain' },
  });
  assert.equal(t.statusCode, 415);
  assert.ok(inner(t.body).faultstring);
  const big = await a.inject({
    method: 'POST',
    url: '/v1/echo',
    payload: JSON.stringify({ target: 'on', pad: 'x'.repeat(4096) }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(big.statusCode, 413);
  const junk = await a.inject({
    method: 'POST',
    url: '/v1/echo',
    payload: '{"target":',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(junk.statusCode, 400);
  const ok = await a.inject({ method: 'POST', url: '/v1/echo', payload: { target: 'on' } });
  assert.equal(ok.statusCode, 201);
});

test('a request without a body is served whatever Content-Type it declares (ironicclient sends application/octet-stream or application/json)', async () => {
  const a = await app();
  const empty = await a.inject({
    method: 'DELETE',
    url: '/v1/thing',
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(empty.statusCode, 204);
  const json = await a.inject({ method: 'DELETE', url: '/v1/thing', headers: { 'content-type': 'application/json' } });
  assert.equal(json.statusCode, 204);
  const body = await a.inject({
    method: 'DELETE',
    url: '/v1/thing',
    payload: 'x',
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(body.statusCode, 415);
  assert.ok(inner(body.body).faultstring);
});

test('conductor exceptions map through the table; timeouts 504 and outages 503 with Retry-After', async () => {
  const a = await app();
  const cases: Array<[unknown, number, string | undefined]> = [
    [ironicError('NodeLocked', 'Node n1 is locked by host c1'), 409, undefined],
    [ironicError('NodeNotFound', 'Node x could not be found.'), 404, undefined],
    [
      ironicError(
        'NoFreeConductorWorker',
        'Requested action cannot be performed due to lack of free conductor workers.',
      ),
      503,
      '5',
    ],
    [ironicError('InvalidStateRequested', 'bad'), 400, undefined],
    [new MessagingTimeout('Timed out waiting for a reply'), 504, '5'],
    [new TransportUnavailable('connection lost'), 503, '5'],
  ];
  for (const [err, status, retry] of cases) {
    failWith = err;
    const r = await a.inject({ url: '/v1/fail' });
    assert.equal(r.statusCode, status, String(err));
    assert.equal(r.headers['retry-after'], retry);
    assert.equal(inner(r.body).faultcode, status >= 500 ? 'Server' : 'Client');
  }
});

test('an unknown remote exception is 500, logged with its traceback, never sent', async () => {
  const { lines, logger } = capture();
  const a = await app(logger);
  failWith = new RemoteError('OperationalError', '(sqlite3.OperationalError) SECRET-SQL', {}, 'sqlalchemy.exc', [
    'Traceback (most recent call last):',
    'SECRET-FRAME',
  ]);
  const r = await a.inject({ url: '/v1/fail' });
  assert.equal(r.statusCode, 500);
  assert.doesNotMatch(r.body, /SECRET-FRAME|Traceback|SECRET-SQL/);
  assert.match(inner(r.body).faultstring, /OperationalError/);
  assert.ok(
    lines.some((l) => JSON.stringify(l).includes('SECRET-FRAME')),
    'traceback logged',
  );
});

test('an unexpected error is 500 without a stack', async () => {
  const a = await app();
  failWith = new Error('boom at /secret/path.ts:12');
  const r = await a.inject({ url: '/v1/fail' });
  assert.equal(r.statusCode, 500);
  assert.doesNotMatch(r.body, /secret|boom|at /);
  assert.equal(inner(r.body).faultcode, 'Server');
});

test('request ids: a valid incoming id is kept, otherwise a new req-<uuid>; logs carry it', async () => {
  const { lines, logger } = capture();
  const a = await app(logger);
  const id = 'req-0b6f2c7e-3f0a-4a7e-9c55-2f1b2d3c4e5f';
  const kept = await a.inject({ url: '/v1', headers: { 'x-openstack-request-id': id } });
  assert.equal(kept.headers['x-openstack-request-id'], id);
  assert.equal(kept.headers['openstack-request-id'], id);
  // one access line per request at info, as ironic-api's WSGI log: what, from whom, how it ended
  const mine = lines.filter((l) => l.request_id === id);
  assert.deepEqual(
    mine.map((l) => l.msg),
    ['request completed'],
  );
  const access = mine[0] as {
    req?: { method?: string; url?: string; host?: string; remoteAddress?: string };
    res?: { statusCode?: number };
    responseTime?: number;
  };
  assert.equal(access.req?.method, 'GET');
  assert.equal(access.req?.url, '/v1');
  assert.equal(access.req?.host, 'localhost:80');
  assert.equal(access.req?.remoteAddress, '127.0.0.1', "the client, as Fastify's request serializer writes it");
  assert.equal(access.res?.statusCode, 200);
  assert.equal(typeof access.responseTime, 'number');
  const fresh = await a.inject({ url: '/v1', headers: { 'x-openstack-request-id': 'not-valid' } });
  assert.match(String(fresh.headers['x-openstack-request-id']), /^req-[0-9a-f-]{36}$/);
  assert.notEqual(fresh.headers['x-openstack-request-id'], 'not-valid');
});

test('health and metrics endpoints answer; metrics count requests by route and status', async () => {
  const a = await app();
  const h = await a.inject({ url: '/healthz' });
  assert.equal(h.statusCode, 200);
  assert.equal(h.json().status, 'ok');
  await a.inject({ url: '/v1/nope' });
  await a.inject({ url: '/v1' });
  const m = await a.inject({ url: '/metrics' });
  assert.equal(m.statusCode, 200);
  assert.match(m.body, /ironic_gateway_http_requests_total\{method="GET",route="\/v1",status="200"\} 1/);
  assert.match(m.body, /ironic_gateway_http_requests_total\{method="GET",route="unmatched",status="404"\} 1/);
});

test('health reports 503 with Retry-After when the transport is down', async () => {
  const a = await buildApp(loadConfig({ env: {} }), {
    logger: capture().logger,
    health: { transportConnected: () => false, transportName: () => 'rabbit://127.0.0.1:5672' },
  });
  const h = await a.inject({ url: '/healthz' });
  assert.equal(h.statusCode, 503);
  assert.equal(h.headers['retry-after'], '5');
  assert.equal(h.json().transport_connected, false);
});

test('with CORS on, an unknown path is still 404 (the preflight catch-all is not a method list)', async () => {
  const { authPlugins } = await import('../../../src/http/auth/index.ts');
  const config = loadConfig({ env: {}, overrides: { cors_allowed_origins: 'https://dash.example.com' } });
  const a = await buildApp(config, { logger: capture().logger, plugins: authPlugins(config), routes: testRoutes });
  const r = await a.inject({ url: '/v1/nope' });
  assert.equal(r.statusCode, 404);
  const m = await a.inject({ method: 'DELETE', url: '/v1/echo' });
  assert.equal(m.statusCode, 405);
  assert.equal(m.headers.allow, 'POST');
});

test('an app built without a conductor answers 503 with Retry-After, not 500', async () => {
  const route: RouteDef = {
    method: 'GET',
    url: '/v1/needs-conductor',
    operationId: 'test5',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'calls the conductor',
    handler: async (req) => req.server.conductor.get_driver_properties(req.ctx, 'fake-hardware', 'topic'),
  };
  const a = await buildApp(loadConfig({ env: {} }), { routes: [route], logger: capture().logger });
  const r = await a.inject({ method: 'GET', url: '/v1/needs-conductor' });
  assert.equal(r.statusCode, 503);
  assert.equal(r.headers['retry-after'], '5');
  assert.match(inner(r.body).faultstring, /no conductor RPC client is configured/);
  await a.close();
});
