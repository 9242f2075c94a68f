/**
 * Provisioning and node actions of 1.39–1.82 on the simulated conductor (unpinned: 1.82, RPC
 * 1.55), each at the microversion below its gate and at the gate: inspect wait (1.39, 1.41),
 * configdrive as JSON (1.56, 1.59), deploy_steps (1.69), disable_ramdisk (1.70), deploy and
 * undeploy (1.73), boot mode and secure boot (1.75, 1.76), indicators (1.63, not enforced),
 * VIF port_uuid/portgroup_uuid (1.67); NodeProtected and ConcurrentActionLimit.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { nodeRoutes } from '../../../src/http/routes/nodes/index.ts';
import { resourceRoutes } from '../../../src/http/routes/index.ts';
import { concurrencyLimits } from '../../../src/simulator/provision.ts';
import { testGateway, type TestGateway } from '../../support/app.ts';
import { call, createNode, expectError, fault, waitFor } from './nodes-helpers.ts';

let g: TestGateway;
let queens: TestGateway;
before(async () => {
  g = await testGateway({ routes: resourceRoutes, config: { pin_release_version: undefined } });
  queens = await testGateway({ routes: nodeRoutes }); // pinned to 10.1
});
after(async () => {
  await g.close();
  await queens.close();
});

const put = (ident: string, body: Record<string, unknown>, version: string, what = 'provision') =>
  call(g.app, `/v1/nodes/${ident}/states/${what}`, { method: 'PUT', version, body });

const get = async (ident: string, version = '1.82') =>
  (await call(g.app, `/v1/nodes/${ident}`, { version })).json() as Record<string, any>;

const settled = (ident: string) =>
  waitFor(g.app, ident, (n) => n.target_provision_state === null && n.reservation === null);

/** PUT a target at `version`, expect 202 and wait until the node settles. */
async function move(ident: string, target: string, version = '1.82', body: Record<string, unknown> = {}) {
  const r = await put(ident, { target, ...body }, version);
  assert.equal(r.statusCode, 202, r.body);
  return settled(ident);
}

/** A fake-hardware node brought to `available` (or `manageable`). */
async function node(to: 'manageable' | 'available' | 'active' = 'available', extra: Record<string, unknown> = {}) {
  const n = await createNode(g.app, extra);
  await move(n.uuid, 'manage');
  if (to !== 'manageable') await move(n.uuid, 'provide');
  if (to === 'active') await move(n.uuid, 'active');
  return n.uuid as string;
}

const row = (uuid: string) => g.sim.store.nodes.byUuid(uuid) as Record<string, any>;

test('inspect wait: shown as inspecting below 1.39, abort from 1.41 (406 below), inspect failed after', async () => {
  const uuid = await node('manageable', { driver_info: { simulator_inspect_wait: true } });
  const r = await put(uuid, { target: 'inspect' }, '1.82');
  assert.equal(r.statusCode, 202, r.body);
  await waitFor(g.app, uuid, (n) => n.reservation === null);
  assert.equal((await get(uuid, '1.39')).provision_state, 'inspect wait');
  assert.equal((await get(uuid, '1.38')).provision_state, 'inspecting');
  const states = async (v: string) => (await call(g.app, `/v1/nodes/${uuid}/states`, { version: v })).json();
  assert.equal((await states('1.38')).provision_state, 'inspecting');
  assert.equal((await states('1.39')).provision_state, 'inspect wait');
  const list = (await call(g.app, '/v1/nodes/detail', { version: '1.38' })).json().nodes;
  assert.equal(list.find((n: any) => n.uuid === uuid).provision_state, 'inspecting');
  // a node in inspect wait may be updated (UPDATE_ALLOWED_STATES at 21.4)
  const patched = await call(g.app, `/v1/nodes/${uuid}`, {
    method: 'PATCH',
    version: '1.82',
    body: [{ op: 'add', path: '/extra/x', value: 1 }],
  });
  assert.equal(patched.statusCode, 200, patched.body);
  expectError(await put(uuid, { target: 'abort' }, '1.40'), 406);
  // 1.39: a node still inspecting is not updated (409); below, inspecting allows updates
  const patch = (v: string) =>
    call(g.app, `/v1/nodes/${uuid}`, {
      method: 'PATCH',
      version: v,
      body: [{ op: 'add', path: '/extra/y', value: 2 }],
    });
  row(uuid).provision_state = 'inspecting';
  expectError(
    await patch('1.39'),
    409,
    new RegExp(`^Cannot update node "${uuid}" while it is in state "inspecting"\\.$`),
  );
  assert.equal((await patch('1.38')).statusCode, 200);
  row(uuid).provision_state = 'inspect wait';
  assert.equal((await put(uuid, { target: 'abort' }, '1.41')).statusCode, 202);
  // inspect failed keeps manageable as its target (not a stable state)
  const after = await get(uuid);
  assert.equal(after.provision_state, 'inspect failed');
  assert.equal(after.last_error, 'Inspection was aborted by request.');
  // abort of a node that is not waiting is refused by the state machine, at any version
  expectError(await put(uuid, { target: 'abort' }, '1.82'), 400, /The requested action "abort" can not be performed/);
});

