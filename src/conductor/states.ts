/**
 * Ironic's provision state machine (ironic/common/states.py at 21.4): the same states, the
 * same events and transitions, and the same target-state bookkeeping as its FSM. Since Queens
 * (10.1): `inspect wait` and its four transitions, DELETING --fail--> ERROR (was `error`),
 * the `deploy`/`undeploy` verbs, INSPECTWAIT in UPDATE_ALLOWED_STATES, AVAILABLE out of
 * DELETE_ALLOWED_STATES (the conductor adds it back under allow_deleting_available_nodes),
 * UNSTABLE_STATES and the lookup states.
 */

export const ENROLL = 'enroll';
export const VERIFYING = 'verifying';
export const MANAGEABLE = 'manageable';
export const AVAILABLE = 'available';
export const ACTIVE = 'active';
export const DEPLOYWAIT = 'wait call-back';
export const DEPLOYING = 'deploying';
export const DEPLOYFAIL = 'deploy failed';
export const DELETING = 'deleting';
export const CLEANING = 'cleaning';
export const CLEANWAIT = 'clean wait';
export const CLEANFAIL = 'clean failed';
export const ERROR = 'error';
export const INSPECTING = 'inspecting';
export const INSPECTFAIL = 'inspect failed';
export const INSPECTWAIT = 'inspect wait';
export const ADOPTING = 'adopting';
export const ADOPTFAIL = 'adopt failed';
export const RESCUE = 'rescue';
export const RESCUEFAIL = 'rescue failed';
export const RESCUEWAIT = 'rescue wait';
export const RESCUING = 'rescuing';
export const UNRESCUEFAIL = 'unrescue failed';
export const UNRESCUING = 'unrescuing';
// 39.0 (issue 15, slice provision): the hold and service states
export const DEPLOYHOLD = 'deploy hold';
export const CLEANHOLD = 'clean hold';
export const SERVICING = 'servicing';
export const SERVICEWAIT = 'service wait';
export const SERVICEFAIL = 'service failed';
export const SERVICEHOLD = 'service hold';
/** API targets that are not states: aliases of `active` and `deleted` (1.73), and `rebuild`. */
export const DEPLOY = 'deploy';
export const UNDEPLOY = 'undeploy';
export const REBUILD = 'rebuild';

export const POWER_ON = 'power on';
export const POWER_OFF = 'power off';
export const REBOOT = 'rebooting';
export const SOFT_REBOOT = 'soft rebooting';
export const SOFT_POWER_OFF = 'soft power off';

/**
 * The power states a node can be asked for: ironic-api's ALLOWED_TARGET_POWER_STATES, and the
 * states the fake power interface supports (get_supported_power_states), which the conductor checks.
 */
export const POWER_TARGETS: readonly string[] = [POWER_ON, POWER_OFF, REBOOT, SOFT_REBOOT, SOFT_POWER_OFF];

/** API target → internal verb (states.VERBS). */
export const VERBS: Readonly<Record<string, string>> = {
  active: 'deploy',
  deploy: 'deploy',
  deleted: 'delete',
  undeploy: 'delete',
  manage: 'manage',
  provide: 'provide',
  inspect: 'inspect',
  abort: 'abort',
  clean: 'clean',
  adopt: 'adopt',
  rescue: 'rescue',
  unrescue: 'unrescue',
  // 39.0
  unhold: 'unhold',
  service: 'service',
};

export const UPDATE_ALLOWED_STATES = [
  DEPLOYFAIL,
  INSPECTING,
  INSPECTFAIL,
  INSPECTWAIT,
  CLEANFAIL,
  ERROR,
  VERIFYING,
  ADOPTFAIL,
  RESCUEFAIL,
  UNRESCUEFAIL,
  // 39.0 (a node reaches them only on a 39.0 conductor); `service` is 39.0's too (a verb, never a state)
  'service',
  SERVICEHOLD,
  SERVICEFAIL,
];
/** 21.4: without AVAILABLE, which destroy_node adds under [conductor]allow_deleting_available_nodes (default True). */
export const DELETE_ALLOWED_STATES = [MANAGEABLE, ENROLL, ADOPTFAIL];
export const STABLE_STATES = [ENROLL, MANAGEABLE, AVAILABLE, ACTIVE, ERROR, RESCUE];
/** States in which a node is transitioning (boot mode and secure boot changes are refused, 409). */
export const UNSTABLE_STATES = [
  DEPLOYING,
  DEPLOYWAIT,
  CLEANING,
  CLEANWAIT,
  VERIFYING,
  DELETING,
  INSPECTING,
  INSPECTWAIT,
  ADOPTING,
  RESCUING,
  RESCUEWAIT,
  UNRESCUING,
  // 39.0
  SERVICING,
  SERVICEWAIT,
];
/** Where a ramdisk may look its node up ([api]restrict_lookup). */
export const LOOKUP_ALLOWED_STATES = [
  DEPLOYING,
  DEPLOYWAIT,
  CLEANING,
  CLEANWAIT,
  INSPECTING,
  INSPECTWAIT,
  RESCUING,
  RESCUEWAIT,
];

