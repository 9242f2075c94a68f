/**
 * Servicing (RPC 1.57 do_node_service, 1.60 continue_node_service) and the 39.0 aborts and
 * unholds of do_provisioning_action, as 39.0's ConductorManager and conductor/servicing.py do
 * them with the fake-hardware interfaces (issue 15, slice provision).
 *
 * The service steps fake-hardware has: the `fake` vendor interface's `log_passthrough` (no
 * ramdisk needed) and `trigger_servicewait` (leaves the node in `service wait` until
 * continue_node_service or an abort); the reserved steps of any interface (`power_on`,
 * `power_off`, `reboot`; `hold` → `service hold`; `wait` → `service wait`); and, as 39.0's
 * execute_service_step runs any method of the interface, the fake BIOS interface's
 * `apply_configuration`, `factory_reset` and `cache_bios_settings`. Any other step fails the
 * node into `service failed` (in maintenance, fault `service failure`), as the real conductor
 * does when the interface has no such method.
 * A node's driver_info.simulator_fail containing `service` fails its first step.
 */
import { ironicError, pyRepr } from '../conductor/exceptions.ts';
import * as S from '../conductor/states.ts';
import { asObject, type Args, type Sim } from './context.ts';
import { applyEvent, failing, inMaintenance, injected, start } from './provision.ts';
import type { NodeRow } from './store.ts';
import { biosCleanStepErrors, recordHistory, runBiosCleanStep } from './subresources.ts';

/** [api]disallow_service_steps at 39.0's default (the conductor reads the same option as the API). */
export const DISALLOW_SERVICE_STEPS: readonly string[] = ['vendor.send_raw'];

const RESERVED_POWER: Readonly<Record<string, string>> = {
  power_on: S.POWER_ON,
  power_off: S.POWER_OFF,
  reboot: S.POWER_ON,
};

/** 39.0's faults.SERVICE_FAILURE. */
const SERVICE_FAILURE = 'service failure';
/** states.SERVICING: the event type 39.0 journals servicing errors with. */
const EVENT_TYPE = 'servicing';

const stepId = (step: Record<string, unknown>): string => `${String(step.interface)}.${String(step.step)}`;

/** conductor_steps.check_disallowed_steps(…, 'service', raise_on_disallowed=True). */
function checkDisallowed(steps: Record<string, unknown>[]): void {
  for (const step of steps) {
    const sid = stepId(step);
    if (DISALLOW_SERVICE_STEPS.includes(sid)) {
      throw ironicError(
        'StepNotAllowed',
        `service step '${sid}' is not allowed. Disallowed by operator configuration [api]disallow_service_steps.`,
        { step: sid, step_type: 'service' },
      );
    }
  }
}

/** utils.wipe_service_internal_info. */
function wipeServiceInfo(node: NodeRow): void {
  const info = { ...node.driver_internal_info };
  for (const k of ['service_steps', 'service_step_index', 'service_disable_ramdisk', 'agent_url']) delete info[k];
  node.driver_internal_info = info;
}

/** utils.servicing_error_handler: maintenance when a step was running, journaled, `fail`. */
function servicingError(sim: Sim, node: NodeRow, message: string): void {
  const stepRunning = Object.keys(asObject(node.service_step)).length > 0;
  if (stepRunning) Object.assign(node, { maintenance: true, fault: SERVICE_FAILURE });
  const info = { ...node.driver_internal_info };
  delete info.service_step_index;
  node.driver_internal_info = info;
  node.service_step = {};
  recordHistory(sim, node, message, { eventType: EVENT_TYPE });
  if (stepRunning && !node.maintenance_reason) node.maintenance_reason = message;
  if (node.provision_state !== S.SERVICEFAIL) applyEvent(sim, node, 'fail');
}

type StepResult = 'next' | 'stop';

