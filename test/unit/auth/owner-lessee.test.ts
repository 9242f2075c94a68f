/**
 * Ironic 21.4's owner/lessee policy on a gateway pinned to 21.4, with JWT callers (the claims
 * carry project, roles and scope): a project sees the nodes it owns or leases and nothing else,
 * through lists (filtered by the conductor's list method), single gets (404), sub-resources,
 * ports, and field redaction; the policy file still overrides single rules.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { Policy } from '../../../src/http/auth/policy.ts';
import { IRONIC_21_4_RULES } from '../../../src/http/auth/policy-21.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { file } from './helpers.ts';

const SECRET = 'owner-lessee-test-secret-owner-lessee';
const OWNER = 'p-owner';
const LESSEE = 'p-lessee';
const OTHER = 'p-other';

const token = (claims: Record<string, unknown>) =>
  jwt.sign({ sub: 'u', ...claims }, SECRET, { algorithm: 'HS256', expiresIn: 300 });

function gateway(extra: Record<string, unknown> = {}) {
  return testGateway({
    routes: resourceRoutes,
    config: { pin_release_version: '21.4', auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET, ...extra },
  });
}

function seed(g: TestGateway) {
  const store = g.sim.store;
  const base = { driver: 'fake-hardware', provision_state: 'available', conductor_group: '' };
  const owned = store.createNode({ ...base, name: 'owned', owner: OWNER, last_error: 'boom', driver_info: { a: 1 } });
  const leased = store.createNode({ ...base, name: 'leased', owner: OWNER, lessee: LESSEE, last_error: 'boom' });
  const other = store.createNode({ ...base, name: 'other', owner: OTHER });
  const free = store.createNode({ ...base, name: 'free' });
  store.createPort({ node_id: owned.id, address: '52:54:00:00:00:01' });
  store.createPort({ node_id: leased.id, address: '52:54:00:00:00:02' });
  const otherPort = store.createPort({ node_id: other.id, address: '52:54:00:00:00:03' });
  return { owned, leased, other, free, otherPort };
}

async function get(g: TestGateway, url: string, auth: string) {
  return g.app.inject({ url, headers: { authorization: `Bearer ${auth}`, 'x-openstack-ironic-api-version': '1.82' } });
}

describe('owner and lessee (pinned 21.4, JWT)', () => {
  let g: TestGateway;
  let fx: ReturnType<typeof seed>;
  before(async () => {
    g = await gateway();
    fx = seed(g);
  });
  after(() => g.close());

  test('a project lists only the nodes it owns or leases; a system reader lists all', async () => {
    const names = async (t: string) =>
      ((await get(g, '/v1/nodes?fields=name', t)).json().nodes as Array<{ name: string }>).map((n) => n.name).sort();
    assert.deepEqual(await names(token({ project_id: OWNER, roles: ['reader'] })), ['leased', 'owned']);
    assert.deepEqual(await names(token({ project_id: LESSEE, roles: ['reader'] })), ['leased']);
    assert.deepEqual(await names(token({ project_id: 'nobody', roles: ['reader'] })), []);
    assert.deepEqual(await names(token({ roles: ['reader'], system_scope: 'all' })), [
      'free',
      'leased',
      'other',
      'owned',
    ]);
    // pages stay full: the filter is the list method's, not a cut of a page
    const page = await get(g, '/v1/nodes?limit=1', token({ project_id: LESSEE, roles: ['reader'] }));
    assert.equal(page.json().nodes.length, 1);
    // another project's nodes by filter: 403
    const res = await get(g, `/v1/nodes?project=${OTHER}`, token({ project_id: OWNER, roles: ['reader'] }));
    assert.equal(res.statusCode, 403);
  });

  test("another project's node, port and sub-resources are 404, never 403", async () => {
    // (a project admin passes every rule through 21.4's legacy fallback, rule:is_admin)
    const t = token({ project_id: OWNER, roles: ['member', 'reader'] });
    for (const url of [
      `/v1/nodes/${fx.other.uuid}`,
      '/v1/nodes/other',
      `/v1/nodes/${fx.other.uuid}/states`,
      `/v1/nodes/${fx.other.uuid}/ports`,
    ]) {
      const res = await get(g, url, t);
      assert.equal(res.statusCode, 404, `${url}: ${res.body}`);
      assert.match(res.body, /could not be found/);
    }
    const port = await get(g, `/v1/ports/${fx.otherPort.uuid}`, t);
    assert.equal(port.statusCode, 404, port.body);
    const ports = await get(g, '/v1/ports', t);
    assert.equal(ports.json().ports.length, 2);
    assert.equal((await get(g, `/v1/nodes/${fx.owned.uuid}`, t)).statusCode, 200);
    const admin = token({ project_id: OWNER, roles: ['admin'] });
    assert.equal((await get(g, `/v1/nodes/${fx.other.uuid}`, admin)).statusCode, 200, '21.4: legacy is_admin');
  });

  test("?shard= on ports shows a project its own nodes' ports only (21.4 leaks the others; fixed)", async () => {
    g.sim.store.updateNode(fx.owned, { shard: 's1' });
    g.sim.store.updateNode(fx.other, { shard: 's1' });
    const res = await get(g, '/v1/ports?shard=s1', token({ project_id: OWNER, roles: ['reader'] }));
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(
      res.json().ports.map((p: { address: string }) => p.address),
      ['52:54:00:00:00:01'],
    );
    const all = await get(g, '/v1/ports?shard=s1', token({ roles: ['reader'], system_scope: 'all' }));
    assert.equal(all.json().ports.length, 2);
  });

  test('a lessee sees redacted fields; the owner does not', async () => {
    const lessee = (
      await get(g, `/v1/nodes/${fx.leased.uuid}`, token({ project_id: LESSEE, roles: ['reader'] }))
    ).json();
    assert.match(lessee.last_error, /Redacted/);
    assert.match(lessee.driver_info.content, /Redacted/);
    const owner = (await get(g, `/v1/nodes/${fx.leased.uuid}`, token({ project_id: OWNER, roles: ['reader'] }))).json();
    assert.equal(owner.last_error, 'boom');
  });

  test('a lessee reader may see the node but not act on it (403 after the node is found)', async () => {
    const res = await g.app.inject({
      method: 'PUT',
      url: `/v1/nodes/${fx.leased.uuid}/states/power`,
      headers: {
        authorization: `Bearer ${token({ project_id: LESSEE, roles: ['reader'] })}`,
        'x-openstack-ironic-api-version': '1.82',
      },
      payload: { target: 'power on' },
    });
    assert.equal(res.statusCode, 403, res.body);
    assert.match(res.body, /baremetal:node:set_power_state/);
  });
});

describe('the policy file still overrides single rules (pinned 21.4)', () => {
  test('node:get opened to one project only', async () => {
    const path = file('policy-21.json', JSON.stringify({ 'baremetal:node:get': 'project_id:p-special' }));
    const g = await gateway({ policy_file: path });
    try {
      const fx = seed(g);
      const t = token({ project_id: 'p-special', roles: [] });
      assert.equal((await get(g, `/v1/nodes/${fx.other.uuid}`, t)).statusCode, 200);
      const owner = token({ project_id: OWNER, roles: ['reader'] });
      assert.equal((await get(g, `/v1/nodes/${fx.owned.uuid}`, owner)).statusCode, 404);
    } finally {
      await g.close();
    }
  });
});

describe('the 21.4 rule engine', () => {
  test('legacy rules are ORed unless enforce_new_defaults; scope enforced on request', () => {
    const admin = { user_id: 'u', project_id: OTHER, system_scope: null, roles: ['admin'], is_admin: false };
    const target = { ...admin, 'node.owner': OWNER };
    assert.equal(
      new Policy({}, 't', { defaults: IRONIC_21_4_RULES }).enforce('baremetal:node:get', admin, target),
      true,
    );
    const strict = new Policy({}, 't', { defaults: IRONIC_21_4_RULES, enforceNewDefaults: true, enforceScope: true });
    assert.equal(strict.enforce('baremetal:node:get', admin, target), false);
    assert.throws(() => strict.authorize('baremetal:chassis:get', admin), /requires a scope of \['system'\]/);
    // a target without the field fails the check; None compares as Python's str(None)
    const reader = { ...admin, roles: ['reader'], project_id: OWNER };
    assert.equal(strict.enforce('baremetal:node:get', reader, { ...reader }), false);
    assert.equal(strict.enforce('baremetal:node:get', reader, { ...reader, 'node.owner': OWNER }), true);
  });
});
