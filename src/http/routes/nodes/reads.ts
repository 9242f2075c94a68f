/** Node reads: the list, its detail form, one node, its states, and driver validation. */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../../conductor/exceptions.ts';
import { OBJECT_FIELDS, type IronicObject, type NodeFields } from '../../../conductor/objects.ts';
import {
  ACTIVE,
  ADOPTFAIL,
  AVAILABLE,
  CLEANFAIL,
  CLEANING,
  CLEANWAIT,
  DELETING,
  DEPLOYFAIL,
  DEPLOYING,
  DEPLOYWAIT,
  ENROLL,
  ERROR,
  INSPECTFAIL,
  INSPECTING,
  ADOPTING,
  MANAGEABLE,
  RESCUE,
  RESCUEFAIL,
  RESCUEWAIT,
  RESCUING,
  UNRESCUEFAIL,
  UNRESCUING,
  VERIFYING,
} from '../../../conductor/states.ts';
import { route, type RouteDef } from '../../route.ts';
import { collection, nextLink, validateLimit, validateSortDir, validateSortKey } from '../../api-utils/collection.ts';
import { checkAllowedFields } from '../../api-utils/fields.ts';
import { checkUuid, parseBoolean, parseList } from '../../api-utils/ident.ts';
import { checkListPolicy } from '../../auth/enforce.ts';
import { classAction, getRpcNode, getRpcNodeWithSuffix, listObjects, withNodeTopic } from '../../api-utils/lookup.ts';
import {
  AllocationUuids,
  DEFAULT_LIST_FIELDS,
  NODE_FIELD_VERSIONS,
  checkNodeFieldNames,
  checkNodeFields,
  convertNode,
  nodeCollectionSchema,
  nodeSchema,
  nodeStates,
  nodeStatesSchema,
} from '../../api-utils/node.ts';
import { UuidsById } from '../../api-utils/resource.ts';
import { compareVersions } from '../../../rpc/version.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery } from './common.ts';
import {
  allowDetailQuery,
  allows,
  checkAllowFilter,
  MINOR_39_INSPECT_WAIT,
  MINOR_42_FAULT,
  MINOR_46_NODE_CONDUCTOR_GROUP,
  MINOR_49_CONDUCTORS,
  MINOR_50_NODE_OWNER,
  MINOR_65_NODE_LESSEE,
  MINOR_82_NODE_SHARD,
  allowDriverFilter,
  allowProvisionStateFilter,
  allowResourceClass,
  MINOR_16_DRIVER_FILTER,
  MINOR_21_RESOURCE_CLASS,
  needsVersion,
  notAcceptable,
} from '../../versions.ts';
import {
  checkAllowChildNodeParams,
  checkAllowFilterByInstanceName,
  MINOR_83_PARENT_CHILD_NODES,
  MINOR_104_NODE_INSTANCE_NAME,
  servesRelease,
  servesHibiscus,
} from '../../versions.ts';

/** Every provision state of Ironic's machine (the provision_state filter accepts only these). */
const PROVISION_STATES = new Set([
  ENROLL,
  VERIFYING,
  MANAGEABLE,
  AVAILABLE,
  ACTIVE,
  DEPLOYWAIT,
  DEPLOYING,
  DEPLOYFAIL,
  DELETING,
  CLEANING,
  CLEANWAIT,
  CLEANFAIL,
  ERROR,
  INSPECTING,
  INSPECTFAIL,
  ADOPTING,
  ADOPTFAIL,
  RESCUE,
  RESCUEFAIL,
  RESCUEWAIT,
  RESCUING,
  UNRESCUEFAIL,
  UNRESCUING,
]);

/** Columns that can not be sorted on (NodesController.invalid_sort_key_list). */
const INVALID_SORT_KEYS = [
  'properties',
  'driver_info',
  'extra',
  'instance_info',
  'driver_internal_info',
  'clean_step',
  'raid_config',
  'target_raid_config',
  'traits',
  // 21.4 (1.44, 1.66)
  'deploy_step',
  'network_data',
  // 39.0 (1.87)
  'service_step',
];

