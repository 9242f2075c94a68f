/** Node reads: the list, its detail form, one node, its states, and driver validation. */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../../conductor/objects.ts';
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
import { classAction, getRpcNode, getRpcNodeWithSuffix, listObjects, nodeAndTopic } from '../../api-utils/lookup.ts';
import {
  DEFAULT_LIST_FIELDS,
  NODE_FIELD_VERSIONS,
  checkNodeFields,
  convertNode,
  nodeCollectionSchema,
  nodeSchema,
  nodeStates,
  nodeStatesSchema,
} from '../../api-utils/node.ts';
import { UuidsById } from '../../api-utils/resource.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery } from './common.ts';
import {
  allowDriverFilter,
  allowProvisionStateFilter,
  allowResourceClass,
  MINOR_16_DRIVER_FILTER,
  MINOR_21_RESOURCE_CLASS,
  needsVersion,
  notAcceptable,
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
} as const;

type ListQuery = Partial<Record<keyof typeof listQueryProperties | 'fields', string>>;

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

/** _get_nodes_collection: one page of nodes and its `next` link. */
async function listNodes(
  request: FastifyRequest,
  q: ListQuery,
  resourcePath: string,
  fields: readonly string[] | undefined,
) {
  const sortKey = q.sort_key ?? 'id';
  checkAllowedFields([sortKey], NODE_FIELD_VERSIONS, request);
  checkFilters(request, q);
  const associated = q.associated === undefined ? undefined : parseBoolean(q.associated);
  const maintenance = q.maintenance === undefined ? undefined : parseBoolean(q.maintenance);
  let limit = validateLimit(q.limit, request.server.gatewayConfig.max_limit);
  const sortDir = validateSortDir(q.sort_dir);
  const marker = q.marker ? await classAction(request, 'Node', 'get_by_uuid', [q.marker]) : null;
  validateSortKey(sortKey, INVALID_SORT_KEYS);
  let nodes: IronicObject<NodeFields>[];
  let params: Record<string, string | boolean> = {};
  if (q.instance_uuid) {
    nodes = await nodeByInstance(request, q.instance_uuid);
    limit = 0; // at most one node: never a next link
  } else {
    const filters = filtersOf(q, associated, maintenance);
    nodes = await listObjects(request, 'Node', 'list', [], {
      limit,
      marker,
      sort_key: sortKey,
      sort_dir: sortDir,
      filters,
    });
    params = { sort_key: sortKey, sort_dir: sortDir };
    if (associated) params.associated = associated;
    if (maintenance) params.maintenance = maintenance;
  }
  const chassis = new UuidsById(request, 'Chassis');
  const items = await Promise.all(nodes.map((n) => convertNode(request, n, fields, chassis)));
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
  return listNodes(request, q, path, fields ?? DEFAULT_LIST_FIELDS);
}

export const readRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes',
    operationId: 'listNodes',
    policy: 'baremetal:node:get',
    rpc: ['Chassis.get_by_id', 'Node.get_by_instance_uuid', 'Node.get_by_uuid', 'Node.list'],
    status: 200,
    summary: 'List nodes',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: { ...listQueryProperties, ...fieldsProperty },
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
    rpc: ['Chassis.get_by_id', 'Node.get_by_instance_uuid', 'Node.get_by_uuid', 'Node.list'],
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
    rpc: ['Chassis.get_by_id', 'Node.get_by_name', 'Node.get_by_uuid'],
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
      const { node, topic } = await nodeAndTopic(request, identOf(request));
      return request.conductor.validate_driver_interfaces(request.ctx, String(node.get('uuid')), topic);
    },
  }),
];
