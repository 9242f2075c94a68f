import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classAction, data, makeSim, nodeState, rejectsWith } from './helpers.ts';

async function firstNode(sim: ReturnType<typeof makeSim>): Promise<string> {
  const list = await sim.call('object_class_action_versions', classAction('Node', 'list'));
  return data(list[0]).uuid;
}

test('enroll → manageable → available → active → available, each long action locking the node', async () => {
  const sim = makeSim({ nodes: 1 });
  const uuid = await firstNode(sim);
  assert.equal((await nodeState(sim, uuid)).provision_state, 'enroll');

  assert.equal(await sim.call('do_provisioning_action', { node_id: uuid, action: 'manage' }), null);
  let n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.target_provision_state, n.reservation], ['verifying', 'manageable', 'sim-1']);
  await rejectsWith(
    sim.call('do_provisioning_action', { node_id: uuid, action: 'provide' }),
    'NodeLocked',
    `Node ${uuid} is locked by host sim-1, please retry after the current operation is completed.`,
  );
  await sim.idle();
  n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.target_provision_state, n.reservation], ['manageable', null, null]);

  await sim.call('do_provisioning_action', { node_id: uuid, action: 'provide' });
  assert.equal((await nodeState(sim, uuid)).provision_state, 'cleaning');
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).provision_state, 'available');

  await sim.call('do_node_deploy', { node_id: uuid, rebuild: false, configdrive: 'H4sI' });
  n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.target_provision_state], ['deploying', 'active']);
  await rejectsWith(
    sim.call('change_node_power_state', { node_id: uuid, new_state: 'power on', timeout: null }),
    'NodeLocked',
  );
  await sim.idle();
  n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.target_provision_state, n.reservation], ['active', null, null]);
  assert.equal(n.instance_info.configdrive, 'H4sI');

  await sim.call('do_node_tear_down', { node_id: uuid });
  assert.equal((await nodeState(sim, uuid)).provision_state, 'deleting');
  await sim.idle();
  n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.instance_info], ['available', {}]);
  await sim.stop();
});

test("refused transitions raise InvalidStateRequested with Ironic's message", async () => {
  const sim = makeSim({ nodes: 1 });
  const uuid = await firstNode(sim);
  await rejectsWith(
    sim.call('do_node_deploy', { node_id: uuid, rebuild: false, configdrive: null }),
    'InvalidStateRequested',
    `The requested action "deploy" can not be performed on node "${uuid}" while it is in state "enroll".`,
  );
  await rejectsWith(sim.call('do_node_tear_down', { node_id: uuid }), 'InvalidStateRequested', /"delete".*"enroll"/);
  await rejectsWith(
    sim.call('do_provisioning_action', { node_id: uuid, action: 'provide' }),
    'InvalidStateRequested',
    /"provide"/,
  );
  await rejectsWith(
    sim.call('do_node_rescue', { node_id: uuid, rescue_password: 'pw' }),
    'InvalidStateRequested',
    /"rescue"/,
  );
  await rejectsWith(sim.call('do_node_unrescue', { node_id: uuid }), 'InvalidStateRequested', /"unrescue"/);
  await rejectsWith(sim.call('inspect_hardware', { node_id: uuid }), 'InvalidStateRequested', /"inspect"/);
  await rejectsWith(
    sim.call('do_node_clean', { node_id: uuid, clean_steps: [] }),
    'InvalidStateRequested',
    /"manual clean"/,
  );
  const n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.reservation, n.instance_info], ['enroll', null, {}]);
  await sim.stop();
});

test('inspect, adopt, rescue and unrescue reach their stable states', async () => {
  const sim = makeSim({ nodes: 1 });
  const uuid = await firstNode(sim);
  await sim.call('do_provisioning_action', { node_id: uuid, action: 'manage' });
  await sim.idle();
  await sim.call('inspect_hardware', { node_id: uuid });
  let n = await nodeState(sim, uuid);
  assert.equal(n.provision_state, 'inspecting');
  assert.ok(n.inspection_started_at);
  await sim.idle();
  n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.inspection_started_at], ['manageable', null]);
  assert.ok(n.inspection_finished_at);

  await sim.call('do_provisioning_action', { node_id: uuid, action: 'adopt' });
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).provision_state, 'active');

  await sim.call('do_node_rescue', { node_id: uuid, rescue_password: 's3cret' });
  n = await nodeState(sim, uuid);
  assert.deepEqual(
    [n.provision_state, n.target_provision_state, n.instance_info.rescue_password],
    ['rescuing', 'rescue', 's3cret'],
  );
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).provision_state, 'rescue');
  await rejectsWith(
    sim.call('do_node_deploy', { node_id: uuid, rebuild: true, configdrive: null }),
    'InvalidStateRequested',
    /"rebuild".*"rescue"/,
  );
  await sim.call('do_node_unrescue', { node_id: uuid });
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).provision_state, 'active');
  await sim.stop();
});

