/**
 * Ports and portgroups as 39.0 serves them (issue 15, slice ports), the gateway unpinned on the
 * simulated 39.0 conductor, below and at each gate: name 1.88, OVN VTEP links 1.90–1.104,
 * node_ident 1.94, description 1.97, vendor 1.100, category 1.101, the portgroup's
 * physical_network 1.102 / category 1.103 / dynamic_portgroup 1.111, ?shard= on portgroups
 * 1.106, the ungated ?description_contains= and ?conductor_groups=; and what a PATCH sends to the
 * conductor (only the changed fields, at Port 1.16 / Portgroup 1.9 unpinned, 1.11 / 1.5 pinned 21.4).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import type { IronicObject } from '../../../src/conductor/objects.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError } from './nodes-helpers.ts';

let g: TestGateway;
let pinned: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  pinned = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
});
after(async () => {
  await g.close();
  await pinned.close();
});

let macSeq = 0x10;
const nextMac = () => `52:54:00:00:0b:${(macSeq++).toString(16).padStart(2, '0')}`;
/** A node created at 1.115 (conductor_group, owner …), fake-hardware. */
async function mkNode(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await call(g.app, '/v1/nodes', {
    method: 'POST',
    version: '1.115',
    body: { driver: 'fake-hardware', ...extra },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}
const post = (body: Record<string, unknown>, version = '1.115', gw = g) =>
  call(gw.app, '/v1/ports', { method: 'POST', version, body: { address: nextMac(), ...body } });

test('port name (1.88): POST refused below (406), hidden below; GET and PATCH by name at every version', async () => {
  const n = await createNode(g.app);
  expectError(await post({ node_uuid: n.uuid, name: 'p-early' }, '1.87'), 406);
  const r = await post({ node_uuid: n.uuid, name: 'eth-a' }, '1.88');
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().name, 'eth-a');
  const old = await call(g.app, '/v1/ports/eth-a', { version: '1.1' });
  assert.equal(old.statusCode, 200, old.body);
  assert.equal(old.json().uuid, r.json().uuid);
  assert.equal(old.json().name, undefined);
  expectError(await call(g.app, '/v1/ports/eth-a?fields=name', { version: '1.87' }), 406);
  assert.deepEqual(Object.keys((await call(g.app, '/v1/ports/eth-a?fields=name', { version: '1.88' })).json()), [
    'name',
    'links',
  ]);
  expectError(
    await call(g.app, '/v1/ports/no-such-port', { version: '1.1' }),
    404,
    /Port no-such-port could not be found/,
  );
  expectError(await call(g.app, '/v1/ports/bad%20name', { version: '1.1' }), 400, /Expected a logical name or UUID/);
  // PATCH by name; 39.0 checks no version for the name on PATCH
  const p = await call(g.app, '/v1/ports/eth-a', {
    method: 'PATCH',
    version: '1.1',
    body: [{ op: 'replace', path: '/name', value: 'eth-b' }],
  });
  assert.equal(p.statusCode, 200, p.body);
  assert.equal((await call(g.app, '/v1/ports/eth-b', { version: '1.88' })).json().name, 'eth-b');
  // a taken name: 409
  const other = await post({ node_uuid: n.uuid, name: 'eth-c' });
  assert.equal(other.statusCode, 201, other.body);
  expectError(
    await call(g.app, '/v1/ports/eth-c', {
      method: 'PATCH',
      version: '1.115',
      body: [{ op: 'replace', path: '/name', value: 'eth-b' }],
    }),
    409,
    /A port with name eth-b already exists/,
  );
  expectError(await post({ node_uuid: n.uuid, name: 'eth-b' }), 409);
});

test('pinned 21.4: no name, no name lookups, no newer body keys', async () => {
  const n = await createNode(pinned.app);
  expectError(await post({ node_uuid: n.uuid, name: 'x' }, '1.82', pinned), 400, /additional properties/);
  const r = await post({ node_uuid: n.uuid }, '1.82', pinned);
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().name, undefined);
  assert.equal(r.json().description, undefined);
  expectError(await call(pinned.app, '/v1/ports/some-name', { version: '1.82' }), 400, /Expected a UUID/);
  expectError(await call(pinned.app, '/v1/ports?description_contains=x', { version: '1.82' }), 400);
});

