/**
 * The runner of Ironic's own RBAC matrices (issue 16): the YAML files that ship with an installed
 * Ironic (ironic/tests/unit/api/; never copied here), each case sent with the identity its headers
 * describe (the tests-only trusted-header identity: X-Roles, X-Project-Id, OpenStack-System-Scope …,
 * as keystonemiddleware would have set them), on the simulator loaded with the fixtures that
 * release's test_acl.py creates, and every conductor topic failing with TemporaryFailure (503) as
 * test_acl.py mocks get_topic_for and get_random_topic.
 *
 * Used by test/unit/http/rbac-matrix.test.ts (21.4, the host's python3-ironic, gateway pinned to
 * 21.4) and test/chroot/rbac-matrix-39.test.ts (39.0, the sid chroot, gateway unpinned).
 * Prints `N passed, M failed, K skipped` per file, each skip with its reason; fails when a
 * non-skipped case fails or when skips reach 5% of a file. RBAC_CASE=substring runs matching
 * cases only; RBAC_VERBOSE=1 prints each failure.
 */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { ironicError } from '../../src/conductor/exceptions.ts';
import type { Config } from '../../src/config.ts';
import { resourceRoutes } from '../../src/http/routes/index.ts';
import type { Store } from '../../src/simulator/store.ts';
import { testGateway, type TestGateway } from './app.ts';

const SECRET = 'rbac-matrix-secret-rbac-matrix-secret';

export interface Case {
  path: string;
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  assert_status?: number;
  assert_list_length?: Record<string, number>;
  assert_dict_contains?: Record<string, unknown>;
  skip_reason?: string;
  deprecated?: boolean;
  self_manage_nodes?: boolean;
  enable_service_project?: boolean;
  service_project?: string;
}

export type Fixture = (store: Store) => Record<string, unknown>;

/** db_utils' default uuids (21.4): a port's, a volume target's and a volume connector's. */
const DEFAULT_UUID = '1be26c0b-03f2-4d2e-ae87-c02d7f33c781';
const PORTGROUP_UUID = '6eb02b44-18a3-4659-8c0b-8d2802581ae4';

/** db_utils.get_test_node's values that matter to the matrices (its default uuid too). */
const nodeDefaults = (over: Record<string, unknown>) => ({
  uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123',
  driver: 'fake-hardware',
  provision_state: 'available',
  power_state: 'power off',
  driver_info: { foo: 'bar', fake_password: 'fakepass' },
  driver_internal_info: { private_state: 'secret value' },
  instance_info: { foo: 'bar' },
  properties: { cpu_arch: 'x86_64', cpus: '8', local_gb: '10', memory_mb: '4096' },
  extra: {},
  conductor_group: '',
  ...over,
});

const history = (store: Store, nodeId: number) =>
  store.history.insert({
    node_id: nodeId,
    conductor: 'test-conductor',
    user: 'fake-user',
    event: 'Something is wrong',
    event_type: 'provisioning',
    severity: 'ERROR',
  });
const inventory = (store: Store, nodeId: number) => {
  const data = { inventory: { cpu: 'amd' }, plugin_data: { disks: [{ name: '/dev/vda' }] } };
  store.inventories.insert({ node_id: nodeId, inventory_data: data.inventory, plugin_data: data.plugin_data });
  return data;
};

/** TestRBACBasic._create_test_data */
export const basicFixture: Fixture = (store) => ({ node_uuid: store.createNode(nodeDefaults({})).uuid });

