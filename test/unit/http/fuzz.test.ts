/**
 * Fuzz: every route of the route table, against the simulator, with random path values, query
 * strings, bodies and version headers. Whatever comes in, the answer is never a 500 and every
 * error is in Ironic's format. Seeded, so a failure is reproducible (FUZZ_SEED, FUZZ_ROUNDS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HTTPMethods } from 'fastify';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway } from '../../support/app.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 20261126);
const ROUNDS = Number(process.env.FUZZ_ROUNDS ?? 6);

/** mulberry32: a small deterministic PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('random input on every route never gets a 500, and errors are in Ironic format', {
  timeout: 240_000,
}, async () => {
  const gw = await testGateway({ routes: resourceRoutes, nodes: 3 });
  const rnd = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  try {
    const list = await gw.app.inject({ url: '/v1/nodes', headers: { 'x-openstack-ironic-api-version': 'latest' } });
    const node = (list.json() as { nodes: Array<{ uuid: string; name: string }> }).nodes[0]!;

    const strings = [
      '',
      ' ',
      'x',
      '1',
      '-1',
      '0',
      'true',
      'null',
      'latest',
      '%00',
      '../..',
      '\u00e9\u{1f600}',
      'a'.repeat(300),
      node.uuid,
      node.name,
      'fake-hardware',
      'CUSTOM_X',
      'power on',
      'active',
      'pxe',
      '00:11:22:33:44:55',
      'deadbeef-0000-0000-0000-000000000000',
      '{"a":1}',
      '[1,2]',
    ];
    const scalar = (): unknown =>
      pick<() => unknown>([
        () => pick(strings),
        () => Math.floor(rnd() * 1e6) - 5e5,
        () => rnd(),
        () => null,
        () => true,
        () => false,
        () => -0,
        () => 1e308,
      ])();
    const value = (depth = 0): unknown => {
      const r = rnd();
      if (depth > 2 || r < 0.55) return scalar();
      if (r < 0.75) return Array.from({ length: Math.floor(rnd() * 4) }, () => value(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rnd() * 4); i > 0; i--)
        o[
          pick([
            'target',
            'timeout',
            'op',
            'path',
            'value',
            'traits',
            'id',
            'boot_device',
            'persistent',
            'enabled',
            'name',
            'driver',
            'extra',
            'node_uuid',
            'address',
            'clean_steps',
            'rescue_password',
            'configdrive',
            'logical_disks',
            'callback_url',
            'x',
          ])
        ] = value(depth + 1);
      return o;
    };
    const patchBody = (): unknown =>
      Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => ({
        op: pick(['add', 'replace', 'remove', 'move', 'test', 'bogus']),
        path: pick([
          '/extra/a',
          '/name',
          '/driver',
          '/uuid',
          '/properties',
          '/',
          '',
          '/instance_info/x',
          '/traits',
          '/maintenance',
          '/extra/~1x',
          '/a/b/c',
        ]),
        ...(rnd() < 0.8 ? { value: value(1) } : {}),
      }));

    const seen = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const route of resourceRoutes) {
        const methods = (Array.isArray(route.method) ? route.method : [route.method]) as HTTPMethods[];
        for (const method of methods) {
          const url = route.url.replace(/:(\w+)/g, (_m, p: string) =>
            encodeURIComponent(p === 'node_ident' && rnd() < 0.6 ? pick([node.uuid, node.name]) : String(scalar())),
          );
          const query = new URLSearchParams();
          for (let i = Math.floor(rnd() * 3); i > 0; i--) {
            query.append(
              pick([
                'limit',
                'marker',
                'sort_key',
                'sort_dir',
                'fields',
                'detail',
                'method',
                'maintenance',
                'associated',
                'provision_state',
                'driver',
                'node',
                'address',
                'type',
                'reason',
                'addresses',
                'node_uuid',
                'x',
              ]),
              String(scalar()),
            );
          }
          const headers: Record<string, string> = {
            'x-openstack-ironic-api-version': pick(['latest', '1.1', '1.22', '1.28', '1.37', '1.38', '1.99', 'x', '']),
          };
          let payload: string | undefined;
          if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE' && rnd() < 0.9) {
            headers['content-type'] = 'application/json';
            payload =
              rnd() < 0.05
                ? '{"truncated":'
                : JSON.stringify(method === 'PATCH' && rnd() < 0.7 ? patchBody() : value());
          }
          const qs = query.toString();
          const r = await gw.app.inject({ method, url: qs ? `${url}?${qs}` : url, headers, payload });
          const key = `${method} ${route.url} → ${r.statusCode}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
          assert.notEqual(r.statusCode, 500, `${method} ${url}?${qs} ${payload ?? ''} → 500 ${r.body}`);
          if (r.statusCode >= 400) {
            const body = r.json() as { error_message?: unknown };
            assert.equal(
              typeof body.error_message,
              'string',
              `${method} ${url} → ${r.statusCode} without Ironic's error body: ${r.body}`,
            );
            assert.equal(typeof JSON.parse(body.error_message as string).faultstring, 'string');
          }
        }
      }
    }
    assert.ok(seen.size > resourceRoutes.length, 'the fuzz reached the routes with several outcomes');
    const ok = [...seen].filter(([k]) => / → 2\d\d$/.test(k)).reduce((n, [, c]) => n + c, 0);
    assert.ok(ok >= 10, `some random requests got through to the conductor (${ok} 2xx)`);
  } finally {
    await gw.close();
  }
});
