/**
 * The node fields and parameters of 1.39–1.82 on the simulator, unpinned (21.4): the
 * representation at and below each gate, `fields=`, POST and PATCH of the new fields with
 * 21.4's checks and messages, the conductor's rules (protected, retired, conductor groups),
 * the list filters and `?detail`, and a PATCH that leaves the other fields alone.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { ConductorAPI } from '../../../src/conductor/api.ts';
import type { IronicObject, NodeFields } from '../../../src/conductor/objects.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError, waitFor } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({
    routes: resourceRoutes,
    config: { pin_release_version: undefined, simulator_action_delay_ms: 5 },
  });
});
after(() => g.close());

const NEWER = [
  'bios_interface',
  'fault',
  'deploy_step',
  'conductor_group',
  'automated_clean',
  'protected',
  'protected_reason',
  'conductor',
  'owner',
  'description',
  'allocation_uuid',
  'retired',
  'retired_reason',
  'lessee',
  'network_data',
  'boot_mode',
  'secure_boot',
  'shard',
];

/** The gate of each newer field (reference §5.1). */
const GATE: Record<string, number> = {
  bios_interface: 40,
  fault: 42,
  deploy_step: 44,
  conductor_group: 46,
  automated_clean: 47,
  protected: 48,
  protected_reason: 48,
  conductor: 49,
  owner: 50,
  description: 51,
  allocation_uuid: 52,
  retired: 61,
  retired_reason: 61,
  lessee: 65,
  network_data: 66,
  boot_mode: 75,
  secure_boot: 75,
  shard: 82,
};