/** Each unstable state's default target (machine.add_state(..., target=...)). */
const TARGETS: Readonly<Record<string, string>> = {
  [VERIFYING]: MANAGEABLE,
  [DEPLOYING]: ACTIVE,
  [DEPLOYWAIT]: ACTIVE,
  [DEPLOYFAIL]: ACTIVE,
  [CLEANING]: AVAILABLE,
  [CLEANWAIT]: AVAILABLE,
  [CLEANFAIL]: AVAILABLE,
  [DELETING]: AVAILABLE,
  [INSPECTING]: MANAGEABLE,
  [INSPECTFAIL]: MANAGEABLE,
  [INSPECTWAIT]: MANAGEABLE,
  [ADOPTING]: ACTIVE,
  [ADOPTFAIL]: ACTIVE,
  [RESCUING]: RESCUE,
  [RESCUEWAIT]: RESCUE,
  [RESCUEFAIL]: RESCUE,
  [UNRESCUING]: ACTIVE,
  [UNRESCUEFAIL]: ACTIVE,
  // 39.0 (common/state_machine.py)
  [DEPLOYHOLD]: ACTIVE,
  [CLEANHOLD]: AVAILABLE,
  [SERVICING]: ACTIVE,
  [SERVICEWAIT]: ACTIVE,
  [SERVICEFAIL]: ACTIVE,
  [SERVICEHOLD]: ACTIVE,
};

/** [from, to, event], in states.py's order. */
const TRANSITIONS: ReadonlyArray<readonly [string, string, string]> = [
  [AVAILABLE, DEPLOYING, 'deploy'],
  [DEPLOYING, DEPLOYFAIL, 'fail'],
  [DEPLOYFAIL, DEPLOYING, 'rebuild'],
  [DEPLOYFAIL, DEPLOYING, 'deploy'],
  [DEPLOYING, DEPLOYWAIT, 'wait'],
  [DEPLOYWAIT, DEPLOYING, 'resume'],
  [DEPLOYWAIT, DEPLOYFAIL, 'fail'],
  [DEPLOYING, ACTIVE, 'done'],
  [ACTIVE, DEPLOYING, 'rebuild'],
  [ACTIVE, DELETING, 'delete'],
  [DEPLOYWAIT, DELETING, 'delete'],
  [DEPLOYFAIL, DELETING, 'delete'],
  [DELETING, ERROR, 'fail'],
  [DELETING, CLEANING, 'clean'],
  [CLEANING, AVAILABLE, 'done'],
  [CLEANING, CLEANFAIL, 'fail'],
  [CLEANWAIT, CLEANFAIL, 'fail'],
  [CLEANWAIT, CLEANFAIL, 'abort'],
  [CLEANING, CLEANWAIT, 'wait'],
  [CLEANWAIT, CLEANING, 'resume'],
  [CLEANFAIL, MANAGEABLE, 'manage'],
  [MANAGEABLE, CLEANING, 'provide'],
  [MANAGEABLE, CLEANING, 'clean'],
  [CLEANING, MANAGEABLE, 'manage'],
  [AVAILABLE, MANAGEABLE, 'manage'],
  [ERROR, DEPLOYING, 'rebuild'],
  [ERROR, DELETING, 'delete'],
  [MANAGEABLE, INSPECTING, 'inspect'],
  [INSPECTING, MANAGEABLE, 'done'],
  [INSPECTING, INSPECTFAIL, 'fail'],
  [INSPECTING, INSPECTWAIT, 'wait'],
  [INSPECTWAIT, MANAGEABLE, 'done'],
  [INSPECTWAIT, INSPECTFAIL, 'fail'],
  [INSPECTWAIT, INSPECTFAIL, 'abort'],
  [INSPECTFAIL, MANAGEABLE, 'manage'],
  [INSPECTFAIL, INSPECTING, 'inspect'],
  [ACTIVE, RESCUING, 'rescue'],
  [RESCUING, RESCUE, 'done'],
  [RESCUING, RESCUEWAIT, 'wait'],
  [RESCUEWAIT, RESCUING, 'resume'],
  [RESCUE, RESCUING, 'rescue'],
  [RESCUE, DELETING, 'delete'],
  [RESCUEWAIT, RESCUEFAIL, 'fail'],
  [RESCUING, RESCUEFAIL, 'fail'],
  [RESCUEWAIT, RESCUEFAIL, 'abort'],
  [RESCUEFAIL, RESCUING, 'rescue'],
  [RESCUEFAIL, UNRESCUING, 'unrescue'],
  [RESCUEFAIL, DELETING, 'delete'],
  [RESCUEWAIT, DELETING, 'delete'],
  [RESCUE, UNRESCUING, 'unrescue'],
  [UNRESCUING, ACTIVE, 'done'],
  [UNRESCUING, UNRESCUEFAIL, 'fail'],
  [UNRESCUEFAIL, RESCUING, 'rescue'],
  [UNRESCUEFAIL, UNRESCUING, 'unrescue'],
  [UNRESCUEFAIL, DELETING, 'delete'],
  [ENROLL, VERIFYING, 'manage'],
  [VERIFYING, MANAGEABLE, 'done'],
  [VERIFYING, ENROLL, 'fail'],
  [MANAGEABLE, ADOPTING, 'adopt'],
  [ADOPTING, ACTIVE, 'done'],
  [ADOPTING, ADOPTFAIL, 'fail'],
  [ADOPTFAIL, ADOPTING, 'adopt'],
  [ADOPTFAIL, MANAGEABLE, 'manage'],
];

