/**
 * Every ConductorAPI method — RPC methods, the indirection API and the routing/capability
 * helpers — must be reachable from a REST route: some registered route names it in `rpc`.
 * The map (method → routes) is printed as the test's diagnostic output.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONDUCTOR_API_HELPERS, CONDUCTOR_API_METHODS, ConductorAPI } from '../../../src/conductor/api.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';

const label = (r: { method: string | string[]; url: string }) =>
  `${Array.isArray(r.method) ? r.method.join('|') : r.method} ${r.url}`;

function reachedBy(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const r of resourceRoutes) {
    for (const m of r.rpc) {
      if (!map.has(m)) map.set(m, []);
      map.get(m)!.push(label(r));
    }
  }
  return map;
}

test('every ConductorAPI method and helper is named by a registered route', (t) => {
  const map = reachedBy();
  const all = [...CONDUCTOR_API_METHODS, ...CONDUCTOR_API_HELPERS];
  for (const m of all)
    t.diagnostic(
      `${m} ← ${(map.get(m) ?? ['(none)']).slice(0, 3).join('; ')}${(map.get(m)?.length ?? 0) > 3 ? ' …' : ''}`,
    );
  const missing = all.filter((m) => !map.has(m));
  assert.deepEqual(missing, [], `ConductorAPI methods no route reaches: ${missing.join(', ')}`);
});

test("every name in a route's rpc list is a ConductorAPI method", () => {
  const known = new Set<string>([...CONDUCTOR_API_METHODS, ...CONDUCTOR_API_HELPERS]);
  for (const name of Object.getOwnPropertyNames(ConductorAPI.prototype))
    assert.ok(
      name === 'constructor' || name === 'call' || name === 'listConductors' || known.has(name),
      `ConductorAPI.${name} is in neither list`,
    );
  const unknown = resourceRoutes.flatMap((r) => r.rpc.filter((m) => !known.has(m)).map((m) => `${label(r)}: ${m}`));
  assert.deepEqual(unknown, []);
});

test('continue_node_clean, a cast, is reached through the heartbeat route (the conductor casts it after a clean step)', () => {
  assert.deepEqual(reachedBy().get('continue_node_clean'), ['POST /v1/heartbeat/:node_ident']);
});
