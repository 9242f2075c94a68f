/**
 * Inspection rules (1.96): the body schema (api/schemas/v1/inspection_rule.py create_request_body
 * @39.0) and common/inspection_rules/validation.py validate_rule: phase `main` only, priority
 * 0–9999, each condition's and action's arguments against its plugin's signature.
 */
import { ironicError, pyRepr } from '../../conductor/exceptions.ts';
import { isUuidLike } from './ident.ts';

/** actions.ACTIONS: [required, optional] argument names of each plugin's __call__ (plugin_data added by the API). */
const ACTIONS: Readonly<Record<string, readonly [readonly string[], readonly string[]]>> = {
  fail: [['msg'], []],
  log: [['msg'], ['level']],
  'set-attribute': [['path', 'value'], []],
  'extend-attribute': [['path', 'value'], ['unique']],
  'del-attribute': [['path'], []],
  'set-capability': [['name', 'value'], []],
  'unset-capability': [['name'], []],
  'add-trait': [['name'], []],
  'remove-trait': [['name'], []],
  'set-plugin-data': [['path', 'value', 'plugin_data'], []],
  'extend-plugin-data': [['path', 'value', 'plugin_data'], ['unique']],
  'unset-plugin-data': [['path', 'plugin_data'], []],
  'set-port-attribute': [['port_id', 'path', 'value'], []],
  'extend-port-attribute': [['port_id', 'path', 'value'], ['unique']],
  'del-port-attribute': [['port_id', 'path'], []],
  'api-call': [['url'], ['headers', 'proxies', 'timeout', 'retries', 'backoff_factor']],
};
const PLUGIN_DATA_ACTIONS = ['set-plugin-data', 'extend-plugin-data', 'unset-plugin-data'];

/** operators.OPERATORS. */
const OPERATORS: Readonly<Record<string, readonly [readonly string[], readonly string[]]>> = {
  eq: [['values'], ['force_strings']],
  lt: [['values'], ['force_strings']],
  gt: [['values'], ['force_strings']],
  'is-empty': [['value'], []],
  'in-net': [['address', 'subnet'], []],
  matches: [['value', 'regex'], []],
  contains: [['value', 'regex'], []],
  'one-of': [['value'], ['values']],
  'is-none': [['value'], []],
  'is-true': [['value'], []],
  'is-false': [['value'], []],
};
const CONDITION_OPS = [...Object.keys(OPERATORS), ...Object.keys(OPERATORS).map((o) => `!${o}`)];

class SchemaError extends Error {}
const fail = (message: string): never => {
  throw new SchemaError(message);
};
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isArgs = (v: unknown): boolean => typeof v === 'object' && v !== null;

function checkItem(item: unknown, ops: readonly string[], kind: 'action' | 'condition'): void {
  if (!isObject(item)) fail(`${pyRepr(item)} is not of type 'object'`);
  const i = item as Record<string, unknown>;
  for (const r of ['op', 'args']) if (!Object.hasOwn(i, r)) fail(`${pyRepr(r)} is a required property`);
  if (!ops.includes(i.op as string)) fail(`${pyRepr(i.op)} is not one of ${pyRepr([...ops])}`);
  if (!isArgs(i.args)) fail(`${pyRepr(i.args)} is not of type 'array', 'object'`);
  if (Object.hasOwn(i, 'loop') && !isArgs(i.loop)) fail(`${pyRepr(i.loop)} is not of type 'array', 'object'`);
  if (
    kind === 'condition' &&
    Object.hasOwn(i, 'multiple') &&
    !['any', 'all', 'first', 'last'].includes(i.multiple as string)
  )
    fail(`${pyRepr(i.multiple)} is not one of ['any', 'all', 'first', 'last']`);
}

