/**
 * Ironic 39.0's policy on the unpinned gateway (it answers as Ironic 39.0), with JWT callers:
 * scope and new defaults enforced by default, the rules 39.0 added checked against the object
 * (parent_node, disable_power_off, firmware, vmedia, children, runbooks), the settings and the
 * policy file still winning; and which rules each pin gets. Ironic's own 39.0 matrices run in
 * test/chroot/rbac-matrix-39.test.ts (they need the sid chroot).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import jwt from 'jsonwebtoken';
import { loadConfig, type Config } from '../../../src/config.ts';
import { loadPolicy } from '../../../src/http/auth/index.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { file } from './helpers.ts';

const SECRET = 'policy-39-test-secret-policy-39-test';
const OWNER = 'p-owner';
const LESSEE = 'p-lessee';
const OTHER = 'p-other';

const token = (claims: Record<string, unknown>) =>
  jwt.sign({ sub: 'u', ...claims }, SECRET, { algorithm: 'HS256', expiresIn: 300 });
/** Keystone lists implied roles: an admin is also member and reader, a manager member and reader. */
const ADMIN = ['admin', 'manager', 'member', 'reader'];
const MEMBER = ['member', 'reader'];
const systemAdmin = token({ roles: ADMIN, system_scope: 'all' });
const systemMember = token({ roles: MEMBER, system_scope: 'all' });
const ownerReader = token({ project_id: OWNER, roles: ['reader'] });
const ownerMember = token({ project_id: OWNER, roles: MEMBER });
const otherAdmin = token({ project_id: OTHER, roles: ADMIN });

function gateway(extra: Partial<Config> = {}) {
  return testGateway({
    routes: resourceRoutes,
    config: {
      pin_release_version: undefined,
      auth_strategy: 'jwt',
      jwt_algorithm: 'HS256',
      jwt_secret: SECRET,
      ...extra,
    },
  });
}

function seed(g: TestGateway) {
  const store = g.sim.store;
  const base = { driver: 'fake-hardware', provision_state: 'available', power_state: 'power off', conductor_group: '' };
  const owned = store.createNode({ ...base, name: 'owned', owner: OWNER });
  const leased = store.createNode({ ...base, name: 'leased', owner: OWNER, lessee: LESSEE });
  const other = store.createNode({ ...base, name: 'other', owner: OTHER });
  store.createNode({ ...base, name: 'child-unowned', parent_node: owned.uuid });
  store.createNode({ ...base, name: 'child-owned', parent_node: owned.uuid, owner: OWNER });
  const rb = (name: string, owner: string | null) =>
    store.createRunbook({
      name,
      owner,
      public: false,
      disable_ramdisk: false,
      extra: {},
      steps: [{ interface: 'raid', step: 'create_configuration', args: {}, order: 1 }],
    });
  rb('CUSTOM_OWNED', OWNER);
  rb('CUSTOM_OTHER', OTHER);
  return { owned, leased, other };
}

