/**
 * Provisioning of 1.83–1.115 (issue 15, slice provision) on the simulated conductor, unpinned
 * (1.115, RPC 1.62, 39.0's state machine) and pinned to 21.4 where 39.0 answers differently:
 * unhold (1.85), service with service_steps (1.87), disable_ramdisk with service (1.108), abort
 * in `wait call-back` (1.110), abort of the holds and of servicing, [api]disallow_*_steps, and
 * 39.0's step schemas.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { after, before, test } from 'node:test';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { IronicObject } from '../../../src/conductor/objects.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { SECRET } from '../auth/helpers.ts';
import { call, createNode, expectError, waitFor } from './nodes-helpers.ts';

let g: TestGateway;
let antelope: TestGateway;
let open: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  antelope = await testGateway({ routes: resourceRoutes, config: { pin_release_version: '21.4' } });
  open = await testGateway({
    routes: resourceRoutes,
    config: { pin_release_version: undefined, disallow_clean_steps: '', disallow_service_steps: 'bios.factory_reset' },
  });
});
after(async () => {
  await g.close();
  await antelope.close();
  await open.close();
});

const put = (gw: TestGateway, ident: string, body: Record<string, unknown>, version: string) =>
  call(gw.app, `/v1/nodes/${ident}/states/provision`, { method: 'PUT', version, body });

const settled = (gw: TestGateway, ident: string) =>
  waitFor(gw.app, ident, (n) => n.target_provision_state === null && n.reservation === null);

const unlocked = (gw: TestGateway, ident: string) => waitFor(gw.app, ident, (n) => n.reservation === null);

async function move(gw: TestGateway, ident: string, target: string, version = '1.38') {
  const r = await put(gw, ident, { target }, version);
  assert.equal(r.statusCode, 202, r.body);
  return settled(gw, ident);
}

/** A fake-hardware node brought to `to`. */
async function node(gw: TestGateway, to: 'manageable' | 'available' | 'active' = 'active') {
  const n = await createNode(gw.app);
  await move(gw, n.uuid, 'manage');
  if (to !== 'manageable') await move(gw, n.uuid, 'provide');
  if (to === 'active') await move(gw, n.uuid, 'active');
  return n.uuid as string;
}

const row = (gw: TestGateway, uuid: string) => gw.sim.store.nodes.byUuid(uuid) as Record<string, any>;

/** Puts a node straight into a state only a real agent would reach (a hold, a wait). */
function force(gw: TestGateway, uuid: string, state: string, target: string) {
  Object.assign(row(gw, uuid), { provision_state: state, target_provision_state: target });
}

const LOG = { interface: 'vendor', step: 'log_passthrough' };
const WAIT = { interface: 'vendor', step: 'trigger_servicewait' };
const HOLD = { interface: 'power', step: 'hold' };

test('unhold (1.85): 406 at 1.84 on a held node, 400 on a node in another state; clean and deploy hold go back to their wait', async () => {
  const uuid = await node(g, 'manageable');
  // the state machine comes first: an active or manageable node answers 400 at any version
  expectError(
    await put(g, uuid, { target: 'unhold' }, '1.84'),
    400,
    /The requested action "unhold" can not be performed/,
  );
  expectError(await put(g, uuid, { target: 'unhold' }, '1.85'), 400, /in state "manageable"/);
  force(g, uuid, 'clean hold', 'manageable');
  expectError(await put(g, uuid, { target: 'unhold' }, '1.84'), 406);
  assert.equal((await put(g, uuid, { target: 'unhold' }, '1.85')).statusCode, 202);
  let n = await unlocked(g, uuid);
  // process_event('unhold') without a target: clean wait's own target, as 39.0's FSM sets it
  assert.equal(n.provision_state, 'clean wait');
  assert.equal(n.target_provision_state, 'available');
  force(g, uuid, 'deploy hold', 'active');
  assert.equal((await put(g, uuid, { target: 'unhold' }, '1.115')).statusCode, 202);
  n = await unlocked(g, uuid);
  assert.equal(n.provision_state, 'wait call-back');
  // pinned to 21.4 there is no unhold: a 400 for the state, at its newest microversion
  const old = await node(antelope, 'manageable');
  expectError(await put(antelope, old, { target: 'unhold' }, '1.82'), 400, /"unhold" can not be performed/);
});