/** One step of do_next_service_step: the reserved handlers, else the interface's method. */
function runStep(sim: Sim, node: NodeRow, step: Record<string, unknown>, first: boolean): StepResult {
  const name = String(step.step);
  if (Object.hasOwn(RESERVED_POWER, name)) {
    node.power_state = RESERVED_POWER[name];
    // use_reserved_step_handler: USED_HANDLER, the steps go on
    return 'next';
  }
  if (name === 'hold') {
    applyEvent(sim, node, 'hold');
    return 'stop';
  }
  if (name === 'wait') {
    applyEvent(sim, node, 'wait');
    return 'stop';
  }
  if (first && failing(node, 'service')) throw new Error(injected('service'));
  const iface = String(step.interface);
  const n = asObject(node);
  if (iface === 'vendor' && n.vendor_interface === 'fake') {
    if (name === 'log_passthrough') return 'next';
    if (name === 'trigger_servicewait') {
      applyEvent(sim, node, 'wait');
      return 'stop';
    }
  }
  if (iface === 'bios') {
    const errors = biosCleanStepErrors(node, step);
    if (errors !== null) {
      if (errors.length) throw new Error(errors.join('; ').replaceAll('clean step', 'service step'));
      runBiosCleanStep(sim.store, node, step);
      return 'next';
    }
  }
  throw new Error(`node does not support this service step: ${pyRepr(step)}`);
}

/** do_next_service_step from `index`, then _tear_down_node_service (→ active). */
function runServiceSteps(sim: Sim, node: NodeRow, index: number): void {
  const steps = (node.driver_internal_info?.service_steps ?? []) as Record<string, unknown>[];
  for (let i = index; i < steps.length; i++) {
    const step = steps[i];
    node.service_step = step;
    node.driver_internal_info = { ...node.driver_internal_info, service_step_index: i };
    let result: StepResult;
    try {
      result = runStep(sim, node, step, i === index);
    } catch (err) {
      servicingError(sim, node, `Node ${node.uuid} failed step ${pyRepr(step)}: ${(err as Error).message}`);
      return;
    }
    if (result === 'stop') return;
  }
  node.service_step = null;
  wipeServiceInfo(node);
  applyEvent(sim, node, 'done');
}

export async function do_node_service(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'node service' }, (task) => {
    const node = task.node;
    if (node.maintenance) throw inMaintenance('service', node);
    const steps = (Array.isArray(a.service_steps) ? a.service_steps : []).map(asObject);
    checkDisallowed(steps);
    const disableRamdisk = a.disable_ramdisk === true;
    start(
      sim,
      task,
      'service',
      'service',
      async () => {
        await sim.sleep(sim.actionDelayMs);
        wipeServiceInfo(node);
        node.driver_internal_info = {
          ...node.driver_internal_info,
          service_steps: steps,
          service_disable_ramdisk: disableRamdisk,
        };
        node.service_step = {};
        runServiceSteps(sim, node, 0);
      },
      S.ACTIVE,
    );
    return null;
  });
}

/** The next step after the one that finished (utils.update_next_step_index). */
function nextIndex(node: NodeRow): number {
  const i = node.driver_internal_info?.service_step_index;
  return typeof i === 'number' ? i + 1 : 0;
}

/** servicing.continue_node_service, after the node left `service wait`. */
function continueService(sim: Sim, node: NodeRow): void {
  if (asObject(node.service_step).abort_after) {
    // 39.0 fails the node and aborts its servicing, leaving it in `service failed`
    applyEvent(sim, node, 'fail');
    serviceAbort(node);
    return;
  }
  runServiceSteps(sim, node, nextIndex(node));
}

/** RPC 1.60 (a cast): resumes servicing from `service wait` or `servicing`. */
export async function continue_node_service(sim: Sim, a: Args): Promise<null> {
  return sim.tasks.with(a.node_id, { purpose: 'continue node servicing' }, (task) => {
    const node = task.node;
    const expected = [S.SERVICEWAIT, S.SERVICING];
    if (!expected.includes(String(node.provision_state))) {
      throw ironicError(
        'InvalidStateRequested',
        `Cannot continue servicing on ${node.uuid}. Node is in ${String(node.provision_state)} state; should be in one of ${expected.join(', ')}`,
      );
    }
    if (node.provision_state === S.SERVICEWAIT) applyEvent(sim, node, 'resume', { background: true });
    task.spawnAfter(sim.pool, async () => continueService(sim, node));
    return null;
  });
}

