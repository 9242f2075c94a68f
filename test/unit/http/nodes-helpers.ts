/** Shared helpers of the node route tests: requests at a microversion, error bodies, waiting. */
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';

export interface Call {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  version?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export async function call(app: FastifyInstance, url: string, opts: Call = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.version) headers['x-openstack-ironic-api-version'] = opts.version;
  return app.inject({
    method: opts.method ?? 'GET',
    url,
    headers,
    ...(opts.body !== undefined ? { payload: opts.body as object } : {}),
  });
}

/** The faultstring of an Ironic error body. */
export function fault(r: LightMyRequestResponse): string {
  const outer = r.json() as { error_message: string };
  return (JSON.parse(outer.error_message) as { faultstring: string }).faultstring;
}

export function expectError(r: LightMyRequestResponse, status: number, match?: RegExp): void {
  assert.equal(r.statusCode, status, `expected ${status}, got ${r.statusCode}: ${r.body}`);
  if (match) assert.match(fault(r), match);
}

/** Creates a node at 1.38 (named, fake-hardware) and returns its body. */
export async function createNode(
  app: FastifyInstance,
  extra: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const r = await call(app, '/v1/nodes', {
    method: 'POST',
    version: '1.38',
    body: { driver: 'fake-hardware', ...extra },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

/** Polls the node until `pred` holds (provision actions run in the background). */
export async function waitFor(
  app: FastifyInstance,
  ident: string,
  pred: (n: Record<string, any>) => boolean,
  timeoutMs = 5000,
): Promise<Record<string, any>> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await call(app, `/v1/nodes/${ident}`, { version: '1.38' });
    const n = r.json();
    if (pred(n)) return n;
    if (Date.now() > until) assert.fail(`node ${ident} never reached the state: ${JSON.stringify(n)}`);
    await new Promise((res) => setTimeout(res, 10));
  }
}

/** Runs a provision target and waits until no transition is pending. */
export async function provision(
  app: FastifyInstance,
  ident: string,
  target: string,
  body: Record<string, unknown> = {},
): Promise<Record<string, any>> {
  const r = await call(app, `/v1/nodes/${ident}/states/provision`, {
    method: 'PUT',
    version: '1.38',
    body: { target, ...body },
  });
  assert.equal(r.statusCode, 202, r.body);
  return waitFor(app, ident, (n) => n.target_provision_state === null && n.reservation === null);
}
