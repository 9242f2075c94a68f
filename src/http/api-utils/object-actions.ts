/**
 * Writing versioned objects through the conductor's indirection API, as ironic-api does with
 * `indirection_api` set: `obj.create()`, `obj.save()`, `obj.destroy()` go out as
 * `object_action`, whose `[updates, result]` answer is applied back onto the object. (Reads —
 * class methods such as `get_by_uuid` and `list` — are in lookup.ts.)
 */
import type { FastifyRequest } from 'fastify';
import type { IronicExceptionClass } from '../../conductor/exceptions.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { compareVersions } from '../../rpc/version.ts';
import { HttpError } from '../errors.ts';
import {
  IronicObject,
  isObjectPrimitive,
  type FieldsOf,
  type NodeFields,
  type ObjectActionName,
  type AnyClassMethod,
  type ClassesWith,
  type PortgroupFields,
} from '../../conductor/objects.ts';
import { classAction, getByUuidOrName, getByUuidOrNameWithSuffix, type LookupSpec } from './lookup.ts';
import { MINOR_1_INITIAL_VERSION } from '../versions.ts';

/**
 * `obj.<method>()` on any conductor; the field updates the conductor made (id, timestamps,
 * defaults) are applied to `obj`, which is then unchanged, as after a local save.
 */
export async function objectAction(
  request: FastifyRequest,
  obj: IronicObject,
  method: ObjectActionName,
  args: unknown[] = [],
  kwargs: Record<string, unknown> = {},
): Promise<unknown> {
  const answer = await request.conductor.object_action(request.ctx, obj, method, args, kwargs);
  const [updates, result] = Array.isArray(answer) ? answer : [{}, answer];
  if (updates && typeof updates === 'object') {
    for (const [k, v] of Object.entries(updates as Record<string, unknown>)) {
      if (k !== 'obj_what_changed')
        obj.set(k as never, (isObjectPrimitive(v) ? IronicObject.fromPrimitive(v) : v) as never);
    }
  }
  obj.resetChanges();
  return result;
}

/** A class method answering one object (`get_by_id`, `get_by_address` …). */
export async function getObject<M extends AnyClassMethod, N extends ClassesWith<M>>(
  request: FastifyRequest,
  objname: N,
  method: M,
  ...args: unknown[]
): Promise<IronicObject<FieldsOf[N]>> {
  const result = await classAction(request, objname, method, args);
  if (result instanceof IronicObject) return result as IronicObject<FieldsOf[N]>;
  throw new Error(`${objname}.${method} did not answer with a versioned object`);
}

/** Node.get_by_id: the node a port, portgroup or volume resource belongs to. */
export function nodeById(request: FastifyRequest, id: unknown): Promise<IronicObject<NodeFields>> {
  return getObject(request, 'Node', 'get_by_id', id);
}

export const PORTGROUP_LOOKUP: LookupSpec<'Portgroup'> = {
  objname: 'Portgroup',
  notFound: 'PortgroupNotFound',
  notFoundMessage: (ident) => `Portgroup ${ident} could not be found.`,
  namesFrom: MINOR_1_INITIAL_VERSION,
};

/** api_utils.get_rpc_portgroup: a uuid or a logical name. */
export function getRpcPortgroup(request: FastifyRequest, ident: string): Promise<IronicObject<PortgroupFields>> {
  return getByUuidOrName(request, PORTGROUP_LOOKUP, ident);
}

/** get_rpc_portgroup_with_suffix: then `ident.json` after a `.json` path (portgroup get, update, delete). */
export function getRpcPortgroupWithSuffix(
  request: FastifyRequest,
  ident: string,
): Promise<IronicObject<PortgroupFields>> {
  return getByUuidOrNameWithSuffix(request, PORTGROUP_LOOKUP, ident);
}

/**
 * Re-raises remote errors of the given classes with another HTTP status and the same message,
 * as ironic-api does by setting `e.code` (e.g. NodeNotFound for a port's node_uuid → 400).
 */
export async function withStatus<T>(
  promise: Promise<T>,
  excTypes: readonly IronicExceptionClass[],
  status: number,
): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof RemoteError && (excTypes as readonly string[]).includes(err.exc_type))
      throw new HttpError(status, err.message);
    throw err;
  }
}

/**
 * An object a conductor answered (create_port, update_port …) at the version the gateway's
 * release profile knows: a newer conductor's newer version is backported by a conductor
 * (`object_backport_versions`), as oslo's serializer does in ironic-api for an object version it
 * does not know.
 */
export async function atKnownVersion<F extends object>(
  request: FastifyRequest,
  obj: IronicObject<F>,
): Promise<IronicObject<F>> {
  const versions = request.conductor.objectVersions;
  const known = Object.hasOwn(versions, obj.name) ? versions[obj.name] : undefined;
  if (!known || !(compareVersions(obj.version, known) > 0)) return obj;
  const result = await request.conductor.object_backport_versions(request.ctx, obj, { ...versions });
  return result instanceof IronicObject ? (result as IronicObject<F>) : obj;
}
