/**
 * Ironic exceptions as values: a conductor failure is a RemoteError named by its Ironic class;
 * `httpStatusFor` maps any class name to the HTTP code through the one table.
 */
import { RemoteError } from '../rpc/errors.ts';
import { exceptionRow, IRONIC_EXCEPTIONS, type IronicExceptionClass } from './exception-table.ts';

export { exceptionRow, IRONIC_EXCEPTIONS, type IronicExceptionClass };

/** HTTP status for an Ironic exception class name; unknown classes are 500. */
export function httpStatusFor(className: string): number {
  return exceptionRow(className)?.code ?? 500;
}

/**
 * A value as Python's `%s` writes it into Ironic's messages: None, True and False for null and
 * the booleans (a node with no power state is in state "None", not "null").
 */
export function pyStr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  return String(value);
}

/**
 * Python's repr of a JSON value, as jsonschema and Ironic's messages print values:
 * `{'a': [1, None, True]}`. One copy for the gateway's validators and the simulator's.
 */
export function pyRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'string') return `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  if (typeof v === 'number') return String(v);
  if (Array.isArray(v)) return `[${v.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${pyRepr(k)}: ${pyRepr(x)}`)
    .join(', ')}}`;
}

/** Builds an Ironic exception to raise (gateway-side checks, or the simulator). */
export function ironicError(
  className: IronicExceptionClass,
  message: string,
  kwargs: Record<string, unknown> = {},
): RemoteError {
  return new RemoteError(className, message, kwargs, 'ironic.common.exception');
}

/** Ironic's InvalidStateRequested for `action` on a node in `state` (a provision or power state). */
export function invalidStateRequested(action: string, node: string, state: unknown): RemoteError {
  return ironicError(
    'InvalidStateRequested',
    `The requested action "${action}" can not be performed on node "${node}" while it is in state "${pyStr(state)}".`,
    { action, node, state },
  );
}