test('service (1.87): 406 at 1.86 on an active node, state before version, steps required and only with service', async () => {
  const uuid = await node(g);
  expectError(await put(g, uuid, { target: 'service', service_steps: [LOG] }, '1.86'), 406);
  const managed = await node(g, 'manageable');
  expectError(
    await put(g, managed, { target: 'service', service_steps: [LOG] }, '1.86'),
    400,
    /"service" can not be performed on node .* in state "manageable"/,
  );
  expectError(
    await put(g, uuid, { target: 'service' }, '1.87'),
    400,
    /^"service_steps" is required when setting target provision state to service$/,
  );
  expectError(
    await put(g, managed, { target: 'clean', service_steps: [LOG] }, '1.87'),
    400,
    /^"service_steps" is only valid when setting target provision state to service$/,
  );
  expectError(
    await put(g, uuid, { target: 'service', service_steps: [{ interface: 'network', step: 'x' }] }, '1.87'),
    400,
    /^Invalid service_steps/,
  );
  // 39.0's malformed step lists answer 500 (R3); the gateway answers the schema's 400
  expectError(
    await put(g, uuid, { target: 'service', service_steps: [{ step: 'x' }] }, '1.87'),
    400,
    /^Invalid service_steps/,
  );
  const r = await put(g, uuid, { target: 'service', service_steps: [LOG, { ...LOG, args: {}, order: 1 }] }, '1.87');
  assert.equal(r.statusCode, 202, r.body);
  const n = await settled(g, uuid);
  assert.equal(n.provision_state, 'active');
  assert.equal(n.last_error, null);
  assert.deepEqual(row(g, uuid).service_step, null);
  assert.equal(row(g, uuid).driver_internal_info.service_steps, undefined);
});

test('service hold: a hold step holds the node, unhold runs the remaining steps back to active', async () => {
  const uuid = await node(g);
  const r = await put(
    g,
    uuid,
    { target: 'service', service_steps: [LOG, HOLD, { interface: 'power', step: 'power_off' }] },
    '1.87',
  );
  assert.equal(r.statusCode, 202, r.body);
  let n = await unlocked(g, uuid);
  assert.equal(n.provision_state, 'service hold');
  assert.equal(n.target_provision_state, 'active');
  assert.deepEqual(row(g, uuid).service_step, HOLD);
  // a held node can be given new steps (service hold --service--> servicing)
  assert.equal((await put(g, uuid, { target: 'unhold' }, '1.85')).statusCode, 202);
  n = await settled(g, uuid);
  assert.equal(n.provision_state, 'active');
  assert.equal(n.power_state, 'power off');
});

test('service wait: continue_node_service (RPC 1.60, a cast) resumes; abort from service wait ends in active', async () => {
  const uuid = await node(g);
  assert.equal((await put(g, uuid, { target: 'service', service_steps: [WAIT, LOG] }, '1.87')).statusCode, 202);
  let n = await unlocked(g, uuid);
  assert.equal(n.provision_state, 'service wait');
  await g.conductor.continue_node_service({} as never, uuid);
  n = await waitFor(g.app, uuid, (x) => x.provision_state === 'active' && x.reservation === null);
  assert.equal(n.target_provision_state, null);

  assert.equal((await put(g, uuid, { target: 'service', service_steps: [WAIT] }, '1.87')).statusCode, 202);
  await waitFor(g.app, uuid, (x) => x.provision_state === 'service wait' && x.reservation === null);
  // the step in progress is not abortable: the abort waits for it (abort_after)
  assert.equal((await put(g, uuid, { target: 'abort' }, '1.87')).statusCode, 202);
  await unlocked(g, uuid);
  assert.equal(row(g, uuid).service_step.abort_after, true);
  row(g, uuid).service_step = { ...WAIT, abortable: true };
  assert.equal((await put(g, uuid, { target: 'abort' }, '1.87')).statusCode, 202);
  n = await settled(g, uuid);
  assert.equal(n.provision_state, 'active');
  assert.equal(
    n.last_error,
    'By request, the service operation was aborted during or after the completion of step "vendor.trigger_servicewait"',
  );
});