/** servicing.do_node_service_abort's bookkeeping (the node's state is the caller's). */
function serviceAbort(node: NodeRow): void {
  let lastError = 'By request, the service operation was aborted';
  const step = asObject(node.service_step);
  if (Object.keys(step).length) lastError += ` during or after the completion of step "${stepId(step)}"`;
  node.last_error = lastError;
  node.service_step = null;
  wipeServiceInfo(node);
}

/**
 * do_provisioning_action's 39.0 branches: abort in `clean hold`, `wait call-back`,
 * `deploy hold`, `service wait`, `service hold`, `service failed`; unhold of the three holds.
 * Returns false for any other (action, state), which the caller handles as 21.4 does.
 */
export function provisioningAction39(sim: Sim, task: Parameters<typeof start>[1], action: string): boolean {
  const node = task.node;
  const st = node.provision_state;
  if (action === 'unhold' && (st === S.CLEANHOLD || st === S.DEPLOYHOLD)) {
    // released: the agent's next heartbeat picks the node up again
    applyEvent(sim, node, 'unhold');
    return true;
  }
  if (action === 'unhold' && st === S.SERVICEHOLD) {
    // 39.0 spawns continue_node_service on the node still in `service wait` (its 'done' from
    // there is no transition); the simulator resumes first, the evident intent
    start(sim, task, 'unhold', action, async () => {
      applyEvent(sim, node, 'resume', { background: true });
      continueService(sim, node);
    });
    return true;
  }
  if (action !== 'abort') return false;
  if (st === S.DEPLOYWAIT) {
    const step = asObject(node.deploy_step);
    if (Object.keys(step).length && !step.abortable) {
      if (!step.abort_after) node.deploy_step = { ...step, abort_after: true };
      return true;
    }
    const info = { ...node.driver_internal_info };
    delete info.agent_url;
    node.driver_internal_info = info;
    start(sim, task, 'abort', action, async () => {
      // deployments.do_node_deploy_abort
      let lastError = 'By request, the deploy operation was aborted';
      if (Object.keys(step).length) lastError += ` during or after the completion of step "${stepId(step)}"`;
      node.last_error = lastError;
      node.deploy_step = {};
      const di = { ...node.driver_internal_info };
      for (const k of ['deploy_steps', 'deploy_step_index', 'user_deploy_steps']) delete di[k];
      node.driver_internal_info = di;
    });
    return true;
  }
  if (st === S.DEPLOYHOLD) {
    const info = { ...node.driver_internal_info };
    delete info.agent_url;
    node.driver_internal_info = info;
    // 39.0 aborts into `deploy failed` and runs the tear down there (which cannot move on from
    // that state): the node stays in `deploy failed`, its instance torn down
    start(sim, task, 'abort', action, async () => {
      await sim.sleep(sim.actionDelayMs);
      const di = { ...node.driver_internal_info };
      delete di.instance;
      Object.assign(node, { instance_info: {}, instance_uuid: null, driver_internal_info: di });
    });
    return true;
  }
  if (st === S.SERVICEWAIT || st === S.SERVICEHOLD) {
    const step = asObject(node.service_step);
    if (Object.keys(step).length && !step.abortable) {
      if (!step.abort_after) node.service_step = { ...step, abort_after: true };
      return true;
    }
    applyEvent(sim, node, 'fail');
    start(sim, task, 'abort', action, async () => serviceAbort(node));
    return true;
  }
  if (st === S.SERVICEFAIL) {
    if (node.maintenance) {
      throw ironicError(
        'InvalidState',
        `Can not abort service on node "${node.uuid}" while it is in maintenance mode. Please remove the node from maintenance prior to issuing the request to abort the service operation.`,
      );
    }
    start(sim, task, 'abort', action, async () => serviceAbort(node));
    return true;
  }
  return false;
}
