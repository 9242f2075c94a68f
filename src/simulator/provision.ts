/**
 * Provisioning, as Ironic's ConductorManager does it with the fake-hardware interfaces: each
 * verb moves the node through the state machine at once, then a worker finishes the action
 * after `actionDelayMs` (the fake hardware's "time on the hardware") while the node stays locked.
 * A node's driver_info.simulator_fail (a verb name or a list of them) makes that action fail,
 * so failure states can be reached on purpose; driver_info.simulator_inspect_wait leaves an
 * inspection in `inspect wait` (as an out-of-band inspector does) until it is aborted.
 */
import { invalidStateRequested, ironicError } from '../conductor/exceptions.ts';
import { asObject, type Args, type Sim } from './context.ts';
import { pyRepr } from '../conductor/exceptions.ts';
import * as S from '../conductor/states.ts';
import type { NodeRow } from './store.ts';
import type { Task, Work } from './tasks.ts';
import { compareVersions } from '../rpc/version.ts';
import { provisioningAction39 } from './servicing.ts';
import { biosCleanStepErrors, HISTORY, recordHistory, runBiosCleanStep } from './subresources.ts';

export function invalidState(action: string, node: NodeRow): Error {
  return invalidStateRequested(action, node.uuid, node.provision_state);
}

export function inMaintenance(op: string, node: NodeRow): Error {
  return ironicError(
    'NodeInMaintenance',
    `The ${op} operation can't be performed on node ${node.uuid} because it's in maintenance mode.`,
    { op, node: node.uuid },
  );
}

export function unsupported(node: NodeRow, extension: string): Error {
  return ironicError(
    'UnsupportedDriverExtension',
    `Driver ${node.driver} does not support ${extension} (disabled or not implemented).`,
    { driver: node.driver, extension },
  );
}

/** NodeProtected (403): undeploy, rebuild and delete of a protected node (21.4). */
export function nodeProtected(node: NodeRow): Error {
  return ironicError('NodeProtected', `Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted`, {
    node: node.uuid,
  });
}

/**
 * [conductor]max_concurrent_deploy and max_concurrent_clean at their 21.4 defaults; tests may
 * lower them to reach ConcurrentActionLimit.
 */
/** 39.0's reserved step names (conductor/steps.py RESERVED_STEP_HANDLER_MAPPING, hold, wait). */
const RESERVED_STEPS = ['power_on', 'power_off', 'reboot', 'hold', 'wait'];

export const concurrencyLimits = { max_concurrent_deploy: 250, max_concurrent_clean: 50 };

/** ConductorManager._concurrent_action_limit: counts the nodes already busy with that kind of work. */
function concurrentActionLimit(sim: Sim, action: 'provisioning' | 'unprovisioning' | 'cleaning'): void {
  const [states, limit] =
    action === 'provisioning'
      ? [[S.DEPLOYING, S.DEPLOYWAIT], concurrencyLimits.max_concurrent_deploy]
      : [[S.DELETING, S.CLEANING, S.CLEANWAIT], concurrencyLimits.max_concurrent_clean];
  let count = 0;
  for (const row of sim.store.nodes.rows.values()) if (states.includes(String(row.provision_state))) count++;
  if (count >= limit) {
    throw ironicError(
      'ConcurrentActionLimit',
      `Unable to process request at this time. The concurrent action limit for ${action} has been reached. Please contact your administrator and try again later.`,
      { task_type: action },
    );
  }
}

/**
 * The state machine of the release this conductor speaks: 39.0's above RPC 1.55 (21.4's API),
 * so a simulator serving a gateway pinned to 21.4 (or older) keeps 21.4's machine.
 */
export const stateMachine = (sim: Sim): S.StateMachine =>
  compareVersions(sim.rpcVersion, '1.55') > 0 ? '39.0' : '21.4';

/** TaskManager.process_event plus the DB's provision timestamps; false when refused. */
export function applyEvent(
  sim: Sim,
  node: NodeRow,
  event: string,
  opts: { targetState?: string; background?: boolean } = {},
): boolean {
  const machine = stateMachine(sim);
  const to = S.nextState(node.provision_state, event, machine);
  if (to === undefined) return false;
  const times = sim.store.provisionTimes(node, to);
  S.processEvent(node, event, { ...opts, machine });
  Object.assign(node, times, { updated_at: new Date() });
  return true;
}

