/**
 * Ports as 21.4 serves them (the gateway unpinned, on the simulated 21.4 conductor): is_smartnic
 * (1.53), local_link_connection's network_type (1.64), ?detail (1.43), ?shard (1.82, exclusive
 * with node and portgroup), the PATCH rules and the next link of 21.4's port collection —
 * below and at each gate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
});
after(() => g.close());

let macSeq = 0x10;
const nextMac = () => `52:54:00:00:0a:${(macSeq++).toString(16).padStart(2, '0')}`;
const post = (body: Record<string, unknown>, version = '1.82') =>
  call(g.app, '/v1/ports', { method: 'POST', version, body: { address: nextMac(), ...body } });
const llc = { switch_id: 'AA:BB:CC:DD:EE:FF', port_id: 'Gig0/1' };
const nic = { port_id: 'p0', hostname: 'dpu-1' };

test('is_smartnic (1.53): shown from 1.53, refused below (406); a smart NIC needs port_id and hostname', async () => {
  const n = await createNode(g.app);
  let r = await post({ node_uuid: n.uuid, is_smartnic: true, local_link_connection: nic }, '1.53');
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().is_smartnic, true);
  assert.deepEqual(r.json().local_link_connection, nic);
  const uuid = r.json().uuid;
  assert.equal((await call(g.app, `/v1/ports/${uuid}`, { version: '1.52' })).json().is_smartnic, undefined);
  assert.equal((await call(g.app, `/v1/ports/${uuid}`, { version: '1.53' })).json().is_smartnic, true);
  expectError(await post({ node_uuid: n.uuid, is_smartnic: true, local_link_connection: nic }, '1.52'), 406);
  expectError(await call(g.app, `/v1/ports/${uuid}?fields=is_smartnic`, { version: '1.52' }), 406);
  expectError(
    await post({ node_uuid: n.uuid, is_smartnic: true, local_link_connection: llc }),
    400,
    /Smart NIC port must have port_id and hostname in local_link_connection/,
  );
  expectError(await post({ node_uuid: n.uuid, is_smartnic: 'maybe' }), 400, /Invalid is_smartnic/);
  r = await post({ node_uuid: n.uuid, is_smartnic: 'false', local_link_connection: llc });
  assert.equal(r.statusCode, 201, r.body);
  assert.equal(r.json().is_smartnic, false);

  // PATCH: a field of its own from 1.53
  const patch = (body: unknown, version = '1.82') =>
    call(g.app, `/v1/ports/${r.json().uuid}`, { method: 'PATCH', version, body });
  expectError(await patch([{ op: 'replace', path: '/is_smartnic', value: true }], '1.52'), 406);
  const p = await patch([{ op: 'replace', path: '/is_smartnic', value: true }]);
  assert.equal(p.statusCode, 200, p.body);
  assert.equal(p.json().is_smartnic, true);
});

test('local_link_connection: 21.4 schema (network_type 1.64, smart NIC variant, unmanaged alone)', async () => {
  const n = await createNode(g.app);
  expectError(await post({ node_uuid: n.uuid, local_link_connection: { network_type: 'unmanaged' } }, '1.63'), 406);
  let r = await post({ node_uuid: n.uuid, local_link_connection: { network_type: 'unmanaged' } }, '1.64');
  assert.equal(r.statusCode, 201, r.body);
  assert.deepEqual(r.json().local_link_connection, { network_type: 'unmanaged' });
  r = await post({ node_uuid: n.uuid, local_link_connection: { ...llc, network_type: 'managed' } }, '1.64');
  assert.equal(r.json().local_link_connection.switch_id, 'aa:bb:cc:dd:ee:ff');
  const bad: [unknown, RegExp][] = [
    [
      { port_id: 'x' },
      /Schema error for local_link_connection: .* is not valid under any of the given schemas. Possible root cause: 'switch_id' is a required property/,
    ],
    [{ ...llc, foo: 'y' }, /Additional properties are not allowed \('foo' was unexpected\)/],
    [{ ...llc, network_type: 'x' }, /Schema error for local_link_connection/],
    [{ network_type: 'managed' }, /'managed' is not one of \['unmanaged'\]/],
    [{ switch_id: 'nope', port_id: 'x' }, /Expected a MAC address or OpenFlow datapath ID but received nope/],
  ];
  for (const [value, match] of bad)
    expectError(await post({ node_uuid: n.uuid, local_link_connection: value }), 400, match);
  // PATCH of network_type below 1.64 is 406
  r = await post({ node_uuid: n.uuid, local_link_connection: llc });
  expectError(
    await call(g.app, `/v1/ports/${r.json().uuid}`, {
      method: 'PATCH',
      version: '1.63',
      body: [{ op: 'add', path: '/local_link_connection/network_type', value: 'managed' }],
    }),
    406,
  );
});

test('POST and PATCH: empty physical_network, internal_info not patchable, inspecting node 409 from 1.39', async () => {
  const n = await createNode(g.app);
  expectError(await post({ node_uuid: n.uuid, physical_network: '' }), 400, /A non-empty value is required/);
  const r = await post({ node_uuid: n.uuid });
  const patch = (body: unknown, version = '1.82') =>
    call(g.app, `/v1/ports/${r.json().uuid}`, { method: 'PATCH', version, body });
  expectError(await patch([{ op: 'replace', path: '/physical_network', value: '' }]), 400, /non-empty/);
  expectError(
    await patch([{ op: 'add', path: '/internal_info/a', value: 1 }]),
    400,
    /Cannot patch \/internal_info\/a. Only the following can be updated: address, extra, is_smartnic/,
  );
  g.sim.store.nodes.byUuid(n.uuid).provision_state = 'inspecting';
  expectError(await patch([{ op: 'add', path: '/extra/a', value: 1 }]), 409, /while it is in state "inspecting"/);
  assert.equal((await patch([{ op: 'add', path: '/extra/a', value: 1 }], '1.38')).statusCode, 200);
  g.sim.store.nodes.byUuid(n.uuid).provision_state = 'enroll';
});

test('lists: ?detail (1.43), ?shard (1.82; exclusive with node/portgroup → 403), 21.4 next links', async () => {
  const a = await createNode(g.app);
  const b = await createNode(g.app);
  g.sim.store.nodes.byUuid(a.uuid).shard = 'sa';
  const pa = [(await post({ node_uuid: a.uuid })).json(), (await post({ node_uuid: a.uuid })).json()];
  await post({ node_uuid: b.uuid });

  expectError(
    await call(g.app, '/v1/ports?detail=true', { version: '1.42' }),
    400,
    /Invalid query parameter \?detail=True/,
  );
  let r = await call(g.app, '/v1/ports?detail=true', { version: '1.43' });
  assert.ok('extra' in r.json().ports[0]);
  expectError(await call(g.app, '/v1/ports?detail=true&fields=uuid', { version: '1.43' }), 400, /Can not specify/);

  expectError(
    await call(g.app, '/v1/ports?shard=sa', { version: '1.81' }),
    406,
    /minimal required API version should be 1.82/,
  );
  r = await call(g.app, '/v1/ports?shard=sa', { version: '1.82' });
  assert.deepEqual(
    r.json().ports.map((p: { uuid: string }) => p.uuid),
    pa.map((p) => p.uuid),
  );
  r = await call(g.app, '/v1/ports/detail?shard=SA,other', { version: '1.82' });
  assert.equal(r.json().ports.length, 2);
  expectError(
    await call(g.app, `/v1/ports?shard=sa&node=${a.uuid}`, { version: '1.82' }),
    403,
    /Operation not permitted/,
  );
  expectError(await call(g.app, `/v1/nodes/${a.uuid}/ports?shard=sa`, { version: '1.82' }), 403);

  // 21.4's next link: sort keys, detail, the returned fields, no filters, `ports` for a node's ports
  r = await call(g.app, `/v1/ports?node=${a.uuid}&limit=1`, { version: '1.82' });
  assert.equal(
    new URL(r.json().next).search,
    `?sort_key=id&sort_dir=asc&fields=uuid,address&limit=1&marker=${pa[0].uuid}`,
  );
  r = await call(g.app, `/v1/nodes/${a.uuid}/ports?limit=1&detail=false`, { version: '1.82' });
  const next = new URL(r.json().next);
  assert.equal(next.pathname, '/v1/ports');
  assert.equal(next.search, `?sort_key=id&sort_dir=asc&detail=False&fields=uuid,address&limit=1&marker=${pa[0].uuid}`);
  r = await call(g.app, `/v1/ports/detail?node=${a.uuid}&limit=1`, { version: '1.82' });
  assert.equal(new URL(r.json().next).search, `?sort_key=id&sort_dir=asc&limit=1&marker=${pa[0].uuid}`);
});
