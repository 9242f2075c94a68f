/**
 * The checks ironic-api makes before a provision state change reaches the conductor
 * (NodeStatesController.provision): the verb's microversion, maintenance, the state machine,
 * and which optional arguments go with which target.
 */
import type { FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import { isUuidLike, parseBoolean } from './ident.ts';
import { invalidStateRequested, ironicError, pyRepr } from '../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import {
  ACTIVE,
  DEPLOYWAIT,
  INSPECTWAIT,
  REBUILD,
  VERBS,
  nextState,
  type StateMachine,
} from '../../conductor/states.ts';
import {
  allowDeployAbort,
  allowServiceVerb,
  allowUnholdVerb,
  MINOR_108_SERVICE_DISABLE_RAMDISK,
  allowBuildConfigdrive,
  allowConfigdriveVendorData,
  allowDeploySteps,
  allowInspectAbort,
  allowNodeRebuildWithConfigdrive,
  allows,
  MINOR_13_ABORT_VERB,
  MINOR_15_MANUAL_CLEAN,
  MINOR_17_ADOPT_VERB,
  MINOR_38_RESCUE_INTERFACE,
  MINOR_4_MANAGEABLE_STATE,
  MINOR_56_BUILD_CONFIGDRIVE,
  MINOR_59_CONFIGDRIVE_VENDOR_DATA,
  MINOR_6_INSPECT_STATE,
  MINOR_69_DEPLOY_STEPS,
  MINOR_70_CLEAN_DISABLE_RAMDISK,
  MINOR_73_DEPLOY_UNDEPLOY_VERBS,
  needsVersion,
  notAcceptable,
  servesHibiscus,
  type Microversion,
} from '../versions.ts';

/** The minimum microversion of each verb (api_utils.MIN_VERB_VERSIONS). */
export const MIN_VERB_VERSIONS: ReadonlyMap<string, Microversion> = new Map([
  ['manage', MINOR_4_MANAGEABLE_STATE],
  ['provide', MINOR_4_MANAGEABLE_STATE],
  ['inspect', MINOR_6_INSPECT_STATE],
  ['abort', MINOR_13_ABORT_VERB],
  ['clean', MINOR_15_MANUAL_CLEAN],
  ['adopt', MINOR_17_ADOPT_VERB],
  ['rescue', MINOR_38_RESCUE_INTERFACE],
  ['unrescue', MINOR_38_RESCUE_INTERFACE],
  ['deploy', MINOR_73_DEPLOY_UNDEPLOY_VERBS],
  ['undeploy', MINOR_73_DEPLOY_UNDEPLOY_VERBS],
]);

/** The targets do_provisioning_action serves (PROVISION_ACTION_STATES). */
export const PROVISION_ACTIONS = ['manage', 'provide', 'abort', 'adopt'];

export interface ProvisionRequest {
  target: string;
  /** a string (gzipped base64 or a URL), or from 1.56 a JSON object the conductor renders */
  configdrive?: string | Record<string, unknown> | null;
  clean_steps?: unknown;
  /** 1.69, active/rebuild only */
  deploy_steps?: unknown;
  rescue_password?: string | null;
  /** 1.70, clean only (args.boolean: a boolean or one of its words) */
  disable_ramdisk?: unknown;
}

const invalid = (msg: string): Error => ironicError('Invalid', msg);

/** check_allow_management_verbs: 406 for a verb newer than the microversion. */
export function checkVerbVersion(request: FastifyRequest, target: string): void {
  const min = MIN_VERB_VERSIONS.get(target);
  if (min !== undefined && !allows(request, min)) throw notAcceptable();
}

/** Maintenance, then the state machine: NodeLocked when reserved, else InvalidStateRequested. */
export function checkActionable(node: IronicObject<NodeFields>, target: string, machine: StateMachine = '21.4'): void {
  const uuid = String(node.get('uuid'));
  if ((target === 'active' || target === 'rebuild') && node.get('maintenance')) {
    throw ironicError(
      'NodeInMaintenance',
      `The provisioning operation can't be performed on node ${uuid} because it's in maintenance mode.`,
    );
  }
  const state = node.get('provision_state') ?? null;
  if (nextState(state, Object.hasOwn(VERBS, target) ? VERBS[target] : target, machine) !== undefined) return;
  const reservation = node.get('reservation');
  if (reservation) {
    throw ironicError(
      'NodeLocked',
      `Node ${uuid} is locked by host ${reservation}, please retry after the current operation is completed.`,
    );
  }
  throw invalidStateRequested(target, uuid, state);
}