/** The node list's query parameters (also served under a chassis, without chassis_uuid). */
export const listQueryProperties = {
  chassis_uuid: { type: 'string', description: 'only nodes of this chassis' },
  instance_uuid: { type: 'string', description: 'the node of this instance (other filters ignored)' },
  associated: { type: 'string', description: 'boolean: nodes with (or without) an instance' },
  maintenance: { type: 'string', description: 'boolean: nodes in (or out of) maintenance' },
  provision_state: { type: 'string', description: '1.9: only nodes in this provision state' },
  driver: { type: 'string', description: '1.16: only nodes of this driver' },
  resource_class: { type: 'string', description: '1.21: only nodes of this resource class' },
  marker: { type: 'string', description: 'uuid of the last node of the previous page' },
  limit: { type: 'string', description: 'page size (capped by max_limit)' },
  sort_key: { type: 'string', description: 'field to sort by (default id)' },
  sort_dir: { type: 'string', enum: ['asc', 'desc'] },
  // 1.39–1.82 (slice nodefields)
  fault: { type: 'string', description: '1.42: only nodes with this fault' },
  conductor_group: { type: 'string', description: '1.46: only nodes of this conductor group' },
  conductor: { type: 'string', description: '1.49: only nodes mapped to this conductor (filtered after the page)' },
  owner: { type: 'string', description: '1.50: only nodes of this owner' },
  description_contains: { type: 'string', description: '1.51 (not version-checked): description substring' },
  retired: { type: 'string', description: '1.61 (not version-checked): boolean, retired nodes or not' },
  lessee: { type: 'string', description: '1.65: only nodes of this lessee' },
  project: { type: 'string', description: 'nodes whose owner or lessee is this project (not version-checked)' },
  shard: { type: 'string', description: '1.82: comma-separated shards' },
  sharded: { type: 'string', description: '1.82: boolean, nodes with (or without) a shard' },
  // 39.0 (issue 15, slice nodes)
  include_children: { type: 'string', description: '1.83: boolean, child nodes too (hidden otherwise)' },
  parent_node: { type: 'string', description: '1.83: the children of this node (its uuid)' },
  instance_name: { type: 'string', description: '1.104: only nodes with this instance name' },
} as const;

/** `detail=` of the node list (1.43), as an alternative to `/detail`. */
export const detailProperty = {
  detail: { type: 'string', description: '1.43: boolean, every field (not with fields)' },
} as const;

type ListQuery = Partial<Record<keyof typeof listQueryProperties | 'fields' | 'detail', string>>;

/** The fault names of common/faults.py (VALID_FAULTS, in its order): 21.4's, and 39.0's with servicing's. */
const VALID_FAULTS = ['power failure', 'clean failure', 'rescue abort failure'];
const VALID_FAULTS_39 = [...VALID_FAULTS, 'service failure'];

/** args.boolean of 21.4: InvalidParameterValue `Invalid <name>: <oslo's message>`. */
function booleanParam(name: string, raw: string | undefined): boolean | undefined {
  if (raw === undefined) return undefined;
  try {
    return parseBoolean(raw);
  } catch (err) {
    throw ironicError('InvalidParameterValue', `Invalid ${name}: ${(err as Error).message}`);
  }
}

/**
 * The parameters 21.4 takes at any microversion (reference §7 Q14, copied), with the Node
 * version whose columns they filter on (description 1.32, retired 1.33, lessee 1.34).
 */
const UNGATED_FILTERS = { description_contains: '1.32', retired: '1.33', project: '1.34' } as const;

/**
 * Version gates and values of the 1.39–1.82 filters (node.py get_all, in its order). The
 * ungated ones are taken at every microversion as 21.4 does, unless the gateway is pinned to a
 * release whose Node lacks the column: then they are refused as the older API refused an
 * unknown parameter, never sent to a conductor that cannot apply them.
 */