async function call(g: TestGateway, method: string, url: string, auth: string, body?: unknown) {
  return g.app.inject({
    method: method as 'GET',
    url,
    headers: {
      authorization: `Bearer ${auth}`,
      'x-openstack-ironic-api-version': '1.115',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

const fault = (body: string): string => JSON.parse(JSON.parse(body).error_message as string).faultstring as string;

describe("the unpinned gateway: Ironic 39.0's policy (JWT)", () => {
  let g: TestGateway;
  let fx: ReturnType<typeof seed>;
  before(async () => {
    g = await gateway();
    fx = seed(g);
  });
  after(() => g.close());

  test('a project sees only its nodes; an admin role of another project is no cloud admin', async () => {
    const names = async (t: string) =>
      ((await call(g, 'GET', '/v1/nodes?fields=name', t)).json().nodes as Array<{ name: string }>)
        .map((n) => n.name)
        .sort();
    assert.deepEqual(await names(ownerReader), ['leased', 'owned']);
    assert.deepEqual(await names(otherAdmin), ['other']);
    assert.deepEqual(await names(systemMember), ['leased', 'other', 'owned']);
    assert.equal((await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}`, otherAdmin)).statusCode, 404);
    assert.equal((await call(g, 'DELETE', `/v1/nodes/${fx.owned.uuid}`, otherAdmin)).statusCode, 404);
  });

  test('roles without a scope pass nothing; a scope a rule does not list is a 500 (InvalidScope)', async () => {
    const unscoped = token({ roles: ADMIN });
    assert.equal((await call(g, 'GET', '/v1/nodes', unscoped)).statusCode, 403);
    assert.equal((await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}`, unscoped)).statusCode, 404);
    const chassis = await call(g, 'GET', '/v1/chassis', ownerReader);
    assert.equal(chassis.statusCode, 500);
    assert.match(
      fault(chassis.body),
      /baremetal:chassis:get requires a scope of \['system'\], request was made with project scope/,
    );
    const domain = token({ domain_id: 'd1', roles: ADMIN });
    assert.equal((await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}`, domain)).statusCode, 500);
    assert.equal((await call(g, 'GET', '/v1/nodes', domain)).statusCode, 500);
  });

  test('PATCH /parent_node and /disable_power_off check their own rules (system member, system admin)', async () => {
    const parent = [{ op: 'replace', path: '/parent_node', value: fx.leased.uuid }];
    const r1 = await call(g, 'PATCH', `/v1/nodes/${fx.owned.uuid}`, ownerMember, parent);
    assert.equal(r1.statusCode, 403);
    assert.equal(fault(r1.body), 'Access was denied to the following resource: baremetal:node:update:parent_node');
    const off = [{ op: 'replace', path: '/disable_power_off', value: true }];
    const r2 = await call(g, 'PATCH', `/v1/nodes/${fx.owned.uuid}`, systemMember, off);
    assert.equal(r2.statusCode, 403);
    assert.match(fault(r2.body), /baremetal:node:update:disable_power_off$/);
    const r3 = await call(g, 'PATCH', `/v1/nodes/${fx.owned.uuid}`, systemAdmin, off);
    assert.equal(r3.statusCode, 200, r3.body);
    assert.equal(r3.json().disable_power_off, true);
    // maintenance by PATCH is set_maintenance (a lessee member may not; the owner's member may)
    const maint = [{ op: 'replace', path: '/maintenance', value: true }];
    const lesseeMember = token({ project_id: LESSEE, roles: MEMBER });
    const r4 = await call(g, 'PATCH', `/v1/nodes/${fx.leased.uuid}`, lesseeMember, maint);
    assert.equal(r4.statusCode, 403);
    assert.match(fault(r4.body), /baremetal:node:set_maintenance$/);
    assert.equal((await call(g, 'PATCH', `/v1/nodes/${fx.leased.uuid}`, ownerMember, maint)).statusCode, 200);
  });

  test('a parent the caller cannot see is refused in the same words as a missing one', async () => {
    const admin = token({ project_id: OWNER, roles: ADMIN });
    const create = async (parent: string) =>
      call(g, 'POST', '/v1/nodes', admin, { driver: 'fake-hardware', parent_node: parent });
    const hidden = await create(fx.other.uuid);
    assert.equal(hidden.statusCode, 400);
    assert.equal(
      fault(hidden.body),
      `Unable to apply the requested parent_node '${fx.other.uuid}'. Requested value was invalid.`,
    );
    const missing = '11111111-2222-3333-4444-555555555555';
    assert.equal(
      fault((await create(missing)).body),
      `Unable to apply the requested parent_node '${missing}'. Requested value was invalid.`,
    );
    // the project admin's own node (self-owned: its owner is the project's, as the parent's)
    const mine = await create(fx.owned.uuid);
    assert.equal(mine.statusCode, 201, mine.body);
    assert.equal(mine.json().owner, OWNER);
    assert.equal(mine.json().parent_node, fx.owned.uuid);
  });

  test("children, firmware and virtual media are the node's: 404 for another project", async () => {
    const kids = await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}/children`, ownerReader);
    assert.equal(kids.statusCode, 200, kids.body);
    const byUuid = new Map([...g.sim.store.nodes.rows.values()].map((n) => [n.uuid, n.name]));
    const names = (kids.json().children as string[]).map((u) => byUuid.get(u));
    assert.ok(names.includes('child-owned'), String(names));
    assert.ok(!names.includes('child-unowned'), String(names));
    const all = await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}/children`, systemMember);
    assert.equal(all.json().children.length >= 2, true);
    for (const sub of ['children', 'firmware', 'vmedia']) {
      const r = await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}/${sub}`, otherAdmin);
      assert.equal(r.statusCode, 404, `${sub}: ${r.body}`);
    }
    assert.equal((await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}/firmware`, ownerReader)).statusCode, 200);
    const vm = await call(g, 'POST', `/v1/nodes/${fx.owned.uuid}/vmedia`, ownerReader, {
      device_type: 'cdrom',
      image_url: 'http://example.com/x.iso',
    });
    assert.equal(vm.statusCode, 403);
    assert.match(fault(vm.body), /baremetal:node:vmedia:attach$/);
  });

  test("runbooks are their owner's: its readers read, its managers change, others get 403", async () => {
    const ownerManager = token({ project_id: OWNER, roles: ['manager', 'member', 'reader'] });
    assert.equal((await call(g, 'GET', '/v1/runbooks/CUSTOM_OWNED', ownerReader)).statusCode, 200);
    assert.equal((await call(g, 'GET', '/v1/runbooks/CUSTOM_OTHER', ownerReader)).statusCode, 403);
    const patch = [{ op: 'add', path: '/extra/a', value: 1 }];
    assert.equal((await call(g, 'PATCH', '/v1/runbooks/CUSTOM_OWNED', ownerMember, patch)).statusCode, 403);
    assert.equal((await call(g, 'PATCH', '/v1/runbooks/CUSTOM_OWNED', ownerManager, patch)).statusCode, 200);
    assert.equal((await call(g, 'PATCH', '/v1/runbooks/CUSTOM_OTHER', ownerManager, patch)).statusCode, 403);
    assert.equal((await call(g, 'PATCH', '/v1/runbooks/CUSTOM_OTHER', systemMember, patch)).statusCode, 200);
    const listed = (await call(g, 'GET', '/v1/runbooks', ownerReader)).json().runbooks as Array<{ name: string }>;
    assert.deepEqual(
      listed.map((r) => r.name),
      ['CUSTOM_OWNED'],
    );
  });

  test('inspection rules are for system readers and admins', async () => {
    assert.equal((await call(g, 'GET', '/v1/inspection_rules', systemMember)).statusCode, 200);
    assert.equal((await call(g, 'GET', '/v1/inspection_rules', otherAdmin)).statusCode, 403);
  });
});

describe('the settings and the policy file still win over 39.0’s defaults', () => {
  test('policy_enforce_scope=false: a project token on a system rule is refused by its check (403), not 500', async () => {
    const g = await gateway({ policy_enforce_scope: false });
    try {
      assert.equal((await call(g, 'GET', '/v1/chassis', ownerReader)).statusCode, 403);
    } finally {
      await g.close();
    }
  });

  test('policy_enforce_new_defaults=false: the legacy rules count again (a project admin is an admin)', async () => {
    const g = await gateway({ policy_enforce_new_defaults: false, policy_enforce_scope: false });
    try {
      const fx = seed(g);
      assert.equal((await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}`, otherAdmin)).statusCode, 200);
    } finally {
      await g.close();
    }
  });

  test('a policy file overrides single rules', async () => {
    const policy_file = file('policy-39.json', JSON.stringify({ 'baremetal:node:get': 'role:reader' }));
    const g = await gateway({ policy_file });
    try {
      const fx = seed(g);
      assert.equal((await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}`, otherAdmin)).statusCode, 200);
      // the node is visible now, so a rule it fails is a 403 (get_states keeps its owner/lessee check)
      assert.equal((await call(g, 'GET', `/v1/nodes/${fx.owned.uuid}/states`, otherAdmin)).statusCode, 403);
    } finally {
      await g.close();
    }
  });
});

describe('which rules each pin gets', () => {
  const policyOf = (overrides: Partial<Config>) => loadPolicy(loadConfig({ env: {}, overrides }));
  test('unpinned and 39.0: 39.0’s rules, scope and new defaults enforced unless set', () => {
    for (const pin of [undefined, '39.0', '2026.2']) {
      const p = policyOf({ pin_release_version: pin });
      assert.deepEqual(
        [p.release, p.enforceScope, p.enforceNewDefaults, p.targetAware],
        ['39.0', true, true, true],
        pin,
      );
    }
    const relaxed = policyOf({ policy_enforce_scope: false, policy_enforce_new_defaults: false });
    assert.deepEqual([relaxed.enforceScope, relaxed.enforceNewDefaults], [false, false]);
  });
  test('21.4 up to before 39.0: 21.4’s rules, neither enforced unless set; below 21.4: role-only', () => {
    for (const pin of ['21.4', 'antelope', '35.0']) {
      const p = policyOf({ pin_release_version: pin });
      assert.deepEqual(
        [p.release, p.enforceScope, p.enforceNewDefaults, p.targetAware],
        ['21.4', false, false, true],
        pin,
      );
    }
    const strict = policyOf({
      pin_release_version: '21.4',
      policy_enforce_scope: true,
      policy_enforce_new_defaults: true,
    });
    assert.deepEqual([strict.enforceScope, strict.enforceNewDefaults], [true, true]);
    const old = policyOf({ pin_release_version: '10.1' });
    assert.deepEqual([old.release, old.targetAware], [null, false]);
  });
});
