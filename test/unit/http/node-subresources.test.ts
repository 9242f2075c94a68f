/**
 * A node's BIOS settings (1.40, 1.74), history (1.78) and inventory (1.81), gateway and
 * simulated conductor together: below each microversion the node router's webob 404, at it
 * 21.4's representations, arguments and errors; the conductor side stores what 21.4's
 * fake-hardware stores (BIOS settings by its clean steps, history on the failures it journals,
 * no inventory from fake inspection).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { makeContext } from '../../../src/conductor/context.ts';
import { IronicObject } from '../../../src/conductor/objects.ts';
import { nodeRoutes } from '../../../src/http/routes/nodes/index.ts';
import { storeInventory } from '../../../src/simulator/subresources.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError, fault, waitFor } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: nodeRoutes, config: { pin_release_version: undefined } });
});
after(() => g.close());

const V = (minor: number) => `1.${minor}`;
const get = (url: string, minor: number) => call(g.app, url, { version: V(minor) });

/** webob's body as the node router answers (the keys the gateway adds to Ironic's format). */
function webob(r: LightMyRequestResponse): { code: number; title: string; description: string } {
  return JSON.parse((r.json() as { error_message: string }).error_message);
}

let seq = 0;
async function node(extra: Record<string, unknown> = {}): Promise<Record<string, any>> {
  const r = await call(g.app, '/v1/nodes', {
    method: 'POST',
    version: '1.40',
    body: { driver: 'fake-hardware', name: `sub-${++seq}`, ...extra },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

async function provision(ident: string, target: string, body: Record<string, unknown> = {}) {
  const r = await call(g.app, `/v1/nodes/${ident}/states/provision`, {
    method: 'PUT',
    version: '1.40',
    body: { target, ...body },
  });
  assert.equal(r.statusCode, 202, r.body);
  return waitFor(g.app, ident, (n) => n.target_provision_state === null && n.reservation === null);
}

/** A node in manageable whose fake BIOS holds `settings` (bios.apply_configuration, manual clean). */
async function nodeWithBios(settings: Record<string, unknown>[]): Promise<Record<string, any>> {
  const n = await node();
  await provision(n.name, 'manage');
  const done = await provision(n.name, 'clean', {
    clean_steps: [{ interface: 'bios', step: 'apply_configuration', args: { settings } }],
  });
  assert.equal(done.provision_state, 'manageable', JSON.stringify(done));
  assert.equal(done.last_error, null);
  return n;
}

const nodeDbId = (uuid: string): number => {
  for (const row of g.sim.store.nodes.rows.values()) if (row.uuid === uuid) return row.id;
  throw new Error(`no node ${uuid}`);
};

test('below 1.40, 1.78 and 1.81 the sub-resources are the node router’s webob 404; a bad node ident is its 400', async () => {
  const n = await node();
  for (const [path, minor] of [
    ['bios', 40],
    ['bios/ProcVirt', 40],
    ['history', 78],
    [`history/${n.uuid}`, 78],
    ['inventory', 81],
  ] as const) {
    const r = await get(`/v1/nodes/${n.uuid}/${path}?any=thing`, minor - 1);
    assert.equal(r.statusCode, 404, `${path} at 1.${minor - 1}: ${r.body}`);
    assert.deepEqual(
      { code: webob(r).code, title: webob(r).title, description: webob(r).description },
      { code: 404, title: 'Not Found', description: '' },
    );
    assert.equal(r.headers['x-openstack-ironic-api-version'], V(minor - 1));
    const bad = await get(`/v1/nodes/bad%20ident/${path}`, minor - 1);
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(webob(bad).title, 'Bad Request');
    assert.equal(webob(bad).description, 'Expected UUID or name for node: bad ident');
  }
  // at the version the same bad ident is still the router's 400
  const bad = await get('/v1/nodes/bad%20ident/bios', 40);
  assert.equal(bad.statusCode, 400);
  assert.equal(webob(bad).code, 400);
  // an unknown node at the version is the controller's NodeNotFound
  expectError(await get('/v1/nodes/no-such-node/bios', 40), 404, /^Node no-such-node could not be found\.$/);
});

test('a gateway pinned to Queens announces 1.38: the sub-resources are 404 at 1.38 and 1.40 is refused', async () => {
  const q = await testGateway({ routes: nodeRoutes });
  try {
    const created = await call(q.app, '/v1/nodes', {
      method: 'POST',
      version: '1.38',
      body: { driver: 'fake-hardware' },
    });
    const uuid = created.json().uuid;
    expectError(await call(q.app, `/v1/nodes/${uuid}/bios`, { version: '1.38' }), 404);
    expectError(await call(q.app, `/v1/nodes/${uuid}/bios`, { version: '1.40' }), 406);
  } finally {
    await q.close();
  }
});

test('BIOS: a new node has none; apply_configuration stores them; 1.40 shows name and value, links by the ident as typed', async () => {
  const empty = await node();
  const none = await get(`/v1/nodes/${empty.uuid}/bios`, 40);
  assert.equal(none.statusCode, 200, none.body);
  assert.deepEqual(none.json(), { bios: [] });

  const n = await nodeWithBios([
    { name: 'ProcVirt', value: 'Enabled', attribute_type: 'Enumeration', allowable_values: ['Enabled', 'Disabled'] },
    { name: 'bootMode', value: 'Uefi', read_only: true },
  ]);
  const r = await get(`/v1/nodes/${n.name}/bios`, 40);
  assert.equal(r.statusCode, 200, r.body);
  const items = r.json().bios;
  assert.deepEqual(
    items.map((s: any) => s.name),
    ['bootMode', 'ProcVirt'],
    'in the primary key order of a case-insensitive collation',
  );
  const first = items[1];
  assert.deepEqual(Object.keys(first), ['created_at', 'updated_at', 'name', 'value', 'links']);
  assert.equal(first.value, 'Enabled');
  assert.match(first.created_at, /\+00:00$/);
  assert.equal(first.updated_at, null);
  assert.deepEqual(
    first.links.map((l: any) => [l.rel, new URL(l.href).pathname]),
    [
      ['self', `/v1/nodes/${n.name}/bios/ProcVirt`],
      ['bookmark', `/nodes/${n.name}/bios/ProcVirt`],
    ],
  );
});

test('BIOS at 1.74: detail and fields; below 1.74 both are refused with 21.4’s words; bad arguments', async () => {
  const n = await nodeWithBios([
    { name: 'ProcVirt', value: 'Enabled', attribute_type: 'Enumeration', allowable_values: ['Enabled', 'Disabled'] },
  ]);
  const base = `/v1/nodes/${n.uuid}/bios`;
  const detail = (await get(`${base}?detail=True`, 74)).json().bios[0];
  assert.deepEqual(Object.keys(detail), [
    'created_at',
    'updated_at',
    'name',
    'value',
    'attribute_type',
    'allowable_values',
    'lower_bound',
    'max_length',
    'min_length',
    'read_only',
    'reset_required',
    'unique',
    'upper_bound',
    'links',
  ]);
  assert.deepEqual(detail.allowable_values, ['Enabled', 'Disabled']);
  assert.equal(detail.read_only, null);
  const plain = (await get(`${base}?detail=false`, 74)).json().bios[0];
  assert.deepEqual(Object.keys(plain), ['created_at', 'updated_at', 'name', 'value', 'links']);
  // (the keys come in the response schema's order, not the order asked for as in 21.4)
  const some = (await get(`${base}?fields=Attribute_Type,name`, 74)).json().bios[0];
  assert.deepEqual(Object.keys(some).sort(), ['attribute_type', 'created_at', 'links', 'name', 'updated_at']);
  const bare = (await get(`${base}?fields=`, 74)).json().bios[0];
  assert.deepEqual(Object.keys(bare), ['created_at', 'updated_at', 'links']);

  expectError(await get(`${base}?detail=true`, 73), 400, /^Invalid query parameter \?detail=True received\.$/);
  expectError(await get(`${base}?detail=0`, 73), 400, /^Invalid query parameter \?detail=False received\.$/);
  expectError(
    await get(`${base}?fields=name,Value`, 73),
    400,
    /^Invalid query parameter \?fields=\['name', 'value'\] received\.$/,
  );
  expectError(
    await get(`${base}?fields=name&detail=true`, 74),
    400,
    /^Can not specify \?detail=True and fields in the same request\.$/,
  );
  expectError(await get(`${base}?detail=maybe`, 74), 400, /^Invalid detail: Unrecognized value 'maybe'/);
  // 21.4 answers an unknown field with 500; fixed as the 400 of the other resources
  expectError(await get(`${base}?fields=name,colour`, 74), 400, /^Field\(s\) "colour" are not valid$/);
  expectError(await get(`${base}?limit=1`, 74), 400, /^Unexpected arguments: limit$/);
  // the node is looked up before the version checks of detail and fields (21.4's order)
  expectError(await get('/v1/nodes/no-such-node/bios?detail=true', 73), 404, /could not be found/);
});

test('one BIOS setting: name and value at 1.40, the registry fields from 1.74, links by uuid; unknown is 404', async () => {
  const n = await nodeWithBios([{ name: 'ProcVirt', value: 'Enabled', unique: false, lower_bound: 1 }]);
  const at40 = await get(`/v1/nodes/${n.name}/bios/ProcVirt`, 40);
  assert.equal(at40.statusCode, 200, at40.body);
  assert.deepEqual(Object.keys(at40.json()), ['ProcVirt']);
  assert.deepEqual(Object.keys(at40.json().ProcVirt), ['created_at', 'updated_at', 'name', 'value', 'links']);
  assert.equal(new URL(at40.json().ProcVirt.links[0].href).pathname, `/v1/nodes/${n.uuid}/bios/ProcVirt`);
  const at74 = (await get(`/v1/nodes/${n.name}/bios/ProcVirt`, 74)).json().ProcVirt;
  assert.equal(at74.unique, false);
  assert.equal(at74.lower_bound, 1);
  assert.deepEqual(at74.allowable_values, []);
  assert.equal(at74.max_length, null);

  expectError(
    await get(`/v1/nodes/${n.name}/bios/Nope`, 74),
    404,
    new RegExp(`^Node ${n.uuid} doesn't have a BIOS setting 'Nope'$`),
  );
  expectError(await get(`/v1/nodes/${n.name}/bios/a%20b`, 74), 400, /^Expected name for setting_name: a b$/);
  expectError(await get(`/v1/nodes/${n.name}/bios/ProcVirt?detail=true`, 74), 400, /^Unexpected arguments: detail$/);
});

test('BIOS clean steps: apply_configuration replaces the settings, factory_reset deletes them, bad arguments fail the clean', async () => {
  const n = await nodeWithBios([
    { name: 'A', value: '1' },
    { name: 'B', value: '2' },
  ]);
  await provision(n.name, 'clean', {
    clean_steps: [{ interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'B', value: '3' }] } }],
  });
  assert.deepEqual(
    (await get(`/v1/nodes/${n.name}/bios`, 40)).json().bios.map((s: any) => [s.name, s.value]),
    [['B', '3']],
  );
  const b = (await get(`/v1/nodes/${n.name}/bios/B`, 40)).json().B;
  assert.notEqual(b.updated_at, null, 'an update stamps updated_at');
  await provision(n.name, 'clean', { clean_steps: [{ interface: 'bios', step: 'factory_reset' }] });
  assert.deepEqual((await get(`/v1/nodes/${n.name}/bios`, 40)).json().bios, []);

  // a missing argument fails the clean (clean failed, maintenance), journaled in the history
  const cleaning = await call(g.app, `/v1/nodes/${n.name}/states/provision`, {
    method: 'PUT',
    version: '1.40',
    body: { target: 'clean', clean_steps: [{ interface: 'bios', step: 'apply_configuration' }] },
  });
  assert.equal(cleaning.statusCode, 202, cleaning.body);
  const failed = await waitFor(g.app, n.name, (x) => x.provision_state === 'clean failed' && x.reservation === null);
  assert.match(failed.last_error, /is missing these required arguments: settings \(List of BIOS settings/);
  const history = (await get(`/v1/nodes/${n.name}/history?detail=true`, 78)).json().history;
  const last = history[history.length - 1];
  assert.equal(last.event_type, 'cleaning');
  assert.equal(last.severity, 'ERROR');
  assert.equal(last.event, failed.last_error);

  // no-bios has no clean steps: the step is refused as any unsupported step
  // (set in the conductor's row: POST with bios_interface is another slice's field work)
  const other = await node();
  g.sim.store.nodes.byUuid(other.uuid).bios_interface = 'no-bios';
  await provision(other.name, 'manage');
  await call(g.app, `/v1/nodes/${other.name}/states/provision`, {
    method: 'PUT',
    version: '1.40',
    body: { target: 'clean', clean_steps: [{ interface: 'bios', step: 'factory_reset' }] },
  });
  const refused = await waitFor(g.app, other.name, (x) => x.provision_state === 'clean failed' && !x.reservation);
  assert.match(refused.last_error, /node does not support this clean step/);
});

test('history: the failures the conductor journals, standard and detail forms, the requesting user', async () => {
  const n = await node({ driver_info: { simulator_fail: 'power' } });
  const power = await call(g.app, `/v1/nodes/${n.uuid}/states/power`, {
    method: 'PUT',
    version: '1.78',
    body: { target: 'power on' },
  });
  assert.equal(power.statusCode, 202, power.body);
  await waitFor(g.app, n.uuid, (x) => x.target_power_state === null && x.last_error !== null);
  const patch = await call(g.app, `/v1/nodes/${n.uuid}`, {
    method: 'PATCH',
    version: '1.40',
    body: [{ op: 'replace', path: '/driver_info/simulator_fail', value: 'inspect' }],
  });
  assert.equal(patch.statusCode, 200, patch.body);
  await provision(n.uuid, 'manage');
  // inspection asked for by a known user: 21.4 journals task.context.user_id
  const ctx = makeContext({ user_id: 'alice', request_id: 'req-history' });
  await g.conductor.inspect_hardware(ctx, n.uuid, await g.conductor.get_topic_for(nodeObject(n.uuid)));
  await waitFor(g.app, n.uuid, (x) => x.provision_state === 'inspect failed');

  const list = await get(`/v1/nodes/${n.name}/history`, 78);
  assert.equal(list.statusCode, 200, list.body);
  const [powerEvent, inspectEvent] = list.json().history;
  assert.deepEqual(Object.keys(powerEvent), ['uuid', 'created_at', 'severity', 'event', 'links']);
  assert.equal(powerEvent.severity, 'ERROR');
  assert.match(powerEvent.event, /^Failed to change power state to 'power on'/);
  assert.deepEqual(
    powerEvent.links.map((l: any) => [l.rel, new URL(l.href).pathname]),
    [['self', `/v1/nodes/${n.uuid}/history/${powerEvent.uuid}`]],
  );
  const detail = (await get(`/v1/nodes/${n.uuid}/history?detail=true`, 78)).json().history;
  assert.deepEqual(Object.keys(detail[0]), [
    'uuid',
    'created_at',
    'severity',
    'event_type',
    'event',
    'conductor',
    'user',
    'links',
  ]);
  assert.equal(detail[0].event_type, 'UNKNOWN', 'node_power_action passes no event type');
  assert.equal(detail[0].user, null, 'nor the user');
  assert.equal(detail[0].conductor, g.sim.host);
  assert.equal(detail[1].uuid, inspectEvent.uuid);
  assert.equal(detail[1].event_type, 'introspection');
  assert.equal(detail[1].user, 'alice');
  assert.match(detail[1].event, /^Failed to inspect hardware/);

  const one = await get(`/v1/nodes/${n.name}/history/${inspectEvent.uuid}`, 78);
  assert.equal(one.statusCode, 200, one.body);
  assert.deepEqual(one.json(), detail[1]);
});

/** The node as the gateway's conductor client reads it (for get_topic_for). */
function nodeObject(uuid: string) {
  const row = g.sim.store.nodes.byUuid(uuid);
  return new IronicObject('Node', { uuid, driver: row.driver as string, conductor_group: '' });
}

test('history: long events are cut in the standard form only; pages with a next link that works', async () => {
  const n = await node();
  const id = nodeDbId(n.uuid);
  const long = `${'x'.repeat(300)}é`;
  for (const event of ['one', long, 'three'])
    g.sim.store.history.insert({ node_id: id, conductor: 'c', user: null, severity: 'INFO', event, event_type: 'x' });
  const all = (await get(`/v1/nodes/${n.name}/history`, 78)).json();
  assert.equal(all.next, undefined);
  assert.equal(all.history[1].event, `${'x'.repeat(251)}...`);
  assert.equal((await get(`/v1/nodes/${n.name}/history?detail=1`, 78)).json().history[1].event, long);

  const page1 = (await get(`/v1/nodes/${n.name}/history?limit=2`, 78)).json();
  assert.equal(page1.history.length, 2);
  // 21.4.4's link is malformed (marker=None&fields=…&limit=…&marker=…); the gateway's works
  // (issue 15: answering as 39.0, it carries 39.0's sort_key and sort_dir)
  const next = new URL(page1.next);
  assert.equal(next.pathname, `/v1/nodes/${n.name}/history`);
  assert.equal(next.search, `?sort_key=created_at&sort_dir=asc&limit=2&marker=${page1.history[1].uuid}`);
  const page2 = (await get(`${next.pathname}${next.search}`, 78)).json();
  assert.deepEqual(
    page2.history.map((e: any) => e.event),
    ['three'],
  );
  assert.equal(page2.next, undefined);
  const detailed = (await get(`/v1/nodes/${n.name}/history?detail=true&limit=1`, 78)).json();
  assert.match(detailed.next, /\/history\?sort_key=created_at&sort_dir=asc&detail=True&limit=1&marker=/);

  expectError(await get(`/v1/nodes/${n.name}/history?marker=nope`, 78), 400, /^Expected UUID for marker: nope$/);
  expectError(await get(`/v1/nodes/${n.name}/history?limit=lots`, 78), 400, /^Expected an integer for limit: lots$/);
  expectError(await get(`/v1/nodes/${n.name}/history?limit=0`, 78), 400, /^Limit must be positive$/);
  expectError(await get(`/v1/nodes/${n.name}/history?fields=uuid`, 78), 400, /^Unexpected arguments: fields$/);
  const missing = '0f0f0f0f-1111-4222-8333-444444444444';
  expectError(
    await get(`/v1/nodes/${n.name}/history?marker=${missing}`, 78),
    404,
    new RegExp(`^Node history record ${missing} could not be found\\.$`),
  );
  expectError(
    await get(`/v1/nodes/${n.name}/history/${missing}`, 78),
    404,
    new RegExp(`^Node history record ${missing} could not be found\\.$`),
  );
  expectError(await get(`/v1/nodes/${n.name}/history/not%20an%20event`, 78), 400, /^Expected UUID or name for event/);

  // another node's event is not found under this node (21.4 shows it: not copied)
  const other = await node();
  const theirs = g.sim.store.history.insert({ node_id: nodeDbId(other.uuid), event: 'theirs', severity: 'INFO' });
  expectError(await get(`/v1/nodes/${n.name}/history/${theirs.uuid}`, 78), 404, /could not be found/);
  assert.equal((await get(`/v1/nodes/${other.name}/history/${theirs.uuid}`, 78)).statusCode, 200);
});

test('inventory: 404 naming the node’s database id until data is stored (fake inspection stores none); then both parts', async () => {
  const n = await node();
  await provision(n.name, 'manage');
  await provision(n.name, 'inspect');
  const id = nodeDbId(n.uuid);
  const none = await get(`/v1/nodes/${n.name}/inventory`, 81);
  expectError(none, 404, new RegExp(`^Node inventory record for node ${id} could not be found\\.$`));

  storeInventory(g.sim.store, id, { cpu: { count: 4 }, memory: { physical_mb: 4096 } }, { root_disk: { name: 'sda' } });
  const r = await get(`/v1/nodes/${n.name}/inventory`, 81);
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json(), {
    inventory: { cpu: { count: 4 }, memory: { physical_mb: 4096 } },
    plugin_data: { root_disk: { name: 'sda' } },
  });
  expectError(await get(`/v1/nodes/${n.name}/inventory?x=1`, 81), 400, /^Unexpected arguments: x$/);
});