/** create_request_body. */
function checkRule(rule: unknown): void {
  if (!isObject(rule)) fail(`${pyRepr(rule)} is not of type 'object'`);
  const r = rule as Record<string, unknown>;
  if (!Object.hasOwn(r, 'actions')) fail(`'actions' is a required property`);
  const allowed = ['actions', 'conditions', 'description', 'phase', 'priority', 'sensitive', 'uuid'];
  const extra = Object.keys(r).filter((k) => !allowed.includes(k));
  if (extra.length) fail(`Additional properties are not allowed (${extra.map(pyRepr).join(', ')} was unexpected)`);
  if (!Array.isArray(r.actions)) fail(`${pyRepr(r.actions)} is not of type 'array'`);
  if ((r.actions as unknown[]).length < 1) fail(`${pyRepr(r.actions)} is too short`);
  for (const a of r.actions as unknown[]) checkItem(a, Object.keys(ACTIONS), 'action');
  if (Object.hasOwn(r, 'conditions')) {
    if (!Array.isArray(r.conditions)) fail(`${pyRepr(r.conditions)} is not of type 'array'`);
    for (const c of r.conditions as unknown[]) checkItem(c, CONDITION_OPS, 'condition');
  }
  for (const [k, max] of [
    ['description', 255],
    ['phase', 16],
  ] as const) {
    const v = r[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') fail(`${pyRepr(v)} is not of type 'string', 'null'`);
    if ((v as string).length > max) fail(`${pyRepr(v)} is too long`);
  }
  if (Object.hasOwn(r, 'priority')) {
    const p = r.priority;
    if (typeof p !== 'number' || !Number.isInteger(p)) fail(`${pyRepr(p)} is not of type 'integer'`);
    if ((p as number) < 0) fail(`${p} is less than the minimum of 0`);
  }
  if (r.sensitive !== undefined && r.sensitive !== null && typeof r.sensitive !== 'boolean')
    fail(`${pyRepr(r.sensitive)} is not of type 'boolean', 'null'`);
  if (r.uuid !== undefined && r.uuid !== null && typeof r.uuid !== 'string')
    fail(`${pyRepr(r.uuid)} is not of type 'string', 'null'`);
}

/** base.Base.validate: the arguments (a dict, or the deprecated list form) against the plugin's signature. */
function argsProblem(
  sig: readonly [readonly string[], readonly string[]],
  args: unknown,
  pluginData: boolean,
): string | null {
  const [required, optional] = sig;
  let named: Record<string, unknown>;
  if (Array.isArray(args)) {
    const list = pluginData ? [...args, {}] : [...args];
    if (list.length < required.length)
      return `Not enough arguments provided. Missing: ${required.slice(list.length).join(', ')}`;
    named = {};
    required.forEach((n, i) => {
      named[n] = list[i];
    });
    optional.forEach((n, i) => {
      if (required.length + i < list.length) named[n] = list[required.length + i];
    });
  } else if (isObject(args)) {
    named = pluginData ? { ...args, plugin_data: {} } : args;
  } else return 'args must be either a list or dictionary';
  const provided = Object.keys(named);
  const missing = required.filter((n) => !provided.includes(n));
  const unexpected = provided.filter((n) => !required.includes(n) && !optional.includes(n));
  const msg: string[] = [];
  if (missing.length) msg.push(`missing required argument(s): ${missing.join(', ')}`);
  if (unexpected.length) msg.push(`unexpected argument(s): ${unexpected.join(', ')}`);
  return msg.length ? msg.join('; ') : null;
}

/**
 * The schema (as args.schema words it, `name`: `inspection_rule` on POST, `patch` on PATCH),
 * `uuid` as a UUID, then validate_rule's own checks (Invalid, 400; several joined).
 */
export function validateInspectionRule(name: string, rule: unknown): Record<string, unknown> {
  try {
    checkRule(rule);
  } catch (err) {
    if (err instanceof SchemaError)
      throw ironicError('InvalidParameterValue', `Schema error for ${name}: ${err.message}`);
    throw err;
  }
  const r = rule as Record<string, unknown>;
  if (r.uuid !== undefined && r.uuid !== null && !isUuidLike(r.uuid))
    throw ironicError('InvalidParameterValue', `Expected UUID for uuid: ${String(r.uuid)}`);
  const errors: string[] = [];
  const phase = r.phase ?? 'main';
  if (phase !== 'main') errors.push(`Invalid phase: ${String(phase)}. Valid phases are: main`);
  const priority = (r.priority as number | undefined) ?? 0;
  if (priority > 9999) errors.push('Priority must be between 0 and 9999 for user-defined rules.');
  for (const c of (r.conditions as Record<string, unknown>[] | undefined) ?? []) {
    const op = String(c.op).replace(/^!/, '');
    const problem = argsProblem(OPERATORS[op], c.args, false);
    if (problem) errors.push(`Invalid parameters for condition operator ${op}: ${problem}`);
  }
  for (const a of r.actions as Record<string, unknown>[]) {
    const op = String(a.op);
    const problem = argsProblem(ACTIONS[op], a.args, PLUGIN_DATA_ACTIONS.includes(op));
    if (problem) errors.push(`Invalid parameters for action operator ${op}: ${problem}`);
  }
  if (errors.length === 1) throw ironicError('Invalid', errors[0]);
  if (errors.length > 1) throw ironicError('Invalid', `Multiple validation errors occurred: ${errors.join('; ')}`);
  return r;
}

/** convert_actions / convert_conditions: op and args, loop when set (and multiple, default any, with a loop). */
export function convertItems(items: unknown, conditions: boolean): Record<string, unknown>[] {
  return (Array.isArray(items) ? items : []).map((i: Record<string, unknown>) => {
    const out: Record<string, unknown> = { op: i?.op, args: i?.args };
    const loop = i?.loop;
    if (
      loop &&
      (!Array.isArray(loop) || loop.length > 0) &&
      (typeof loop !== 'object' || Object.keys(loop).length > 0)
    ) {
      out.loop = loop;
      if (conditions) out.multiple = i?.multiple ?? 'any';
    }
    return out;
  });
}
