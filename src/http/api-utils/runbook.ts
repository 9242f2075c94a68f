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
import { ironicError, pyRepr } from '../../conductor/exceptions.ts';
import type { IronicObject, RunbookFields } from '../../conductor/objects.ts';
import { authorizedFor, policyOf } from '../auth/enforce.ts';
import { forbidden } from '../auth/failure.ts';
import type { PolicyRule } from '../auth/policy.ts';
import { passes } from './allocation.ts';
import { isUuidLike, isValidLogicalName } from './ident.ts';
import { listObjects } from './lookup.ts';
import { isValidTrait } from './traits.ts';

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
 * Whether the caller may act on a runbook owned by `owner` under `rule` (check_owner_policy
 * 'runbook'). With Ironic 39.0's rules (their check strings name `%(runbook.owner)s`): the rule
 * against the runbook's owner. With the gateway's role-only defaults (a pin before 39.0): the
 * rule itself, and a caller that may list every runbook (runbook:list_all: system readers,
 * admins) acts on any, another on those its project owns.
 */
export function mayActOnRunbook(request: FastifyRequest, rule: PolicyRule, owner: unknown): boolean {
  if (policyOf(request)?.needsTarget(rule)) return authorizedFor(request, rule, { 'runbook.owner': owner ?? null });
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

// ---- validation (runbook.py RUNBOOK_SCHEMA / RUNBOOK_MUTATION_SCHEMA_V112, utils.py RUNBOOK_STEP_SCHEMA)

/** conductor/steps.py CLEANING_INTERFACE_PRIORITY, in its order (39.0). */
export const RUNBOOK_STEP_INTERFACES = ['vendor', 'power', 'management', 'firmware', 'deploy', 'bios', 'raid'] as const;

class SchemaError extends Error {}
const fail = (message: string): never => {
  throw new SchemaError(message);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RUNBOOK_STEP_SCHEMA: interface, step, order required; args an object; nothing else. */
function checkRunbookStep(step: unknown): void {
  if (!isObject(step)) fail(`${pyRepr(step)} is not of type 'object'`);
  const s = step as Record<string, unknown>;
  for (const r of ['interface', 'step', 'order']) if (!Object.hasOwn(s, r)) fail(`${pyRepr(r)} is a required property`);
  const extra = Object.keys(s).filter((k) => !['args', 'interface', 'order', 'step'].includes(k));
  if (extra.length) fail(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} was unexpected)`);
  if (Object.hasOwn(s, 'args') && !isObject(s.args)) fail(`${pyRepr(s.args)} is not of type 'object'`);
  if (typeof s.interface !== 'string') fail(`${pyRepr(s.interface)} is not of type 'string'`);
  if (!(RUNBOOK_STEP_INTERFACES as readonly string[]).includes(s.interface as string))
    fail(`${pyRepr(s.interface)} is not one of ${pyRepr([...RUNBOOK_STEP_INTERFACES])}`);
  if (typeof s.step !== 'string') fail(`${pyRepr(s.step)} is not of type 'string'`);
  if ((s.step as string).length < 1) fail(`${pyRepr(s.step)} is too short`);
  const o = s.order;
  const okInt = typeof o === 'number' && Number.isInteger(o) && o >= 0;
  const okStr = typeof o === 'string' && /^[0-9]+$/.test(o);
  if (!okInt && !okStr) fail(`${pyRepr(o)} is not valid under any of the given schemas`);
}

function checkName(name: unknown, relaxed: boolean): void {
  if (typeof name !== 'string') fail(`${pyRepr(name)} is not of type 'string'`);
  const n = name as string;
  if (n.length < 1) fail(`${pyRepr(n)} is too short`);
  if (n.length > 255) fail(`${pyRepr(n)} is too long`);
  if (relaxed) {
    if (!/^[A-Za-z0-9\-._~]+$/.test(n)) fail(`${pyRepr(n)} does not match '^[A-Za-z0-9\\\\-._~]+$'`);
  } else if (!isValidTrait(n))
    fail(
      `${pyRepr(n)} is not valid under any of the given schemas. Possible root cause: ${pyRepr(n)} does not match '^CUSTOM_[A-Z0-9_]+$'`,
    );
}

function checkNullable(v: Record<string, unknown>, key: string, type: 'boolean' | 'object' | 'string'): void {
  const value = v[key];
  if (value === undefined || value === null) return;
  const ok = type === 'object' ? isObject(value) : typeof value === type;
  if (!ok) fail(`${pyRepr(value)} is not of type '${type}', 'null'`);
  if (type === 'string' && (value as string).length > 255) fail(`${pyRepr(value)} is too long`);
}

/**
 * The runbook schema of the request's version: below 1.112 the name is a trait and there is no
 * description; from 1.112 any `[A-Za-z0-9-._~]` name and a description. `traits` is never
 * accepted in a body (the traits sub-resource sets them).
 */
function checkRunbook(value: unknown, relaxed: boolean): void {
  if (!isObject(value)) fail(`${pyRepr(value)} is not of type 'object'`);
  const v = value as Record<string, unknown>;
  for (const r of ['steps', 'name']) if (!Object.hasOwn(v, r)) fail(`${pyRepr(r)} is a required property`);
  const allowed = ['uuid', 'name', 'steps', 'disable_ramdisk', 'extra', 'public', 'owner'];
  if (relaxed) allowed.push('description');
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  if (extra.length) fail(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} was unexpected)`);
  checkName(v.name, relaxed);
  if (!Array.isArray(v.steps)) fail(`${pyRepr(v.steps)} is not of type 'array'`);
  if ((v.steps as unknown[]).length < 1) fail(`${pyRepr(v.steps)} is too short`);
  for (const s of v.steps as unknown[]) checkRunbookStep(s);
  checkNullable(v, 'uuid', 'string');
  checkNullable(v, 'disable_ramdisk', 'boolean');
  checkNullable(v, 'extra', 'object');
  checkNullable(v, 'public', 'boolean');
  checkNullable(v, 'owner', 'string');
  if (relaxed) checkNullable(v, 'description', 'string');
}