function checkNewerFilters(request: FastifyRequest, q: ListQuery): void {
  const nodeVersion = request.conductor.objectVersions.Node ?? '1.0';
  for (const [k, since] of Object.entries(UNGATED_FILTERS))
    if (q[k as keyof typeof UNGATED_FILTERS] !== undefined && compareVersions(nodeVersion, since) < 0)
      throw ironicError('Invalid', 'Invalid input: querystring must NOT have additional properties');
  checkAllowFilter(request, q.fault, MINOR_42_FAULT);
  const faults = servesHibiscus(request) ? VALID_FAULTS_39 : VALID_FAULTS;
  if (q.fault !== undefined && !faults.includes(q.fault))
    throw ironicError(
      'Invalid',
      `Unrecognized fault "${q.fault}" is specified, allowed faults are (${faults.map((f) => `'${f}'`).join(', ')})`,
    );
  checkAllowFilter(request, q.conductor_group, MINOR_46_NODE_CONDUCTOR_GROUP);
  checkAllowFilter(request, q.conductor, MINOR_49_CONDUCTORS);
  checkAllowFilter(request, q.owner, MINOR_50_NODE_OWNER);
  checkAllowFilter(request, q.lessee, MINOR_65_NODE_LESSEE);
  checkAllowFilter(request, q.shard, MINOR_82_NODE_SHARD);
  checkAllowFilter(request, q.sharded, MINOR_82_NODE_SHARD);
}

/**
 * The filters of 1.83 (include_children, parent_node) and 1.104 (instance_name), as 39.0's
 * get_all takes them. Children are hidden from every list unless include_children is true (the
 * conductor's DB query does that, whatever the microversion); a truthy include_children lists
 * every node, parent_node then ignored, as 39.0's query does.
 *
 * `/detail` in 39.0 leaves include_children and parent_node out of its argument validation
 * (reference §7 R6): they are taken at any microversion there (copied: a 39.0 client may send
 * them below 1.83 on /detail), but include_children is read as a boolean (fixed: 39.0 passes the
 * raw string, so `include_children=false` included the children).
 * A gateway pinned to a release older than a parameter refuses it as an unknown one.
 */
function childFilters(request: FastifyRequest, q: ListQuery, detailRoute: boolean): Record<string, unknown> {
  const params = [
    ['include_children', MINOR_83_PARENT_CHILD_NODES],
    ['parent_node', MINOR_83_PARENT_CHILD_NODES],
    ['instance_name', MINOR_104_NODE_INSTANCE_NAME],
  ] as const;
  for (const [k, since] of params)
    if (q[k] !== undefined && !servesRelease(request, since))
      throw ironicError('Invalid', 'Invalid input: querystring must NOT have additional properties');
  if (!detailRoute) checkAllowChildNodeParams(request, q.include_children, q.parent_node);
  checkAllowFilterByInstanceName(request, q.instance_name);
  const filters: Record<string, unknown> = {};
  if (q.instance_name !== undefined) filters.instance_name = q.instance_name;
  const includeChildren = booleanParam('include_children', q.include_children);
  if (includeChildren !== undefined) filters.include_children = includeChildren;
  if (q.parent_node !== undefined) filters.parent_node = q.parent_node;
  return filters;
}

/** The 1.39–1.82 filters as Node.list takes them (node.py's possible_filters). */
function newerFilters(q: ListQuery): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  for (const k of ['fault', 'conductor_group', 'owner', 'lessee', 'project', 'description_contains'] as const) {
    const v = q[k];
    if (v !== undefined) filters[k] = v;
  }
  if (q.shard !== undefined) filters.shard_in = parseList(q.shard);
  const retired = booleanParam('retired', q.retired);
  if (retired !== undefined) filters.retired = retired;
  const sharded = booleanParam('sharded', q.sharded);
  if (sharded !== undefined) filters.sharded = sharded;
  return filters;
}

/**
 * `?conductor=` (1.49): ironic-api keeps the nodes of the page that map to that conductor
 * (_filter_by_conductor, after the query, so pages can be short); the ring is the gateway's own.
 */
