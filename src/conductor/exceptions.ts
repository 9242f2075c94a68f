/**
 * Ironic exceptions as values: a conductor failure is a RemoteError named by its Ironic class;
 * `httpStatusFor` maps any class name to the HTTP code through the one table.
 */
import { RemoteError } from '../rpc/errors.ts';
import { IRONIC_EXCEPTIONS } from './exception-table.ts';
import { own } from '../own.ts';

export { IRONIC_EXCEPTIONS };

/** HTTP status for an Ironic exception class name; unknown classes are 500. */
export function httpStatusFor(className: string): number {
  return own(IRONIC_EXCEPTIONS, className)?.code ?? 500;
}

/** True when `className` is `ancestor` or derives from it in Ironic's hierarchy. */
export function isA(className: string, ancestor: string): boolean {
  for (let c: string | undefined = className; c; c = own(IRONIC_EXCEPTIONS, c)?.base) {
    if (c === ancestor) return true;
  }
  return false;
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

/** Builds an Ironic exception to raise (gateway-side checks, or the simulator). */
export function ironicError(className: string, message: string, kwargs: Record<string, unknown> = {}): RemoteError {
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