/** TestRBACModelBeforeScopesBase._create_test_data (the legacy and system-scoped files) */
export const systemFixture: Fixture = (store) => {
  const node = store.createNode(nodeDefaults({ driver: 'fake-driverz', owner: 'z' }));
  const alloced = store.createNode(
    nodeDefaults({ uuid: '22e26c0b-03f2-4d2e-ae87-c02d7f33c000', driver: 'fake-driverz', owner: 'z' }),
  );
  const allocation = store.allocations.insert({
    resource_class: 'CUSTOM_TEST',
    state: 'allocating',
    node_id: alloced.id,
    name: 'fake-allocation',
  });
  const vif = 'ee21d58f-5de2-4956-85ff-33935ea1ca00';
  const port = store.createPort({
    node_id: node.id,
    address: '52:54:00:cf:2d:31',
    internal_info: { tenant_vif_port_id: vif },
  });
  const pg = store.createPortgroup({
    uuid: '6eb02b44-18a3-4659-8c0b-8d2802581ae4',
    node_id: node.id,
    address: '52:54:00:cf:2d:32',
    name: 'fooname',
  });
  const chassis = store.createChassis({
    uuid: 'e74c40e0-d825-11e2-a28f-0800200c9a66',
    description: 'data-center-1-chassis',
    extra: {},
  });
  const template = store.createDeployTemplate({
    name: 'CUSTOM_DT1',
    steps: [{ interface: 'raid', step: 'create_configuration', args: {}, priority: 10 }],
    extra: {},
  });
  // create_test_conductor: a conductor row without hardware types (no driver is served)
  store.registerConductor('test-conductor', []);
  const target = store.saveTarget(null, {
    node_id: node.id,
    volume_type: 'iscsi',
    properties: {},
    boot_index: 0,
    volume_id: '12345678',
  });
  const connector = store.saveConnector(null, {
    node_id: node.id,
    type: 'iqn',
    connector_id: 'iqn.2012-06.com.example:initiator',
  });
  store.biosSettings.insert({ node_id: node.id, name: 'FAKE_SETTING', value: 'FAKE_SETTING' });
  node.traits = [{ trait: 'trait', created_at: new Date(), updated_at: null }];
  const h = history(store, node.id);
  const inv = inventory(store, node.id);
  store.createNode(nodeDefaults({ uuid: '18a552fb-dcd2-43bf-9302-e4c93287be11' }));
  return {
    node_ident: node.uuid,
    allocated_node_ident: alloced.uuid,
    port_ident: port.uuid,
    portgroup_ident: pg.uuid,
    chassis_ident: chassis.uuid,
    deploy_template_ident: template.uuid,
    allocation_ident: allocation.uuid,
    conductor_ident: 'test-conductor',
    vif_ident: vif,
    driver_name: 'fake-driverz',
    bios_setting: 'FAKE_SETTING',
    trait: 'trait',
    volume_target_ident: target.uuid,
    volume_connector_ident: connector.uuid,
    history_ident: h.uuid,
    node_inventory: inv,
  };
};

const OWNER = '70e5e25a-2ca2-4cb1-8ae8-7d8739cee205';
const LESSEE = 'f11853c7-fa9c-4db3-a477-c9d8e0dbbf13';