async function create(body: Record<string, unknown> = {}, version = '1.82'): Promise<Record<string, any>> {
  const r = await call(g.app, '/v1/nodes', { method: 'POST', version, body: { driver: 'fake-hardware', ...body } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

async function patch(ident: string, ops: unknown[], version = '1.82', query = '') {
  return call(g.app, `/v1/nodes/${ident}${query}`, { method: 'PATCH', version, body: ops });
}

async function provision(uuid: string, target: string, until: string): Promise<void> {
  const r = await call(g.app, `/v1/nodes/${uuid}/states/provision`, {
    method: 'PUT',
    version: '1.38',
    body: { target },
  });
  assert.equal(r.statusCode, 202, r.body);
  await waitFor(g.app, uuid, (n) => n.provision_state === until && !n.target_provision_state);
}

const NETWORK_DATA = {
  links: [{ id: 'port-1', type: 'phy', ethernet_mac_address: '52:54:00:aa:bb:cc' }],
  networks: [{ id: 'net-1', type: 'ipv4_dhcp', link: 'port-1', network_id: 'n1' }],
  services: [],
};

describe('representation', () => {
  test('each newer field appears exactly from its microversion, with 21.4 defaults', async () => {
    const node = await create();
    for (const minor of [38, 39, 40, 42, 44, 46, 48, 49, 52, 61, 65, 66, 75, 81, 82]) {
      const body = (await call(g.app, `/v1/nodes/${node.uuid}`, { version: `1.${minor}` })).json();
      for (const f of NEWER) assert.equal(f in body, minor >= GATE[f], `${f} at 1.${minor}`);
    }
    const full = (await call(g.app, `/v1/nodes/${node.uuid}`, { version: '1.82' })).json();
    assert.equal(full.conductor_group, '');
    assert.equal(full.protected, false);
    assert.equal(full.retired, false);
    assert.deepEqual(full.deploy_step, {});
    assert.deepEqual(full.network_data, {});
    assert.equal(full.allocation_uuid, null);
    assert.equal(full.conductor, g.sim.host, 'the conductor the ring maps the node to');
    assert.equal(full.bios_interface, 'fake');
    const states = (await call(g.app, `/v1/nodes/${node.uuid}/states`, { version: '1.75' })).json();
    assert.ok('boot_mode' in states && 'secure_boot' in states);
    const older = (await call(g.app, `/v1/nodes/${node.uuid}/states`, { version: '1.74' })).json();
    assert.ok(!('boot_mode' in older));
  });

  test('fields= naming a newer field is 406 below its version, served from it', async () => {
    const node = await create();
    for (const [f, minor] of Object.entries(GATE)) {
      expectError(await call(g.app, `/v1/nodes/${node.uuid}?fields=${f}`, { version: `1.${minor - 1}` }), 406);
      const r = await call(g.app, `/v1/nodes/${node.uuid}?fields=${f}`, { version: `1.${minor}` });
      assert.equal(r.statusCode, 200, `${f}: ${r.body}`);
      assert.deepEqual(Object.keys(r.json()).sort(), [f, 'links'].sort());
    }
    expectError(
      await call(g.app, `/v1/nodes/${node.uuid}?fields=foo`, { version: '1.82' }),
      400,
      /^Field foo is not a valid field\.$/,
    );
    expectError(
      await call(g.app, `/v1/nodes/${node.uuid}?fields=foo`, { version: '1.38' }),
      400,
      /Field\(s\) "foo" are not valid/,
    );
    // 21.4 answers 500 here (reference §7 Q1); the gateway serves the computed fields
    const list = await call(g.app, '/v1/nodes?fields=uuid,chassis_uuid,conductor,allocation_uuid', { version: '1.82' });
    assert.equal(list.statusCode, 200, list.body);
    const item = list.json().nodes.find((n: any) => n.uuid === node.uuid);
    assert.deepEqual(item.conductor, g.sim.host);
    assert.equal(item.allocation_uuid, null);
    expectError(
      await call(g.app, '/v1/nodes?fields=uuid,foo', { version: '1.82' }),
      400,
      /Field foo is not a valid field/,
    );
  });

  test('allocation_uuid comes from Allocation.get_by_id through the indirection API', async () => {
    const node = await create();
    const row = g.sim.store.node(node.uuid);
    row.allocation_id = 42;
    const api = g.app.conductor as unknown as Record<string, unknown>;
    const original = (api.object_class_action_versions as (...a: unknown[]) => Promise<unknown>).bind(api);
    const asked: unknown[] = [];
    api.object_class_action_versions = async (...args: unknown[]) => {
      if (args[1] !== 'Allocation') return original(...args);
      asked.push(args[4]);
      const err = Object.assign(new Error('Allocation 42 could not be found.'), { exc_type: 'AllocationNotFound' });
      if (asked.length > 1) throw err;
      return { get: (k: string) => (k === 'uuid' ? '0e5e3c1a-0000-4000-8000-000000000042' : undefined) };
    };
    try {
      const r = (await call(g.app, `/v1/nodes/${node.uuid}`, { version: '1.52' })).json();
      assert.equal(r.allocation_uuid, '0e5e3c1a-0000-4000-8000-000000000042');
      assert.deepEqual(asked, [[42]]);
      assert.ok(!('allocation_uuid' in (await call(g.app, `/v1/nodes/${node.uuid}`, { version: '1.51' })).json()));
      // an allocation gone meanwhile is null, as ironic-api answers
      assert.equal((await call(g.app, `/v1/nodes/${node.uuid}`, { version: '1.82' })).json().allocation_uuid, null);
    } finally {
      delete api.object_class_action_versions;
      row.allocation_id = null;
    }
  });
});

describe('POST /v1/nodes', () => {
  test('newer fields: 406 below their versions, stored at them', async () => {
    const r = await call(g.app, '/v1/nodes', {
      method: 'POST',
      version: '1.49',
      body: { driver: 'fake-hardware', owner: 'p1' },
    });
    expectError(r, 406);
    // empty values pass below the version, as reject_fields_in_newer_versions lets them
    await create({ owner: null, conductor_group: '' }, '1.40');
    const node = await create({
      owner: 'p1',
      lessee: 'p2',
      description: 'rack 7',
      automated_clean: 'false',
      retired: 'yes',
      retired_reason: 'old',
      shard: 's1',
      bios_interface: 'no-bios',
      network_data: NETWORK_DATA,
      conductor_group: '',
    });
    assert.equal(node.owner, 'p1');
    assert.equal(node.lessee, 'p2');
    assert.equal(node.automated_clean, false);
    assert.equal(node.retired, true);
    assert.equal(node.shard, 's1');
    assert.equal(node.bios_interface, 'no-bios');
    assert.deepEqual(node.network_data, NETWORK_DATA);
  });

  test("21.4's refusals", async () => {
    const post = (body: Record<string, unknown>) =>
      call(g.app, '/v1/nodes', { method: 'POST', version: '1.82', body: { driver: 'fake-hardware', ...body } });
    expectError(await post({ protected: true }), 400); // PATCH only: not in node_schema
    expectError(await post({ fault: 'power failure' }), 400);
    expectError(await post({ description: 'x'.repeat(4097) }), 400);
    expectError(await post({ automated_clean: 'maybe' }), 400, /^Invalid automated_clean: Unrecognized value 'maybe'/);
    expectError(
      await post({ network_data: { links: [] } }),
      400,
      /Schema error for node: .*'networks' is a required property/,
    );
    // no conductor serves group "rack-9": NoValidHost, 400 as ironic-api converts it
    expectError(await post({ conductor_group: 'rack-9' }), 400, /No valid host was found/);
  });
});

describe('PATCH /v1/nodes/{n}', () => {
  test('only 21.4 PATCH_ALLOWED_FIELDS from 1.39; newer fields 406 below their versions', async () => {
    const node = await create();
    expectError(
      await patch(node.uuid, [{ op: 'replace', path: '/fault', value: 'power failure' }]),
      400,
      /^Cannot patch \/fault\. Only the following can be updated: automated_clean, bios_interface, /,
    );
    expectError(await patch(node.uuid, [{ op: 'replace', path: '/owner', value: 'p' }], '1.49'), 406);
    expectError(await patch(node.uuid, [{ op: 'replace', path: '/shard', value: 's' }], '1.81'), 406);
    // Queens' rules below 1.39: the newer fields are not in the document
    expectError(await patch(node.uuid, [{ op: 'replace', path: '/fault', value: 'x' }], '1.38'), 400);
    expectError(
      await patch(node.uuid, [{ op: 'replace', path: '/description', value: 'd'.repeat(4097) }]),
      400,
      /^Cannot update node with description exceeding 4096 characters$/,
    );
    expectError(
      await patch(node.uuid, [{ op: 'add', path: '/network_data', value: {} }]),
      400,
      /^Invalid network_data: 'links' is a required property $/,
    );
    const ok = await patch(node.uuid, [
      { op: 'add', path: '/network_data', value: NETWORK_DATA },
      { op: 'replace', path: '/conductor_group', value: '' },
      { op: 'replace', path: '/automated_clean', value: 'true' },
    ]);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().network_data, NETWORK_DATA);
    assert.equal(ok.json().automated_clean, true);
    // removing automated_clean is 500 in 21.4 (reference §7 Q2); the gateway clears it
    const removed = await patch(node.uuid, [{ op: 'remove', path: '/automated_clean' }]);
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal(removed.json().automated_clean, null);
  });

  test('a node whose allocation has an owner refuses a new owner (409)', async () => {
    const node = await create();
    const row = g.sim.store.node(node.uuid);
    row.allocation_id = 43;
    const api = g.app.conductor as unknown as Record<string, unknown>;
    const original = (api.object_class_action_versions as (...a: unknown[]) => Promise<unknown>).bind(api);
    let owner: string | null = 'tenant-1';
    api.object_class_action_versions = async (...args: unknown[]) =>
      args[1] === 'Allocation'
        ? { get: (k: string) => (k === 'owner' ? owner : '0e5e3c1a-0000-4000-8000-000000000043') }
        : original(...args);
    try {
      expectError(
        await patch(node.uuid, [{ op: 'add', path: '/owner', value: 'p9' }]),
        409,
        /^Cannot update owner of node "\S+" while it is allocated to an allocation with an {2}owner\.$/,
      );
      owner = null;
      assert.equal((await patch(node.uuid, [{ op: 'add', path: '/owner', value: 'p9' }])).statusCode, 200);
    } finally {
      delete api.object_class_action_versions;
      row.allocation_id = null;
    }
  });

  test('?reset_interfaces: 406 below 1.45, 400 without a driver change, passed to update_node', async () => {
    const node = await create();
    const driver = [{ op: 'replace', path: '/driver', value: 'fake-hardware' }];
    expectError(await patch(node.uuid, driver, '1.44', '?reset_interfaces=true'), 406);
    expectError(
      await patch(node.uuid, [{ op: 'add', path: '/extra/a', value: 1 }], '1.45', '?reset_interfaces=true'),
      400,
      /^The reset_interfaces parameter can only be used when changing the node's driver\.$/,
    );
    expectError(await patch(node.uuid, driver, '1.45', '?reset_interfaces=maybe'), 400, /^Invalid reset_interfaces:/);
    const api = g.app.conductor as unknown as Record<string, unknown>;
    const seen: unknown[] = [];
    const original = (api.update_node as (...a: unknown[]) => Promise<unknown>).bind(api);
    api.update_node = (...args: unknown[]) => {
      seen.push(args[3]);
      return original(...args);
    };
    try {
      assert.equal((await patch(node.uuid, driver, '1.45', '?reset_interfaces=true')).statusCode, 200);
      assert.equal((await patch(node.uuid, driver, '1.45')).statusCode, 200);
    } finally {
      delete api.update_node;
    }
    assert.deepEqual(seen, [true, false]);
  });

  test('protected and retired: the conductor rules of 21.4', async () => {
    const node = await create();
    expectError(
      await patch(node.uuid, [{ op: 'replace', path: '/protected', value: true }]),
      409,
      /can only be made protected in provision states 'active' or 'rescue', the current state is 'enroll'/,
    );
    expectError(
      await patch(node.uuid, [{ op: 'replace', path: '/protected_reason', value: 'r' }]),
      400,
      /^The protected_reason field can only be set when protected is True$/,
    );
    expectError(
      await patch(node.uuid, [{ op: 'replace', path: '/retired_reason', value: 'r' }]),
      400,
      /^The retired_reason field can only be set when retired is True$/,
    );
    await provision(node.uuid, 'manage', 'manageable');
    await provision(node.uuid, 'provide', 'available');
    expectError(
      await patch(node.uuid, [{ op: 'replace', path: '/retired', value: true }]),
      409,
      /can not have 'retired' set in provision state 'available'/,
    );
    await provision(node.uuid, 'active', 'active');
    const p = await patch(node.uuid, [
      { op: 'replace', path: '/protected', value: true },
      { op: 'replace', path: '/protected_reason', value: 'tenant data' },
    ]);
    assert.equal(p.statusCode, 200, p.body);
    assert.equal(p.json().protected_reason, 'tenant data');
    for (const target of ['deleted', 'rebuild']) {
      const r = await call(g.app, `/v1/nodes/${node.uuid}/states/provision`, {
        method: 'PUT',
        version: '1.82',
        body: { target },
      });
      expectError(r, 403, /is protected and cannot be undeployed, rebuilt or deleted$/);
    }
    expectError(await call(g.app, `/v1/nodes/${node.uuid}`, { method: 'DELETE', version: '1.82' }), 403);
    // null means False (node.py), and clearing it clears the reason
    const off = await patch(node.uuid, [{ op: 'replace', path: '/protected', value: null }]);
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().protected, false);
    assert.equal(off.json().protected_reason, null);
    await provision(node.uuid, 'deleted', 'available');
    await provision(node.uuid, 'manage', 'manageable');
    const retired = await patch(node.uuid, [
      { op: 'replace', path: '/retired', value: true },
      { op: 'replace', path: '/retired_reason', value: 'eol' },
    ]);
    assert.equal(retired.statusCode, 200, retired.body);
    const provide = await call(g.app, `/v1/nodes/${node.uuid}/states/provision`, {
      method: 'PUT',
      version: '1.82',
      body: { target: 'provide' },
    });
    expectError(provide, 400, /^The providing operation can't be performed on node \S+ because it is retired\.$/);
  });

  test('a PATCH of another field leaves the newer fields intact and sends only what changed', async () => {
    const node = await create();
    const set = await patch(node.uuid, [
      { op: 'add', path: '/owner', value: 'p1' },
      { op: 'add', path: '/lessee', value: 'p2' },
      { op: 'add', path: '/description', value: 'keep me' },
      { op: 'add', path: '/shard', value: 'shard-a' },
      { op: 'add', path: '/network_data', value: NETWORK_DATA },
      { op: 'add', path: '/automated_clean', value: false },
      { op: 'add', path: '/bios_interface', value: 'no-bios' },
    ]);
    assert.equal(set.statusCode, 200, set.body);
    const before = set.json();
    const api = g.app.conductor as unknown as Record<string, unknown>;
    const changed: string[][] = [];
    const original = (api.update_node as (...a: unknown[]) => Promise<unknown>).bind(api);
    api.update_node = (...args: unknown[]) => {
      changed.push((args[1] as IronicObject<NodeFields>).whatChanged());
      return original(...args);
    };
    try {
      // at 1.38 and at 1.82, a PATCH of extra touches nothing else
      for (const version of ['1.38', '1.82']) {
        const r = await patch(node.uuid, [{ op: 'add', path: '/extra/seen', value: version }], version);
        assert.equal(r.statusCode, 200, r.body);
      }
    } finally {
      delete api.update_node;
    }
    assert.deepEqual(changed, [['extra'], ['extra']]);
    const after = (await call(g.app, `/v1/nodes/${node.uuid}`, { version: '1.82' })).json();
    for (const f of ['owner', 'lessee', 'description', 'shard', 'network_data', 'automated_clean', 'bios_interface'])
      assert.deepEqual(after[f], before[f], f);
    // power and maintenance go through the conductor too
    await call(g.app, `/v1/nodes/${node.uuid}/maintenance`, { method: 'PUT', version: '1.82', body: { reason: 'x' } });
    await call(g.app, `/v1/nodes/${node.uuid}/maintenance`, { method: 'DELETE', version: '1.82' });
    const again = (await call(g.app, `/v1/nodes/${node.uuid}`, { version: '1.82' })).json();
    for (const f of ['owner', 'lessee', 'description', 'shard', 'network_data'])
      assert.deepEqual(again[f], before[f], f);
  });

  test('conductor_group: lowercased; an unknown group has no conductor (400)', async () => {
    const node = await create();
    expectError(
      await patch(node.uuid, [{ op: 'replace', path: '/conductor_group', value: 'Rack-9' }]),
      400,
      /No valid host was found.*conductor group "rack-9"/,
    );
    expectError(await patch(node.uuid, [{ op: 'replace', path: '/conductor_group', value: 'x' }], '1.45'), 406);
  });
});

describe('the simulated conductor', () => {
  test('InvalidConductorGroup and lowercasing on save', async () => {
    const node = await create();
    const row = g.sim.store.node(node.uuid);
    assert.throws(
      () => g.sim.store.updateNode(row, { conductor_group: 'bad group' }),
      /Expected a conductor group but received bad group\./,
    );
    g.sim.store.updateNode(row, { conductor_group: 'RackA' });
    assert.equal(row.conductor_group, 'racka');
    g.sim.store.updateNode(row, { conductor_group: '' });
  });

  test('update_node with reset_interfaces resets the interfaces not given', async () => {
    const node = await create({ vendor_interface: 'no-vendor' });
    const conductor = g.app.conductor as ConductorAPI;
    const obj = (await conductor.object_class_action_versions(
      { is_admin: true } as never,
      'Node',
      'get_by_uuid',
      conductor.objectVersions,
      [node.uuid],
      {},
    )) as IronicObject<NodeFields>;
    obj.set('driver', 'fake-hardware');
    const topic = await conductor.get_topic_for(obj);
    const kept = await conductor.update_node({ is_admin: true } as never, obj, topic, false);
    assert.equal(kept.get('vendor_interface'), 'no-vendor');
    obj.set('driver', 'fake-hardware');
    const reset = await conductor.update_node({ is_admin: true } as never, obj, topic, true);
    assert.equal(reset.get('vendor_interface'), 'fake');
  });
});

describe('GET /v1/nodes filters', () => {
  let a: Record<string, any>;
  let b: Record<string, any>;
  before(async () => {
    a = await create({ owner: 'own-a', lessee: 'les-a', description: 'Blue rack', shard: 'sh-1' });
    b = await create({ owner: 'own-b', lessee: 'own-a', description: 'green', retired: true });
  });
  const uuids = async (query: string, version = '1.82'): Promise<string[]> => {
    const r = await call(g.app, `/v1/nodes${query}`, { version });
    assert.equal(r.statusCode, 200, r.body);
    return r
      .json()
      .nodes.map((n: any) => n.uuid)
      .filter((u: string) => u === a.uuid || u === b.uuid);
  };

  test('each filter selects as 21.4 does', async () => {
    assert.deepEqual(await uuids('?owner=own-a'), [a.uuid]);
    assert.deepEqual(await uuids('?lessee=own-a'), [b.uuid]);
    assert.deepEqual(await uuids('?project=own-a'), [a.uuid, b.uuid]);
    assert.deepEqual(await uuids('?description_contains=blue'), [a.uuid]);
    assert.deepEqual(await uuids('?retired=true'), [b.uuid]);
    assert.deepEqual(await uuids('?retired=false'), [a.uuid]);
    assert.deepEqual(await uuids('?shard=SH-1,other'), [a.uuid]);
    assert.deepEqual(await uuids('?sharded=false'), [b.uuid]);
    assert.deepEqual(await uuids('?conductor_group='), [a.uuid, b.uuid]);
    assert.deepEqual(await uuids('?conductor_group=RACK-1'), []);
    assert.deepEqual(await uuids('?fault=power%20failure'), []);
    assert.deepEqual(await uuids(`?conductor=${g.sim.host}`), [a.uuid, b.uuid]);
    assert.deepEqual(await uuids('?conductor=elsewhere'), []);
    assert.deepEqual(await uuids('/detail?owner=own-b'), [b.uuid]);
  });

  test('instance_uuid is one more filter from 1.39 (Queens looked the node up alone)', async () => {
    const instance = '7d4f0c2e-1b3a-4c5d-8e9f-0a1b2c3d4e5f';
    const ok = await patch(a.uuid, [{ op: 'add', path: '/instance_uuid', value: instance }]);
    assert.equal(ok.statusCode, 200, ok.body);
    try {
      assert.deepEqual(await uuids(`?instance_uuid=${instance}`), [a.uuid]);
      assert.deepEqual(await uuids(`?instance_uuid=${instance}&maintenance=true`), []);
      assert.deepEqual(await uuids(`?instance_uuid=${instance}&maintenance=true`, '1.38'), [a.uuid]);
      const r = await call(g.app, `/v1/nodes?instance_uuid=${instance}&limit=1`, { version: '1.82' });
      assert.ok(!('next' in r.json()));
    } finally {
      await patch(a.uuid, [{ op: 'remove', path: '/instance_uuid' }]);
    }
  });

  test('gates and values', async () => {
    const at = (q: string, v: string) => call(g.app, `/v1/nodes${q}`, { version: v });
    for (const [q, v] of [
      ['?fault=power%20failure', '1.41'],
      ['?conductor_group=x', '1.45'],
      ['?conductor=x', '1.48'],
      ['?owner=x', '1.49'],
      ['?lessee=x', '1.64'],
      ['?shard=x', '1.81'],
      ['?sharded=true', '1.81'],
    ])
      expectError(await at(q, v), 406, /The minimal required API version should be 1\.\d+$/);
    expectError(
      await at('?fault=meltdown', '1.42'),
      400,
      // (unpinned: 39.0's list, with servicing's fault)
      /^Unrecognized fault "meltdown" is specified, allowed faults are \('power failure', 'clean failure', 'rescue abort failure', 'service failure'\)$/,
    );
    expectError(await at('?retired=maybe', '1.82'), 400, /^Invalid retired: Unrecognized value 'maybe'/);
    // 21.4 takes retired, description_contains and project at any version (§7 Q14)
    for (const q of ['?retired=true', '?description_contains=x', '?project=p'])
      assert.equal((await at(q, '1.1')).statusCode, 200, q);
  });

  test('?detail (1.43)', async () => {
    expectError(
      await call(g.app, '/v1/nodes?detail=true', { version: '1.42' }),
      400,
      /^Invalid query parameter \?detail=True received\.$/,
    );
    expectError(
      await call(g.app, '/v1/nodes?detail=true&fields=uuid', { version: '1.43' }),
      400,
      /^Can not specify \?detail=True and fields in the same request\.$/,
    );
    const r = await call(g.app, '/v1/nodes?detail=true&limit=1', { version: '1.82' });
    assert.equal(r.statusCode, 200, r.body);
    assert.ok('driver_info' in r.json().nodes[0] && 'shard' in r.json().nodes[0]);
    assert.match(r.json().next, /\/v1\/nodes\?sort_key=id&sort_dir=asc&detail=True&limit=1&marker=/);
    const plain = await call(g.app, '/v1/nodes?detail=false&limit=1&retired=true', { version: '1.82' });
    assert.deepEqual(Object.keys(plain.json().nodes[0]).sort(), [
      'instance_uuid',
      'links',
      'maintenance',
      'name',
      'power_state',
      'provision_state',
      'uuid',
    ]);
    assert.match(
      plain.json().next,
      /\?sort_key=id&sort_dir=asc&retired=True&detail=False&fields=instance_uuid,maintenance,power_state,provision_state,uuid,name&limit=1&marker=/,
    );
  });
});

describe('pinned to Queens (10.1)', () => {
  let q: TestGateway;
  before(async () => {
    q = await testGateway({ routes: resourceRoutes });
  });
  after(() => q.close());

  test('the ungated filters are unknown parameters, and nodes keep the Queens fields', async () => {
    for (const query of ['?retired=true', '?description_contains=x', '?project=p'])
      expectError(await call(q.app, `/v1/nodes${query}`, { version: '1.38' }), 400);
    const created = await call(q.app, '/v1/nodes', {
      method: 'POST',
      version: '1.38',
      body: { driver: 'fake-hardware' },
    });
    assert.equal(created.statusCode, 201, created.body);
    for (const f of NEWER) assert.ok(!(f in created.json()), f);
    const patched = await call(q.app, `/v1/nodes/${created.json().uuid}`, {
      method: 'PATCH',
      version: '1.38',
      body: [{ op: 'add', path: '/extra/a', value: 1 }],
    });
    assert.equal(patched.statusCode, 200, patched.body);
    expectError(await call(q.app, '/v1/nodes?owner=x', { version: '1.38' }), 406);
  });
});

test("the network_data schema is 21.4's [api]network_data_schema (when Ironic is installed)", (t) => {
  const installed = '/usr/lib/python3/dist-packages/ironic/api/controllers/v1/network-data-schema.json';
  if (!existsSync(installed)) return t.skip('python3-ironic is not installed');
  const ours = new URL('../../../src/http/api-utils/network-data-schema.json', import.meta.url);
  assert.deepEqual(JSON.parse(readFileSync(ours, 'utf8')), JSON.parse(readFileSync(installed, 'utf8')));
});
