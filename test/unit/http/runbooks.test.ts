/**
 * /v1/runbooks (1.92; traits, description, relaxed names 1.112) on the simulated 39.0 conductor:
 * the router's webob refusals below 1.92, create/read/list/patch through the indirection API
 * (one runbook read with Runbook.list(uuid_in|name_in), never Runbook.get_by_*), the traits
 * sub-resource, and DELETE answered 501 as a 39.0 conductor cannot destroy a runbook.
 */
import { after, before, describe, it, test } from 'node:test';
import jwt from 'jsonwebtoken';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError, fault } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
});
after(() => g.close());

const V = '1.92';
const V112 = '1.112';
const step = (s = 'erase_devices', extra: Record<string, unknown> = {}) => ({
  interface: 'deploy',
  step: s,
  args: { password: 'p', size: 1 },
  order: 1,
  ...extra,
});
const post = (body: unknown, version = V) => call(g.app, '/v1/runbooks', { method: 'POST', version, body });
const inner = (r: { json(): unknown }) => JSON.parse((r.json() as { error_message: string }).error_message);

test('below 1.92 the router answers webob 404 for GET and 405 otherwise, before validating the body', async () => {
  for (const v of ['1.1', '1.91']) {
    let r = await call(g.app, '/v1/runbooks', { version: v });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(
      { code: inner(r).code, title: inner(r).title, description: inner(r).description },
      { code: 404, title: 'Not Found', description: 'The API version does not allow runbooks' },
    );
    r = await call(g.app, '/v1/runbooks/CUSTOM_X', { version: v });
    assert.equal(r.statusCode, 404);
    r = await post({ nonsense: true }, v);
    assert.equal(r.statusCode, 405, r.body);
    assert.equal(inner(r).title, 'Method Not Allowed');
    for (const method of ['PATCH', 'DELETE'] as const)
      assert.equal((await call(g.app, '/v1/runbooks/CUSTOM_X', { method, version: v, body: [] })).statusCode, 405);
  }
});

test('POST at 1.92: 201 with Location, masked args, 1.92 fields; the name must be a trait', async () => {
  const r = await post({ name: 'CUSTOM_RB_ONE', steps: [step()], extra: { a: 1 }, disable_ramdisk: true });
  assert.equal(r.statusCode, 201, r.body);
  const rb = r.json();
  assert.equal(r.headers.location, `http://localhost:80/v1/runbooks/${rb.uuid}`);
  assert.deepEqual(Object.keys(rb), [
    'uuid',
    'created_at',
    'updated_at',
    'name',
    'extra',
    'public',
    'owner',
    'disable_ramdisk',
    'links',
    'steps',
  ]);
  assert.equal(rb.disable_ramdisk, true);
  assert.equal(rb.public, false);
  assert.equal(rb.owner, null);
  assert.deepEqual(rb.steps, [
    { interface: 'deploy', step: 'erase_devices', args: { password: '******', size: 1 }, order: 1 },
  ]);
  assert.equal(rb.links[0].href, `http://localhost:80/v1/runbooks/${rb.uuid}`);
  // below 1.112 the name is a trait; a description or traits are not accepted
  expectError(
    await post({ name: 'plain-name', steps: [step()] }),
    400,
    /Schema error for runbook: 'plain-name' is not valid/,
  );
  expectError(
    await post({ name: 'CUSTOM_RB_X', steps: [step()], description: 'd' }),
    400,
    /Additional properties are not allowed \('description' was unexpected\)/,
  );
  expectError(await post({ name: 'CUSTOM_RB_X', steps: [] }), 400, /\[\] is too short/);
  expectError(await post({ name: 'CUSTOM_RB_X', steps: [step('s', { order: -1 })] }), 400, /not valid under any/);
  expectError(
    await post({ name: 'CUSTOM_RB_X', steps: [step('s', { interface: 'foo' })] }),
    400,
    /'foo' is not one of/,
  );
  expectError(await post({ name: 'CUSTOM_RB_X', steps: [step(), step()] }), 400, /Duplicate deploy steps/);
  expectError(await post({ name: 'CUSTOM_RB_X', steps: [step()], uuid: 'nope' }), 400, /Expected UUID for uuid: nope/);
  // a duplicate name is the conductor's RunbookDuplicateName (409)
  expectError(
    await post({ name: 'CUSTOM_RB_ONE', steps: [step()] }),
    409,
    /A runbook with name CUSTOM_RB_ONE already exists/,
  );
});