export const failing = (node: NodeRow, verb: string): boolean => {
  const f = node.driver_info?.simulator_fail;
  return f === verb || (Array.isArray(f) && f.includes(verb));
};
export const injected = (verb: string): string => `simulated ${verb} failure (driver_info.simulator_fail)`;

/**
 * Starts a long action: takes a worker (NoFreeConductorWorker leaves the node as it was, with
 * Ironic's last_error), applies `event`, and lets `work` finish after the request returns.
 */
export function start(sim: Sim, task: Task, event: string, action: string, work: Work, targetState?: string): void {
  const node = task.node;
  if (S.nextState(node.provision_state, event, stateMachine(sim)) === undefined) throw invalidState(action, node);
  try {
    task.spawnAfter(sim.pool, work);
  } catch (err) {
    // 21.4 journals it: provisioning_error_handler (event type provisioning), or, for rescue
    // and for resuming a clean, the spawn error handlers (event type conductor)
    const spawnHandler = action === 'rescue' || action === 'resume';
    recordHistory(sim, node, 'No free conductor workers available', {
      eventType: spawnHandler ? HISTORY.CONDUCTOR : HISTORY.PROVISIONING,
    });
    throw err;
  }
  applyEvent(sim, node, event, { background: true, targetState });
  node.last_error = null;
}

/** _do_node_clean's ending, automated (→ available) or manual (→ manageable). */
async function clean(sim: Sim, node: NodeRow, steps: unknown[] | null): Promise<void> {
  await sim.sleep(sim.actionDelayMs);
  const manual = steps !== null;
  let error: string | null = null;
  // 21.4's cleaning_error_handler sets maintenance (and the clean failure fault) only when a
  // clean step was running: not when the requested steps fail validation before any runs
  let stepRunning = false;
  // fake-hardware's interfaces declare no clean steps but FakeBIOS's (subresources.ts): any
  // other requested step is refused, as set_node_cleaning_steps does
  // 39.0: the reserved steps (power_on, power_off, reboot, hold, wait) are the conductor's own
  const reserved = (s: unknown): boolean =>
    stateMachine(sim) === '39.0' && RESERVED_STEPS.includes(String(asObject(s).step));
  const stepErrors = manual
    ? steps.flatMap((s) =>
        reserved(s) ? [] : (biosCleanStepErrors(node, s) ?? [`node does not support this clean step: ${pyRepr(s)}`]),
      )
    : [];
  if (stepErrors.length) {
    error = `Cannot clean node ${node.uuid}: ${stepErrors.join('; ')}`;
  } else if (failing(node, 'clean')) {
    error = `Node ${node.uuid} failed step None: ${injected('clean')}`;
    stepRunning = true;
  }
  const info = { ...node.driver_internal_info };
  if (error) {
    // utils.cleaning_error_handler: clean failed, journaled; maintenance only for a running step
    delete info.clean_step_index;
    recordHistory(sim, node, error, { eventType: HISTORY.CLEANING });
    Object.assign(node, { clean_step: {}, driver_internal_info: info, last_error: error });
    if (stepRunning) {
      Object.assign(node, { maintenance: true, fault: 'clean failure' });
      if (!node.maintenance_reason) node.maintenance_reason = error;
    }
    applyEvent(sim, node, 'fail', { targetState: manual ? S.MANAGEABLE : undefined });
    return;
  }
  const list = manual ? steps : [];
  for (let i = 0; i < list.length; i++) {
    const s = list[i];
    if (!reserved(s)) {
      runBiosCleanStep(sim.store, node, s);
      continue;
    }
    const name = String(asObject(s).step);
    if (name === 'hold' || name === 'wait') {
      // use_reserved_step_handler: the node holds (clean hold) or waits (clean wait) on this
      // step; unhold and continue_node_clean go on with the steps after it
      Object.assign(node, {
        clean_step: s,
        driver_internal_info: { ...info, clean_steps: list, clean_step_index: i },
      });
      applyEvent(sim, node, name);
      return;
    }
    node.power_state = name === 'power_off' ? S.POWER_OFF : S.POWER_ON;
  }
  info.clean_steps = null;
  delete info.clean_step_index;
  Object.assign(node, { clean_step: null, driver_internal_info: info });
  // 21.4: a retired node goes back to manageable after automated cleaning (cleaning.py)
  applyEvent(sim, node, manual || node.retired ? 'manage' : 'done');
}