test('description 1.97, vendor 1.100, category 1.101, available_for_dynamic_portgroup 1.111: gates and lengths', async () => {
  const n = await createNode(g.app);
  for (const [field, value, version] of [
    ['description', 'd', '1.97'],
    ['vendor', 'v', '1.100'],
    ['category', 'c', '1.101'],
    ['available_for_dynamic_portgroup', false, '1.111'],
  ] as const) {
    const below = `1.${Number(version.split('.')[1]) - 1}`;
    expectError(await post({ node_uuid: n.uuid, [field]: value }, below), 406);
    const r = await post({ node_uuid: n.uuid, [field]: value }, version);
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json()[field], value);
    assert.equal((await call(g.app, `/v1/ports/${r.json().uuid}`, { version: below })).json()[field], undefined);
    expectError(await call(g.app, `/v1/ports/${r.json().uuid}?fields=${field}`, { version: below }), 406);
  }
  const dflt = await post({ node_uuid: n.uuid });
  assert.equal(dflt.json().available_for_dynamic_portgroup, true);
  expectError(
    await post({ node_uuid: n.uuid, vendor: 'v'.repeat(33) }),
    400,
    /Schema error for port: 'v+' is too long/,
  );
  expectError(await post({ node_uuid: n.uuid, category: 'c'.repeat(81) }), 400, /is too long/);
  expectError(await post({ node_uuid: n.uuid, description: 'd'.repeat(256) }), 400, /is too long/);
  const p = await call(g.app, `/v1/ports/${dflt.json().uuid}`, {
    method: 'PATCH',
    version: '1.115',
    body: [{ op: 'replace', path: '/vendor', value: 'x'.repeat(33) }],
  });
  expectError(p, 400, /Schema error for patch: 'x+' is too long/);
});

test('node_ident (1.94): by name or uuid, exactly one of node_ident and node_uuid', async () => {
  const n = await createNode(g.app, { name: 'ident-node' });
  expectError(await post({ node_ident: 'ident-node' }, '1.93'), 406);
  const r = await post({ node_ident: 'ident-node' }, '1.94');
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().node_uuid, n.uuid);
  expectError(await post({ node_ident: n.uuid, node_uuid: n.uuid }), 400, /is valid under each of/);
  expectError(await post({}), 400, /is not valid under any of the given schemas/);
  // reference R13, copied: the message names node_uuid, None for a node_ident
  expectError(await post({ node_ident: 'no-such-node' }), 400, /Node None could not be found/);
});

test('OVN VTEP local_link_connection: accepted 1.90–1.104 (406 outside), shown as {} outside', async () => {
  const n = await createNode(g.app);
  const vtep = { port_id: 'p1', 'vtep-logical-switch': 'ls', 'vtep-physical-switch': 'ps' };
  expectError(await post({ node_uuid: n.uuid, local_link_connection: vtep }, '1.89'), 406);
  expectError(await post({ node_uuid: n.uuid, local_link_connection: vtep }, '1.105'), 406);
  const r = await post({ node_uuid: n.uuid, local_link_connection: vtep }, '1.90');
  assert.equal(r.statusCode, 201, r.body);
  assert.deepEqual(r.json().local_link_connection, vtep);
  const show = (v: string) => call(g.app, `/v1/ports/${r.json().uuid}`, { version: v });
  assert.deepEqual((await show('1.104')).json().local_link_connection, vtep);
  assert.deepEqual((await show('1.89')).json().local_link_connection, {});
  assert.deepEqual((await show('1.105')).json().local_link_connection, {});
  expectError(
    await post({ node_uuid: n.uuid, local_link_connection: { port_id: 'p', 'vtep-logical-switch': 'ls' } }, '1.90'),
    400,
    /'vtep-physical-switch' is a dependency of 'vtep-logical-switch'/,
  );
});

test('?description_contains= and ?conductor_groups= at any version; conductor_groups not with node (400)', async () => {
  const a = await mkNode();
  const b = await createNode(g.app);
  const pa = await post({ node_uuid: a.uuid, description: 'Uplink To Spine' });
  const pb = await post({ node_uuid: b.uuid, description: 'storage' });
  // after the ports: no conductor serves the group (the simulator's row, as a retired group)
  g.sim.store.nodes.byUuid(a.uuid).conductor_group = 'grp-a';
  const uuids = async (q: string) =>
    ((await call(g.app, `/v1/ports${q}`, { version: '1.1' })).json().ports as { uuid: string }[]).map((p) => p.uuid);
  assert.deepEqual(await uuids('?description_contains=spine'), [pa.json().uuid]);
  assert.deepEqual(await uuids('?description_contains=stor'), [pb.json().uuid]);
  assert.deepEqual(await uuids(`?node=${b.uuid}&description_contains=spine`), []);
  assert.deepEqual(await uuids('?conductor_groups=grp-a'), [pa.json().uuid]);
  assert.deepEqual(await uuids('/detail?conductor_groups=grp-a,other'), [pa.json().uuid]);
  expectError(
    await call(g.app, `/v1/ports?conductor_groups=grp-a&node=${a.uuid}`, { version: '1.1' }),
    400,
    /Filtering by conductor_groups cannot be combined/,
  );
});