test('service failed: an unsupported step fails into maintenance; abort refused in maintenance (409), then back to active', async () => {
  const uuid = await node(g);
  const bad = { interface: 'management', step: 'no_such_step' };
  assert.equal((await put(g, uuid, { target: 'service', service_steps: [bad] }, '1.87')).statusCode, 202);
  let n = await unlocked(g, uuid);
  assert.equal(n.provision_state, 'service failed');
  assert.equal(n.maintenance, true);
  assert.match(n.last_error, /failed step .*no_such_step/);
  assert.equal(row(g, uuid).fault, 'service failure');
  expectError(
    await put(g, uuid, { target: 'abort' }, '1.87'),
    409,
    /Can not abort service on node .* while it is in maintenance mode/,
  );
  await call(g.app, `/v1/nodes/${uuid}/maintenance`, { method: 'DELETE', version: '1.38' });
  assert.equal((await put(g, uuid, { target: 'abort' }, '1.13')).statusCode, 202);
  n = await settled(g, uuid);
  assert.equal(n.provision_state, 'active');
  assert.equal(n.last_error, 'By request, the service operation was aborted');
});

test('disable_ramdisk (1.108): 406 with service at 1.107, sent with service from 1.108; other targets 400 (21.4: 500)', async () => {
  const uuid = await node(g);
  const body = { target: 'service', service_steps: [WAIT], disable_ramdisk: true };
  expectError(await put(g, uuid, body, '1.107'), 406, /^disable_ramdisk is not acceptable in this API version$/);
  assert.equal((await put(g, uuid, body, '1.108')).statusCode, 202);
  await waitFor(g.app, uuid, (x) => x.provision_state === 'service wait' && x.reservation === null);
  assert.equal(row(g, uuid).driver_internal_info.service_disable_ramdisk, true);
  expectError(
    await put(g, uuid, { target: 'deleted', disable_ramdisk: true }, '1.108'),
    400,
    /^disable_ramdisk is supported only with manual cleaning or servicing$/,
  );
  // pinned to 21.4: 21.4's message (its 500 fixed as a 400 before)
  const old = await node(antelope, 'manageable');
  expectError(
    await put(antelope, old, { target: 'provide', disable_ramdisk: true }, '1.82'),
    400,
    /^disable_ramdisk is supported only with manual cleaning$/,
  );
});

test('abort in wait call-back (1.110): 406 at 1.109, deploy failed at 1.110; pinned to 21.4 a 400 for the state', async () => {
  const uuid = await node(g, 'available');
  force(g, uuid, 'wait call-back', 'active');
  expectError(await put(g, uuid, { target: 'abort' }, '1.109'), 406);
  expectError(await put(g, uuid, { target: 'abort' }, '1.1'), 406);
  assert.equal((await put(g, uuid, { target: 'abort' }, '1.110')).statusCode, 202);
  const n = await unlocked(g, uuid);
  assert.equal(n.provision_state, 'deploy failed');
  assert.equal(n.last_error, 'By request, the deploy operation was aborted');
  // deploy hold aborts at any version
  const held = await node(g, 'available');
  force(g, held, 'deploy hold', 'active');
  assert.equal((await put(g, held, { target: 'abort' }, '1.13')).statusCode, 202);
  assert.equal((await unlocked(g, held)).provision_state, 'deploy failed');
  // clean hold aborts as clean wait does
  const clean = await node(g, 'manageable');
  force(g, clean, 'clean hold', 'manageable');
  assert.equal((await put(g, clean, { target: 'abort' }, '1.13')).statusCode, 202);
  const failed = await unlocked(g, clean);
  assert.equal(failed.provision_state, 'clean failed');
  assert.equal(failed.last_error, 'By request, the clean operation was aborted');

  const old = await node(antelope, 'available');
  force(antelope, old, 'wait call-back', 'active');
  expectError(await put(antelope, old, { target: 'abort' }, '1.82'), 400, /"abort" can not be performed/);
});

