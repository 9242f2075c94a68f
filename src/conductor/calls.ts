/**
 * What a REST route calls on the conductor, in one vocabulary the compiler checks: a
 * ConductorAPI RPC method or helper by its Ironic name (`change_node_power_state`,
 * `get_topic_for`), and an indirection call by its object class and method (`Node.get_by_uuid`
 * for `object_class_action_versions`, `Port.save` for `object_action`).
 *
 * Routes declare these (RouteDef.rpc); `recordCalls` wraps the ConductorAPI a request uses so
 * that what the handler really calls is recorded on the request, as grpc-gateway stamps the
 * RPC name into its context, and a test holds the two against each other.
 */
import type { ConductorAPI } from './api.ts';
import type { ClassMethodOf, IndirectionClass, ObjectActionName } from './objects.ts';
import { CONDUCTOR_API_HELPERS, CONDUCTOR_RPC_METHODS, type ConductorRpcMethod } from './rpc-methods.ts';

export type ConductorApiHelper = (typeof CONDUCTOR_API_HELPERS)[number];

/** `Class.method` of an indirection call: a class method, or an instance method run remotely. */
export type IndirectionCall = {
  [N in IndirectionClass]: `${N}.${ClassMethodOf<N> | ObjectActionName}`;
}[IndirectionClass];

/** One call a route makes: named by RPC method or helper, or by indirection class and method. */
export type ConductorCall =
  | Exclude<ConductorRpcMethod, 'object_class_action_versions' | 'object_action'>
  | ConductorApiHelper
  | IndirectionCall;

const HELPERS: ReadonlySet<string> = new Set(CONDUCTOR_API_HELPERS);

/** The name a ConductorAPI invocation is recorded under. */
function callName(method: string, args: readonly unknown[]): string {
  if (method === 'object_class_action_versions') return `${String(args[1])}.${String(args[2])}`;
  if (method === 'object_action') {
    const obj = args[1] as { name?: unknown } | undefined;
    return `${String(obj?.name)}.${String(args[2])}`;
  }
  return method;
}

/**
 * `api` seen through a proxy that appends to `calls` the name of every RPC method and helper
 * invoked on it. Everything else (fields, the ring manager) passes through untouched.
 */
export function recordCalls(api: ConductorAPI, calls: string[]): ConductorAPI {
  return new Proxy(api, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      if (!HELPERS.has(prop) && !Object.hasOwn(CONDUCTOR_RPC_METHODS, prop)) return value;
      return (...args: unknown[]) => {
        calls.push(callName(prop, args));
        return value.apply(target, args);
      };
    },
  });
}
