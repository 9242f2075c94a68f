/**
 * /v1/deploy_templates (1.55) on the simulated 21.4 conductor: the router's webob refusals below
 * 1.55, create/read/list/patch through the indirection API with 21.4's validation, and DELETE
 * answered 501 because a 21.4 conductor cannot destroy a template (the simulator refuses as it
 * does), never a 500 nor a silent 204.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, expectError, fault } from './nodes-helpers.ts';

let g: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
});
after(() => g.close());

const V = '1.55';
const step = (s = 'deploy_raid', extra: Record<string, unknown> = {}) => ({
  interface: 'raid',
  step: s,
  args: { password: 'p', size: 1 },
  priority: 10,
  ...extra,
});
const post = (body: unknown, version = V) => call(g.app, '/v1/deploy_templates', { method: 'POST', version, body });
const inner = (r: { json(): unknown }) => JSON.parse((r.json() as { error_message: string }).error_message);

test('below 1.55 the router answers webob 404 for GET and 405 otherwise, before validating the body', async () => {
  for (const v of ['1.1', '1.54']) {
    let r = await call(g.app, '/v1/deploy_templates', { version: v });
    assert.equal(r.statusCode, 404);
    assert.deepEqual(
      { code: inner(r).code, title: inner(r).title, description: inner(r).description },
      { code: 404, title: 'Not Found', description: 'The API version does not allow deploy templates' },
    );
    r = await call(g.app, '/v1/deploy_templates/CUSTOM_X', { version: v });
    assert.equal(r.statusCode, 404);
    r = await post({ nonsense: true }, v);
    assert.equal(r.statusCode, 405, r.body);
    assert.equal(inner(r).title, 'Method Not Allowed');
    for (const method of ['PATCH', 'DELETE'] as const)
      assert.equal(
        (await call(g.app, '/v1/deploy_templates/CUSTOM_X', { method, version: v, body: [] })).statusCode,
        405,
      );
  }
});

test('POST: 201 with Location, steps and masked args; 21.4 validation (trait name, steps, duplicates, uuid)', async () => {
  const r = await post({ name: 'CUSTOM_RAID1', steps: [step()], extra: { a: 1 }, description: 'dropped' });
  assert.equal(r.statusCode, 201, r.body);
  const t = r.json();
  assert.equal(r.headers.location, `http://localhost:80/v1/deploy_templates/${t.uuid}`);
  assert.deepEqual(Object.keys(t), ['created_at', 'updated_at', 'uuid', 'name', 'extra', 'links', 'steps']);
  assert.equal(t.name, 'CUSTOM_RAID1');
  assert.deepEqual(t.extra, { a: 1 });
  assert.deepEqual(t.steps, [
    { interface: 'raid', step: 'deploy_raid', args: { password: '******', size: 1 }, priority: 10 },
  ]);
  assert.equal(t.description, undefined);
  // a numeric-string priority is accepted and stored as an integer
  const s = await post({ name: 'CUSTOM_PRIO', steps: [step('x', { priority: '5' })] });
  assert.equal(s.statusCode, 201, s.body);
  assert.equal(s.json().steps[0].priority, 5);
  // a standard trait is a valid name
  assert.equal((await post({ name: 'HW_CPU_X86_AVX2', steps: [step()] })).statusCode, 201);

  const bad: [unknown, RegExp][] = [
    [{}, /Schema error for template: 'steps' is a required property/],
    [{ name: 'foo', steps: [step()] }, /'foo' is not valid under any of the given schemas/],
    [{ name: 'CUSTOM_A', steps: [] }, /\[\] is too short/],
    [
      { name: 'CUSTOM_A', steps: [step('s', { interface: 'x' })] },
      /'x' is not one of \['power', 'management', 'deploy', 'bios', 'raid'\]/,
    ],
    [{ name: 'CUSTOM_A', steps: [step('s', { priority: -1 })] }, /-1 is less than the minimum of 0/],
    [{ name: 'CUSTOM_A', steps: [step('s', { priority: 'a' })] }, /'a' does not match/],
    [{ name: 'CUSTOM_A', steps: [step('')] }, /'' is too short/],
    [
      { name: 'CUSTOM_A', steps: [step('s', { x: 1 })] },
      /Additional properties are not allowed \('x' was unexpected\)/,
    ],
    [{ name: 'CUSTOM_A', steps: [step()], foo: 1 }, /\('foo' was unexpected\)/],
    [
      { name: 'CUSTOM_A', steps: [step(), step('deploy_raid', { priority: 2 })] },
      /Duplicate deploy steps.*interface: raid, step: deploy_raid/,
    ],
    [{ name: 'CUSTOM_A', steps: [step()], uuid: 'x' }, /Expected UUID for uuid: x/],
    [{ name: 5, steps: [step()] }, /5 is not of type 'string'/],
    [{ name: 'CUSTOM_A', steps: [step('s', { args: [] })] }, /\[\] is not of type 'object'/],
    [{ name: 'CUSTOM_A', steps: [step()], description: 'x'.repeat(256) }, /is too long/],
    [[1], /body must be object/],
  ];
  for (const [body, match] of bad) expectError(await post(body), 400, match);
  expectError(await post({ name: 'CUSTOM_RAID1', steps: [step()] }), 409, /name CUSTOM_RAID1 already exists/);
  expectError(await post({ name: 'CUSTOM_OTHER', steps: [step()], uuid: t.uuid }), 409, /already exists/);
});

test('GET one by uuid or name (fields=), list with default fields, detail, pagination and its next link', async () => {
  const made = [];
  for (const n of ['CUSTOM_L1', 'CUSTOM_L2', 'CUSTOM_L3']) made.push((await post({ name: n, steps: [step()] })).json());
  let r = await call(g.app, `/v1/deploy_templates/${made[0].uuid}`, { version: V });
  assert.equal(r.json().name, 'CUSTOM_L1');
  r = await call(g.app, '/v1/deploy_templates/CUSTOM_L2?fields=uuid,steps', { version: V });
  assert.deepEqual(Object.keys(r.json()), ['uuid', 'links', 'steps']);
  expectError(
    await call(g.app, '/v1/deploy_templates/CUSTOM_L2?fields=nope', { version: V }),
    400,
    /Field\(s\) "nope" are not valid/,
  );
  expectError(
    await call(g.app, '/v1/deploy_templates/CUSTOM_NONE', { version: V }),
    404,
    /Deploy template CUSTOM_NONE could not be found/,
  );
  expectError(await call(g.app, '/v1/deploy_templates/a%20b', { version: V }), 400, /Expected a logical name or UUID/);

  r = await call(g.app, '/v1/deploy_templates', { version: V });
  const all = r.json().deploy_templates;
  assert.ok(all.length >= 3);
  assert.deepEqual(Object.keys(all[0]), ['uuid', 'name', 'links']);
  r = await call(g.app, '/v1/deploy_templates?detail=true', { version: V });
  assert.ok('steps' in r.json().deploy_templates[0]);
  expectError(
    await call(g.app, '/v1/deploy_templates?detail=true&fields=uuid', { version: V }),
    400,
    /Can not specify/,
  );
  expectError(
    await call(g.app, '/v1/deploy_templates?sort_key=steps', { version: V }),
    400,
    /invalid field for sorting/,
  );
  expectError(await call(g.app, '/v1/deploy_templates?limit=0', { version: V }), 400, /Limit must be positive/);

  r = await call(g.app, '/v1/deploy_templates?limit=2', { version: V });
  const page = r.json();
  assert.equal(page.deploy_templates.length, 2);
  const next = new URL(page.next);
  assert.equal(next.pathname, '/v1/deploy_templates');
  assert.equal(
    next.search,
    `?sort_key=id&sort_dir=asc&fields=uuid,name&limit=2&marker=${page.deploy_templates[1].uuid}`,
  );
  r = await call(g.app, `/v1/deploy_templates?limit=2&marker=${page.deploy_templates[1].uuid}`, { version: V });
  assert.notEqual(r.json().deploy_templates[0].uuid, page.deploy_templates[1].uuid);
  r = await call(g.app, '/v1/deploy_templates?limit=1&detail=True', { version: V });
  assert.match(r.json().next, /\?sort_key=id&sort_dir=asc&detail=True&limit=1&marker=/);
});

test('PATCH: name, steps and extra through DeployTemplate.save; other paths and bad steps refused', async () => {
  const t = (await post({ name: 'CUSTOM_P', steps: [step()] })).json();
  const patch = (body: unknown, ident = t.uuid) =>
    call(g.app, `/v1/deploy_templates/${ident}`, { method: 'PATCH', version: V, body });
  let r = await patch([
    { op: 'replace', path: '/name', value: 'CUSTOM_P2' },
    { op: 'add', path: '/extra/k', value: 'v' },
    { op: 'add', path: '/steps/-', value: step('other', { interface: 'bios' }) },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().name, 'CUSTOM_P2');
  assert.deepEqual(r.json().extra, { k: 'v' });
  assert.equal(r.json().steps.length, 2);
  r = await call(g.app, '/v1/deploy_templates/CUSTOM_P2', { version: V });
  assert.equal(r.json().steps[1].step, 'other');
  assert.notEqual(r.json().updated_at, null);

  expectError(
    await patch([{ op: 'replace', path: '/uuid', value: t.uuid }]),
    400,
    /Cannot patch \/uuid. Only the following can be updated: extra, name, steps, description/,
  );
  expectError(await patch([{ op: 'replace', path: '/name', value: 'bad' }]), 400, /Schema error for patch/);
  expectError(
    await patch([{ op: 'replace', path: '/steps/0/interface', value: 'x' }]),
    400,
    /Schema error for patch: 'x' is not one of/,
  );
  expectError(await patch([{ op: 'replace', path: '/steps', value: [] }]), 400, /too short/);
  await post({ name: 'CUSTOM_TAKEN', steps: [step()] });
  expectError(await patch([{ op: 'replace', path: '/name', value: 'CUSTOM_TAKEN' }]), 409, /already exists/);
});

test('DELETE: 501 explaining that no conductor up to 39.0 can destroy a template; the template stays', async () => {
  const t = (await post({ name: 'CUSTOM_DEL', steps: [step()] })).json();
  for (const ident of [t.uuid, 'CUSTOM_DEL']) {
    const r = await call(g.app, `/v1/deploy_templates/${ident}`, { method: 'DELETE', version: V });
    assert.equal(r.statusCode, 501, r.body);
    assert.equal(inner(r).faultcode, 'Server');
    assert.match(fault(r), /was not deleted/);
    assert.match(fault(r), /DeployTemplate.destroy\(\) takes no context/);
    assert.match(fault(r), /No conductor release up to Ironic 39\.0/);
  }
  assert.equal((await call(g.app, `/v1/deploy_templates/${t.uuid}`, { version: V })).statusCode, 200);
  expectError(await call(g.app, '/v1/deploy_templates/CUSTOM_NOPE', { method: 'DELETE', version: V }), 404);
});