test('1.112: relaxed names, description and traits in the representation; traits refused in a body', async () => {
  const r = await post({ name: 'my-runbook.1', steps: [step()], description: 'wipes disks' }, V112);
  assert.equal(r.statusCode, 201, r.body);
  const rb = r.json();
  assert.equal(rb.description, 'wipes disks');
  assert.deepEqual(rb.traits, []);
  assert.deepEqual(Object.keys(rb).slice(-4), ['description', 'links', 'steps', 'traits']);
  expectError(await post({ name: 'x2', steps: [step()], traits: ['CUSTOM_A'] }, V112), 400, /'traits' was unexpected/);
  expectError(await post({ name: 'bad name', steps: [step()] }, V112), 400, /does not match/);
  // the same runbook at 1.92 shows neither description nor traits
  const old = (await call(g.app, `/v1/runbooks/${rb.uuid}`, { version: V })).json();
  assert.equal('description' in old, false);
  assert.equal('traits' in old, false);
});

test('GET by uuid and by name, ?fields, 404 and 400 for a bad identifier; reads go through Runbook.list', async () => {
  const rb = (await post({ name: 'CUSTOM_RB_GET', steps: [step()] })).json();
  const conductor = g.conductor as any;
  const original = conductor.object_class_action_versions;
  const methods: string[] = [];
  conductor.object_class_action_versions = function (this: unknown, ...args: any[]) {
    methods.push(`${args[1]}.${args[2]}(${JSON.stringify(args[5]?.filters ?? null)})`);
    return original.apply(this, args);
  };
  let byName: Awaited<ReturnType<typeof call>>;
  try {
    byName = await call(g.app, '/v1/runbooks/CUSTOM_RB_GET', { version: V });
  } finally {
    conductor.object_class_action_versions = original;
  }
  assert.equal(byName.statusCode, 200, byName.body);
  assert.equal(byName.json().uuid, rb.uuid);
  assert.deepEqual(methods, ['Runbook.list({"name_in":["CUSTOM_RB_GET"]})']);
  const byUuid = await call(g.app, `/v1/runbooks/${rb.uuid}?fields=name`, { version: V });
  assert.deepEqual(Object.keys(byUuid.json()), ['name', 'links']);
  expectError(
    await call(g.app, '/v1/runbooks/CUSTOM_NOPE', { version: V }),
    404,
    /Runbook CUSTOM_NOPE could not be found/,
  );
  expectError(
    await call(g.app, '/v1/runbooks/00000000-0000-0000-0000-000000000000', { version: V }),
    404,
    /could not be found/,
  );
  expectError(await call(g.app, `/v1/runbooks/${rb.uuid}?fields=nope`, { version: V }), 400, /nope/);
});

test('list: default fields, detail, pagination with next, sort_key refusals, project as a boolean', async () => {
  for (const n of ['CUSTOM_RB_L1', 'CUSTOM_RB_L2']) await post({ name: n, steps: [step()] });
  const r = await call(g.app, '/v1/runbooks', { version: V });
  assert.equal(r.statusCode, 200, r.body);
  const all = r.json().runbooks;
  assert.ok(all.length >= 2);
  assert.deepEqual(Object.keys(all[0]), ['uuid', 'name', 'links']);
  const detail = (await call(g.app, '/v1/runbooks?detail=true', { version: V })).json().runbooks;
  assert.ok('steps' in detail[0]);
  const page = (await call(g.app, '/v1/runbooks?limit=1', { version: V })).json();
  assert.equal(page.runbooks.length, 1);
  assert.equal(
    page.next,
    `http://localhost:80/v1/runbooks?sort_key=id&sort_dir=asc&fields=uuid,name&limit=1&marker=${page.runbooks[0].uuid}`,
  );
  const second = (await call(g.app, `/v1/runbooks?limit=1&marker=${page.runbooks[0].uuid}`, { version: V })).json();
  assert.notEqual(second.runbooks[0].uuid, page.runbooks[0].uuid);
  for (const key of ['extra', 'steps', 'traits'])
    expectError(await call(g.app, `/v1/runbooks?sort_key=${key}`, { version: V }), 400, /invalid field for sorting/);
  expectError(await call(g.app, '/v1/runbooks?project=p1', { version: V }), 400, /^Invalid project: /);
  // R15 copied: project=true is the owner filter `owner == True OR public`: public runbooks only
  const pub = await post({ name: 'CUSTOM_RB_PUB', steps: [step()], public: true });
  assert.equal(pub.statusCode, 201, pub.body);
  const onlyPublic = (await call(g.app, '/v1/runbooks?project=true', { version: V })).json().runbooks;
  assert.deepEqual(
    onlyPublic.map((x: { name: string }) => x.name),
    ['CUSTOM_RB_PUB'],
  );
});