test('[api]disallow_*_steps (39.0 defaults vendor.send_raw) at every microversion; the settings; none when pinned to 21.4', async () => {
  const managed = await node(g, 'manageable');
  const raw = { interface: 'vendor', step: 'send_raw' };
  expectError(
    await put(g, managed, { target: 'clean', clean_steps: [raw] }, '1.15'),
    400,
    /^clean step 'vendor\.send_raw' is not allowed\. Disallowed by operator configuration \[api\]disallow_clean_steps\.$/,
  );
  const active = await node(g);
  expectError(
    await put(g, active, { target: 'service', service_steps: [raw] }, '1.87'),
    400,
    /^service step 'vendor\.send_raw' is not allowed\. Disallowed by operator configuration \[api\]disallow_service_steps\.$/,
  );
  const available = await node(g, 'available');
  expectError(
    await put(g, available, { target: 'active', deploy_steps: [{ ...raw, args: {}, priority: 50 }] }, '1.69'),
    400,
    /^deploy step 'vendor\.send_raw' is not allowed/,
  );
  // 39.0's step schemas know the vendor and firmware interfaces; malformed lists are 400s (R3 fixed)
  expectError(
    await put(g, managed, { target: 'clean', clean_steps: [{ step: 'x' }] }, '1.15'),
    400,
    /^Invalid clean_steps/,
  );

  // other settings: clean send_raw passes the API (the conductor refuses the unknown step), bios.factory_reset does not
  const m2 = await node(open, 'manageable');
  assert.equal((await put(open, m2, { target: 'clean', clean_steps: [raw] }, '1.15')).statusCode, 202);
  const a2 = await node(open);
  expectError(
    await put(open, a2, { target: 'service', service_steps: [{ interface: 'bios', step: 'factory_reset' }] }, '1.87'),
    400,
    /^service step 'bios\.factory_reset' is not allowed/,
  );

  // 21.4 has no disallow list; its clean step schema has no vendor interface
  const old = await node(antelope, 'manageable');
  expectError(await put(antelope, old, { target: 'clean', clean_steps: [raw] }, '1.82'), 400, /^Invalid clean_steps/);
});

test('execute_on_child_nodes: limit_child_node_execution entries must be UUIDs of visible nodes', async () => {
  const uuid = await node(g);
  const step = { ...LOG, execute_on_child_nodes: true };
  expectError(
    await put(g, uuid, { target: 'service', service_steps: [{ ...step, limit_child_node_execution: ['x'] }] }, '1.87'),
    400,
    /^Invalid entry detected for execute_on_child_node parameter in step 'x'\.$/,
  );
  expectError(
    await put(
      g,
      uuid,
      {
        target: 'service',
        service_steps: [{ ...step, limit_child_node_execution: ['5a8c1b2e-4d6f-4a7b-9c0d-1e2f3a4b5c6d'] }],
      },
      '1.87',
    ),
    404,
  );
});

test('pinned to 21.4: service_steps and runbook are not arguments, service is not a target', async () => {
  const uuid = await node(antelope);
  expectError(
    await put(antelope, uuid, { target: 'service', service_steps: [LOG] }, '1.82'),
    400,
    /additional properties/,
  );
  expectError(await put(antelope, uuid, { target: 'clean', runbook: 'x' }, '1.82'), 400, /additional properties/);
  expectError(await put(antelope, uuid, { target: 'service' }, '1.82'), 400, /"service" can not be performed/);
  // behind a 21.4 pin neither the gateway nor its simulator (RPC 1.55) speaks do_node_service
  await assert.rejects(antelope.conductor.do_node_service({} as never, uuid, [LOG]), /version cap 1\.55/);
  await assert.rejects(
    antelope.sim.endpoint({
      method: 'do_node_service',
      version: '1.57',
      args: { node_id: uuid },
      context: {},
    } as never),
    /does not support RPC version 1\.57/,
  );
});