const CONFIG_DRIVE_SCHEMA = {
  anyOf: [
    {
      type: 'object',
      properties: {
        meta_data: { type: 'object' },
        network_data: { type: 'object' },
        user_data: { type: ['object', 'array', 'string', 'null'] },
        vendor_data: { type: 'object' },
      },
      additionalProperties: false,
    },
    { type: ['string', 'null'] },
  ],
} as const;

const schemaAjv = new Ajv({ allErrors: false });
const validateConfigDrive = schemaAjv.compile(CONFIG_DRIVE_SCHEMA);

/** The characters of base64 text plus the whitespace commonly found in it (_B64_ALPHABET). */
const B64_TEXT = /^[A-Za-z0-9+/=\n\r\t ]*$/;

/** The first schema error, worded as "<path> <message>". */
function schemaError(errors: { instancePath: string; message?: string }[] | null | undefined): string {
  const e = errors?.[0];
  return e ? `${e.instancePath || '/'} ${e.message ?? ''}`.trim() : 'invalid';
}

/**
 * check_allow_configdrive: only with active (and rebuild from 1.35), never with the 1.73 alias
 * `deploy` (21.4's Q7, looks like a bug: COPIED, since clients of 21.4 get a 400 there); the schema; a JSON object from 1.56, with vendor_data from 1.59 (400, not 406);
 * a string must be a URL or base64 text.
 */
export function checkConfigdrive(request: FastifyRequest, target: string, configdrive: unknown): void {
  if (!configdrive) return;
  const allowed = allowNodeRebuildWithConfigdrive(request) ? [ACTIVE, REBUILD] : [ACTIVE];
  if (!allowed.includes(target)) {
    throw invalid(`Adding a config drive is only supported when setting provision state to ${allowed.join(', ')}`);
  }
  if (!validateConfigDrive(configdrive)) {
    // jsonschema's own text is a multi-line dump; the first error says the same in one line
    throw invalid(`Invalid configdrive format: ${schemaError(validateConfigDrive.errors)}`);
  }
  if (typeof configdrive === 'object') {
    if (!allowBuildConfigdrive(request)) {
      throw invalid(
        `Providing a JSON object for configdrive is only supported starting with API version 1.${MINOR_56_BUILD_CONFIGDRIVE}`,
      );
    }
    if (Object.hasOwn(configdrive, 'vendor_data') && !allowConfigdriveVendorData(request)) {
      throw invalid(
        `Providing vendor_data in configdrive is only supported starting with API version 1.${MINOR_59_CONFIGDRIVE_VENDOR_DATA}`,
      );
    }
    return;
  }
  // ':' is not a base64 character, so a URL is told apart by its scheme separator
  if (typeof configdrive === 'string' && !configdrive.includes('://') && !B64_TEXT.test(configdrive)) {
    throw invalid('Invalid configdrive format: it is neither a JSON, nor a URL, nor a base64 string');
  }
}

/**
 * check_allow_clean_disable_ramdisk: 406 below 1.70, and only with `clean`. 21.4 raises
 * exception.BadRequest there, which has no HTTP code, so ironic-api answers 500 (its bug Q3);
 * we FIX it: the same message as a 400.
 */
export function checkDisableRamdisk(request: FastifyRequest, target: string, disableRamdisk: boolean | null): void {
  if (disableRamdisk === null) return;
  if (!allows(request, MINOR_70_CLEAN_DISABLE_RAMDISK))
    throw notAcceptable('disable_ramdisk is not acceptable in this API version');
  if (target !== 'clean') throw invalid('disable_ramdisk is supported only with manual cleaning');
}