async function filterByConductor(
  request: FastifyRequest,
  nodes: IronicObject<NodeFields>[],
  conductor: string,
): Promise<IronicObject<NodeFields>[]> {
  const hosts = await Promise.all(
    nodes.map((n) =>
      request.conductor.get_conductor_for(n).catch((err: unknown) => {
        const type = (err as { exc_type?: string }).exc_type;
        if (type === 'NoValidHost' || type === 'TemporaryFailure') return null;
        throw err;
      }),
    ),
  );
  return nodes.filter((_, i) => hosts[i] === conductor);
}

/** Version gates and value checks of the list filters (check_for_invalid_state_and_allow_filter …). */
function checkFilters(request: FastifyRequest, q: ListQuery): void {
  if (q.provision_state !== undefined) {
    if (!allowProvisionStateFilter(request)) throw notAcceptable();
    if (!PROVISION_STATES.has(q.provision_state))
      throw ironicError('InvalidParameterValue', `Provision state "${q.provision_state}" is not valid`);
  }
  if (q.driver !== undefined && !allowDriverFilter(request)) throw needsVersion(MINOR_16_DRIVER_FILTER);
  if (q.resource_class !== undefined && !allowResourceClass(request)) throw needsVersion(MINOR_21_RESOURCE_CLASS);
  for (const k of ['chassis_uuid', 'instance_uuid', 'marker'] as const) {
    const value = q[k];
    if (value !== undefined) checkUuid(value);
  }
}

function filtersOf(
  q: ListQuery,
  associated: boolean | undefined,
  maintenance: boolean | undefined,
): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  if (q.chassis_uuid) filters.chassis_uuid = q.chassis_uuid;
  if (associated !== undefined) filters.associated = associated;
  if (maintenance !== undefined) filters.maintenance = maintenance;
  if (q.provision_state) filters.provision_state = q.provision_state;
  if (q.driver) filters.driver = q.driver;
  if (q.resource_class !== undefined) filters.resource_class = q.resource_class;
  return filters;
}

async function nodeByInstance(request: FastifyRequest, instanceUuid: string): Promise<IronicObject<NodeFields>[]> {
  try {
    return [(await classAction(request, 'Node', 'get_by_instance_uuid', [instanceUuid])) as IronicObject<NodeFields>];
  } catch (err) {
    if ((err as { exc_type?: string }).exc_type === 'InstanceNotFound') return [];
    throw err;
  }
}

/**
 * The Node version from which the gateway passes `fields` to Node.list: 1.37 (21.4), the first
 * whose every release's Node.list is known to take it (21.4's and 39.0's trees). The argument
 * came with Ironic's 2021 API performance work, so releases from 18.1 (Node 1.36) most likely
 * take it too, but no tree of theirs was at hand to check, and a conductor that does not would
 * fail every node list: lower this only after reading an 18.1 tree's objects/node.py.
 */
export const NODE_LIST_FIELDS_SINCE = '1.37';

/**
 * What ironic-api 21.4's _get_nodes_collection adds to the fields it asks Node.list for: the
 * columns its access checks and its links need.
 */
const NODE_LIST_REQUIRED = ['allocation_id', 'chassis_id', 'uuid', 'owner', 'lessee', 'created_at', 'updated_at'];

/**
 * The columns to ask Node.list for when a page shows only `fields` (the default view or
 * `?fields=`): the object fields among them (chassis_uuid, allocation_uuid and conductor are the
 * API's own, answered from chassis_id, allocation_id and driver/conductor_group, which Node.list
 * always loads) plus NODE_LIST_REQUIRED. undefined (whole nodes) for every field, or when the
 * pinned release's Node.list does not take `fields`. ironic-api 21.4 passes the API names
 * through, so `?fields=chassis_uuid` fails in its database query there; not copied.
 */
export function nodeListColumns(request: FastifyRequest, fields: readonly string[] | undefined): string[] | undefined {
  if (fields === undefined) return undefined;
  if (compareVersions(request.conductor.objectVersions.Node ?? '1.0', NODE_LIST_FIELDS_SINCE) < 0) return undefined;
  const columns = fields.filter((f) => OBJECT_FIELDS.Node.includes(f));
  for (const f of NODE_LIST_REQUIRED) if (!columns.includes(f)) columns.push(f);
  return columns;
}