test('runbook (1.92; traits 1.112): 406 below, trait checks, its steps and disable_ramdisk replace the request’s', async () => {
  const RB = 'a7c1e0d2-3b4f-4c5d-8e6f-7a8b9c0d1e2f';
  let traits: string[] = ['CUSTOM_RB'];
  const runbook = () =>
    new IronicObject(
      'Runbook',
      {
        id: 3,
        uuid: RB,
        name: 'CUSTOM_RB',
        steps: [{ interface: 'bios', step: 'factory_reset', args: {}, order: 1 }],
        disable_ramdisk: true,
        extra: {},
        public: true,
        owner: null,
        traits: new IronicObject('RunbookTraitList', {
          objects: traits.map((trait) => new IronicObject('RunbookTrait', { runbook_id: 3, trait })),
        }),
      },
      '1.2',
    );
  // the simulator on main has no Runbook class yet (the runbooks slice's): Runbook.list answered here
  const api = g.app.conductor as unknown as Record<string, any>;
  const original = api.object_class_action_versions.bind(api);
  const seen: { clean?: unknown[]; service?: unknown[]; filters?: unknown } = {};
  api.object_class_action_versions = (...a: any[]) => {
    if (a[1] !== 'Runbook') return original(...a);
    seen.filters = a[5].filters;
    const f = a[5].filters;
    return Promise.resolve(f.uuid_in?.[0] === RB || f.name_in?.[0] === 'CUSTOM_RB' ? [runbook()] : []);
  };
  const clean = api.do_node_clean.bind(api);
  api.do_node_clean = (...a: any[]) => {
    seen.clean = [a[2], a[4]];
    return clean(...a);
  };
  const service = api.do_node_service.bind(api);
  api.do_node_service = (...a: any[]) => {
    seen.service = [a[2], a[3]];
    return service(...a);
  };
  try {
    const managed = await node(g, 'manageable');
    expectError(await put(g, managed, { target: 'clean', runbook: RB }, '1.91'), 406);
    expectError(
      await put(g, managed, { target: 'clean', runbook: 'CUSTOM_RB' }, '1.92'),
      400,
      /^This runbook has not been approved for use on this node .*\. Please ask an administrator to add it to your node traits\.$/,
    );
    assert.deepEqual(seen.filters, { name_in: ['CUSTOM_RB'] });
    expectError(
      await put(g, managed, { target: 'clean', runbook: 'nope' }, '1.92'),
      404,
      /^Runbook nope could not be found\.$/,
    );
    const t = await call(g.app, `/v1/nodes/${managed}/traits/CUSTOM_RB`, { method: 'PUT', version: '1.37' });
    assert.equal(t.statusCode, 204, t.body);
    expectError(
      await put(g, managed, { target: 'clean', runbook: RB, clean_steps: [LOG] }, '1.92'),
      400,
      /^Please provide either "clean_steps" or a runbook, but not both\.$/,
    );
    // below 1.112 the name must be a node trait (it is); the runbook's disable_ramdisk is sent
    assert.equal((await put(g, managed, { target: 'clean', runbook: RB }, '1.92')).statusCode, 202);
    assert.deepEqual(seen.clean, [[{ interface: 'bios', step: 'factory_reset', args: {}, order: 1 }], true]);
    assert.equal((await settled(g, managed)).provision_state, 'manageable');
    // 1.112: the runbook's traits decide
    traits = [];
    expectError(
      await put(g, managed, { target: 'clean', runbook: RB }, '1.112'),
      400,
      /^Runbook .* has no traits configured/,
    );
    traits = ['CUSTOM_OTHER'];
    expectError(
      await put(g, managed, { target: 'clean', runbook: RB }, '1.112'),
      400,
      /The node does not have any of the runbook's traits \['CUSTOM_OTHER'\]/,
    );
    traits = ['CUSTOM_OTHER', 'CUSTOM_RB'];
    // a runbook with another target: its disable_ramdisk (never None) makes it a 400
    expectError(
      await put(g, managed, { target: 'provide', runbook: RB }, '1.112'),
      400,
      /^disable_ramdisk is supported only with manual cleaning or servicing$/,
    );
    const active = await node(g);
    await call(g.app, `/v1/nodes/${active}/traits/CUSTOM_RB`, { method: 'PUT', version: '1.37' });
    expectError(
      await put(g, active, { target: 'service', runbook: RB, service_steps: [LOG] }, '1.112'),
      400,
      /^Please provide either "service_steps" or a runbook, but not both\.$/,
    );
    assert.equal((await put(g, active, { target: 'service', runbook: RB }, '1.112')).statusCode, 202);
    assert.deepEqual(seen.service, [[{ interface: 'bios', step: 'factory_reset', args: {}, order: 1 }], true]);
    assert.equal((await settled(g, active)).provision_state, 'active');
  } finally {
    delete api.object_class_action_versions;
    delete api.do_node_clean;
    delete api.do_node_service;
  }
});

