/**
 * Issue 15, slice nodes: 39.0's changes to the whole API as node routes and the root see them —
 * the `.json` suffix (1.91, and below it), the JSON limits middleware (depth 25, body size, raw
 * bodies without version headers), request-id headers on every answer, the /v1 links, the
 * drivers' firmware interface fields (1.86), node history's fields (1.113, 1.115) and sort
 * parameters — unpinned, and pinned 21.4 where it answers as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError } from './nodes-helpers.ts';

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

async function named(t: TestGateway, name: string): Promise<Record<string, any>> {
  const r = await call(t.app, '/v1/nodes', {
    method: 'POST',
    version: '1.82',
    body: { driver: 'fake-hardware', name },
  });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}

describe('.json suffix (1.91)', () => {
  test('unpinned: stripped only with a version header below 1.91', async () => {
    const n = await named(g, 'sfx');
    const dotted = await named(g, 'dotted.json');
    const get = (url: string, version?: string) => call(g.app, url, version ? { version } : {});
    // no header: the path is taken as it is
    expectError(await get('/v1/nodes/sfx.json'), 404, /Node sfx\.json could not be found/);
    assert.equal((await get('/v1/nodes/dotted.json')).statusCode, 404); // names need 1.5: 1.1 is the default
    assert.equal((await get('/v1/nodes.json')).statusCode, 404);
    // below 1.91: stripped (and retried with the suffix)
    assert.equal((await get('/v1/nodes/sfx.json', '1.90')).json().uuid, n.uuid);
    assert.equal((await get('/v1/nodes/dotted.json', '1.90')).json().uuid, dotted.uuid);
    assert.equal((await get('/v1/nodes.json', '1.90')).statusCode, 200);
    // from 1.91 a node named x.json is itself
    assert.equal((await get('/v1/nodes/dotted.json', '1.91')).json().uuid, dotted.uuid);
    expectError(await get('/v1/nodes/sfx.json', '1.91'), 404);
    // `latest` (39.0: 500, empty body, reference §7 R5): fixed, as 1.115
    assert.equal((await get('/v1/nodes/dotted.json', 'latest')).json().uuid, dotted.uuid);
  });

  test('pinned 21.4: stripped whatever the version header says', async () => {
    const n = await named(pinned, 'sfx');
    assert.equal((await call(pinned.app, '/v1/nodes/sfx.json', { version: '1.82' })).json().uuid, n.uuid);
    assert.equal((await call(pinned.app, '/v1/nodes.json')).statusCode, 200);
  });
});

const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 1; i < depth; i++) v = { a: v };
  return v;
};

describe('JSON limits middleware (39.0)', () => {
  test('a body nested deeper than 25 is a raw 400 without version headers; 25 levels pass', async () => {
    const n = await named(g, 'deep');
    const patch = (depth: number, app = g.app) =>
      app.inject({
        method: 'PATCH',
        url: `/v1/nodes/${n.uuid}`,
        headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.82' },
        // the patch array is one level, its op another: nested(k) nests k - 1 more
        payload: JSON.stringify([{ op: 'add', path: '/extra/x', value: nested(depth - 1) }]),
      });
    const ok = await patch(25);
    assert.equal(ok.statusCode, 200, ok.body);
    const deep = await patch(26);
    assert.equal(deep.statusCode, 400);
    assert.equal(
      deep.body,
      '{"faultcode": "Client", "faultstring": "Request body JSON is nested too deeply. Please contact the service administrator."}',
    );
    assert.equal(deep.headers['x-openstack-ironic-api-maximum-version'], undefined);
    assert.equal(deep.headers['x-openstack-ironic-api-version'], undefined);
    assert.match(String(deep.headers['x-openstack-request-id']), /^req-/);
  });

  test('a JSON body over 1 MiB is a raw 413; the provision route takes more', async () => {
    const n = await named(g, 'big');
    const big = JSON.stringify([{ op: 'add', path: '/extra/x', value: 'y'.repeat(1024 * 1024) }]);
    const r = await g.app.inject({
      method: 'PATCH',
      url: `/v1/nodes/${n.uuid}`,
      headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.82' },
      payload: big,
    });
    assert.equal(r.statusCode, 413);
    assert.equal(
      r.body,
      '{"faultcode": "Client", "faultstring": "Request body is too large. Please contact the service administrator."}',
    );
    assert.equal(r.headers['x-openstack-ironic-api-maximum-version'], undefined);
    const provision = await g.app.inject({
      method: 'PUT',
      url: `/v1/nodes/${n.uuid}/states/provision`,
      headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.82' },
      payload: JSON.stringify({ target: 'manage', pad: 'y'.repeat(1024 * 1024) }),
    });
    assert.notEqual(provision.statusCode, 413, provision.body);
  });

  test('pinned 21.4: a provision body over 1 MiB (a configdrive) is read, as ironic-api 21.4 reads any body', async () => {
    const n = await named(pinned, 'configdrive');
    const provision = await pinned.app.inject({
      method: 'PUT',
      url: `/v1/nodes/${n.uuid}/states/provision`,
      headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.82' },
      payload: JSON.stringify({ target: 'manage', pad: 'y'.repeat(2 * 1024 * 1024) }),
    });
    assert.notEqual(provision.statusCode, 413, provision.body);
    const patch = await pinned.app.inject({
      method: 'PATCH',
      url: `/v1/nodes/${n.uuid}`,
      headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.82' },
      payload: JSON.stringify([{ op: 'add', path: '/extra/x', value: 'y'.repeat(2 * 1024 * 1024) }]),
    });
    assert.equal(patch.statusCode, 413, 'other routes keep body_limit');
    assert.ok(JSON.parse(patch.body).error_message, "in the pin's error_message shape");
  });

  test('pinned 21.4: no such middleware (depth 26 passes; 413 in the error_message shape)', async () => {
    const n = await named(pinned, 'deep');
    const r = await pinned.app.inject({
      method: 'PATCH',
      url: `/v1/nodes/${n.uuid}`,
      headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': '1.82' },
      payload: JSON.stringify([{ op: 'add', path: '/extra/x', value: nested(30) }]),
    });
    assert.equal(r.statusCode, 200, r.body);
  });
});

test('every answer carries x-openstack-request-id and openstack-request-id, at every version', async () => {
  for (const [url, version] of [
    ['/', undefined],
    ['/v1', '1.1'],
    ['/v1/nodes', '1.107'],
    ['/v1/nodes/none', '1.1'],
    ['/v1/nodes', '9.9'],
  ] as const) {
    const r = await call(g.app, url, version ? { version } : {});
    const id = r.headers['x-openstack-request-id'];
    assert.match(String(id), /^req-[0-9a-f-]{36}$/, url);
    assert.equal(r.headers['openstack-request-id'], id, url);
  }
});

test('/v1 links runbooks (1.92), inspection_rules (1.96) and continue_inspection (1.84); announces 1.115', async () => {
  const at = async (version: string) => (await call(g.app, '/v1', { version })).json();
  const top = await at('1.115');
  assert.equal(top.version.version, '1.115');
  assert.deepEqual(Object.keys(top).slice(-3), ['runbooks', 'inspection_rules', 'continue_inspection']);
  assert.match(top.runbooks[0].href, /\/v1\/runbooks\/$/);
  const keys = (o: object) => Object.keys(o);
  assert.ok(!keys(await at('1.83')).includes('continue_inspection'));
  assert.ok(keys(await at('1.84')).includes('continue_inspection'));
  assert.ok(!keys(await at('1.91')).includes('runbooks'));
  assert.ok(keys(await at('1.92')).includes('runbooks'));
  assert.ok(!keys(await at('1.95')).includes('inspection_rules'));
  assert.ok(keys(await at('1.96')).includes('inspection_rules'));
  const old = (await call(pinned.app, '/v1', { version: '1.82' })).json();
  assert.ok(!('runbooks' in old) && !('continue_inspection' in old));
});

test('driver detail has default_firmware_interface / enabled_firmware_interfaces from 1.86', async () => {
  const at = async (version: string) =>
    (await call(g.app, '/v1/drivers/fake-hardware', { version })).json() as Record<string, unknown>;
  assert.ok('default_firmware_interface' in (await at('1.86')));
  assert.ok('enabled_firmware_interfaces' in (await at('1.86')));
  assert.ok(!('default_firmware_interface' in (await at('1.85'))));
  assert.ok('default_bios_interface' in (await at('1.85')));
});

describe('node history (1.113, 1.115)', () => {
  test('detail items gain project at 1.113 and state, target_provision_state, duration_seconds at 1.115', async () => {
    const r = await call(g.app, '/v1/nodes', {
      method: 'POST',
      version: '1.82',
      body: { driver: 'fake-hardware', driver_info: { simulator_fail: 'power' } },
    });
    const n = r.json();
    await call(g.app, `/v1/nodes/${n.uuid}/states/power`, {
      method: 'PUT',
      version: '1.1',
      body: { target: 'power on' },
    });
    let events: any[] = [];
    for (let i = 0; i < 100 && events.length === 0; i++) {
      events = (await call(g.app, `/v1/nodes/${n.uuid}/history?detail=true`, { version: '1.115' })).json().history;
      if (events.length === 0) await new Promise((res) => setTimeout(res, 20));
    }
    const keys = async (version: string) =>
      Object.keys((await call(g.app, `/v1/nodes/${n.uuid}/history?detail=true`, { version })).json().history[0]);
    const base = ['uuid', 'created_at', 'severity', 'event_type', 'event', 'conductor', 'user'];
    assert.deepEqual(await keys('1.112'), [...base, 'links']);
    assert.deepEqual(await keys('1.113'), [...base, 'project', 'links']);
    assert.deepEqual(await keys('1.115'), [
      ...base,
      'project',
      'state',
      'target_provision_state',
      'duration_seconds',
      'links',
    ]);
    assert.equal(events[0].state, 'enroll');
    assert.equal(typeof events[0].duration_seconds, 'number');
    const one = await call(g.app, `/v1/nodes/${n.uuid}/history/${events[0].uuid}`, { version: '1.115' });
    assert.equal(one.json().state, 'enroll');
    // sort_key / sort_dir (39.0, every microversion from 1.78)
    const desc = await call(g.app, `/v1/nodes/${n.uuid}/history?sort_dir=desc&sort_key=created_at`, {
      version: '1.78',
    });
    assert.equal(desc.statusCode, 200, desc.body);
    expectError(
      await call(g.app, `/v1/nodes/${n.uuid}/history?sort_key=foo`, { version: '1.78' }),
      400,
      /The sort_key value "foo" is an invalid field for sorting/,
    );
    expectError(await call(g.app, `/v1/nodes/${n.uuid}/history?sort_dir=up`, { version: '1.78' }), 400);
    // pinned 21.4: not arguments of its history
    const p = await named(pinned, 'hist');
    expectError(
      await call(pinned.app, `/v1/nodes/${p.uuid}/history?sort_dir=desc`, { version: '1.82' }),
      400,
      /sort_dir/,
    );
  });
});

test('1.98 has no effect: a PATCH path with ~ escapes or dots is 400 below, at and above it', async () => {
  const n = await named(g, 'tilde');
  for (const version of ['1.97', '1.98', '1.115'])
    for (const path of ['/extra/a~1b', '/ext~0ra', '/extra/a.b']) {
      const r = await call(g.app, `/v1/nodes/${n.uuid}`, {
        method: 'PATCH',
        version,
        body: [{ op: 'add', path, value: 1 }],
      });
      expectError(r, 400, /\^\(\/\[\\w-\]\+\)\+\$/);
    }
});