test('PATCH: allowed paths per version, owner and public rules, steps re-validated, saved', async () => {
  const rb = (await post({ name: 'CUSTOM_RB_PATCH', steps: [step()] })).json();
  const patch = (body: unknown, version = V) =>
    call(g.app, `/v1/runbooks/${rb.uuid}`, { method: 'PATCH', version, body });
  let r = await patch([
    { op: 'replace', path: '/extra', value: { k: 'v' } },
    { op: 'replace', path: '/steps/0/order', value: 5 },
    { op: 'replace', path: '/owner', value: 'proj-1' },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual(r.json().extra, { k: 'v' });
  assert.equal(r.json().steps[0].order, 5);
  assert.equal(r.json().owner, 'proj-1');
  const again = (await call(g.app, `/v1/runbooks/${rb.uuid}?fields=extra,owner`, { version: V })).json();
  assert.deepEqual({ extra: again.extra, owner: again.owner }, { extra: { k: 'v' }, owner: 'proj-1' });
  expectError(
    await patch([{ op: 'replace', path: '/description', value: 'd' }]),
    400,
    /Cannot patch \/description\. Only the following can be updated: disable_ramdisk, extra, name, owner, public, steps$/,
  );
  r = await patch([{ op: 'replace', path: '/description', value: 'd' }], V112);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().description, 'd');
  // public clears the owner; an owner on a public runbook is refused
  r = await patch([{ op: 'replace', path: '/public', value: true }]);
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual({ public: r.json().public, owner: r.json().owner }, { public: true, owner: null });
  expectError(
    await patch([{ op: 'replace', path: '/owner', value: 'p2' }]),
    400,
    /Reason: There cannot be an owner for a public runbook/,
  );
  expectError(await patch([{ op: 'replace', path: '/steps/0/order', value: -3 }]), 400, /Schema error for patch/);
  expectError(await patch([{ op: 'replace', path: '/uuid', value: 'x' }]), 400, /Cannot patch \/uuid/);
});

test('DELETE: 501 naming the conductor limitation, the runbook unchanged; 404 for an unknown one', async () => {
  const rb = (await post({ name: 'CUSTOM_RB_DEL', steps: [step()] })).json();
  const r = await call(g.app, '/v1/runbooks/CUSTOM_RB_DEL', { method: 'DELETE', version: V });
  expectError(
    r,
    501,
    /Runbook .* was not deleted: the conductor cannot delete runbooks .*TypeError.*Runbook\.destroy\(\)/,
  );
  assert.equal((await call(g.app, `/v1/runbooks/${rb.uuid}`, { version: V })).statusCode, 200);
  expectError(await call(g.app, '/v1/runbooks/CUSTOM_RB_GONE', { method: 'DELETE', version: V }), 404);
});

test('traits sub-resource: webob 404 below 1.112; list, replace, add one, remove one (missing: no-op) and all', async () => {
  const rb = (await post({ name: 'rb-traits', steps: [step()] }, V112)).json();
  const url = `/v1/runbooks/${rb.uuid}/traits`;
  let r = await call(g.app, url, { version: '1.111' });
  assert.equal(r.statusCode, 404);
  assert.equal(inner(r).description, 'The API version does not allow runbook traits');
  assert.deepEqual((await call(g.app, url, { version: V112 })).json(), { traits: [] });
  r = await call(g.app, url, { method: 'PUT', version: V112, body: { traits: ['CUSTOM_A', 'CUSTOM_B', 'CUSTOM_A'] } });
  assert.equal(r.statusCode, 204, r.body);
  assert.deepEqual((await call(g.app, url, { version: V112 })).json().traits.sort(), ['CUSTOM_A', 'CUSTOM_B']);
  r = await call(g.app, `/v1/runbooks/rb-traits/traits/CUSTOM_C`, { method: 'PUT', version: V112 });
  assert.equal(r.statusCode, 204, r.body);
  assert.equal(r.headers.location, 'http://localhost:80/v1/runbooks/rb-traits/traits/CUSTOM_C');
  assert.deepEqual(
    (await call(g.app, `/v1/runbooks/${rb.uuid}?fields=traits`, { version: V112 })).json().traits.sort(),
    ['CUSTOM_A', 'CUSTOM_B', 'CUSTOM_C'],
  );
  expectError(
    await call(g.app, url, { method: 'PUT', version: V112, body: {} }),
    400,
    /A single runbook trait may be added/,
  );
  expectError(
    await call(g.app, `${url}/CUSTOM_D`, { method: 'PUT', version: V112, body: { traits: ['CUSTOM_E'] } }),
    400,
    /A single runbook trait may be added/,
  );
  expectError(await call(g.app, `${url}/not_a_trait`, { method: 'PUT', version: V112 }), 400, /Schema error for trait/);
  expectError(
    await call(g.app, url, { method: 'PUT', version: V112, body: { traits: ['bad'] } }),
    400,
    /Schema error for body/,
  );
  assert.equal((await call(g.app, `${url}/CUSTOM_A`, { method: 'DELETE', version: V112 })).statusCode, 204);
  assert.equal((await call(g.app, `${url}/CUSTOM_ZZZ`, { method: 'DELETE', version: V112 })).statusCode, 204);
  assert.deepEqual((await call(g.app, url, { version: V112 })).json().traits.sort(), ['CUSTOM_B', 'CUSTOM_C']);
  assert.equal((await call(g.app, url, { method: 'DELETE', version: V112 })).statusCode, 204);
  assert.deepEqual((await call(g.app, url, { version: V112 })).json(), { traits: [] });
  expectError(
    await call(g.app, '/v1/runbooks/nope-rb/traits', { version: V112 }),
    404,
    /Runbook nope-rb could not be found/,
  );
});

test('the /v1 root document links runbooks from 1.92, inspection rules from 1.96', async () => {
  const keys = async (v: string) => Object.keys((await call(g.app, '/v1', { version: v })).json());
  assert.equal((await keys('1.91')).includes('runbooks'), false);
  // (continue_inspection, 1.84, is last in 39.0's VERSIONED_CONTROLLERS)
  assert.deepEqual((await keys('1.92')).slice(-3), ['shards', 'runbooks', 'continue_inspection']);
  assert.equal((await keys('1.95')).includes('inspection_rules'), false);
  assert.deepEqual((await keys('1.96')).slice(-4), ['shards', 'runbooks', 'inspection_rules', 'continue_inspection']);
});

test('pinned to 21.4 the gateway serves up to 1.82: runbooks are refused as 39.0 refuses them below 1.92', async () => {
  const pinned = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
  try {
    const r = await call(pinned.app, '/v1/runbooks', { version: '1.82' });
    assert.equal(r.statusCode, 404);
    assert.equal(fault(r), 'The API version does not allow runbooks');
    assert.equal((await call(pinned.app, '/v1/runbooks', { version: '1.92' })).statusCode, 406);
    assert.equal(Object.keys((await call(pinned.app, '/v1', { version: '1.82' })).json()).includes('runbooks'), false);
  } finally {
    await pinned.close();
  }
});

describe("runbook owners under the unpinned gateway's policy (Ironic 39.0's defaults; jwt)", () => {
  const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
  let a: TestGateway;
  const token = (project: string | null, roles: string[], system = false) =>
    jwt.sign(
      {
        sub: `u-${project}`,
        ...(project ? { project_id: project } : {}),
        roles,
        ...(system ? { system_scope: 'all' } : {}),
        exp: Math.floor(Date.now() / 1000) + 300,
      },
      SECRET,
      { algorithm: 'HS256' },
    );
  const as = (t: string) => ({ authorization: `Bearer ${t}` });
  const admin = as(token('admin-project', ['admin', 'member', 'reader'], true));
  // 39.0: a project's managers create runbooks and change their own (RUNBOOK_CREATOR, RUNBOOK_ADMIN)
  const p1 = as(token('p1', ['manager', 'member', 'reader']));
  const p2 = as(token('p2', ['manager', 'member', 'reader']));
  const r = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT',
    url: string,
    headers: Record<string, string>,
    body?: unknown,
  ) => call(a.app, url, { method, version: V112, body, headers });

  before(async () => {
    a = await testGateway({
      routes: resourceRoutes,
      config: { pin_release_version: undefined, auth_strategy: 'jwt', jwt_algorithm: 'HS256', jwt_secret: SECRET },
    });
  });
  after(() => a.close());

  it('a project creates its own runbooks, sees them and public ones only, and cannot touch another project’s', async () => {
    expectError(
      await r('POST', '/v1/runbooks', p1, { name: 'o-x', steps: [step()], owner: 'p2' }),
      400,
      /owner other than your own project/,
    );
    expectError(
      await r('POST', '/v1/runbooks', p1, { name: 'o-x', steps: [step()], public: true }),
      400,
      /public runbook as a project scoped admin/,
    );
    const mine = await r('POST', '/v1/runbooks', p1, { name: 'o-p1', steps: [step()] });
    assert.equal(mine.statusCode, 201, mine.body);
    assert.equal(mine.json().owner, 'p1');
    const pub = await r('POST', '/v1/runbooks', admin, { name: 'o-pub', steps: [step()], public: true });
    assert.equal(pub.statusCode, 201, pub.body);
    assert.equal(pub.json().owner, null);
    const theirs = await r('POST', '/v1/runbooks', p2, { name: 'o-p2', steps: [step()] });
    assert.equal(theirs.statusCode, 201, theirs.body);
    const names = async (h: Record<string, string>) =>
      (await r('GET', '/v1/runbooks', h))
        .json()
        .runbooks.map((x: { name: string }) => x.name)
        .sort();
    assert.deepEqual(await names(p1), ['o-p1', 'o-pub']);
    assert.deepEqual(await names(admin), ['o-p1', 'o-p2', 'o-pub']);
    assert.equal((await r('GET', '/v1/runbooks/o-p1', p1)).statusCode, 200);
    assert.equal((await r('GET', '/v1/runbooks/o-pub', p1)).statusCode, 200);
    expectError(await r('GET', '/v1/runbooks/o-p2', p1), 403);
    expectError(await r('PATCH', '/v1/runbooks/o-p2', p1, [{ op: 'add', path: '/extra/a', value: 1 }]), 403);
    expectError(await r('PUT', '/v1/runbooks/o-p2/traits/CUSTOM_A', p1), 403);
    // update:owner and update:public are admin rules
    expectError(await r('PATCH', '/v1/runbooks/o-p1', p1, [{ op: 'replace', path: '/owner', value: 'p3' }]), 403);
    const ok = await r('PATCH', '/v1/runbooks/o-p1', p1, [{ op: 'add', path: '/extra/a', value: 1 }]);
    assert.equal(ok.statusCode, 200, ok.body);
    // a project member (not a manager) neither creates runbooks nor changes its project's; it reads them
    const member = as(token('p1', ['member', 'reader']));
    expectError(await r('POST', '/v1/runbooks', member, { name: 'o-m', steps: [step()] }), 403, /runbook:create/);
    expectError(await r('PATCH', '/v1/runbooks/o-p1', member, [{ op: 'add', path: '/extra/b', value: 1 }]), 403);
    assert.equal((await r('GET', '/v1/runbooks/o-p1', member)).statusCode, 200);
  });
});