/** _get_nodes_collection: one page of nodes and its `next` link. */
async function listNodes(
  request: FastifyRequest,
  q: ListQuery,
  resourcePath: string,
  fields: readonly string[] | undefined,
  detailParam?: boolean,
) {
  const sortKey = q.sort_key ?? 'id';
  checkAllowedFields([sortKey], NODE_FIELD_VERSIONS, request);
  checkFilters(request, q);
  checkNewerFilters(request, q);
  const children = childFilters(request, q, resourcePath.endsWith('/detail'));
  const associated = q.associated === undefined ? undefined : parseBoolean(q.associated);
  const maintenance = q.maintenance === undefined ? undefined : parseBoolean(q.maintenance);
  let limit = validateLimit(q.limit, request.server.gatewayConfig.max_limit);
  const sortDir = validateSortDir(q.sort_dir);
  // check_list_policy: a project-scoped caller without list_all sees its project's nodes only
  const project = checkListPolicy(request, 'node', q.project);
  const marker = q.marker ? await classAction(request, 'Node', 'get_by_uuid', [q.marker]) : null;
  validateSortKey(sortKey, INVALID_SORT_KEYS);
  let nodes: IronicObject<NodeFields>[];
  let params: Record<string, string | boolean> = {};
  // Queens looked the instance's node up alone; 21.4 makes instance_uuid one more filter,
  // combined with the others (node.py _get_nodes_collection): so from 1.39
  const instanceAlone = q.instance_uuid && !allows(request, MINOR_39_INSPECT_WAIT);
  if (instanceAlone && q.instance_uuid) {
    nodes = await nodeByInstance(request, q.instance_uuid);
    if (project !== undefined) nodes = nodes.filter((n) => n.get('owner') === project || n.get('lessee') === project);
    limit = 0; // at most one node: never a next link
  } else {
    const filters = { ...filtersOf(q, associated, maintenance), ...newerFilters(q), ...children };
    if (q.instance_uuid) filters.instance_uuid = q.instance_uuid;
    const columns = nodeListColumns(request, fields);
    if (project !== undefined) filters.project = project;
    nodes = await listObjects(request, 'Node', 'list', [], {
      limit,
      marker,
      sort_key: sortKey,
      sort_dir: sortDir,
      filters,
      ...(columns ? { fields: columns } : {}),
    });
    if (q.conductor !== undefined) nodes = await filterByConductor(request, nodes, q.conductor);
    params = { sort_key: sortKey, sort_dir: sortDir };
    if (associated) params.associated = associated;
    if (maintenance) params.maintenance = maintenance;
    // 1.39–1.82: retired and detail are carried too, and (as 21.4 does) the effective fields
    if (newerFilters(q).retired) params.retired = true; // a 21.4 filter at every version
    if (allows(request, MINOR_39_INSPECT_WAIT)) {
      if (detailParam !== undefined) params.detail = detailParam;
      if (fields !== undefined) params.fields = fields.join(',');
    }
    if (q.instance_uuid) limit = 0; // instance_uuid is unique: never a next link
  }
  const chassis = new UuidsById(request, 'Chassis');
  const allocations = new AllocationUuids(request);
  const items = await Promise.all(nodes.map((n) => convertNode(request, n, fields, chassis, allocations)));
  const next = nextLink(
    request,
    resourcePath,
    nodes.map((n) => ({ uuid: n.get('uuid') })),
    limit,
    params,
  );
  return collection('nodes', items, next);
}

/** `fields=` of the node list (not of its detail form). */
export const fieldsProperty = {
  fields: { type: 'string', description: '1.8: comma-separated fields to return' },
} as const;