test('manual clean: no steps returns to manageable; a step fake-hardware lacks fails into clean failed (21.4: no maintenance)', async () => {
  const sim = makeSim({ nodes: 1 });
  const uuid = await firstNode(sim);
  await sim.call('do_provisioning_action', { node_id: uuid, action: 'manage' });
  await sim.idle();
  await sim.call('do_node_clean', { node_id: uuid, clean_steps: [] });
  assert.deepEqual(
    [(await nodeState(sim, uuid)).provision_state, (await nodeState(sim, uuid)).target_provision_state],
    ['cleaning', 'manageable'],
  );
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).provision_state, 'manageable');

  await sim.call('do_node_clean', { node_id: uuid, clean_steps: [{ interface: 'deploy', step: 'erase_devices' }] });
  await sim.idle();
  const n = await nodeState(sim, uuid);
  // 21.4 sets maintenance only when a clean step was running, not for steps refused up front
  assert.deepEqual([n.provision_state, n.target_provision_state, n.maintenance], ['clean failed', 'manageable', false]);
  assert.match(
    n.last_error,
    /^Cannot clean node [0-9a-f-]+: node does not support this clean step: \{'interface': 'deploy', 'step': 'erase_devices'\}$/,
  );
  await sim.call('update_node', {
    node_obj: {
      'ironic_object.name': 'Node',
      'ironic_object.namespace': 'ironic',
      'ironic_object.version': '1.23',
      'ironic_object.data': { ...n, maintenance: false },
      'ironic_object.changes': ['maintenance'],
    },
  });
  await sim.call('do_provisioning_action', { node_id: uuid, action: 'manage' });
  assert.equal((await nodeState(sim, uuid)).provision_state, 'manageable');
  await sim.stop();
});

test('driver_info.simulator_fail drives a deploy into deploy failed, from which tear down is allowed', async () => {
  const sim = makeSim({ nodes: 1 });
  const uuid = await firstNode(sim);
  const node = sim.store.node(uuid);
  Object.assign(node, { provision_state: 'available', driver_info: { simulator_fail: ['deploy'] } });
  await sim.call('do_node_deploy', { node_id: uuid, rebuild: false, configdrive: null });
  await sim.idle();
  const n = await nodeState(sim, uuid);
  assert.deepEqual([n.provision_state, n.target_provision_state], ['deploy failed', 'active']);
  assert.match(n.last_error, /^Failed to deploy: /);
  await sim.call('do_node_tear_down', { node_id: uuid });
  await sim.idle();
  assert.equal((await nodeState(sim, uuid)).provision_state, 'available');
  await sim.stop();
});

test('a full worker pool answers NoFreeConductorWorker and leaves the node as it was', async () => {
  const sim = makeSim({ nodes: 2, workers: 1, actionDelayMs: 50 });
  const list = await sim.call('object_class_action_versions', classAction('Node', 'list'));
  const [a, b] = list.map((p: unknown) => data(p).uuid);
  await sim.call('do_provisioning_action', { node_id: a, action: 'manage' });
  assert.equal(sim.freeWorkers(), 0);
  await rejectsWith(
    sim.call('do_provisioning_action', { node_id: b, action: 'manage' }),
    'NoFreeConductorWorker',
    'Requested action cannot be performed due to lack of free conductor workers.',
  );
  let n = await nodeState(sim, b);
  assert.deepEqual(
    [n.provision_state, n.target_provision_state, n.reservation, n.last_error],
    ['enroll', null, null, 'No free conductor workers available'],
  );
  await rejectsWith(
    sim.call('change_node_power_state', { node_id: b, new_state: 'power on', timeout: null }),
    'NoFreeConductorWorker',
  );
  n = await nodeState(sim, b);
  assert.deepEqual([n.power_state, n.target_power_state], ['power off', null]);
  await sim.idle();
  assert.equal(sim.freeWorkers(), 1);
  await sim.call('do_provisioning_action', { node_id: b, action: 'manage' });
  await sim.idle();
  assert.equal((await nodeState(sim, b)).provision_state, 'manageable');
  await sim.stop();
});

test('maintenance: deploy, clean and rescue raise NodeInMaintenance', async () => {
  const sim = makeSim({ nodes: 1 });
  const uuid = await firstNode(sim);
  Object.assign(sim.store.node(uuid), { provision_state: 'available', maintenance: true });
  await rejectsWith(
    sim.call('do_node_deploy', { node_id: uuid, rebuild: false, configdrive: null }),
    'NodeInMaintenance',
    `The provisioning operation can't be performed on node ${uuid} because it's in maintenance mode.`,
  );
  await rejectsWith(
    sim.call('do_node_clean', { node_id: uuid, clean_steps: [] }),
    'NodeInMaintenance',
    /cleaning operation/,
  );
  await rejectsWith(
    sim.call('do_node_rescue', { node_id: uuid, rescue_password: 'x' }),
    'NodeInMaintenance',
    /rescuing operation/,
  );
  assert.equal(sim.store.node(uuid).reservation, null);
  await sim.stop();
});
