/**
 * /v1/conductors (1.49), POST /v1/events (1.54), GET /v1/shards (1.82) and the /v1 document's
 * links for them, on the simulated 21.4 conductor, below and at each gate.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { makeContext } from '../../../src/conductor/context.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
});
after(() => g.close());

const inner = (r: { json(): unknown }) => JSON.parse((r.json() as { error_message: string }).error_message);

test('conductors: 404 below 1.49; list with default fields, alive, detail, fields, hostname marker', async () => {
  // (unpinned: 39.0's words; 21.4 says "Resource could not be found.")
  expectError(
    await call(g.app, '/v1/conductors', { version: '1.48' }),
    404,
    /The API is not supported for this version/,
  );
  expectError(await call(g.app, `/v1/conductors/${g.sim.host}`, { version: '1.48' }), 404);
  // a second conductor, offline and silent for longer than heartbeat_timeout: listed, not alive
  const old = g.sim.store.registerConductor('cond-old', ['fake-hardware'], 'grp');
  old.online = false;
  old.updated_at = new Date(Date.now() - 120_000);

  let r = await call(g.app, '/v1/conductors', { version: '1.49' });
  assert.equal(r.statusCode, 200, r.body);
  const list = r.json().conductors;
  assert.deepEqual(
    list.map((c: Record<string, unknown>) => [c.hostname, c.conductor_group, c.alive]),
    [
      [g.sim.host, '', true],
      ['cond-old', 'grp', false],
    ],
  );
  assert.deepEqual(Object.keys(list[0]), ['hostname', 'conductor_group', 'links', 'alive']);
  assert.equal(list[0].links[0].href, `http://localhost:80/v1/conductors/${g.sim.host}`);

  r = await call(g.app, '/v1/conductors?detail=true', { version: '1.49' });
  assert.deepEqual(Object.keys(r.json().conductors[0]), [
    'created_at',
    'updated_at',
    'hostname',
    'conductor_group',
    'drivers',
    'links',
    'alive',
  ]);
  assert.ok(r.json().conductors[0].drivers.includes('fake-hardware'));
  r = await call(g.app, '/v1/conductors?fields=hostname,drivers', { version: '1.49' });
  assert.deepEqual(Object.keys(r.json().conductors[0]), ['hostname', 'drivers', 'links']);

  r = await call(g.app, '/v1/conductors?limit=1', { version: '1.49' });
  assert.equal(
    new URL(r.json().next).search,
    `?sort_key=id&sort_dir=asc&fields=hostname,conductor_group,alive&limit=1&marker=${g.sim.host}`,
  );
  r = await call(g.app, `/v1/conductors?marker=${g.sim.host}`, { version: '1.49' });
  assert.deepEqual(
    r.json().conductors.map((c: Record<string, unknown>) => c.hostname),
    ['cond-old'],
  );
  expectError(await call(g.app, '/v1/conductors?sort_key=alive', { version: '1.49' }), 400, /invalid field/);
  expectError(await call(g.app, '/v1/conductors?fields=x', { version: '1.49' }), 400, /Field\(s\) "x" are not valid/);
  expectError(await call(g.app, '/v1/conductors?marker=a%20b', { version: '1.49' }), 400, /Expected name for marker/);
  expectError(await call(g.app, '/v1/conductors?detail=true', { version: '1.42' }), 404);
  expectError(await call(g.app, '/v1/conductors?marker=nowhere', { version: '1.49' }), 404, /Conductor nowhere/);
});

test('conductors/{hostname}: every field, an offline conductor too (online=None), fields=, 404', async () => {
  const old = g.sim.store.registerConductor('cond-off', [], '');
  old.online = false;
  let r = await call(g.app, '/v1/conductors/cond-off', { version: '1.49' });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().hostname, 'cond-off');
  assert.equal(r.json().alive, false); // 39.0: alive needs online too (21.4 followed updated_at only)
  r = await call(g.app, `/v1/conductors/${g.sim.host}?fields=alive`, { version: '1.49' });
  assert.deepEqual(r.json(), { links: r.json().links, alive: true });
  expectError(
    await call(g.app, '/v1/conductors/nowhere', { version: '1.49' }),
    404,
    /Conductor nowhere could not be found/,
  );
  // the simulator's get_by_hostname with its default online=True refuses an offline one
  const hidden = await g.conductor
    .object_class_action_versions(
      makeContext({ is_admin: true }),
      'Conductor',
      'get_by_hostname',
      { Conductor: '1.3' },
      ['cond-off'],
      {},
    )
    .catch((e: { exc_type?: string }) => e.exc_type);
  assert.equal(hidden, 'ConductorNotFound');
});

const event = (extra: Record<string, unknown> = {}) => ({
  event: 'network.bind_port',
  port_id: '11111111-2222-3333-4444-555555555555',
  mac_address: '52:54:00:AA:BB:CC',
  status: 'ACTIVE',
  ...extra,
});

test('events: validated first (400 at any version), then 404 below 1.54, 204 at 1.54', async () => {
  const post = (body: unknown, version = '1.54') => call(g.app, '/v1/events', { method: 'POST', version, body });
  assert.equal(
    (await post({ events: [event(), event({ event: 'network.delete_port', device_id: null })] })).statusCode,
    204,
  );
  expectError(await post({ events: [event()] }, '1.53'), 404, /Resource could not be found/);
  expectError(await post({ events: [] }, '1.53'), 400, /Schema error for evts: \[\] is too short/);
  const bad: [unknown, RegExp][] = [
    [{}, /'events' is a required property/],
    [
      { events: [{ event: 'x' }] },
      /'x' is not one of \['network.bind_port', 'network.unbind_port', 'network.delete_port'\]/,
    ],
    [{ events: [{ event: 'network.bind_port' }] }, /'port_id' is a required property/],
    [{ events: [event({ port_id: 'x' })] }, /Expected UUID for port_id: x/],
    [{ events: [event({ mac_address: 'x' })] }, /Expected valid MAC address for mac_address: x/],
    [{ events: [event({ foo: 1 })] }, /Additional properties are not allowed \('foo' was unexpected\)/],
    [{ events: [event({ device_id: 'x' })] }, /Expected UUID for device_id: x/],
    [{ events: [event({ status: 1 })] }, /1 is not of type 'string'/],
    [{ events: [event()], x: 1 }, /\('x' was unexpected\)/],
  ];
  for (const [body, match] of bad) expectError(await post(body), 400, match);
});

test('shards: 404 below 1.82 (39.0: the method gate); counts per shard, unsharded as "None", most first', async () => {
  // unpinned, as 39.0: the method's own gate, a 404 in Ironic's usual body (POST: no such method)
  let r = await call(g.app, '/v1/shards', { version: '1.81' });
  assert.equal(r.statusCode, 404);
  assert.equal(inner(r).faultstring, 'The API version does not allow shards');
  assert.equal(inner(r).code, undefined);
  r = await call(g.app, '/v1/shards', { method: 'POST', version: '1.81', body: {} });
  assert.equal(r.statusCode, 405, r.body);
  for (const shard of ['a', 'b', 'b', null, null, null]) {
    const n = await createNode(g.app);
    if (shard) g.sim.store.nodes.byUuid(n.uuid).shard = shard;
  }
  r = await call(g.app, '/v1/shards', { version: '1.82' });
  assert.equal(r.statusCode, 200, r.body);
  const shards = r.json().shards as { name: string; count: number }[];
  const none = shards.find((s) => s.name === 'None');
  assert.ok(none && none.count >= 3);
  assert.deepEqual(
    shards.filter((s) => s.name !== 'None'),
    [
      { name: 'b', count: 2 },
      { name: 'a', count: 1 },
    ],
  );
  assert.deepEqual(
    shards.map((s) => s.count),
    shards.map((s) => s.count).sort((x, y) => y - x),
  );
  assert.equal((await call(g.app, '/v1/shards/a', { version: '1.82' })).statusCode, 404);
});

test('/v1 links conductors (1.49), events (1.54), deploy_templates (1.55), shards (1.82) at their versions', async () => {
  const keys = async (v: string) => Object.keys((await call(g.app, '/v1', { version: v })).json());
  const gates: [string, string][] = [
    ['conductors', '49'],
    ['events', '54'],
    ['deploy_templates', '55'],
    ['shards', '82'],
  ];
  for (const [key, minor] of gates) {
    assert.ok(!(await keys(`1.${Number(minor) - 1}`)).includes(key), `${key} below 1.${minor}`);
    assert.ok((await keys(`1.${minor}`)).includes(key), `${key} at 1.${minor}`);
  }
  const body = (await call(g.app, '/v1', { version: '1.82' })).json();
  assert.deepEqual(body.deploy_templates, [
    { href: 'http://localhost:80/v1/deploy_templates/', rel: 'self' },
    { href: 'http://localhost:80/deploy_templates/', rel: 'bookmark' },
  ]);
});