/**
 * check_allow_deploy_steps: 406 below 1.69, then only with active or rebuild, not the `deploy`
 * alias (21.4's Q7: COPIED, as for configdrive).
 */
export function checkAllowDeploySteps(request: FastifyRequest, target: string, deploySteps: unknown): void {
  if (!deploySteps || (Array.isArray(deploySteps) && deploySteps.length === 0)) return;
  if (!allowDeploySteps(request)) throw needsVersion(MINOR_69_DEPLOY_STEPS);
  if (target !== ACTIVE && target !== REBUILD) {
    throw invalid('"deploy_steps" is only valid when setting target provision state to active or rebuild');
  }
}

/**
 * The argument checks of NodeStatesController.provision after the state machine, in its order:
 * configdrive, disable_ramdisk, clean_steps, deploy_steps, rescue_password, then abort of an
 * `inspect wait` node below 1.41 (406). Returns disable_ramdisk as a boolean or null.
 */
export function checkProvisionArguments(
  request: FastifyRequest,
  body: ProvisionRequest,
  provisionState: string | null,
): boolean | null {
  checkConfigdrive(request, body.target, body.configdrive);
  const disableRamdisk = argsBoolean('disable_ramdisk', body.disable_ramdisk);
  checkDisableRamdisk(request, body.target, disableRamdisk);
  if (body.clean_steps && body.target !== 'clean') {
    throw invalid('"clean_steps" is only valid when setting target provision state to clean');
  }
  checkAllowDeploySteps(request, body.target, body.deploy_steps);
  if (body.rescue_password !== undefined && body.rescue_password !== null && body.target !== 'rescue') {
    throw invalid('"rescue_password" is only valid when setting target provision state to rescue');
  }
  if (provisionState === INSPECTWAIT && body.target === 'abort' && !allowInspectAbort(request)) throw notAcceptable();
  return disableRamdisk;
}

const CLEAN_STEPS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['interface', 'step'],
    properties: {
      // conductor/steps.py CLEANING_INTERFACE_PRIORITY at 21.4 (bios since Rocky)
      interface: { enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
      step: { type: 'string', minLength: 1 },
      args: { type: 'object', properties: {} },
    },
    additionalProperties: false,
  },
} as const;

const validateCleanSteps = schemaAjv.compile(CLEAN_STEPS_SCHEMA);

/** _check_clean_steps (after "clean_steps is required"). */
export function checkCleanSteps(steps: unknown): Record<string, unknown>[] {
  if (!steps) throw invalid('"clean_steps" is required when setting target provision state to clean');
  if (!validateCleanSteps(steps)) {
    throw ironicError('InvalidParameterValue', `Invalid clean_steps: ${schemaError(validateCleanSteps.errors)}`);
  }
  return steps as Record<string, unknown>[];
}

/** api_utils.DEPLOY_STEP_SCHEMA: every key required, none other; priority an integer ≥ 0 or digits. */
const DEPLOY_STEPS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      args: { type: 'object' },
      // DEPLOYING_INTERFACE_PRIORITY
      interface: { type: 'string', enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
      priority: {
        anyOf: [
          { type: 'integer', minimum: 0 },
          { type: 'string', minLength: 1, pattern: '^[0-9]+$' },
        ],
      },
      step: { type: 'string', minLength: 1 },
    },
    required: ['interface', 'step', 'args', 'priority'],
    additionalProperties: false,
  },
} as const;

const validateDeploySteps = schemaAjv.compile(DEPLOY_STEPS_SCHEMA);

/** _check_deploy_steps (only for a non-empty list, as _do_provision_action calls it). */
export function checkDeploySteps(steps: unknown): Record<string, unknown>[] | null {
  if (!steps || (Array.isArray(steps) && steps.length === 0)) return null;
  if (!validateDeploySteps(steps)) {
    throw ironicError('InvalidParameterValue', `Invalid deploy_steps: ${schemaError(validateDeploySteps.errors)}`);
  }
  return steps as Record<string, unknown>[];
}

