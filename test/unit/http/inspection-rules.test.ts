/**
 * /v1/inspection_rules (1.96) on the simulated 39.0 conductor: the faultstring 404/405 below
 * 1.96, create/read/list/patch through the indirection API with 39.0's validation, sensitive
 * rules hiding their conditions and actions, 39.0's `/v1/inspection` links (R7, copied), and
 * DELETE answered 501 as a 39.0 conductor cannot destroy a rule.
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

const V = '1.96';
const rule = (extra: Record<string, unknown> = {}) => ({
  description: 'add a trait',
  priority: 10,
  conditions: [{ op: 'eq', args: { values: ['{inventory[cpu][architecture]}', 'x86_64'] } }],
  actions: [{ op: 'add-trait', args: { name: 'CUSTOM_X86' } }],
  ...extra,
});
const post = (body: unknown, version = V) => call(g.app, '/v1/inspection_rules', { method: 'POST', version, body });

test('below 1.96: 404 for GET, 405 for writes, in the faultstring shape', async () => {
  const r = await call(g.app, '/v1/inspection_rules', { version: '1.95' });
  expectError(r, 404, /^The API version does not allow inspection rules$/);
  expectError(await post(rule(), '1.95'), 405, /^The API version does not allow inspection rules$/);
  for (const method of ['PATCH', 'DELETE'] as const)
    expectError(
      await call(g.app, '/v1/inspection_rules/00000000-0000-0000-0000-000000000000', {
        method,
        version: '1.1',
        body: [],
      }),
      405,
    );
});

test('POST: 201 with Location, 39.0 representation and links; conditions optional (R9 fixed)', async () => {
  const r = await post(rule());
  assert.equal(r.statusCode, 201, r.body);
  const ir = r.json();
  assert.equal(r.headers.location, `http://localhost:80/v1/inspection_rules/${ir.uuid}`);
  assert.deepEqual(Object.keys(ir), [
    'uuid',
    'created_at',
    'updated_at',
    'description',
    'priority',
    'sensitive',
    'phase',
    'conditions',
    'actions',
    'links',
  ]);
  assert.equal(ir.phase, 'main');
  assert.equal(ir.sensitive, false);
  assert.deepEqual(ir.actions, [{ op: 'add-trait', args: { name: 'CUSTOM_X86' } }]);
  assert.equal(ir.links[0].href, `http://localhost:80/v1/inspection/${ir.uuid}`);
  const bare = await post({ actions: [{ op: 'log', args: { msg: 'hi' } }] });
  assert.equal(bare.statusCode, 201, bare.body);
  assert.deepEqual(bare.json().conditions, []);
  assert.equal(bare.json().priority, 0);
});

test('POST validation: schema, phase, priority, plugin arguments', async () => {
  expectError(
    await post({ conditions: [] }),
    400,
    /Schema error for inspection_rule: 'actions' is a required property/,
  );
  expectError(await post(rule({ actions: [] })), 400, /\[\] is too short/);
  expectError(await post(rule({ actions: [{ op: 'explode', args: {} }] })), 400, /'explode' is not one of/);
  expectError(await post(rule({ foo: 1 })), 400, /'foo' was unexpected/);
  expectError(await post(rule({ priority: -1 })), 400, /-1 is less than the minimum of 0/);
  expectError(
    await post(rule({ priority: 10000 })),
    400,
    /^Priority must be between 0 and 9999 for user-defined rules\.$/,
  );
  expectError(await post(rule({ phase: 'early' })), 400, /^Invalid phase: early\. Valid phases are: main$/);
  expectError(
    await post(rule({ actions: [{ op: 'add-trait', args: { nom: 'x' } }] })),
    400,
    /^Invalid parameters for action operator add-trait: missing required argument\(s\): name; unexpected argument\(s\): nom$/,
  );
  expectError(
    await post(rule({ conditions: [{ op: '!eq', args: {} }], actions: [{ op: 'fail', args: {} }] })),
    400,
    /^Multiple validation errors occurred: Invalid parameters for condition operator eq: .*; Invalid parameters for action operator fail: missing required argument\(s\): msg$/,
  );
  // plugin-data actions get their plugin_data from the API, the deprecated list form is accepted
  assert.equal(
    (await post(rule({ actions: [{ op: 'set-plugin-data', args: { path: 'a', value: 1 } }] }))).statusCode,
    201,
  );
  assert.equal((await post(rule({ actions: [{ op: 'set-attribute', args: ['/extra/a', 1] }] }))).statusCode, 201);
});

test('GET one (uuid only), sensitive rules hide conditions and actions, fields', async () => {
  const ir = (await post(rule({ sensitive: true }))).json();
  assert.equal(ir.conditions, null);
  assert.equal(ir.actions, null);
  const r = await call(g.app, `/v1/inspection_rules/${ir.uuid}?fields=uuid,priority`, { version: V });
  assert.deepEqual(Object.keys(r.json()), ['uuid', 'priority', 'links']);
  expectError(await call(g.app, '/v1/inspection_rules/not-a-uuid', { version: V }), 400, /is not a 'uuid'/);
  expectError(
    await call(g.app, '/v1/inspection_rules/11111111-1111-1111-1111-111111111111', { version: V }),
    404,
    /^Rule 11111111-1111-1111-1111-111111111111 could not be found\.$/,
  );
});

test('list: default fields, detail, next link as 39.0 writes it (R7), phase accepted and ignored (R8)', async () => {
  await post(rule());
  const r = await call(g.app, '/v1/inspection_rules', { version: V });
  assert.equal(r.statusCode, 200, r.body);
  const items = r.json().inspection_rules;
  assert.ok(items.length >= 1);
  assert.deepEqual(Object.keys(items[0]), ['uuid', 'description', 'priority', 'phase', 'links']);
  const page = (await call(g.app, '/v1/inspection_rules?limit=1&phase=main', { version: V })).json();
  assert.equal(
    page.next,
    `http://localhost:80/v1/inspection?filters={'phase': 'main'}&sort_key=id&sort_dir=asc&fields=uuid,priority,phase,description&limit=1&marker=${page.inspection_rules[0].uuid}`,
  );
  const other = (await call(g.app, '/v1/inspection_rules?phase=nothing', { version: V })).json();
  assert.equal(other.inspection_rules.length, items.length);
  const detail = (await call(g.app, '/v1/inspection_rules?detail=true', { version: V })).json().inspection_rules;
  assert.ok('actions' in detail[0]);
  expectError(await call(g.app, '/v1/inspection_rules?sort_key=actions', { version: V }), 400, /invalid field/);
  expectError(await call(g.app, '/v1/inspection_rules?bogus=1', { version: V }), 400);
});

test('PATCH: saved; the sensitive flag cannot be unset; the rule re-validated', async () => {
  const ir = (await post(rule())).json();
  const patch = (body: unknown) =>
    call(g.app, `/v1/inspection_rules/${ir.uuid}`, { method: 'PATCH', version: V, body });
  let r = await patch([
    { op: 'replace', path: '/priority', value: 50 },
    { op: 'replace', path: '/description', value: 'changed' },
  ]);
  assert.equal(r.statusCode, 200, r.body);
  assert.deepEqual({ p: r.json().priority, d: r.json().description }, { p: 50, d: 'changed' });
  const again = (await call(g.app, `/v1/inspection_rules/${ir.uuid}`, { version: V })).json();
  assert.equal(again.priority, 50);
  expectError(await patch([{ op: 'replace', path: '/phase', value: 'late' }]), 400, /Invalid phase: late/);
  r = await patch([{ op: 'replace', path: '/sensitive', value: true }]);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().actions, null);
  expectError(
    await patch([{ op: 'replace', path: '/sensitive', value: false }]),
    400,
    /Reason: Inspection rules cannot have the sensitive flag unset\.$/,
  );
  expectError(
    await call(g.app, '/v1/inspection_rules/nope', { method: 'PATCH', version: V, body: [] }),
    400,
    /Expected UUID for inspection_rule_uuid: nope/,
  );
});

test('DELETE: 501 naming the conductor limitation, the rule unchanged', async () => {
  const ir = (await post(rule())).json();
  const r = await call(g.app, `/v1/inspection_rules/${ir.uuid}`, { method: 'DELETE', version: V });
  expectError(r, 501, /Inspection rule .* was not deleted: .*TypeError.*InspectionRule\.destroy\(\)/);
  assert.equal((await call(g.app, `/v1/inspection_rules/${ir.uuid}`, { version: V })).statusCode, 200);
  assert.match(fault(r), /The rule is unchanged\.$/);
});