test('configdrive: a JSON object from 1.56, vendor_data from 1.59 (400 below), schema and base64 checks', async () => {
  const uuid = await node();
  const drive = { meta_data: { hostname: 'h' }, user_data: '#!/bin/sh', network_data: {} };
  expectError(
    await put(uuid, { target: 'active', configdrive: drive }, '1.55'),
    400,
    /^Providing a JSON object for configdrive is only supported starting with API version 1\.56$/,
  );
  expectError(
    await put(uuid, { target: 'active', configdrive: { ...drive, vendor_data: { a: 1 } } }, '1.58'),
    400,
    /^Providing vendor_data in configdrive is only supported starting with API version 1\.59$/,
  );
  expectError(
    await put(uuid, { target: 'active', configdrive: { extra: 1 } }, '1.82'),
    400,
    /^Invalid configdrive format/,
  );
  expectError(
    await put(uuid, { target: 'active', configdrive: { user_data: 5 } }, '1.82'),
    400,
    /^Invalid configdrive format/,
  );
  expectError(
    await put(uuid, { target: 'active', configdrive: 'not base64!' }, '1.82'),
    400,
    /^Invalid configdrive format: it is neither a JSON, nor a URL, nor a base64 string$/,
  );
  // only with active/rebuild: not with the 1.73 alias deploy
  expectError(
    await put(uuid, { target: 'deploy', configdrive: 'H4sI' }, '1.82'),
    400,
    /^Adding a config drive is only supported when setting provision state to active, rebuild$/,
  );
  const full = { ...drive, vendor_data: { a: 1 } };
  const done = await move(uuid, 'active', '1.59', { configdrive: full });
  assert.equal(done.provision_state, 'active');
  // stored as given (rendered by the deploy interface), shown masked whatever its type (21.4)
  assert.deepEqual(row(uuid).instance_info.configdrive, full);
  assert.equal((await get(uuid)).instance_info.configdrive, '******');
  // a URL or base64 text is accepted as before
  await move(uuid, 'rebuild', '1.82', { configdrive: 'http://example.com/cd.iso' });
  assert.equal(row(uuid).instance_info.configdrive, 'http://example.com/cd.iso');
});