/** TestRBACProjectScoped._create_test_data */
export const projectFixture: Fixture = (store) => {
  const unowned = store.createNode(nodeDefaults({}));
  const owned = store.createNode(
    nodeDefaults({
      uuid: '1ab63b9e-66d7-4cd7-8618-dddd0f9f7881',
      owner: OWNER,
      last_error: 'meow',
      reservation: 'lolcats',
    }),
  );
  const ownedPort = store.createPort({
    uuid: 'ebe30f19-358d-41e1-8d28-fd7357a0164c',
    node_id: owned.id,
    address: '00:00:00:00:00:01',
  });
  store.createPort({ uuid: '21a3c5a7-1e14-44dc-a9dd-0c84d5477a57', node_id: owned.id, address: '00:00:00:00:00:02' });
  const ownerPg = store.createPortgroup({
    uuid: 'b16efcf3-2990-41a1-bc1d-5e2c16f3d5fc',
    node_id: owned.id,
    name: 'magicfoo',
    address: '01:03:09:ff:01:01',
  });
  store.saveTarget(null, {
    uuid: 'a265e2f0-e97f-4177-b1c0-8298add53086',
    node_id: owned.id,
    volume_type: 'iscsi',
    properties: {},
    boot_index: 0,
    volume_id: '12345678',
  });
  store.saveConnector(null, {
    uuid: '65ea0296-219b-4635-b0c8-a6e055da878d',
    node_id: owned.id,
    type: 'iqn',
    connector_id: 'iqn.2012-06.org.openstack.magic',
  });
  const ownerAllocation = store.allocations.insert({
    node_id: owned.id,
    owner: OWNER,
    resource_class: 'CUSTOM_TEST',
    state: 'allocating',
    name: 'fake-allocation',
  });
  const ownedHistory = history(store, owned.id);
  const ownedInventory = inventory(store, owned.id);
  const leased = store.createNode(
    nodeDefaults({
      uuid: '38d5abed-c585-4fce-a57e-a2ffc2a2ec6f',
      owner: OWNER,
      lessee: LESSEE,
      last_error: 'meow',
      reservation: 'lolcats',
    }),
  );
  const target = store.saveTarget(null, {
    node_id: leased.id,
    volume_type: 'iscsi',
    properties: {},
    boot_index: 0,
    volume_id: '12345678',
  });
  const connector = store.saveConnector(null, {
    node_id: leased.id,
    type: 'iqn',
    connector_id: 'iqn.2012-06.com.example:initiator',
  });
  const leasedPort = store.createPort({ uuid: DEFAULT_UUID, node_id: leased.id, address: '52:54:00:cf:2d:31' });
  const leasedPg = store.createPortgroup({
    uuid: PORTGROUP_UUID,
    node_id: leased.id,
    address: '52:54:00:cf:2d:32',
    name: 'fooname',
  });
  const leasedAllocation = store.allocations.insert({
    owner: LESSEE,
    resource_class: 'CUSTOM_LEASED',
    state: 'allocating',
    node_id: leased.id,
    name: 'fake-allocation-2',
  });
  const leasedHistory = history(store, leased.id);
  const leasedInventory = inventory(store, leased.id);
  const other = store.createNode(nodeDefaults({ uuid: '573208e5-cd41-4e26-8f06-ef44022b3793' }));
  const otherPort = store.createPort({
    node_id: other.id,
    uuid: 'abfd8dbb-1732-449a-b760-2224035c6b99',
    address: '00:00:00:00:00:ff',
  });
  const otherPg = store.createPortgroup({
    uuid: '5810f41c-6585-41fc-b9c9-a94f50d421b5',
    node_id: other.id,
    name: 'corgis_rule_the_world',
    address: 'ff:ff:ff:ff:ff:0f',
  });
  return {
    node_ident: unowned.uuid,
    owner_node_ident: owned.uuid,
    lessee_node_ident: leased.uuid,
    allocated_node_ident: leased.uuid,
    volume_target_ident: target.uuid,
    volume_connector_ident: connector.uuid,
    lessee_port_ident: leasedPort.uuid,
    lessee_portgroup_ident: leasedPg.uuid,
    trait: 'CUSTOM_MEOW',
    vif_ident: '0e21d58f-5de2-4956-85ff-33935ea1ca01',
    ind_component: 'component',
    ind_ident: 'magic_light',
    owner_port_ident: ownedPort.uuid,
    other_port_ident: otherPort.uuid,
    owner_portgroup_ident: ownerPg.uuid,
    other_portgroup_ident: otherPg.uuid,
    driver_name: 'fake-driverz',
    owner_allocation: ownerAllocation.uuid,
    lessee_allocation: leasedAllocation.uuid,
    owned_history_ident: ownedHistory.uuid,
    lessee_history_ident: leasedHistory.uuid,
    owned_inventory: ownedInventory,
    leased_inventory: leasedInventory,
  };
};

export interface MatrixFile {
  file: string;
  fixture: Fixture;
  /** the oslo_policy settings test_acl.py's class sets */
  policy: Partial<Config>;
  /** what the run is called when a file runs twice (TestRBACScoped's canary) */
  label?: string;
  /**
   * TestRBACScoped: scope and new defaults enforced over the legacy file, where a `deprecated`
   * case passes with any of 403, 404, 500 (and a deprecated list must then be empty)
   */
  canary?: boolean;
}

/** Python's str.format with the fixture's values (`{node_ident}`). */
function format(text: string, data: Record<string, unknown>): string {
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in data ? String(data[k]) : m));
}