export async function do_node_deploy(sim: Sim, a: Args): Promise<null> {
  concurrentActionLimit(sim, 'provisioning');
  return sim.tasks.with(a.node_id, { purpose: 'node deployment' }, (task) => {
    const node = task.node;
    // deployments.validate_node: maintenance, protected (rebuild only), the state machine
    if (node.maintenance) throw inMaintenance('provisioning', node);
    const event = a.rebuild ? 'rebuild' : 'deploy';
    if (event === 'rebuild' && asObject(node).protected === true) throw nodeProtected(node);
    if (S.nextState(node.provision_state, event, stateMachine(sim)) === undefined) throw invalidState(event, node);
    const ii = node.instance_info ?? {};
    node.driver_internal_info = {
      ...node.driver_internal_info,
      is_whole_disk_image: ii.image_source ? !(ii.kernel || ii.ramdisk) : null,
    };
    // the configdrive is stored as given: a string, or (1.56) the JSON object the deploy
    // interface renders (configdrive_use_object_store is False by default)
    const configdrive = a.configdrive;
    // RPC 1.52: user deploy steps are kept in driver_internal_info.user_deploy_steps; steps the
    // driver does not know yet are skipped at this point (skip_missing), as 21.4 does
    const deploySteps = Array.isArray(a.deploy_steps) && a.deploy_steps.length ? a.deploy_steps : null;
    if (deploySteps) node.driver_internal_info = { ...node.driver_internal_info, user_deploy_steps: deploySteps };
    start(sim, task, event, event, async () => {
      await sim.sleep(sim.actionDelayMs);
      if (configdrive) node.instance_info = { ...node.instance_info, configdrive };
      if (failing(node, 'deploy')) {
        applyEvent(sim, node, 'fail');
        // deploying_error_handler
        recordHistory(sim, node, `Failed to deploy: ${injected('deploy')}`, { eventType: HISTORY.DEPLOYING });
        return;
      }
      const info = { ...node.driver_internal_info };
      delete info.user_deploy_steps;
      node.driver_internal_info = info;
      node.conductor_affinity = sim.conductorId();
      applyEvent(sim, node, 'done');
    });
    return null;
  });
}

export async function do_node_tear_down(sim: Sim, a: Args): Promise<null> {
  concurrentActionLimit(sim, 'unprovisioning');
  return sim.tasks.with(a.node_id, { purpose: 'node tear down' }, (task) => {
    const node = task.node;
    if (asObject(node).protected === true) throw nodeProtected(node);
    start(sim, task, 'delete', 'delete', async () => {
      await sim.sleep(sim.actionDelayMs);
      const fail = failing(node, 'tear_down');
      const info = { ...node.driver_internal_info };
      delete info.instance;
      Object.assign(node, { instance_info: {}, instance_uuid: null, driver_internal_info: info });
      if (fail) {
        recordHistory(sim, node, `Failed to tear down. Error: ${injected('tear_down')}`, {
          eventType: HISTORY.UNPROVISION,
          withUser: true,
        });
        applyEvent(sim, node, 'fail');
        return;
      }
      sim.store.destroyAllocationOfNode(node); // _do_node_tear_down destroys the node's allocation
      applyEvent(sim, node, 'clean', { background: true });
      await clean(sim, node, null);
    });
    return null;
  });
}