test('deploy_steps: 406 below 1.69, schema-checked, only with active or rebuild; sent to the conductor', async () => {
  const uuid = await node();
  const steps = [{ interface: 'deploy', step: 'deploy', args: {}, priority: 90 }];
  const r = await put(uuid, { target: 'active', deploy_steps: steps }, '1.68');
  expectError(r, 406, /^Request not acceptable. The minimal required API version should be 1\.69$/);
  expectError(
    await put(uuid, { target: 'deploy', deploy_steps: steps }, '1.82'),
    400,
    /^"deploy_steps" is only valid when setting target provision state to active or rebuild$/,
  );
  for (const bad of [
    [{ interface: 'deploy', step: 'deploy', args: {} }],
    [{ interface: 'boot', step: 'deploy', args: {}, priority: 1 }],
    [{ interface: 'deploy', step: 'deploy', args: {}, priority: -1 }],
    [{ interface: 'deploy', step: 'deploy', args: {}, priority: '1x' }],
    [{ interface: 'deploy', step: '', args: {}, priority: 1 }],
    [{ interface: 'deploy', step: 'deploy', args: {}, priority: 1, other: 1 }],
  ]) {
    expectError(await put(uuid, { target: 'active', deploy_steps: bad }, '1.69'), 400, /^Invalid deploy_steps: /);
  }
  assert.equal((await get(uuid)).provision_state, 'available');
  // an empty list is no steps (RPC at 1.22, as 21.4)
  const accepted = await put(uuid, { target: 'active', deploy_steps: [{ ...steps[0], priority: '90' }] }, '1.69');
  assert.equal(accepted.statusCode, 202, accepted.body);
  assert.deepEqual(row(uuid).driver_internal_info.user_deploy_steps, [{ ...steps[0], priority: '90' }]);
  const done = await settled(uuid);
  assert.equal(done.provision_state, 'active');
  assert.equal((await get(uuid)).driver_internal_info.user_deploy_steps, undefined);
  await move(uuid, 'rebuild', '1.69', { deploy_steps: [] });
});

test('disable_ramdisk: 406 below 1.70, 400 (not 21.4s 500) with a target other than clean, sent with clean', async () => {
  const uuid = await node('manageable');
  const steps = [{ interface: 'deploy', step: 'erase_devices' }];
  expectError(
    await put(uuid, { target: 'clean', clean_steps: steps, disable_ramdisk: true }, '1.69'),
    406,
    /^disable_ramdisk is not acceptable in this API version$/,
  );
  // 21.4 answers 500 here (exception.BadRequest has no code): we answer 400; the unpinned
  // gateway answers as 39.0, which fixed it with servicing in the message (pinned 21.4:
  // test/unit/http/nodes-provision-1.83-1.115.test.ts)
  expectError(
    await put(uuid, { target: 'provide', disable_ramdisk: true }, '1.70'),
    400,
    /^disable_ramdisk is supported only with manual cleaning or servicing$/,
  );
  // null is no value: nothing to refuse below 1.70
  expectError(
    await put(uuid, { target: 'clean', clean_steps: [{ interface: 'x', step: 'y' }], disable_ramdisk: null }, '1.69'),
    400,
    /^Invalid clean_steps/,
  );
  expectError(
    await put(uuid, { target: 'clean', clean_steps: steps, disable_ramdisk: 'maybe' }, '1.70'),
    400,
    /^Invalid disable_ramdisk: Unrecognized value 'maybe'/,
  );
  // bios is a cleaning interface at 21.4
  expectError(
    await put(uuid, { target: 'clean', clean_steps: [{ interface: 'boot', step: 'x' }] }, '1.82'),
    400,
    /^Invalid clean_steps/,
  );
  const r = await put(uuid, { target: 'clean', clean_steps: steps, disable_ramdisk: 'true' }, '1.70');
  assert.equal(r.statusCode, 202, r.body);
  const done = await waitFor(g.app, uuid, (n) => n.reservation === null && n.provision_state !== 'cleaning');
  assert.equal(done.driver_internal_info.cleaning_disable_ramdisk, true);
});