/** NodesController.get_all / detail: a page of nodes at `path` (`…/detail` for every field). */
export async function nodeList(request: FastifyRequest, q: ListQuery, detail: boolean, path: string) {
  if (detail) return listNodes(request, q, `${path}/detail`, undefined);
  const fields = q.fields === undefined ? undefined : parseList(q.fields);
  checkNodeFields(request, fields);
  // from 1.39 before the page is read (an empty page too); Queens checked each node it showed
  if (fields !== undefined && allows(request, MINOR_39_INSPECT_WAIT)) checkNodeFieldNames(request, fields);
  // ?detail= (1.43), get_request_return_fields: checked after the filters' gates in 21.4, but
  // only the argument types come first there; its errors are 400 either way
  const detailParam = booleanParam('detail', q.detail);
  if (detailParam !== undefined) {
    if (!allowDetailQuery(request))
      throw ironicError(
        'InvalidParameterValue',
        `Invalid query parameter ?detail=${detailParam ? 'True' : 'False'} received.`,
      );
    if (fields !== undefined && detailParam)
      throw ironicError('InvalidParameterValue', 'Can not specify ?detail=True and fields in the same request.');
    if (detailParam) return listNodes(request, q, path, undefined, detailParam);
  }
  return listNodes(request, q, path, fields ?? DEFAULT_LIST_FIELDS, detailParam);
}

export const readRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes',
    operationId: 'listNodes',
    policy: 'baremetal:node:get',
    rpc: [
      'Allocation.get_by_id',
      'Chassis.get_by_id',
      'Node.get_by_instance_uuid',
      'Node.get_by_uuid',
      'Node.list',
      'get_conductor_for',
    ],
    status: 200,
    summary: 'List nodes',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: { ...listQueryProperties, ...fieldsProperty, ...detailProperty },
        additionalProperties: false,
      },
      response: { 200: nodeCollectionSchema, ...NODE_ERRORS },
    },
    handler: async (request) => nodeList(request, request.query, false, 'nodes'),
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/detail',
    operationId: 'listNodesDetailed',
    policy: 'baremetal:node:get',
    rpc: [
      'Allocation.get_by_id',
      'Chassis.get_by_id',
      'Node.get_by_instance_uuid',
      'Node.get_by_uuid',
      'Node.list',
      'get_conductor_for',
    ],
    status: 200,
    summary: 'List nodes with every field',
    tags: TAGS,
    schema: {
      querystring: { type: 'object', properties: listQueryProperties, additionalProperties: false },
      response: { 200: nodeCollectionSchema, ...NODE_ERRORS },
    },
    handler: async (request) => nodeList(request, request.query, true, 'nodes'),
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident',
    operationId: 'showNode',
    policy: 'baremetal:node:get',
    rpc: ['Allocation.get_by_id', 'Chassis.get_by_id', 'Node.get_by_name', 'Node.get_by_uuid', 'get_conductor_for'],
    status: 200,
    summary: 'Show a node',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: {
        type: 'object',
        properties: { fields: { type: 'string', description: '1.8: comma-separated fields to return' } },
        additionalProperties: false,
      },
      response: { 200: nodeSchema, ...NODE_ERRORS },
    },
    handler: async (request) => {
      const raw = request.query.fields;
      const fields = raw === undefined ? undefined : parseList(raw);
      checkNodeFields(request, fields);
      return convertNode(request, await getRpcNodeWithSuffix(request, identOf(request)), fields);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/states',
    operationId: 'showNodeStates',
    policy: 'baremetal:node:get_states',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid'],
    status: 200,
    summary: "Show a node's power, provision, console and RAID states",
    tags: TAGS,
    schema: { params: nodeIdentParams, querystring: noQuery, response: { 200: nodeStatesSchema, ...NODE_ERRORS } },
    handler: async (request) => nodeStates(request, await getRpcNode(request, identOf(request))),
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/validate',
    operationId: 'validateNode',
    policy: 'baremetal:node:validate',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'validate_driver_interfaces'],
    status: 200,
    summary: "Validate a node's driver interfaces",
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      response: {
        200: {
          type: 'object',
          description: 'interface name → {result, reason}',
          additionalProperties: {
            type: 'object',
            properties: { result: { type: ['boolean', 'null'] }, reason: { type: ['string', 'null'] } },
          },
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      return withNodeTopic(request, identOf(request), (uuid, topic) =>
        request.conductor.validate_driver_interfaces(request.ctx, uuid, topic),
      );
    },
  }),
];