export async function do_node_clean(sim: Sim, a: Args): Promise<null> {
  concurrentActionLimit(sim, 'cleaning');
  return sim.tasks.with(a.node_id, { purpose: 'node manual cleaning' }, (task) => {
    const node = task.node;
    if (node.maintenance) throw inMaintenance('cleaning', node);
    const steps = Array.isArray(a.clean_steps) ? a.clean_steps : [];
    // RPC 1.53: cleaning without booting the ramdisk; the conductor records it for the steps
    const disableRamdisk = a.disable_ramdisk === true;
    start(
      sim,
      task,
      'clean',
      'manual clean',
      async () => {
        node.driver_internal_info = {
          ...node.driver_internal_info,
          clean_steps: steps,
          cleaning_disable_ramdisk: disableRamdisk,
        };
        await clean(sim, node, steps);
      },
      S.MANAGEABLE,
    );
    return null;
  });
}

export async function continue_node_clean(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'continue node cleaning' }, (task) => {
    const node = task.node;
    const target = node.target_provision_state === S.MANAGEABLE ? S.MANAGEABLE : undefined;
    if (node.provision_state !== S.CLEANWAIT) {
      throw ironicError(
        'InvalidStateRequested',
        `Cannot continue cleaning on ${node.uuid}, node is in ${String(node.provision_state)} state, should be ${S.CLEANWAIT}`,
      );
    }
    // the steps after the one it waited on (39.0's reserved hold and wait steps), else none
    const info = node.driver_internal_info ?? {};
    const index = info.clean_step_index;
    const rest = Array.isArray(info.clean_steps) && typeof index === 'number' ? info.clean_steps.slice(index + 1) : [];
    start(sim, task, 'resume', 'resume', () => clean(sim, node, target ? rest : null), target);
    return null;
  });
}

export async function inspect_hardware(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'hardware inspection' }, (task) => {
    const node = task.node;
    if (asObject(node).inspect_interface === 'no-inspect') throw unsupported(node, 'inspect');
    start(sim, task, 'inspect', 'inspect', async () => {
      await sim.sleep(sim.actionDelayMs);
      if (failing(node, 'inspect')) {
        recordHistory(sim, node, `Failed to inspect hardware. Reason: ${injected('inspect')}`, {
          eventType: HISTORY.INTROSPECTION,
          withUser: true,
        });
        applyEvent(sim, node, 'fail');
        return;
      }
      // fake inspection is synchronous; driver_info.simulator_inspect_wait makes it behave as an
      // out-of-band inspector does: the node waits in `inspect wait` (until aborted, here)
      if (node.driver_info?.simulator_inspect_wait) {
        applyEvent(sim, node, 'wait');
        return;
      }
      applyEvent(sim, node, 'done');
    });
    return null;
  });
}

export async function do_node_rescue(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'node rescue' }, (task) => {
    const node = task.node;
    if (node.maintenance) throw inMaintenance('rescuing', node);
    if (asObject(node).rescue_interface === 'no-rescue') throw unsupported(node, 'rescue');
    if (S.nextState(node.provision_state, 'rescue', stateMachine(sim)) === undefined)
      throw invalidState('rescue', node);
    const withoutPassword = (): Record<string, unknown> => {
      const ii = { ...node.instance_info };
      delete ii.rescue_password;
      return ii;
    };
    node.instance_info = { ...node.instance_info, rescue_password: a.rescue_password };
    try {
      start(sim, task, 'rescue', 'rescue', async () => {
        await sim.sleep(sim.actionDelayMs);
        if (failing(node, 'rescue')) {
          node.instance_info = withoutPassword();
          recordHistory(sim, node, `Failed to rescue: ${injected('rescue')}`, {
            eventType: HISTORY.RESCUE,
            withUser: true,
          });
          applyEvent(sim, node, 'fail');
          return;
        }
        applyEvent(sim, node, 'done');
      });
    } catch (err) {
      node.instance_info = withoutPassword();
      throw err;
    }
    return null;
  });
}

export async function do_node_unrescue(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'node unrescue' }, (task) => {
    const node = task.node;
    if (node.maintenance) throw inMaintenance('unrescuing', node);
    if (asObject(node).rescue_interface === 'no-rescue') throw unsupported(node, 'rescue');
    start(sim, task, 'unrescue', 'unrescue', async () => {
      await sim.sleep(sim.actionDelayMs);
      if (failing(node, 'unrescue')) {
        recordHistory(sim, node, `Failed to unrescue: ${injected('unrescue')}`, {
          eventType: HISTORY.RESCUE,
          withUser: true,
        });
        applyEvent(sim, node, 'fail');
        return;
      }
      applyEvent(sim, node, 'done');
    });
    return null;
  });
}