test('deploy and undeploy verbs: 406 below 1.73; deploy is not checked for maintenance by the API', async () => {
  const uuid = await node();
  expectError(await put(uuid, { target: 'deploy' }, '1.72'), 406, /^Request not acceptable\.$/);
  assert.equal((await move(uuid, 'deploy', '1.73')).provision_state, 'active');
  expectError(await put(uuid, { target: 'undeploy' }, '1.72'), 406);
  assert.equal((await move(uuid, 'undeploy', '1.73')).provision_state, 'available');
  // maintenance: active is refused by the API, deploy by the conductor, with the same answer
  row(uuid).maintenance = true;
  for (const target of ['active', 'deploy']) {
    expectError(await put(uuid, { target }, '1.82'), 400, /because it's in maintenance mode/);
  }
  row(uuid).maintenance = false;
  // the verb is checked after the node is found
  expectError(await put('no-such-node', { target: 'deploy' }, '1.72'), 404);
});

test('NodeProtected (403) for undeploy and rebuild of a protected node; ConcurrentActionLimit (500)', async () => {
  const uuid = await node('active');
  row(uuid).protected = true;
  for (const target of ['deleted', 'undeploy', 'rebuild']) {
    expectError(
      await put(uuid, { target }, '1.82'),
      403,
      new RegExp(`^Node ${uuid} is protected and cannot be undeployed, rebuilt or deleted$`),
    );
  }
  row(uuid).protected = false;
  // a retired node is not provided (21.4's do_provisioning_action)
  const retired = await node('manageable');
  row(retired).retired = true;
  expectError(
    await put(retired, { target: 'provide' }, '1.82'),
    400,
    new RegExp(`^The providing operation can't be performed on node ${retired} because it is retired\\.$`),
  );
  const saved = { ...concurrencyLimits };
  try {
    concurrencyLimits.max_concurrent_deploy = 0;
    const r = await put(uuid, { target: 'rebuild' }, '1.82');
    expectError(r, 500, /^Unable to process request at this time\. The concurrent action limit for provisioning/);
    concurrencyLimits.max_concurrent_clean = 0;
    expectError(await put(uuid, { target: 'deleted' }, '1.82'), 500, /limit for unprovisioning has been reached/);
  } finally {
    Object.assign(concurrencyLimits, saved);
  }
  assert.equal((await get(uuid)).provision_state, 'active');
});

test('boot_mode and secure_boot: 404 below 1.76, checked targets, 409 in unstable states, 202 with Location', async () => {
  const n = await createNode(g.app, { name: 'boot-mode' });
  for (const what of ['boot_mode', 'secure_boot']) {
    const r = await put('boot-mode', { target: what === 'boot_mode' ? 'uefi' : true }, '1.75', what);
    expectError(r, 404, /^This endpoint is supported starting with the API version 1\.76$/);
  }
  expectError(
    await put('boot-mode', { target: 'efi' }, '1.76', 'boot_mode'),
    400,
    /^Invalid boot mode efi requested for node\. Allowed boot modes are: bios, uefi$/,
  );
  expectError(
    await put('boot-mode', { target: 'maybe' }, '1.76', 'secure_boot'),
    400,
    /^Invalid target: Unrecognized value 'maybe'/,
  );
  expectError(
    await put('boot-mode', { target: null }, '1.76', 'secure_boot'),
    400,
    /^Invalid secure_boot None requested for node/,
  );
  const ok = await put('boot-mode', { target: 'uefi' }, '1.76', 'boot_mode');
  assert.equal(ok.statusCode, 202, ok.body);
  assert.equal(ok.body, '');
  assert.match(String(ok.headers.location), /\/v1\/nodes\/boot-mode\/states$/);
  // fake management (21.4) implements neither set_boot_mode nor set_secure_boot_state: the
  // background change records the driver's refusal, as the real conductor does
  let got = await waitFor(g.app, n.uuid, (x) => x.reservation === null && x.last_error !== null);
  assert.equal(
    got.last_error,
    "Failed to change boot mode to 'uefi: Driver fake-hardware does not support set_boot_mode (disabled or not implemented).",
  );
  const sb = await put(n.uuid, { target: 'true' }, '1.76', 'secure_boot');
  assert.equal(sb.statusCode, 202, sb.body);
  got = await waitFor(g.app, n.uuid, (x) => x.reservation === null && /secure_boot/.test(x.last_error ?? ''));
  assert.equal(
    got.last_error,
    "Failed to change secure_boot state to 'True': Driver fake-hardware does not support set_secure_boot_state (disabled or not implemented).",
  );
  row(n.uuid).provision_state = 'adopting';
  for (const [what, target] of [
    ['boot_mode', 'bios'],
    ['secure_boot', false],
  ] as const) {
    expectError(
      await put(n.uuid, { target }, '1.76', what),
      409,
      /^Node is in adopting state\. Since node is transitioning/,
    );
  }
  row(n.uuid).provision_state = 'enroll';
  // GET …/states: boot_mode and secure_boot from 1.75
  const states = async (v: string) => (await call(g.app, `/v1/nodes/${n.uuid}/states`, { version: v })).json();
  assert.equal('boot_mode' in (await states('1.74')), false);
  assert.deepEqual(
    Object.entries(await states('1.75')).filter(([k]) => k === 'boot_mode' || k === 'secure_boot'),
    [
      ['boot_mode', null],
      ['secure_boot', null],
    ],
  );
  // pinned to Queens the route is there, and answers as 21.4 does below 1.76
  const q = await createNode(queens.app);
  const r = await call(queens.app, `/v1/nodes/${q.uuid}/states/boot_mode`, {
    method: 'PUT',
    version: '1.38',
    body: { target: 'uefi' },
  });
  expectError(r, 404, /starting with the API version 1\.76/);
});

test('indicators: list, one, set (fake management), malformed names; not version-gated (as 21.4)', async () => {
  const n = await createNode(g.app, { name: 'leds' });
  for (const [v, ident] of [
    ['1.1', n.uuid],
    ['1.63', 'leds'],
    ['1.82', 'leds'],
  ]) {
    const r = await call(g.app, `/v1/nodes/${ident}/management/indicators`, { version: v });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json();
    assert.deepEqual(
      body.indicators.map((i: any) => [i.name, i.component, i.readonly, i.states]),
      [
        ['led-0@chassis', 'chassis', true, ['off', 'on']],
        ['led@system', 'system', false, ['blinking', 'off', 'on']],
      ],
    );
    assert.ok(body.indicators[1].links[0].href.endsWith(`/v1/nodes/${ident}/management/indicators/led@system`));
    assert.equal(body.indicators[1].links[1].rel, 'bookmark');
  }
  const one = await call(g.app, `/v1/nodes/${n.uuid}/management/indicators/led@system`, { version: '1.63' });
  assert.equal(one.statusCode, 200, one.body);
  assert.deepEqual(one.json(), { state: 'on' });
  expectError(
    await call(g.app, `/v1/nodes/${n.uuid}/management/indicators/led`, { version: '1.63' }),
    400,
    /^Malformed indicator name "led"$/,
  );
  expectError(
    await call(g.app, `/v1/nodes/${n.uuid}/management/indicators/led@disk`, { version: '1.63' }),
    400,
    /^Invalid component disk specified\.$/,
  );
  expectError(
    await call(g.app, `/v1/nodes/${n.uuid}/management/indicators/x@system`, { version: '1.63' }),
    400,
    /^Invalid indicator x specified\.$/,
  );
  const set = (url: string, body?: unknown) =>
    call(g.app, `/v1/nodes/${n.uuid}/management/indicators/${url}`, { method: 'PUT', version: '1.63', body });
  expectError(
    await set('led@system', { state: 'off' }),
    400,
    /^Driver fake-hardware does not support set_indicator_state \(disabled or not implemented\)\.$/,
  );
  expectError(await set('led@system?state=off'), 400, /does not support set_indicator_state/);
  expectError(await set('led@system', {}), 400, /^Missing mandatory parameter: state$/);
  expectError(await set('led', { state: 'on' }), 400, /^Malformed indicator name "led"$/);
  expectError(await call(g.app, '/v1/nodes/no-such/management/indicators', { version: '1.63' }), 404);
  // the state as a second path segment, as ironic-api's controller takes it too: it reaches the conductor
  expectError(await set('led@system/off'), 400, /does not support set_indicator_state/);
  expectError(await set('led/off'), 400, /^Malformed indicator name "led"$/);
  expectError(await set('led@system/off?state=on'), 400);
  expectError(
    await call(g.app, '/v1/nodes/no-such/management/indicators/led@system/off', { method: 'PUT', version: '1.63' }),
    404,
  );
});

test('VIF attach: port_uuid and portgroup_uuid together refused from 1.67, passed through below', async () => {
  const n = await createNode(g.app);
  const vif = { id: '2d1c8a9e-9d1e-4e7a-9f3b-1f6c2a2e7d11', port_uuid: 'p', portgroup_uuid: 'pg' };
  const attach = (v: string) => call(g.app, `/v1/nodes/${n.uuid}/vifs`, { method: 'POST', version: v, body: vif });
  expectError(await attach('1.67'), 400, /^Cannot specify both port_uuid and portgroup_uuid$/);
  const below = await attach('1.66');
  assert.ok(below.statusCode === 204 || !/Cannot specify both/.test(fault(below)), below.body);
  // the conductor attaches to the port named (the first free one otherwise)
  const ports = [];
  for (const address of ['52:54:00:67:00:01', '52:54:00:67:00:02']) {
    const r = await call(g.app, '/v1/ports', { method: 'POST', version: '1.38', body: { node_uuid: n.uuid, address } });
    assert.equal(r.statusCode, 201, r.body);
    ports.push(r.json().uuid as string);
  }
  const id = '7e6a2f55-6b0e-4c1e-9d8e-2a0d5b1c6a67';
  const r = await call(g.app, `/v1/nodes/${n.uuid}/vifs`, {
    method: 'POST',
    version: '1.67',
    body: { id, port_uuid: ports[1] },
  });
  assert.equal(r.statusCode, 204, r.body);
  const vifOf = (uuid: string) =>
    (g.sim.store.ports.byUuid(uuid) as Record<string, any>).internal_info.tenant_vif_port_id;
  assert.equal(vifOf(ports[1]), id);
  assert.equal(vifOf(ports[0]), undefined);
  const none = await call(g.app, `/v1/nodes/${n.uuid}/vifs`, {
    method: 'POST',
    version: '1.67',
    body: { id: 'a0a0a0a0-6b0e-4c1e-9d8e-2a0d5b1c6a67', port_uuid: ports[1] },
  });
  expectError(none, 400, /not enough free physical ports/);
});

test('deploy goes at RPC 1.52 only with steps, clean at 1.53 only with disable_ramdisk (as 21.4 rpcapi)', async () => {
  const api = g.conductor as unknown as Record<string, any>;
  const seen: Array<{ method: string; args: Record<string, unknown>; version?: string }> = [];
  const original = api.call;
  api.call = function (this: unknown, ctx: unknown, method: string, args: Record<string, unknown>, ...rest: any[]) {
    if (method === 'do_node_deploy' || method === 'do_node_clean') seen.push({ method, args, version: rest[1] });
    return original.call(this, ctx, method, args, ...rest);
  };
  try {
    const uuid = await node('manageable');
    const steps = [{ interface: 'deploy', step: 'erase_devices' }];
    await call(g.app, `/v1/nodes/${uuid}/states/provision`, {
      method: 'PUT',
      version: '1.82',
      body: { target: 'clean', clean_steps: steps },
    });
    await waitFor(g.app, uuid, (n) => n.reservation === null && n.provision_state !== 'cleaning');
    row(uuid).maintenance = false;
    await move(uuid, 'manage');
    await put(uuid, { target: 'clean', clean_steps: steps, disable_ramdisk: false }, '1.82');
    await waitFor(g.app, uuid, (n) => n.reservation === null && n.provision_state !== 'cleaning');
    row(uuid).maintenance = false;
    await move(uuid, 'manage');
    await move(uuid, 'provide');
    await move(uuid, 'active', '1.82', { deploy_steps: [] });
    const step = { interface: 'deploy', step: 'deploy', args: {}, priority: 1 };
    await move(uuid, 'rebuild', '1.82', { deploy_steps: [step] });
    assert.deepEqual(
      seen.map((s) => [s.method, s.version ?? 'default', Object.keys(s.args).sort().join(',')]),
      [
        ['do_node_clean', 'default', 'clean_steps,node_id'],
        ['do_node_clean', '1.53', 'clean_steps,disable_ramdisk,node_id'],
        ['do_node_deploy', 'default', 'configdrive,node_id,rebuild'],
        ['do_node_deploy', '1.52', 'configdrive,deploy_steps,node_id,rebuild'],
      ],
    );
  } finally {
    api.call = original;
  }
});