/** A request the gateway does not serve as ironic-api does, with the reason (the case is skipped). */
export interface Gap {
  method: string;
  path: RegExp;
  /** only the cases expecting this status */
  status?: number;
  reason: string;
}

/** Which release's matrices run, and how the gateway serves them. */
export interface MatrixRelease {
  /** the installed Ironic's ironic/tests/unit/api directory */
  dir: string;
  /** the gateway's pin_release_version (undefined: unpinned, the newest) */
  pin: string | undefined;
  /** the microversion each case asks for (test_acl.py: the release's max_version_string) */
  apiVersion: string;
  gaps: readonly Gap[];
}

/** Requests a 21.4-pinned gateway does not serve as ironic-api 21.4 does. */
export const GAPS_21_4: Gap[] = [
  {
    method: 'delete',
    path: /^\/v1\/deploy_templates\//,
    status: 204,
    reason:
      'a 21.4 conductor offers no way to delete a deploy template (DeployTemplate.destroy cannot be called through object_action): the gateway answers 501',
  },
];

/** Why the gateway cannot run a case (null: it can). */
function skipReason(c: Case, gaps: readonly Gap[]): string | null {
  if (c.skip_reason) return `upstream: ${c.skip_reason}`;
  if (c.assert_status === undefined) return 'the case asserts no status';
  const gap = gaps.find(
    (g) =>
      g.method === (c.method ?? 'get') &&
      g.path.test(c.path) &&
      (g.status === undefined || g.status === c.assert_status),
  );
  if (gap) return gap.reason;
  return null;
}

const TABLES = [
  'Runbook',
  'Node',
  'Port',
  'Portgroup',
  'Chassis',
  'VolumeConnector',
  'VolumeTarget',
  'BIOSSetting',
  'NodeHistory',
  'NodeInventory',
  'Allocation',
  'DeployTemplate',
];

/** One gateway per file, at the release's pin with the file's policy settings, its topics failing. */
async function gatewayFor(release: MatrixRelease, mf: MatrixFile): Promise<TestGateway> {
  const gw = await testGateway({
    routes: resourceRoutes,
    config: {
      pin_release_version: release.pin,
      auth_strategy: 'jwt',
      jwt_algorithm: 'HS256',
      jwt_secret: SECRET,
      rpc_response_timeout: 2,
      ...mf.policy,
    },
    auth: { trustedHeaders: true },
  });
  // test_acl.py: every conductor topic raises TemporaryFailure
  const down = async (): Promise<string> => {
    throw ironicError('TemporaryFailure', 'Resource temporarily unavailable, please retry.');
  };
  Object.assign(gw.conductor, { get_topic_for: down, get_random_topic: down });
  return gw;
}

/** A fresh database for each case, as test_acl.py's setUp: the tables emptied, the fixture created. */
function freshFixture(gw: TestGateway, mf: MatrixFile, c: Case): Record<string, unknown> {
  const store = gw.sim.store;
  for (const name of TABLES) store.tableOf(name).rows.clear();
  store.unregisterConductor('test-conductor');
  // the case's configuration (test_acl.py's overrides), read per request
  Object.assign(gw.config, {
    project_admin_can_manage_own_nodes: c.self_manage_nodes ?? true,
    rbac_service_role_elevated_access: c.enable_service_project ?? false,
    rbac_service_project_name: c.service_project ?? 'service',
  });
  return mf.fixture(store);
}