/** args.boolean: a boolean or one of oslo's words, else 400 `Invalid <name>: …`; null stays null. */
export function argsBoolean(name: string, value: unknown): boolean | null {
  if (value === undefined || value === null) return null;
  try {
    return parseBoolean(value);
  } catch (err) {
    throw ironicError('InvalidParameterValue', `Invalid ${name}: ${(err as Error).message}`);
  }
}

/** A rescue needs a non-blank password. */
export function checkRescuePassword(password: string | null | undefined): string {
  if (!password?.trim()) {
    throw invalid('A non-empty "rescue_password" is required when setting target provision state to rescue');
  }
  return password;
}

// ---- 39.0 (issue 15, slice provision): servicing, unhold, the 1.108 and 1.110 changes, and
// 39.0's provisioning at old microversions (reference §5.3)

/** The state machine ironic-api checks targets against: 39.0's or 21.4's (see servesHibiscus). */
export const apiStateMachine = (request: FastifyRequest): StateMachine => (servesHibiscus(request) ? '39.0' : '21.4');

/** 39.0's PROVISION_ACTION_STATES: unhold and service besides 21.4's. */
export const PROVISION_ACTIONS_39 = [...PROVISION_ACTIONS, 'unhold', 'service'];

export interface ProvisionRequest39 extends ProvisionRequest {
  /** 1.87, service only */
  service_steps?: unknown;
  /** 1.92, clean or service */
  runbook?: string | null;
}

/**
 * check_allow_disable_ramdisk at 39.0: `clean` from 1.70, `service` from 1.108 (406 below);
 * any other target 400. 39.0 raises exception.BadRequest there too, but its message is the
 * same 400 the gateway gave for 21.4 (21.4's 500, Q3, stays fixed).
 */
export function checkDisableRamdisk39(request: FastifyRequest, target: string, disableRamdisk: boolean | null): void {
  if (disableRamdisk === null) return;
  if (target === 'clean' || target === 'service') {
    const min = target === 'clean' ? MINOR_70_CLEAN_DISABLE_RAMDISK : MINOR_108_SERVICE_DISABLE_RAMDISK;
    if (!allows(request, min)) throw notAcceptable('disable_ramdisk is not acceptable in this API version');
    return;
  }
  throw invalid('disable_ramdisk is supported only with manual cleaning or servicing');
}

/**
 * The argument checks of 39.0's NodeStatesController.provision after the state machine, in its
 * order: configdrive, disable_ramdisk, clean_steps, deploy_steps, rescue_password, abort of an
 * `inspect wait` (<1.41) or `wait call-back` (<1.110) node (406), unhold (<1.85, 406),
 * service_steps only with service (400), service (<1.87, 406). Runbooks are checked by the caller
 * between configdrive and disable_ramdisk (runbookFor), which is why this takes the steps and
 * disable_ramdisk the runbook may have replaced.
 */
export function checkProvisionArguments39(
  request: FastifyRequest,
  body: ProvisionRequest39,
  provisionState: string | null,
  resolved: { cleanSteps: unknown; serviceSteps: unknown; disableRamdisk: boolean | null; runbook: boolean },
): void {
  const t = body.target;
  checkDisableRamdisk39(request, t, resolved.disableRamdisk);
  const runbookMessage = `"runbooks" is only valid when setting target provision state to any of ${pyRepr(['clean', 'service'])}`;
  if (resolved.cleanSteps && t !== 'clean') {
    throw invalid(
      resolved.runbook ? runbookMessage : '"clean_steps" is only valid when setting target provision state to clean',
    );
  }
  checkAllowDeploySteps(request, t, body.deploy_steps);
  if (body.rescue_password !== undefined && body.rescue_password !== null && t !== 'rescue') {
    throw invalid('"rescue_password" is only valid when setting target provision state to rescue');
  }
  if (t === 'abort') {
    if (provisionState === INSPECTWAIT && !allowInspectAbort(request)) throw notAcceptable();
    if (provisionState === DEPLOYWAIT && !allowDeployAbort(request)) throw notAcceptable();
  }
  if (t === 'unhold' && !allowUnholdVerb(request)) throw notAcceptable();
  if (resolved.serviceSteps && t !== 'service') {
    throw invalid(
      resolved.runbook
        ? runbookMessage
        : '"service_steps" is only valid when setting target provision state to service',
    );
  }
  if (t === 'service' && !allowServiceVerb(request)) throw notAcceptable();
}