/**
 * What 39.0's machine (ironic/common/state_machine.py) adds to 21.4's: deploy and clean hold,
 * unhold, abort in `wait call-back` and the holds, inspect wait --resume--> inspecting, and
 * servicing. A 21.4 client can see the difference (abort of a `wait call-back` node is a 400
 * on 21.4, a 406 or a deploy failure on 39.0), so the gateway and the simulator pick the
 * machine of the release they serve.
 */
const TRANSITIONS_39: ReadonlyArray<readonly [string, string, string]> = [
  [DEPLOYING, DEPLOYHOLD, 'hold'],
  [DEPLOYWAIT, DEPLOYHOLD, 'hold'],
  [DEPLOYHOLD, DEPLOYWAIT, 'unhold'],
  [DEPLOYHOLD, DEPLOYFAIL, 'abort'],
  [DEPLOYWAIT, DEPLOYFAIL, 'abort'],
  [CLEANING, CLEANHOLD, 'hold'],
  [CLEANWAIT, CLEANHOLD, 'hold'],
  [CLEANHOLD, CLEANFAIL, 'abort'],
  [CLEANHOLD, CLEANWAIT, 'unhold'],
  [INSPECTWAIT, INSPECTING, 'resume'],
  [SERVICING, ACTIVE, 'done'],
  [ACTIVE, SERVICING, 'service'],
  [SERVICING, SERVICEFAIL, 'fail'],
  [SERVICING, SERVICEWAIT, 'wait'],
  [SERVICING, SERVICEHOLD, 'hold'],
  [SERVICEWAIT, SERVICEHOLD, 'hold'],
  [SERVICEHOLD, SERVICING, 'service'],
  [SERVICEHOLD, SERVICEWAIT, 'unhold'],
  [SERVICEWAIT, SERVICING, 'resume'],
  [SERVICEWAIT, SERVICEFAIL, 'fail'],
  [SERVICEHOLD, SERVICEFAIL, 'fail'],
  [SERVICEWAIT, SERVICEFAIL, 'abort'],
  [SERVICEHOLD, SERVICEFAIL, 'abort'],
  [SERVICEFAIL, SERVICING, 'service'],
  [SERVICEFAIL, RESCUING, 'rescue'],
  [SERVICEFAIL, SERVICEWAIT, 'wait'],
  [SERVICEFAIL, SERVICEHOLD, 'hold'],
  [SERVICEFAIL, DELETING, 'delete'],
  [SERVICEFAIL, ACTIVE, 'abort'],
  [SERVICEWAIT, DELETING, 'delete'],
];

/** Which release's state machine: 21.4's (every release the gateway served before issue 15) or 39.0's. */
export type StateMachine = '21.4' | '39.0';

const key = (from: string, ev: string): string => `${from}\u0000${ev}`;
const table = new Map<string, string>(TRANSITIONS.map(([from, to, ev]) => [key(from, ev), to]));
const table39 = new Map<string, string>([
  ...table,
  ...TRANSITIONS_39.map(([from, to, ev]) => [key(from, ev), to] as const),
]);

export const isStable = (state: string | null): boolean => state !== null && STABLE_STATES.includes(state);

/** The state `event` leads to from `state`, or undefined when the machine refuses it. */
export function nextState(state: string | null, event: string, machine: StateMachine = '21.4'): string | undefined {
  return state === null ? undefined : (machine === '39.0' ? table39 : table).get(key(state, event));
}

export interface ProvisionFields {
  provision_state: string | null;
  target_provision_state: string | null;
}

/**
 * Applies `event` as TaskManager.process_event does: the target is cleared once reached,
 * replaced by the new state's own target when it has one, overridden by `targetState`, and
 * cleared when a synchronous transition (no background work) lands on a stable state.
 * Returns false (and changes nothing) when the transition is not allowed.
 */
export function processEvent(
  node: ProvisionFields,
  event: string,
  opts: { targetState?: string; background?: boolean; machine?: StateMachine } = {},
): boolean {
  const to = nextState(node.provision_state, event, opts.machine);
  if (to === undefined) return false;
  let target = node.target_provision_state;
  if (target !== null && target === to) target = null;
  if (TARGETS[to] !== undefined) target = TARGETS[to];
  if (opts.targetState) target = opts.targetState;
  node.provision_state = to;
  node.target_provision_state = !opts.background && isStable(to) ? null : target;
  return true;
}