/** Runs one case; returns null when it passed, else what differed. */
async function runCase(gw: TestGateway, release: MatrixRelease, mf: MatrixFile, c: Case): Promise<string | null> {
  const data = freshFixture(gw, mf, c);
  {
    const headers: Record<string, string> = { 'x-openstack-ironic-api-version': release.apiVersion };
    for (const [k, v] of Object.entries(c.headers ?? {})) headers[k.toLowerCase()] = format(String(v), data);
    const method = (c.method ?? 'get').toUpperCase() as 'GET';
    const res = await gw.app.inject({
      method,
      url: format(c.path, data),
      headers: c.body === undefined ? headers : { ...headers, 'content-type': 'application/json' },
      ...(c.body !== undefined && method !== 'GET' ? { payload: JSON.stringify(c.body) } : {}),
    });
    // TestRBACScoped: a deprecated case refused in any of these ways is as expected
    const tolerated = mf.canary === true && c.deprecated === true;
    if (tolerated && [403, 404, 500].includes(res.statusCode)) return null;
    if (res.statusCode !== c.assert_status)
      return `status ${res.statusCode}, expected ${c.assert_status}: ${res.body.slice(0, 200)}`;
    let body: Record<string, unknown> = {};
    try {
      body = res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    for (const [k, v] of Object.entries(c.assert_dict_contains ?? {})) {
      if (!(k in body)) return `no ${k} in the body`;
      const got = body[k];
      const ok =
        v === null || v === 'None'
          ? got === null
          : typeof v === 'object'
            ? JSON.stringify(got) === JSON.stringify(v)
            : got === format(String(v), data);
      if (!ok) return `${k}: ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`;
    }
    for (const [root, n] of Object.entries(c.assert_list_length ?? {})) {
      const items = body[root];
      if (!Array.isArray(items)) return `${root} is not a list`;
      const want = tolerated ? 0 : n;
      if (items.length !== want) return `${root}: ${items.length} items, expected ${want}`;
    }
    return null;
  }
}

/** Runs every case of one file; prints the figures and asserts (no failure, skips under 5%). */
export async function runMatrixFile(release: MatrixRelease, mf: MatrixFile): Promise<void> {
  const doc = parse(readFileSync(`${release.dir}/${mf.file}`, 'utf8'), {
    merge: true,
    maxAliasCount: -1,
    uniqueKeys: false,
  }) as Record<string, Case>;
  const cases = Object.entries(doc).filter(([name]) => name !== 'values');
  let passed = 0;
  const failed: string[] = [];
  const skipped: string[] = [];
  const only = process.env.RBAC_CASE;
  const gw = await gatewayFor(release, mf);
  try {
    for (const [name, c] of cases) {
      if (only && !name.includes(only)) continue;
      const why = skipReason(c, release.gaps);
      if (why !== null) {
        skipped.push(`${name}: ${why}`);
        continue;
      }
      const problem = await runCase(gw, release, mf, c);
      if (problem === null) passed++;
      else failed.push(`${name} (${(c.method ?? 'get').toUpperCase()} ${c.path}): ${problem}`);
    }
  } finally {
    await gw.close();
  }
  console.log(`${mf.label ?? mf.file}: ${passed} passed, ${failed.length} failed, ${skipped.length} skipped`);
  for (const s of skipped) console.log(`  skipped ${s}`);
  if (process.env.RBAC_VERBOSE) for (const f of failed) console.log(`  FAILED ${f}`);
  assert.deepEqual(failed, [], `${failed.length} cases failed`);
  assert.ok(skipped.length < cases.length * 0.05, `${skipped.length} of ${cases.length} skipped`);
}

/**
 * 39.0's TestRBACProjectScoped._create_test_data: 21.4's objects, plus a runbook of the owner
 * project and two children of the owned node (one unowned, invisible to the projects; one the
 * owner project owns, which its child-node queries find).
 */
export const projectFixture39: Fixture = (store) => {
  const runbook = store.createRunbook({
    name: 'CUSTOM_DT1',
    owner: OWNER,
    public: false,
    disable_ramdisk: false,
    extra: {},
    steps: [{ interface: 'raid', step: 'create_configuration', args: { logical_disks: [] }, order: 1 }],
  });
  const data = projectFixture(store);
  const parent = data.owner_node_ident;
  store.createNode(nodeDefaults({ uuid: '2b3b8adb-add7-4fd0-8e82-dcb714d848e7', parent_node: parent }));
  store.createNode(nodeDefaults({ uuid: '3c3b8adb-edd7-3ed0-8e82-aab714d8411a', parent_node: parent, owner: OWNER }));
  return { ...data, runbook_ident: runbook.uuid };
};
