/**
 * Reading resources through the conductor's indirection API (object_class_action_versions),
 * never a database: get by uuid or name, list, and the node's conductor topic.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError, type IronicExceptionClass } from '../../conductor/exceptions.ts';
import {
  IronicObject,
  OBJECT_VERSIONS,
  type FieldsOf,
  type NodeFields,
  type ObjectName,
  type AnyClassMethod,
  type ClassesWith,
} from '../../conductor/objects.ts';
import { hadJsonSuffix } from '../json-suffix.ts';
import {
  authorizedForAnyNode,
  authorizeCreateOnNode,
  authorizeNodeAccess,
  authorizeObjectAccess,
  CREATE_ROUTE,
  OBJECT_PARAMS,
  ownerScoped,
} from '../auth/enforce.ts';
import { checkUuidOrName, isUuidLike, isValidLogicalName } from './ident.ts';
import { allows, MINOR_5_NODE_NAME, type Microversion } from '../versions.ts';

/**
 * The object versions asked for: the gateway's whole manifest (its release profile's, nested
 * classes such as TraitList too), which must name the class asked for or the conductor raises
 * KeyError (BIOSSettingList is in no release mapping, so it is added from OBJECT_VERSIONS).
 */
function manifest(request: FastifyRequest, objname: string): Record<string, string> {
  const versions = request.conductor.objectVersions;
  if (Object.hasOwn(versions, objname)) return versions as Record<string, string>;
  const own = OBJECT_VERSIONS[objname as ObjectName];
  return own ? { ...versions, [objname]: own } : (versions as Record<string, string>);
}