/** conductor/steps.py CLEANING_INTERFACE_PRIORITY at 39.0, in its order (also DEPLOYING_…). */
export const STEP_INTERFACES_39 = ['vendor', 'power', 'management', 'firmware', 'deploy', 'bios', 'raid'] as const;

const ORDER = {
  anyOf: [
    { type: 'integer', minimum: 0 },
    { type: 'string', minLength: 1, pattern: '^[0-9]+$' },
  ],
} as const;

/** node.py _STEPS_SCHEMA at 39.0 (clean and service steps). */
const STEPS_SCHEMA_39 = {
  type: 'array',
  items: {
    type: 'object',
    required: ['interface', 'step'],
    properties: {
      interface: { enum: STEP_INTERFACES_39 },
      step: { type: 'string', minLength: 1 },
      args: { type: 'object', properties: {} },
      order: ORDER,
      execute_on_child_nodes: { type: 'boolean' },
      limit_child_node_execution: { type: 'array' },
    },
    additionalProperties: false,
  },
} as const;

/** api_utils.DEPLOY_STEP_SCHEMA at 39.0 (vendor and firmware steps too). */
const DEPLOY_STEPS_SCHEMA_39 = {
  type: 'array',
  items: {
    type: 'object',
    properties: {
      args: { type: 'object' },
      interface: { type: 'string', enum: STEP_INTERFACES_39 },
      priority: ORDER,
      step: { type: 'string', minLength: 1 },
    },
    required: ['interface', 'step', 'args', 'priority'],
    additionalProperties: false,
  },
} as const;

const validateSteps39 = schemaAjv.compile(STEPS_SCHEMA_39);
const validateDeploySteps39 = schemaAjv.compile(DEPLOY_STEPS_SCHEMA_39);

/** The [api]disallow_<type>_steps setting as a list. */
function disallowed(request: FastifyRequest, type: 'clean' | 'deploy' | 'service'): string[] {
  const value = request.server.gatewayConfig[`disallow_${type}_steps`] ?? '';
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * _check_steps plus the disallow list (node.py _check_clean_steps / _check_deploy_steps /
 * _check_service_steps at 39.0): the schema (400 `Invalid <type>_steps: …`), then each
 * limit_child_node_execution entry of a step run on child nodes must be a UUID (39.0 reads
 * `entry.get('step')` on the string for its message, a 500, R24: FIXED, a 400 naming the
 * entry) of a node the caller may provision (`lookupChild`), then
 * StepNotAllowed (400) for a step on the [api]disallow_<type>_steps list.
 */
export async function checkSteps39(
  request: FastifyRequest,
  type: 'clean' | 'deploy' | 'service',
  steps: unknown,
  lookupChild: (uuid: string) => Promise<unknown>,
): Promise<Record<string, unknown>[]> {
  const validate = type === 'deploy' ? validateDeploySteps39 : validateSteps39;
  if (!validate(steps)) {
    throw ironicError('InvalidParameterValue', `Invalid ${type}_steps: ${schemaError(validate.errors)}`);
  }
  const list = steps as Record<string, unknown>[];
  for (const step of list) {
    const children = step.limit_child_node_execution;
    if (step.execute_on_child_nodes && Array.isArray(children)) {
      for (const entry of children) {
        if (typeof entry !== 'string' || !isUuidLike(entry)) {
          throw ironicError(
            'InvalidParameterValue',
            `Invalid entry detected for execute_on_child_node parameter in step ${pyRepr(entry)}.`,
          );
        }
        await lookupChild(entry);
      }
    }
  }
  const refused = disallowed(request, type);
  for (const step of list) {
    const id = `${String(step.interface)}.${String(step.step)}`;
    if (refused.includes(id)) {
      throw ironicError(
        'StepNotAllowed',
        `${type} step '${id}' is not allowed. Disallowed by operator configuration [api]disallow_${type}_steps.`,
      );
    }
  }
  return list;
}
