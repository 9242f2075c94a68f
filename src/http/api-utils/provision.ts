/**
 * The checks ironic-api makes before a provision state change reaches the conductor
 * (NodeStatesController.provision): the verb's microversion, maintenance, the state machine,
 * and which optional arguments go with which target.
 */
import type { FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import { parseBoolean } from './ident.ts';
import { invalidStateRequested, ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import { ACTIVE, INSPECTWAIT, REBUILD, VERBS, nextState } from '../../conductor/states.ts';
import {
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
export function checkActionable(node: IronicObject<NodeFields>, target: string): void {
  const uuid = String(node.get('uuid'));
  if ((target === 'active' || target === 'rebuild') && node.get('maintenance')) {
    throw ironicError(
      'NodeInMaintenance',
      `The provisioning operation can't be performed on node ${uuid} because it's in maintenance mode.`,
    );
  }
  const state = node.get('provision_state') ?? null;
  if (nextState(state, Object.hasOwn(VERBS, target) ? VERBS[target] : target) !== undefined) return;
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