export async function do_provisioning_action(sim: Sim, a: Args): Promise<null> {
  const action = String(a.action);
  return sim.tasks.with(a.node_id, { purpose: `provision action ${action}` }, (task) => {
    const node = task.node;
    const st = node.provision_state;
    if (action === 'provide' && st === S.MANAGEABLE) {
      // 21.4: [conductor]allow_provisioning_in_maintenance defaults to True; a retired node is not provided
      if (asObject(node).retired === true) {
        throw ironicError(
          'NodeIsRetired',
          `The providing operation can't be performed on node ${node.uuid} because it is retired.`,
          { op: 'providing', node: node.uuid },
        );
      }
      start(sim, task, 'provide', action, () => clean(sim, node, null));
    } else if (action === 'manage' && st === S.ENROLL) {
      start(sim, task, 'manage', action, async () => {
        await sim.sleep(sim.actionDelayMs);
        if (failing(node, 'verify')) {
          // verify.py journals it as `verify`
          const error = `Failed to validate power driver interface for node ${node.uuid}. Error: ${injected('verify')}`;
          recordHistory(sim, node, error, { eventType: HISTORY.VERIFY, withUser: true });
          applyEvent(sim, node, 'fail');
          return;
        }
        applyEvent(sim, node, 'done');
      });
    } else if (action === 'adopt' && (st === S.MANAGEABLE || st === S.ADOPTFAIL)) {
      start(sim, task, 'adopt', action, async () => {
        await sim.sleep(sim.actionDelayMs);
        if (failing(node, 'adopt')) {
          recordHistory(sim, node, `Error while attempting to adopt node ${node.uuid}: ${injected('adopt')}.`, {
            eventType: HISTORY.ADOPTION,
            withUser: true,
          });
          applyEvent(sim, node, 'fail');
          return;
        }
        node.conductor_affinity = sim.conductorId();
        applyEvent(sim, node, 'done');
      });
    } else if (stateMachine(sim) === '39.0' && provisioningAction39(sim, task, action)) {
      // 39.0's aborts and unholds (servicing.ts)
    } else if (action === 'abort' && (st === S.CLEANWAIT || (st === S.CLEANHOLD && stateMachine(sim) === '39.0'))) {
      const step = asObject(node.clean_step);
      if (node.clean_step && Object.keys(step).length && !step.abortable) {
        node.clean_step = { ...step, abort_after: true };
        return null;
      }
      const target = node.target_provision_state === S.MANAGEABLE ? S.MANAGEABLE : undefined;
      start(
        sim,
        task,
        'abort',
        action,
        () => {
          Object.assign(node, { last_error: 'By request, the clean operation was aborted', clean_step: null });
        },
        target,
      );
    } else if (action === 'abort' && st === S.RESCUEWAIT) {
      const ii = { ...node.instance_info };
      delete ii.rescue_password;
      node.instance_info = ii;
      start(sim, task, 'abort', action, () => {
        // _do_node_rescue_abort journals it as information, not an error
        node.last_error = 'By request, the rescue operation was aborted.';
        recordHistory(sim, node, node.last_error, { eventType: HISTORY.RESCUE, error: false, withUser: true });
      });
    } else if (action === 'abort' && st === S.INSPECTWAIT) {
      // _do_abort: the inspect interface aborts (the simulated asynchronous inspector can;
      // fake inspection never waits), the error is recorded, the agent token and URL wiped
      const info = { ...node.driver_internal_info };
      delete info.agent_secret_token;
      delete info.agent_secret_token_pregenerated;
      delete info.agent_url;
      delete info.agent_verify_ca;
      node.driver_internal_info = info;
      node.last_error = 'Inspection was aborted by request.';
      applyEvent(sim, node, 'abort');
    } else if (!applyEvent(sim, node, action)) {
      throw invalidState(action, node);
    }
    return null;
  });
}
