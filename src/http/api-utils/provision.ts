/**
 * The checks ironic-api makes before a provision state change reaches the conductor
 * (NodeStatesController.provision): the verb's microversion, maintenance, the state machine,
 * and which optional arguments go with which target.
 */
import type { FastifyRequest } from 'fastify';
import { Ajv } from 'ajv';
import { invalidStateRequested, ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import { VERBS, nextState } from '../../conductor/states.ts';
import {
  allowNodeRebuildWithConfigdrive,
  allows,
  MINOR_13_ABORT_VERB,
  MINOR_15_MANUAL_CLEAN,
  MINOR_17_ADOPT_VERB,
  MINOR_38_RESCUE_INTERFACE,
  MINOR_4_MANAGEABLE_STATE,
  MINOR_6_INSPECT_STATE,
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
]);

/** The targets do_provisioning_action serves (PROVISION_ACTION_STATES). */
export const PROVISION_ACTIONS = ['manage', 'provide', 'abort', 'adopt'];

export interface ProvisionRequest {
  target: string;
  configdrive?: string | null;
  clean_steps?: unknown;
  rescue_password?: string | null;
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

/** configdrive, clean_steps and rescue_password only with their targets. */
export function checkProvisionArguments(request: FastifyRequest, body: ProvisionRequest): void {
  if (body.configdrive) {
    const allowed = allowNodeRebuildWithConfigdrive(request) ? ['active', 'rebuild'] : ['active'];
    if (!allowed.includes(body.target)) {
      throw invalid(`Adding a config drive is only supported when setting provision state to ${allowed.join(', ')}`);
    }
  }
  if (body.clean_steps && body.target !== 'clean') {
    throw invalid('"clean_steps" is only valid when setting target provision state to clean');
  }
  if (body.rescue_password !== undefined && body.rescue_password !== null && body.target !== 'rescue') {
    throw invalid('"rescue_password" is only valid when setting target provision state to rescue');
  }
}

const CLEAN_STEPS_SCHEMA = {
  type: 'array',
  items: {
    type: 'object',
    required: ['interface', 'step'],
    properties: {
      // conductor/steps.py CLEANING_INTERFACE_PRIORITY: `bios` since Rocky (11.0)
      interface: { enum: ['power', 'management', 'deploy', 'bios', 'raid'] },
      step: { type: 'string', minLength: 1 },
      args: { type: 'object', properties: {} },
    },
    additionalProperties: false,
  },
} as const;

const validateCleanSteps = new Ajv({ allErrors: false }).compile(CLEAN_STEPS_SCHEMA);

/** _check_clean_steps (after "clean_steps is required"). */
export function checkCleanSteps(steps: unknown): Record<string, unknown>[] {
  if (!steps) throw invalid('"clean_steps" is required when setting target provision state to clean');
  if (!validateCleanSteps(steps)) {
    const e = validateCleanSteps.errors?.[0];
    throw ironicError(
      'InvalidParameterValue',
      `Invalid clean_steps: ${e ? `${e.instancePath || '/'} ${e.message ?? ''}`.trim() : 'invalid'}`,
    );
  }
  return steps as Record<string, unknown>[];
}

/** A rescue needs a non-blank password. */
export function checkRescuePassword(password: string | null | undefined): string {
  if (!password?.trim()) {
    throw invalid('A non-empty "rescue_password" is required when setting target provision state to rescue');
  }
  return password;
}