function schemaCheck(name: string, check: () => void): void {
  try {
    check();
  } catch (err) {
    if (err instanceof SchemaError)
      throw ironicError('InvalidParameterValue', `Schema error for ${name}: ${err.message}`);
    throw err;
  }
}

/** One step against RUNBOOK_STEP_SCHEMA (PATCH validates each step first, as `patch`). */
export function validateRunbookStep(name: string, step: unknown): void {
  schemaCheck(name, () => checkRunbookStep(step));
}

/**
 * The runbook validator: the schema, then duplicate (interface, step) pairs (the message names
 * deploy steps and templates: 39.0 shares deploy templates' check, R25, copied), then `uuid`.
 */
export function validateRunbook(name: string, value: unknown, relaxed: boolean): Record<string, unknown> {
  schemaCheck(name, () => checkRunbook(value, relaxed));
  const v = value as Record<string, unknown>;
  const seen = new Map<string, number>();
  for (const s of v.steps as Record<string, unknown>[]) {
    const key = `interface: ${String(s.interface)}, step: ${String(s.step)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const dups = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  if (dups.length > 0)
    throw ironicError(
      'InvalidDeployTemplate',
      `Deploy template invalid: Duplicate deploy steps. A template cannot have multiple deploy steps with the same interface and step. Duplicates: ${dups.join('; ')}.`,
    );
  if (v.uuid !== undefined && v.uuid !== null && !isUuidLike(v.uuid))
    throw ironicError('InvalidParameterValue', `Expected UUID for uuid: ${String(v.uuid)}`);
  return v;
}

/** TRAITS_SCHEMA for one trait (`Schema error for trait: …`). */
export function validateRunbookTrait(name: string, trait: unknown): void {
  schemaCheck(name, () => checkName(trait, false));
}