test('deleting a node deletes its BIOS settings, history and inventory', async () => {
  const n = await nodeWithBios([{ name: 'A', value: '1' }]);
  const id = nodeDbId(n.uuid);
  storeInventory(g.sim.store, id, {}, {});
  g.sim.store.history.insert({ node_id: id, event: 'e', severity: 'INFO' });
  const del = await call(g.app, `/v1/nodes/${n.uuid}`, { method: 'DELETE', version: '1.81' });
  assert.equal(del.statusCode, 204, del.body);
  const store = g.sim.store;
  for (const table of [store.biosSettings, store.history, store.inventories])
    assert.equal([...table.rows.values()].filter((r) => r.node_id === id).length, 0);
});

test('pinned to 21.4: the manifest names the class asked for, the BIOS setting’s node_id travels as a string', async () => {
  const p = await testGateway({ routes: nodeRoutes, config: { pin_release_version: '21.4' } });
  try {
    const api = p.app.conductor as unknown as Record<string, any>;
    const original = api.object_class_action_versions.bind(api);
    const seen: Array<{ objname: string; versions: Record<string, string>; result: unknown }> = [];
    api.object_class_action_versions = async (...args: any[]) => {
      const call = { objname: args[1], versions: args[3], result: undefined as unknown };
      seen.push(call);
      call.result = await original(...args);
      return call.result;
    };
    const created = await call(p.app, '/v1/nodes', {
      method: 'POST',
      version: '1.81',
      body: { driver: 'fake-hardware' },
    });
    const uuid = created.json().uuid;
    p.sim.store.biosSettings.insert({ node_id: p.sim.store.nodes.byUuid(uuid).id, name: 'X', value: 'y' });
    for (const path of ['bios', 'bios/X', 'history', 'inventory'])
      await call(p.app, `/v1/nodes/${uuid}/${path}`, { version: '1.81' });
    delete api.object_class_action_versions;
    for (const name of ['BIOSSettingList', 'BIOSSetting', 'NodeHistory', 'NodeInventory']) {
      const calls = seen.filter((s) => s.objname === name);
      assert.ok(calls.length > 0, `${name} was asked for`);
      for (const c of calls) assert.ok(Object.hasOwn(c.versions, name), `the manifest names ${name}`);
    }
    const setting = seen.find((s) => s.objname === 'BIOSSetting')?.result as any;
    assert.equal(typeof setting.get('node_id'), 'string');
  } finally {
    await p.close();
  }
});

test('fault messages keep Ironic’s format (faultstring), not webob’s, at the version', async () => {
  const n = await node();
  const r = await get(`/v1/nodes/${n.uuid}/bios/Nope`, 40);
  assert.equal(r.statusCode, 404);
  assert.match(fault(r), /doesn't have a BIOS setting 'Nope'/);
});