/** Runs `objname.objmethod(*args, **kwargs)` on any conductor, objects at the gateway's versions. */
export async function classAction<M extends AnyClassMethod>(
  request: FastifyRequest,
  objname: ClassesWith<M>,
  objmethod: M,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<unknown> {
  let result: unknown;
  try {
    result = await request.conductor.object_class_action_versions(
      request.ctx,
      objname,
      objmethod,
      manifest(request, objname),
      args,
      kwargs,
    );
  } catch (err) {
    // a create naming a node that does not exist: its rule is checked first, against no owner
    if (objname === 'Node' && (err as { exc_type?: unknown }).exc_type === 'NodeNotFound' && createsOnNode(request))
      authorizeCreateOnNode(request, { owner: null, lessee: null }, () => err as Error);
    throw err;
  }
  await routeObjectChecked(request, objname, result);
  return result;
}

const NOT_FOUND: Readonly<Record<string, [IronicExceptionClass, (ident: string) => string]>> = {
  Port: ['PortNotFound', (i) => `Port ${i} could not be found.`],
  Portgroup: ['PortgroupNotFound', (i) => `Portgroup ${i} could not be found.`],
  VolumeConnector: ['VolumeConnectorNotFound', (i) => `Volume connector ${i} could not be found.`],
  VolumeTarget: ['VolumeTargetNotFound', (i) => `Volume target ${i} could not be found.`],
  Allocation: ['AllocationNotFound', (i) => `Allocation ${i} could not be found.`],
};

/** A field of the request's params or body, read without trusting its type. */
function requestField(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? Reflect.get(value, name) : undefined;
}

/** A port, portgroup or volume create whose rule waits for the node its body names. */
function createsOnNode(request: FastifyRequest): boolean {
  return ownerScoped(request) && request.method === 'POST' && CREATE_ROUTE.test(request.routeOptions.url ?? '');
}

/** Requests whose route object has been checked (a handler may load it more than once). */
const objectChecked = new WeakSet<FastifyRequest>();

/**
 * Under Ironic's owner/lessee policy, the object a route names (a port, portgroup, volume
 * connector or target, allocation), once loaded: is the caller allowed to see it (its node's
 * owner and lessee; an allocation's owner), else its NotFound; then the route's rule (403).
 */
async function routeObjectChecked(request: FastifyRequest, objname: string, result: unknown): Promise<void> {
  if (!ownerScoped(request) || !(result instanceof IronicObject) || objectChecked.has(request)) return;
  if (objname === 'Node') {
    const nodeUuid = requestField(request.body, 'node_uuid');
    if (!createsOnNode(request) || nodeUuid === undefined || nodeUuid !== result.get('uuid')) return;
    objectChecked.add(request);
    authorizeCreateOnNode(request, { owner: result.get('owner'), lessee: result.get('lessee') }, () =>
      ironicError('NodeNotFound', NODE_LOOKUP.notFoundMessage(String(nodeUuid))),
    );
    return;
  }
  const param = Object.entries(OBJECT_PARAMS).find(
    ([p, cls]) => cls === objname && requestField(request.params, p) !== undefined,
  )?.[0];
  if (param === undefined) return;
  const ident = requestField(request.params, param);
  if (ident !== result.get('uuid') && ident !== (result.has('name') ? result.get('name') : undefined)) return;
  objectChecked.add(request);
  const [exc, message] = NOT_FOUND[objname];
  const notFound = () => ironicError(exc, message(String(ident)));
  if (objname === 'Allocation') {
    authorizeObjectAccess(
      request,
      'baremetal:allocation:get',
      { 'allocation.owner': result.get('owner') ?? null },
      notFound,
    );
    return;
  }
  let owner: unknown = null;
  let lessee: unknown = null;
  try {
    const node = asObject(await classAction(request, 'Node', 'get_by_id', [result.get('node_id')]), 'Node');
    owner = node.get('owner');
    lessee = node.get('lessee');
  } catch (err) {
    if ((err as { exc_type?: unknown }).exc_type !== 'NodeNotFound') throw err;
  }
  authorizeObjectAccess(
    request,
    'baremetal:node:get',
    { 'node.owner': owner ?? null, 'node.lessee': lessee ?? null },
    notFound,
  );
}

function asObject<N extends ObjectName>(value: unknown, objname: N): IronicObject<FieldsOf[N]> {
  if (value instanceof IronicObject) return value as IronicObject<FieldsOf[N]>;
  throw ironicError(
    'IronicException',
    `The conductor answered ${objname} with something that is not a versioned object.`,
  );
}

/** A class method returning a list of objects (e.g. `list`), decoded leniently. */
export async function listObjects<M extends AnyClassMethod, N extends ClassesWith<M>>(
  request: FastifyRequest,
  objname: N,
  objmethod: M,
  args: unknown[],
  kwargs: Record<string, unknown> = {},
): Promise<IronicObject<FieldsOf[N]>[]> {
  const result = await classAction(request, objname, objmethod, args, kwargs);
  if (!Array.isArray(result)) return [];
  return result.map((o) => asObject(o, objname));
}

/** A class that can be looked up by uuid and by name. */
export type NamedClass = ClassesWith<'get_by_uuid'> & ClassesWith<'get_by_name'>;

export interface LookupSpec<N extends NamedClass> {
  objname: N;
  /** the Ironic exception raised when nothing matches, e.g. NodeNotFound */
  notFound: IronicExceptionClass;
  /** the not-found message for an identifier, as Ironic words it */
  notFoundMessage: (ident: string) => string;
  /** the microversion from which names are accepted; null: uuids only */
  namesFrom: Microversion | null;
}

/**
 * Fetches one object by uuid or logical name (api_utils.get_rpc_node and friends): a uuid goes
 * to `get_by_uuid`; a name (when allowed at this version) to `get_by_name`; an invalid name is
 * InvalidUuidOrName; a name before names existed is reported not found, as ironic-api does.
 */
export async function getByUuidOrName<N extends NamedClass>(
  request: FastifyRequest,
  spec: LookupSpec<N>,
  ident: string,
): Promise<IronicObject<FieldsOf[N]>> {
  if (isUuidLike(ident))
    return asObject(await classAction(request, spec.objname, 'get_by_uuid', [ident]), spec.objname);
  if (spec.namesFrom !== null && allows(request, spec.namesFrom)) {
    if (!isValidLogicalName(ident, request)) checkUuidOrName(ident, request);
    return asObject(await classAction(request, spec.objname, 'get_by_name', [ident]), spec.objname);
  }
  throw ironicError(spec.notFound, spec.notFoundMessage(ident));
}

/**
 * getByUuidOrName as api_utils' `*_with_suffix` helpers: when nothing matches and the request's
 * path ended in `.json` (stripped before routing, http/json-suffix.ts), looks `ident.json` up.
 */
export async function getByUuidOrNameWithSuffix<N extends NamedClass>(
  request: FastifyRequest,
  spec: LookupSpec<N>,
  ident: string,
): Promise<IronicObject<FieldsOf[N]>> {
  try {
    return await getByUuidOrName(request, spec, ident);
  } catch (err) {
    if (!hadJsonSuffix(request) || (err as { exc_type?: unknown }).exc_type !== spec.notFound) throw err;
    return getByUuidOrName(request, spec, `${ident}.json`);
  }
}

export const NODE_LOOKUP: LookupSpec<'Node'> = {
  objname: 'Node',
  notFound: 'NodeNotFound',
  notFoundMessage: (ident) => `Node ${ident} could not be found.`,
  namesFrom: MINOR_5_NODE_NAME,
};

/**
 * The route's node, once loaded: under Ironic's owner/lessee policy, `baremetal:node:get`
 * against its owner and lessee (404 NodeNotFound when the caller may not see it), then the
 * route's rule (403), as check_node_policy_and_retrieve. Other nodes a handler loads are not
 * the route's node.
 */
function routeNodeChecked(
  request: FastifyRequest,
  ident: string,
  node: IronicObject<NodeFields>,
): IronicObject<NodeFields> {
  const routeNode = requestField(request.params, 'node_ident');
  if (routeNode === undefined || routeNode !== ident) return node;
  authorizeNodeAccess(request, ident, { owner: node.get('owner'), lessee: node.get('lessee') }, () =>
    ironicError('NodeNotFound', NODE_LOOKUP.notFoundMessage(ident)),
  );
  return node;
}

/** The node named by `ident` (uuid, or name from 1.5). */
export async function getRpcNode(request: FastifyRequest, ident: string): Promise<IronicObject<NodeFields>> {
  return routeNodeChecked(request, ident, await getByUuidOrName(request, NODE_LOOKUP, ident));
}

/** get_rpc_node_with_suffix: getRpcNode, then `ident.json` after a `.json` path (node get, update, delete, heartbeat). */
export async function getRpcNodeWithSuffix(request: FastifyRequest, ident: string): Promise<IronicObject<NodeFields>> {
  return routeNodeChecked(request, ident, await getByUuidOrNameWithSuffix(request, NODE_LOOKUP, ident));
}

/**
 * The conductor topic for a node (hash ring of its driver and group). NoValidHost is turned
 * into 400 where ironic-api does so (the caller chose a driver no conductor has).
 */
export async function topicFor(
  request: FastifyRequest,
  node: IronicObject<NodeFields>,
  noValidHostIsBadRequest = false,
): Promise<string> {
  try {
    return await request.conductor.get_topic_for(node);
  } catch (err) {
    if (noValidHostIsBadRequest && (err as { exc_type?: string }).exc_type === 'NoValidHost') {
      throw ironicError('InvalidParameterValue', (err as Error).message);
    }
    throw err;
  }
}

/** The node and its topic, the start of nearly every node route. */
export async function nodeAndTopic(
  request: FastifyRequest,
  ident: string,
  noValidHostIsBadRequest = false,
): Promise<{ node: IronicObject<NodeFields>; topic: string }> {
  const node = await getRpcNode(request, ident);
  return { node, topic: await topicFor(request, node, noValidHostIsBadRequest) };
}

/**
 * For a route that needs nothing of its node but the conductor to send to (the conductor loads
 * the node under its lock, as ironic-api's handler only passes `rpc_node.uuid` and the topic):
 * `send(uuid, topic)` without reading the node when the ident is a uuid whose driver and group
 * this gateway read lately (node_routing_ttl, conductor/node-routing.ts) and the policy decision
 * does not depend on the node's owner or lessee. Otherwise the node is read, as nodeAndTopic.
 *
 * A call routed from memory that the conductor answers NodeNotFound (the node is gone: the
 * answer stands) or DriverNotFound (its driver changed, and the conductor refused before doing
 * anything) drops the memory; after DriverNotFound the node is read and the call sent again.
 */
export async function withNodeTopic<T>(
  request: FastifyRequest,
  ident: string,
  send: (uuid: string, topic: string) => Promise<T>,
  noValidHostIsBadRequest = false,
): Promise<T> {
  const conductor = request.conductor;
  const route = conductor.routing.get(ident);
  if (route !== undefined && authorizedForAnyNode(request)) {
    // no live conductor on its ring: the node is read below, and Ironic's answer for that given
    const topic = await conductor.get_topic_for(route).catch(() => null);
    if (topic !== null) {
      try {
        return await send(ident, topic);
      } catch (err) {
        const exc = (err as { exc_type?: unknown }).exc_type;
        if (exc !== 'NodeNotFound' && exc !== 'DriverNotFound') throw err;
        conductor.routing.forget(ident);
        if (exc === 'NodeNotFound') throw err;
        request.log.info({ node: ident, topic }, 'remembered routing was stale (DriverNotFound): node read again');
      }
    }
  }
  const { node, topic } = await nodeAndTopic(request, ident, noValidHostIsBadRequest);
  return send(String(node.get('uuid')), topic);
}
