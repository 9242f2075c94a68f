/**
 * Regression tests of issue 18: deep JSON is a 400 at a documented depth, never a 500 from a
 * recursive walker; the answers Fastify and Node would write themselves (bad URL, long
 * parameter, Expect, parser errors, oversized headers) are in Ironic's error format with a
 * request id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { MAX_JSON_DEPTH, nestsDeeperThan } from '../../../src/http/json-depth.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { freePort } from '../../support/free-port.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError, fault } from './nodes-helpers.ts';

let g: TestGateway;
let port: number;
before(async () => {
  g = await testGateway({ routes: resourceRoutes });
  port = await freePort();
  await g.app.listen({ host: '127.0.0.1', port });
});
after(() => g.close());

/** A value nested `levels` deep: [[[…{"leaf":1}…]]] (`levels` counts every array and object). */
const nested = (levels: number): unknown => {
  let v: unknown = { leaf: 1 };
  for (let i = 1; i < levels; i++) v = [v];
  return v;
};

test('nestsDeeperThan counts arrays and objects, not brackets inside strings', () => {
  assert.equal(nestsDeeperThan('{"a":[1,{"b":[]}]}', 4), false);
  assert.equal(nestsDeeperThan('{"a":[1,{"b":[]}]}', 3), true);
  assert.equal(nestsDeeperThan(JSON.stringify({ s: '[[[[[{{{{{', t: 'x\\"[[[[' }), 1), false);
  assert.equal(nestsDeeperThan('"\\\\"[[', 1), true, 'an escaped backslash ends before the closing quote');
  assert.equal(nestsDeeperThan(JSON.stringify(nested(MAX_JSON_DEPTH))), false);
  assert.equal(nestsDeeperThan(JSON.stringify(nested(MAX_JSON_DEPTH + 1))), true);
});

test("deep JSON on any write route is a 400 in Ironic's format, not a 500 (the issue's 10,000 levels)", async () => {
  const node = await createNode(g.app, { name: 'deep-1' });
  const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const deepIn = (key: string) => `{${JSON.stringify(key)}:${deep}}`;
  const cases: Array<['POST' | 'PUT' | 'PATCH', string, string]> = [
    ['POST', '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_sync', deep],
    ['POST', '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_sync', deepIn('arg')],
    ['POST', `/v1/nodes/${node.uuid}/vendor_passthru?method=third_method_sync`, deepIn('bar')],
    ['POST', '/v1/nodes', `{"driver":"fake-hardware","extra":{"a":${deep}}}`],
    ['POST', '/v1/nodes', `{"driver":"fake-hardware","driver_info":${deep}}`],
    ['POST', '/v1/nodes', `{"driver":"fake-hardware","properties":${deep}}`],
    ['PATCH', `/v1/nodes/${node.uuid}`, `[{"op":"add","path":"/extra/x","value":${deep}}]`],
    ['PUT', `/v1/nodes/${node.uuid}/states/raid`, `{"logical_disks":${deep}}`],
    ['POST', '/v1/ports', `{"node_uuid":"${node.uuid}","address":"52:54:00:00:00:01","extra":${deep}}`],
  ];
  for (const [method, url, payload] of cases) {
    const r = await g.app.inject({
      method,
      url,
      payload,
      headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.38' },
    });
    expectError(r, 400, new RegExp(`more than ${MAX_JSON_DEPTH} levels deep`));
    assert.match(String(r.headers['x-openstack-request-id']), /^req-/);
  }
});

