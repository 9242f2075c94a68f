/**
 * The JSON schemas ironic-api 21.4 validates deploy templates and their steps with (deploy
 * step: api_utils.DEPLOY_STEP_SCHEMA; template: deploy_template.TEMPLATE_SCHEMA), checked by
 * hand with python-jsonschema's wording (`Schema error for <name>: 'steps' is a required
 * property`, `[] is too short`, `'x' is not one of [...]` …) as args.schema reports it.
 */
import { pyRepr, ironicError } from '../../conductor/exceptions.ts';
import { isUuidLike } from './ident.ts';
import { isValidTrait } from './traits.ts';

/** conductor/steps.py DEPLOYING_INTERFACE_PRIORITY, in its order. */
export const DEPLOY_STEP_INTERFACES = ['power', 'management', 'deploy', 'bios', 'raid'] as const;

class SchemaError extends Error {}
const fail = (message: string): never => {
  throw new SchemaError(message);
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkProps(v: Record<string, unknown>, required: readonly string[], allowed: readonly string[]): void {
  for (const r of required) if (!Object.hasOwn(v, r)) fail(`${pyRepr(r)} is a required property`);
  const extra = Object.keys(v).filter((k) => !allowed.includes(k));
  if (extra.length > 0) fail(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} was unexpected)`);
}

/** DEPLOY_STEP_SCHEMA. */
function checkStep(step: unknown): void {
  if (!isObject(step)) fail(`${pyRepr(step)} is not of type 'object'`);
  const s = step as Record<string, unknown>;
  checkProps(s, ['interface', 'step', 'args', 'priority'], ['args', 'interface', 'priority', 'step']);
  if (!isObject(s.args)) fail(`${pyRepr(s.args)} is not of type 'object'`);
  if (typeof s.interface !== 'string') fail(`${pyRepr(s.interface)} is not of type 'string'`);
  if (!(DEPLOY_STEP_INTERFACES as readonly string[]).includes(s.interface as string))
    fail(`${pyRepr(s.interface)} is not one of ${pyRepr([...DEPLOY_STEP_INTERFACES])}`);
  const p = s.priority;
  if (typeof p === 'number' && Number.isInteger(p)) {
    if (p < 0) fail(`${p} is less than the minimum of 0`);
  } else if (typeof p === 'string') {
    if (p.length < 1) fail(`${pyRepr(p)} is too short`);
    if (!/^[0-9]+$/.test(p)) fail(`${pyRepr(p)} does not match '^[0-9]+$'`);
  } else fail(`${pyRepr(p)} is not valid under any of the given schemas`);
  if (typeof s.step !== 'string') fail(`${pyRepr(s.step)} is not of type 'string'`);
  if ((s.step as string).length < 1) fail(`${pyRepr(s.step)} is too short`);
}

/** TRAITS_SCHEMA: a string of 1–255 characters, CUSTOM_[A-Z0-9_]+ or an os-traits standard trait. */
function checkTraitName(name: unknown): void {
  if (typeof name !== 'string') fail(`${pyRepr(name)} is not of type 'string'`);
  const n = name as string;
  if (n.length < 1) fail(`${pyRepr(n)} is too short`);
  if (n.length > 255) fail(`${pyRepr(n)} is too long`);
  if (!isValidTrait(n))
    fail(
      `${pyRepr(n)} is not valid under any of the given schemas. Possible root cause: ${pyRepr(n)} does not match '^CUSTOM_[A-Z0-9_]+$'`,
    );
}

/** TEMPLATE_SCHEMA (steps required, minItems 1; description, extra, name, uuid). */
function checkTemplate(t: unknown): void {
  if (!isObject(t)) fail(`${pyRepr(t)} is not of type 'object'`);
  const v = t as Record<string, unknown>;
  checkProps(v, ['steps', 'name'], ['description', 'extra', 'name', 'steps', 'uuid']);
  const d = v.description;
  if (d !== undefined && d !== null) {
    if (typeof d !== 'string') fail(`${pyRepr(d)} is not of type 'string', 'null'`);
    if ((d as string).length > 255) fail(`${pyRepr(d)} is too long`);
  }
  if (v.extra !== undefined && v.extra !== null && !isObject(v.extra))
    fail(`${pyRepr(v.extra)} is not of type 'object', 'null'`);
  // jsonschema's best_match: among errors as shallow, one of anyOf (a "weak" match, as the
  // trait name's) loses to any other, so a bad `steps` is reported before a bad name
  let weakNameError: SchemaError | null = null;
  try {
    checkTraitName(v.name);
  } catch (err) {
    if (!(err instanceof SchemaError) || !err.message.includes('is not valid under any of the given schemas'))
      throw err;
    weakNameError = err;
  }
  if (!Array.isArray(v.steps)) fail(`${pyRepr(v.steps)} is not of type 'array'`);
  const steps = v.steps as unknown[];
  if (steps.length < 1) fail(`${pyRepr(steps)} is too short`);
  if (weakNameError) throw weakNameError;
  for (const s of steps) checkStep(s);
  if (v.uuid !== undefined && v.uuid !== null && typeof v.uuid !== 'string')
    fail(`${pyRepr(v.uuid)} is not of type 'string', 'null'`);
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

/** One deploy step against DEPLOY_STEP_SCHEMA (`name` as ironic-api names the value: `patch`). */
export function validateDeployStep(name: string, step: unknown): void {
  schemaCheck(name, () => checkStep(step));
}

/**
 * deploy_template.TEMPLATE_VALIDATOR: the schema, then duplicate (interface, step) pairs
 * (InvalidDeployTemplate), then `uuid` as a UUID.
 */
export function validateTemplate(name: string, template: unknown): Record<string, unknown> {
  schemaCheck(name, () => checkTemplate(template));
  const t = template as Record<string, unknown>;
  const seen = new Map<string, number>();
  for (const s of t.steps as Record<string, unknown>[]) {
    const key = `interface: ${String(s.interface)}, step: ${String(s.step)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const dups = [...seen].filter(([, n]) => n > 1).map(([k]) => k);
  if (dups.length > 0)
    throw ironicError(
      'InvalidDeployTemplate',
      `Deploy template invalid: Duplicate deploy steps. A deploy template cannot have multiple deploy steps with the same interface and step. Duplicates: ${dups.join('; ')}.`,
    );
  if (t.uuid !== undefined && t.uuid !== null && !isUuidLike(t.uuid))
    throw ironicError('InvalidParameterValue', `Expected UUID for uuid: ${String(t.uuid)}`);
  return t;
}