test('PATCH sends only the changed field: Port 1.16 unpinned, 1.11 pinned 21.4; a move changes node_id only', async () => {
  for (const [gw, version, apiVersion] of [
    [g, '1.16', '1.115'],
    [pinned, '1.11', '1.82'],
  ] as const) {
    const n = await createNode(gw.app);
    const r = await post({ node_uuid: n.uuid, extra: { a: 1 } }, apiVersion, gw);
    assert.equal(r.statusCode, 201, r.body);
    const sent: IronicObject[] = [];
    const original = gw.conductor.update_port.bind(gw.conductor);
    gw.conductor.update_port = (ctx, port, topic) => {
      sent.push(port as IronicObject);
      return original(ctx, port, topic);
    };
    try {
      const p = await call(gw.app, `/v1/ports/${r.json().uuid}`, {
        method: 'PATCH',
        version: apiVersion,
        body: [{ op: 'add', path: '/extra/b', value: 2 }],
      });
      assert.equal(p.statusCode, 200, p.body);
      assert.equal(sent.length, 1);
      assert.equal(sent[0].version, version);
      assert.deepEqual(sent[0].whatChanged(), ['extra']);
      // moving the port: node_id, never node_uuid (39.0's ironic-api sends node_uuid: R12)
      const other = await createNode(gw.app);
      const m = await call(gw.app, `/v1/ports/${r.json().uuid}`, {
        method: 'PATCH',
        version: apiVersion,
        body: [{ op: 'replace', path: '/node_uuid', value: other.uuid }],
      });
      assert.equal(m.statusCode, 200, m.body);
      assert.equal(m.json().node_uuid, other.uuid);
      assert.deepEqual(sent[1].whatChanged(), ['node_id']);
    } finally {
      gw.conductor.update_port = original;
    }
  }
  // 39.0: a node with another owner is refused as if it did not exist
  const n = await createNode(g.app);
  const owned = await mkNode({ owner: 'someone' });
  const r = await post({ node_uuid: n.uuid });
  for (const value of [owned.uuid, 'no-such-node'])
    expectError(
      await call(g.app, `/v1/ports/${r.json().uuid}`, {
        method: 'PATCH',
        version: '1.115',
        body: [{ op: 'replace', path: '/node_uuid', value }],
      }),
      400,
      /Unable to apply the requested node_uuid '.*'. Requested value was invalid./,
    );
});

test('PATCH sends only the changed field: Portgroup 1.9 unpinned, 1.5 pinned 21.4', async () => {
  for (const [gw, version, apiVersion] of [
    [g, '1.9', '1.115'],
    [pinned, '1.5', '1.82'],
  ] as const) {
    const n = await createNode(gw.app);
    const r = await call(gw.app, '/v1/portgroups', {
      method: 'POST',
      version: apiVersion,
      body: { node_uuid: n.uuid },
    });
    assert.equal(r.statusCode, 201, r.body);
    const sent: IronicObject[] = [];
    const original = gw.conductor.update_portgroup.bind(gw.conductor);
    gw.conductor.update_portgroup = (ctx, pg, topic) => {
      sent.push(pg as IronicObject);
      return original(ctx, pg, topic);
    };
    try {
      const p = await call(gw.app, `/v1/portgroups/${r.json().uuid}`, {
        method: 'PATCH',
        version: apiVersion,
        body: [{ op: 'add', path: '/extra/b', value: 2 }],
      });
      assert.equal(p.statusCode, 200, p.body);
      assert.equal(sent[0].version, version);
      assert.deepEqual(sent[0].whatChanged(), ['extra']);
    } finally {
      gw.conductor.update_portgroup = original;
    }
  }
});

