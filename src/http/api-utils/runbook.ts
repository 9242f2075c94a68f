/**
 * Runbooks (1.92; ironic/api/controllers/v1/utils.py @39.0: get_rpc_runbook,
 * check_runbook_policy_and_retrieve, check_and_retrieve_public_runbook), read through the
 * indirection API.
 *
 * A 39.0 conductor cannot answer Runbook.get_by_uuid / get_by_name (its Runbook.obj_make_compatible
 * calls an oslo API that does not exist: AttributeError 'SemanticVersion', reference §0.4 and R16,
 * at any manifest version), so one runbook is read with `Runbook.list(filters={'uuid_in': [uuid]})`
 * or `{'name_in': [name]}`, which returns the same object without that conversion. Fixed, not copied: 39.0's ironic-api with
 * use_rpc_for_database answers 500 there.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, RunbookFields } from '../../conductor/objects.ts';
import { forbidden } from '../auth/failure.ts';
import type { PolicyRule } from '../auth/policy.ts';
import { passes } from './allocation.ts';
import { isUuidLike, isValidLogicalName } from './ident.ts';
import { listObjects } from './lookup.ts';

export type Runbook = IronicObject<RunbookFields>;

/** RunbookNotFound as the DB API raises it. */
function runbookNotFound(ident: string): Error {
  return ironicError('RunbookNotFound', `Runbook ${ident} could not be found.`, { runbook: ident });
}

/**
 * api_utils.get_rpc_runbook: a UUID is looked up as a UUID, a valid logical name as a name,
 * anything else is InvalidUuidOrName (400); no match is RunbookNotFound (404).
 */
export async function getRunbook(request: FastifyRequest, ident: string): Promise<Runbook> {
  let filters: Record<string, unknown>;
  if (isUuidLike(ident)) filters = { uuid_in: [ident] };
  else if (isValidLogicalName(ident, request)) filters = { name_in: [ident] };
  else throw ironicError('InvalidUuidOrName', `Expected a logical name or UUID but received ${ident}.`);
  const found = await listObjects(request, 'Runbook', 'list', [], { filters });
  const runbook = found[0];
  if (runbook === undefined) throw runbookNotFound(ident);
  return runbook;
}

/**
 * Whether the caller may act on a runbook owned by `owner` under `rule`: the rule itself, and
 * the owner half of 39.0's check strings (`project_id:%(runbook.owner)s`), which this policy
 * engine cannot express: a caller that may list every runbook (runbook:list_all: system
 * readers, admins) acts on any; another on those its project owns.
 */
export function mayActOnRunbook(request: FastifyRequest, rule: PolicyRule, owner: unknown): boolean {
  if (!passes(request, rule)) return false;
  if (passes(request, 'baremetal:runbook:list_all')) return true;
  const project = request.ctx.project_id;
  return typeof project === 'string' && project !== '' && owner === project;
}

/** api_utils.check_runbook_policy_and_retrieve: the runbook, or 403 when `rule` forbids it. */
export async function checkRunbookPolicyAndRetrieve(
  request: FastifyRequest,
  rule: PolicyRule,
  ident: string,
): Promise<Runbook> {
  const runbook = await getRunbook(request, ident);
  if (!mayActOnRunbook(request, rule, runbook.get('owner'))) throw forbidden(rule);
  return runbook;
}

/**
 * check_multiple_runbook_policies_and_retrieve: every rule in turn against the runbook's owner
 * (PATCH: runbook:update, runbook:update:owner, runbook:update:public as the paths need).
 */
export async function checkRunbookPoliciesAndRetrieve(
  request: FastifyRequest,
  rules: readonly PolicyRule[],
  ident: string,
): Promise<Runbook> {
  const runbook = await getRunbook(request, ident);
  for (const rule of rules) if (!mayActOnRunbook(request, rule, runbook.get('owner'))) throw forbidden(rule);
  return runbook;
}