test('JSON exactly at the depth limit goes through every walker: create, patch, passthru, RAID', async () => {
  // the body object is one level: a value at MAX - 1 levels inside it makes the body MAX deep
  const atLimit = nested(MAX_JSON_DEPTH - 1);
  const created = await call(g.app, '/v1/nodes', {
    method: 'POST',
    version: '1.38',
    body: { driver: 'fake-hardware', name: 'deep-2', extra: { a: nested(MAX_JSON_DEPTH - 2) } },
  });
  assert.equal(created.statusCode, 201, created.body);
  assert.deepEqual(created.json().extra, { a: nested(MAX_JSON_DEPTH - 2) });
  // a patch document is an array of objects: two levels before the value
  const patched = await call(g.app, '/v1/nodes/deep-2', {
    method: 'PATCH',
    version: '1.38',
    body: [{ op: 'add', path: '/extra/b', value: nested(MAX_JSON_DEPTH - 2) }],
  });
  assert.equal(patched.statusCode, 200, patched.body);
  const failed = await call(g.app, '/v1/nodes/deep-2', {
    method: 'PATCH',
    version: '1.38',
    body: [{ op: 'replace', path: '/extra/nope/c', value: nested(MAX_JSON_DEPTH - 2) }],
  });
  expectError(failed, 400, /Couldn't apply patch/);
  const echoed = await call(g.app, '/v1/drivers/fake-hardware/vendor_passthru?method=driver_method_sync', {
    method: 'POST',
    version: '1.38',
    body: { arg: nested(MAX_JSON_DEPTH - 1) },
  });
  assert.equal(echoed.statusCode, 200, echoed.body);
  assert.deepEqual(echoed.json().echo.arg, nested(MAX_JSON_DEPTH - 1));
  const raid = await call(g.app, '/v1/nodes/deep-2/states/raid', {
    method: 'PUT',
    version: '1.38',
    body: { logical_disks: atLimit },
  });
  assert.ok(raid.statusCode >= 400 && raid.statusCode < 500, `${raid.statusCode} ${raid.body}`);
});

/** Sends raw bytes on a new connection and reads until the server closes it. */
function raw(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      out += d;
    });
    socket.on('error', (err) => (out ? resolve(out) : reject(err)));
    socket.on('close', () => resolve(out));
    socket.write(bytes);
  });
}

/** Status, headers (lower-cased) and Ironic faultstring of a raw HTTP/1.1 answer. */
function parseAnswer(text: string): { status: number; headers: Record<string, string>; faultstring: string } {
  const [head, body = ''] = text.split('\r\n\r\n', 2) as [string, string?];
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const outer = JSON.parse(body) as { error_message: string };
  const inner = JSON.parse(outer.error_message) as { faultstring: string; faultcode: string };
  assert.equal(inner.faultcode, 'Client');
  return { status: Number(statusLine!.split(' ')[1]), headers, faultstring: inner.faultstring };
}

test("the router's own refusals are in Ironic's format with a request id (bad URL, long ident)", async () => {
  for (const path of ['/v1/nodes/%ZZ', '/v1/nodes/%', '/v1/nodes/%C0%AF', '/v1/ports/%E0%A4%A']) {
    const a = parseAnswer(await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    assert.equal(a.status, 400, path);
    assert.match(a.faultstring, /^Invalid URL: the path .* is not valid percent-encoded UTF-8\.$/);
    assert.match(a.headers['x-openstack-request-id'] ?? '', /^req-[0-9a-f-]{36}$/);
  }
  // a long ident reaches its route, which refuses it as ironic-api does
  const long = 'a'.repeat(600);
  const r = await g.app.inject({ url: `/v1/nodes/${long}`, headers: { 'x-openstack-ironic-api-version': '1.38' } });
  expectError(r, 400, new RegExp(`^Expected a logical name or UUID but received ${long}\\.$`));
  assert.match(String(r.headers['x-openstack-request-id']), /^req-/);
  const p = await g.app.inject({ url: `/v1/ports/${long}` });
  assert.equal(p.statusCode, 400, p.body);
  assert.match(fault(p), /Expected a (logical name or )?UUID/);
});

test("Node's own refusals are in Ironic's format with a request id (Expect, parser errors, CONNECT, 431)", async () => {
  const expect = parseAnswer(
    await raw('POST /v1/nodes HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\nContent-Length: 0\r\n\r\n'),
  );
  assert.equal(expect.status, 417);
  assert.match(expect.faultstring, /^Expectation failed/);
  assert.match(expect.headers['x-openstack-request-id'] ?? '', /^req-/);
  // an incoming valid request id is kept, as on every other answer
  const id = 'req-0b7c6c1e-8f59-4a1e-9b8f-3c8f2f0c9d11';
  const kept = parseAnswer(
    await raw(`GET /v1 HTTP/1.1\r\nHost: x\r\nExpect: nope\r\nX-Openstack-Request-Id: ${id}\r\n\r\n`),
  );
  assert.equal(kept.headers['x-openstack-request-id'], id);

  for (const [bytes, status] of [
    ['GET /v1 HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', 400],
    ['BLAH\r\n\r\n', 400],
    ['CONNECT evil.example:443 HTTP/1.1\r\nHost: x\r\n\r\n', 405],
    ['GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    [`GET /v1 HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
    [`GET /v1/nodes/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 431],
  ] as const) {
    const a = parseAnswer(await raw(bytes));
    assert.equal(a.status, status, bytes.slice(0, 60));
    assert.match(a.headers['x-openstack-request-id'] ?? '', /^req-/);
    assert.equal(a.headers.connection, 'close');
  }
});