test('portgroup physical_network (1.102) and category (1.103): shown from their versions; PATCH moves the member ports', async () => {
  const n = await createNode(g.app, { name: 'pg-node' });
  const r = await call(g.app, '/v1/portgroups', {
    method: 'POST',
    version: '1.101',
    body: { node_uuid: n.uuid, physical_network: 'net-a', category: 'cat' },
  });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().physical_network, undefined);
  const pg = r.json().uuid;
  const show = async (v: string) => (await call(g.app, `/v1/portgroups/${pg}`, { version: v })).json();
  assert.equal((await show('1.102')).physical_network, 'net-a');
  assert.equal((await show('1.102')).category, undefined);
  assert.equal((await show('1.103')).category, 'cat');
  assert.equal((await show('1.110')).dynamic_portgroup, undefined);
  assert.equal((await show('1.111')).dynamic_portgroup, false);
  expectError(await call(g.app, `/v1/portgroups/${pg}?fields=dynamic_portgroup`, { version: '1.110' }), 406);

  const port = await post({ node_uuid: n.uuid, portgroup_uuid: pg, physical_network: 'net-a' });
  assert.equal(port.statusCode, 201, port.body);
  // a member's physical network follows its portgroup from 1.102
  expectError(
    await call(g.app, `/v1/ports/${port.json().uuid}`, {
      method: 'PATCH',
      version: '1.102',
      body: [{ op: 'replace', path: '/physical_network', value: 'net-x' }],
    }),
    400,
    /physical_network cannot be changed while the port belongs to a portgroup/,
  );
  const p = await call(g.app, `/v1/portgroups/${pg}`, {
    method: 'PATCH',
    version: '1.115',
    body: [
      { op: 'add', path: '/extra/k', value: 'v' },
      { op: 'replace', path: '/physical_network', value: 'net-b' },
    ],
  });
  assert.equal(p.statusCode, 200, p.body);
  assert.equal(p.json().physical_network, 'net-b');
  assert.equal(
    (await call(g.app, `/v1/ports/${port.json().uuid}`, { version: '1.115' })).json().physical_network,
    'net-b',
  );
});

test('portgroups ?shard= (1.106, 406 below), ?conductor_groups= (any version), exclusive filters (400)', async () => {
  const a = await mkNode();
  const s = await createNode(g.app);
  const shard = await call(g.app, `/v1/nodes/${s.uuid}`, {
    method: 'PATCH',
    version: '1.82',
    body: [{ op: 'add', path: '/shard', value: 'pg-shard' }],
  });
  assert.equal(shard.statusCode, 200, shard.body);
  const mk = async (node: string) =>
    (await call(g.app, '/v1/portgroups', { method: 'POST', version: '1.115', body: { node_uuid: node } })).json().uuid;
  const pa = await mk(a.uuid);
  const ps = await mk(s.uuid);
  g.sim.store.nodes.byUuid(a.uuid).conductor_group = 'pg-grp';
  const uuids = async (q: string, v = '1.115') =>
    ((await call(g.app, `/v1/portgroups${q}`, { version: v })).json().portgroups as { uuid: string }[]).map(
      (p) => p.uuid,
    );
  expectError(await call(g.app, '/v1/portgroups?shard=pg-shard', { version: '1.105' }), 406, /1\.106/);
  assert.deepEqual(await uuids('?shard=pg-shard', '1.106'), [ps]);
  assert.deepEqual(await uuids('/detail?shard=pg-shard'), [ps]);
  assert.deepEqual(await uuids('?conductor_groups=pg-grp', '1.23'), [pa]);
  expectError(
    await call(g.app, `/v1/portgroups?shard=pg-shard&node=${s.uuid}`, { version: '1.115' }),
    400,
    /Filtering by node, address, or shard simultaneously is not supported/,
  );
});

test('portgroup moves (39.0): to a node by name with the same owner; another owner or no node is 400', async () => {
  const a = await mkNode({ name: 'pg-move-a' });
  const b = await mkNode({ name: 'pg-move-b' });
  const owned = await mkNode({ owner: 'elsewhere' });
  const pg = (
    await call(g.app, '/v1/portgroups', { method: 'POST', version: '1.115', body: { node_uuid: a.uuid } })
  ).json();
  const move = (value: string) =>
    call(g.app, `/v1/portgroups/${pg.uuid}`, {
      method: 'PATCH',
      version: '1.115',
      body: [{ op: 'replace', path: '/node_uuid', value }],
    });
  for (const value of [owned.uuid, 'no-such-node'])
    expectError(await move(value), 400, /Unable to apply the requested node_uuid '.*'. Requested value was invalid./);
  const r = await move('pg-move-b');
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().node_uuid, b.uuid);
});