test('clean hold end to end: a hold clean step holds the node (39.0), unhold, then continue_node_clean runs the rest', async () => {
  const uuid = await node(g, 'manageable');
  const steps = [HOLD, { interface: 'bios', step: 'factory_reset' }];
  assert.equal((await put(g, uuid, { target: 'clean', clean_steps: steps }, '1.85')).statusCode, 202);
  let n = await unlocked(g, uuid);
  assert.equal(n.provision_state, 'clean hold');
  // process_event('hold') without a target: clean hold's own (available), as 39.0's FSM sets it
  assert.equal(n.target_provision_state, 'available');
  assert.deepEqual(n.clean_step, HOLD);
  assert.equal((await put(g, uuid, { target: 'unhold' }, '1.85')).statusCode, 202);
  n = await unlocked(g, uuid);
  assert.equal(n.provision_state, 'clean wait');
  // the agent's next heartbeat would continue cleaning: the conductor's own cast
  await g.conductor.continue_node_clean({} as never, uuid);
  n = await settled(g, uuid);
  // the manual clean's target was lost at the hold, so cleaning ends as automated cleaning does
  assert.equal(n.provision_state, 'available');
  // pinned to 21.4 there is no reserved hold step: the conductor refuses it
  const old = await node(antelope, 'manageable');
  assert.equal((await put(antelope, old, { target: 'clean', clean_steps: [HOLD] }, '1.82')).statusCode, 202);
  n = await unlocked(antelope, old);
  assert.equal(n.provision_state, 'clean failed');
  assert.match(n.last_error, /node does not support this clean step: \{'interface': 'power', 'step': 'hold'\}/);
});

test('set_provision_state:clean_steps and :service_steps (39.0 rules): 403 when denied; not checked pinned to 21.4', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-policy-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      'baremetal:node:set_provision_state:clean_steps': '!',
      'baremetal:node:set_provision_state:service_steps': '!',
    }),
  );
  const auth = { auth_strategy: 'jwt' as const, jwt_algorithm: 'HS256', jwt_secret: SECRET, policy_file: policyFile };
  // a system admin's token as Keystone issues it: the implied roles (member, reader) listed too
  const token = jwt.sign({ sub: 'alice', roles: ['admin', 'member', 'reader'], system_scope: 'all' }, SECRET, {
    algorithm: 'HS256',
    expiresIn: 300,
  });
  const headers = { authorization: `Bearer ${token}` };
  const gws = await Promise.all(
    [undefined, '21.4'].map((pin) =>
      testGateway({ routes: resourceRoutes, config: { pin_release_version: pin, ...auth } }),
    ),
  );
  try {
    const [newest, old] = gws;
    const at = (gw: TestGateway, url: string, method: 'GET' | 'PUT' | 'POST', body: unknown, version: string) =>
      call(gw.app, url, { method, body, version, headers });
    for (const gw of gws) {
      const created = await at(gw, '/v1/nodes', 'POST', { driver: 'fake-hardware' }, '1.38');
      assert.equal(created.statusCode, 201, created.body);
      const uuid = created.json().uuid;
      assert.equal(
        (await at(gw, `/v1/nodes/${uuid}/states/provision`, 'PUT', { target: 'manage' }, '1.38')).statusCode,
        202,
      );
      for (
        let i = 0;
        (await at(gw, `/v1/nodes/${uuid}`, 'GET', undefined, '1.38')).json().provision_state !== 'manageable';
        i++
      ) {
        assert.ok(i < 500, 'the node never became manageable');
        await new Promise((res) => setTimeout(res, 10));
      }
      const steps = { target: 'clean', clean_steps: [{ interface: 'bios', step: 'factory_reset' }] };
      const r = await at(gw, `/v1/nodes/${uuid}/states/provision`, 'PUT', steps, '1.82');
      if (gw === newest) {
        expectError(
          r,
          403,
          /^Access was denied to the following resource: baremetal:node:set_provision_state:clean_steps$/,
        );
        const s = await at(
          gw,
          `/v1/nodes/${uuid}/states/provision`,
          'PUT',
          { target: 'service', service_steps: [LOG] },
          '1.87',
        );
        expectError(s, 403, /set_provision_state:service_steps$/);
      } else {
        assert.equal(gw, old);
        assert.equal(r.statusCode, 202, r.body);
      }
    }
  } finally {
    await Promise.all(gws.map((gw) => gw.close()));
    rmSync(dir, { recursive: true, force: true });
  }
});
