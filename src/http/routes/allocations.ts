/**
 * /v1/allocations and /v1/nodes/{node}/allocation (ironic/api/controllers/v1/allocation.py at
 * 21.4): 1.52 lists, shows, creates (RPC create_allocation on a random online conductor) and
 * deletes (RPC destroy_allocation); 1.57 patches name and extra (Allocation.save through
 * object_action); 1.58 backfills a node's allocation (sent to the node's conductor); 1.60 adds
 * the owner. Below 1.52 the routes answer as 21.4's version-gated routers do: webob's 404 for
 * GET and 405 otherwise.
 */
import { authorizeRule, callerCredentials, checkRule, enforcesNewDefaults, ownerScoped } from '../auth/enforce.ts';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { AllocationFields, IronicObject } from '../../conductor/objects.ts';
import { forbidden } from '../auth/failure.ts';
import { HttpError } from '../errors.ts';
import {
  allocationBody,
  allocationForRequest,
  checkAllowedAllocationFields,
  checkUuid21,
  checkUuidOrName21,
  INVALID_SORT_KEYS,
  isLogicalName,
  listOwner,
  NodeUuids,
  nodeOr400,
  allocationAllowed,
  parseInteger21,
  passes,
  resolveCandidateNodes,
  validateAllocationBody,
  type Allocation,
} from '../api-utils/allocation.ts';
import { collection, nextLink, validateLimit, validateSortDir, validateSortKey } from '../api-utils/collection.ts';
import { isUuidLike, parseList } from '../api-utils/ident.ts';
import { classAction, getRpcNodeWithSuffix, listObjects, topicFor } from '../api-utils/lookup.ts';
import { objectAction, withStatus } from '../api-utils/object-actions.ts';
import { applyPatch, getPatchValues, patchBodySchema, validatePatch } from '../api-utils/patch.ts';
import {
  dict,
  emptyResponse,
  errorResponses,
  linksSchema,
  locationOf,
  nullableDateTime,
  nullableString,
} from '../api-utils/representation.ts';
import { resourceSchema } from '../api-utils/resource.ts';
import { route, type RouteDef } from '../route.ts';
import {
  allowAllocationBackfill,
  allowAllocationOwner,
  allowAllocations,
  allowAllocationUpdate,
  notAcceptable,
  servesHibiscus,
} from '../versions.ts';

const TAGS = ['allocations'];
const ERRORS = errorResponses(400, 403, 404, 405, 406, 409, 503);

const allocationSchema = resourceSchema({
  uuid: { type: 'string' },
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  candidate_nodes: { type: 'array', items: { type: 'string' } },
  extra: dict,
  last_error: nullableString,
  name: nullableString,
  owner: { ...nullableString, description: 'the project owning the allocation (1.60)' },
  resource_class: nullableString,
  state: { type: 'string', description: 'allocating, active or error' },
  traits: { type: 'array', items: { type: 'string' } },
  links: linksSchema,
  node_uuid: nullableString,
});

const identParams = {
  type: 'object',
  properties: { allocation_ident: { type: 'string', description: 'UUID or name of an allocation' } },
  required: ['allocation_ident'],
} as const;

const nodeParams = {
  type: 'object',
  properties: { node_ident: { type: 'string', description: 'UUID or logical name of a node' } },
  required: ['node_ident'],
} as const;

const fieldsQuery = {
  type: 'object',
  properties: { fields: { type: 'string', description: 'comma-separated fields to return' } },
  additionalProperties: false,
} as const;

/** A webob exception raised by a pecan router (`{"code", "title", "description"}` in the error body). */
function webob(status: 404 | 405 | 400, description: string): HttpError {
  const title = { 400: 'Bad Request', 404: 'Not Found', 405: 'Method Not Allowed' }[status];
  return new HttpError(status, description, {}, { code: status, title, description });
}

/**
 * Below 1.52: 21.4's AllocationsController._route answers 404 for GET and 405 for any other
 * method, in webob's body; 39.0's methods carry validation.api_version instead, a 404 for every
 * method in Ironic's usual body.
 */
function checkAllocationsRouter(request: FastifyRequest): void {
  if (allowAllocations(request)) return;
  const message = 'The API version does not allow allocations';
  if (servesHibiscus(request)) throw new HttpError(404, message);
  throw webob(request.method === 'GET' ? 404 : 405, message);
}

/**
 * NodesController._lookup for `allocation`: the node identifier is checked first (pecan 400),
 * then the version (pecan's bare 404).
 */
function checkNodeAllocationRouter(request: FastifyRequest, nodeIdent: string): void {
  if (!isUuidLike(nodeIdent) && !isLogicalName(nodeIdent))
    throw webob(400, `Expected UUID or name for node: ${nodeIdent}`);
  if (!allowAllocations(request)) throw webob(404, '');
}

const parseFields = (raw: string | undefined): string[] | undefined => (raw === undefined ? undefined : parseList(raw));

/** The allocations of a node (the node sub-resource): Allocation.list filtered on its uuid. */
async function allocationsOfNode(request: FastifyRequest, nodeUuid: string, limit?: number): Promise<Allocation[]> {
  const kwargs: Record<string, unknown> = { filters: { node_uuid: nodeUuid } };
  if (limit !== undefined) Object.assign(kwargs, { limit, marker: null, sort_key: 'id', sort_dir: 'asc' });
  return listObjects(request, 'Allocation', 'list', [], kwargs);
}

const ALLOCATION_LIST_QUERY = {
  type: 'object',
  properties: {
    node: { type: 'string', description: 'UUID or name of the node holding the allocations' },
    resource_class: { type: 'string' },
    state: { type: 'string', description: 'allocating, active or error' },
    owner: { type: 'string', description: 'project owning the allocations (1.60)' },
    marker: { type: 'string', description: 'UUID of the last allocation of the previous page' },
    limit: { type: 'string', description: 'page size (at most max_limit)' },
    sort_key: { type: 'string', description: 'field to sort by (default id)' },
    sort_dir: { type: 'string', description: 'asc (default) or desc' },
    fields: { type: 'string', description: 'comma-separated fields to return' },
  },
  additionalProperties: false,
} as const;

/** The POST body, documented; validated by hand with jsonschema's messages (validateAllocationBody). */
const CREATE_BODY = {
  description:
    'resource_class (required unless node), name, traits, candidate_nodes (names or uuids), extra, uuid, node (1.58, backfill), owner (1.60)',
} as const;

export const allocationRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/allocations',
    operationId: 'listAllocations',
    policy: 'baremetal:allocation:list',
    rpc: ['Allocation.get_by_uuid', 'Allocation.list', 'Node.get_by_id', 'Node.get_by_name', 'Node.get_by_uuid'],
    status: 200,
    summary: 'List allocations (1.52)',
    tags: TAGS,
    schema: {
      querystring: ALLOCATION_LIST_QUERY,
      response: {
        200: {
          type: 'object',
          properties: { allocations: { type: 'array', items: allocationSchema }, next: { type: 'string' } },
          required: ['allocations'],
        },
        ...ERRORS,
      },
    },
    handler: async (request) => {
      checkAllocationsRouter(request);
      const q = request.query;
      // args.validate
      if (q.node !== undefined) checkUuidOrName21('node', q.node);
      if (q.marker !== undefined) checkUuid21('marker', q.marker);
      const rawLimit = parseInteger21('limit', q.limit);
      const fields = parseFields(q.fields);
      // get_all
      const owner = listOwner(request, q.owner);
      checkAllowedAllocationFields(request, fields);
      if (q.owner !== undefined && !allowAllocationOwner(request)) throw notAcceptable();
      // _get_allocations_collection
      const limit = validateLimit(rawLimit, request.server.gatewayConfig.max_limit);
      const sortDir = validateSortDir(q.sort_dir);
      const sortKey = validateSortKey(q.sort_key ?? 'id', INVALID_SORT_KEYS);
      const marker = q.marker ? await classAction(request, 'Allocation', 'get_by_uuid', [q.marker]) : null;
      const filters: Record<string, unknown> = {};
      if (q.node) filters.node_uuid = String((await nodeOr400(request, q.node)).get('uuid'));
      if (q.resource_class !== undefined) filters.resource_class = q.resource_class;
      if (q.state !== undefined) filters.state = q.state;
      if (owner !== undefined) filters.owner = owner;
      const allocations = await listObjects(request, 'Allocation', 'list', [], {
        filters,
        limit,
        marker,
        sort_key: sortKey,
        sort_dir: sortDir,
      });
      for (const a of allocations)
        if (!allocationAllowed(request, 'baremetal:allocation:get', a.get('owner')))
          throw forbidden('baremetal:allocation:get');
      const nodes = new NodeUuids(request);
      const items = [];
      for (const a of allocations) items.push(await allocationBody(request, a, fields, nodes));
      const params: Record<string, string> = { sort_key: sortKey, sort_dir: sortDir };
      if (fields?.length) params.fields = fields.join(',');
      const next = nextLink(
        request,
        'allocations',
        allocations.map((a) => ({ uuid: a.get('uuid') })),
        limit,
        params,
      );
      return collection('allocations', items, next);
    },
  }),
  route({
    method: 'GET',
    url: '/v1/allocations/:allocation_ident',
    operationId: 'showAllocation',
    policy: 'baremetal:allocation:get',
    rpc: ['Allocation.get_by_name', 'Allocation.get_by_uuid', 'Node.get_by_id'],
    status: 200,
    summary: 'Show an allocation by uuid or name (1.52)',
    tags: TAGS,
    schema: { params: identParams, querystring: fieldsQuery, response: { 200: allocationSchema, ...ERRORS } },
    handler: async (request) => {
      checkAllocationsRouter(request);
      const ident = checkUuidOrName21('allocation_ident', request.params.allocation_ident);
      const fields = parseFields(request.query.fields);
      const allocation = await allocationForRequest(request, ident);
      checkAllowedAllocationFields(request, fields);
      return allocationBody(request, allocation, fields);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/allocations',
    operationId: 'createAllocation',
    policy: 'baremetal:allocation:create',
    rpc: [
      'Node.get_by_uuid',
      'Node.get_by_name',
      'Node.get_by_id',
      'get_topic_for',
      'get_random_topic',
      'create_allocation',
    ],
    status: 201,
    summary: 'Create an allocation (1.52; backfill with node 1.58; owner 1.60)',
    tags: TAGS,
    schema: { body: CREATE_BODY, response: { 201: allocationSchema, ...ERRORS } },
    handler: async (request, reply) => {
      checkAllocationsRouter(request);
      const body: Record<string, unknown> = { ...validateAllocationBody(request.body) };
      authorizeCreate(request, body);
      const name = body.name;
      if (typeof name === 'string' && name && !isLogicalName(name))
        throw ironicError('Invalid', `Cannot create allocation with invalid name '${name}'`);
      let node: Awaited<ReturnType<typeof nodeOr400>> | null = null;
      if (body.node) {
        if (!allowAllocationBackfill(request))
          throw ironicError('Invalid', 'Cannot set node when creating an allocation in this API version');
        node = await nodeOr400(request, String(body.node));
      }
      if (!body.resource_class) {
        if (!node) throw ironicError('Invalid', 'The resource_class field is mandatory when not backfilling');
        body.resource_class = node.get('resource_class') ?? null;
      }
      const candidates = body.candidate_nodes;
      if (Array.isArray(candidates) && candidates.length) {
        const project = passes(request, 'baremetal:allocation:create_restricted') ? null : request.ctx.project_id;
        body.candidate_nodes = await resolveCandidateNodes(request, candidates as string[], project);
      }
      if (!body.uuid) body.uuid = (node?.get('instance_uuid') as string | null | undefined) || randomUUID();
      const { node: _node, ...fields } = body;
      const allocation = request.conductor.newObject('Allocation', fields as Partial<AllocationFields>);
      if (node) allocation.set('node_id', node.get('id') as number);
      const topic = node ? await topicFor(request, node) : await request.conductor.get_random_topic();
      const creating = request.conductor.create_allocation(request.ctx, allocation, topic);
      // Fixed, not copied: 21.4 answers a backfill the node does not fit (not active, another
      // resource class, traits or candidates) with AllocationFailed, a 500; it is the request's
      // fault, so 400 with the same message
      const created = (await (node
        ? withStatus(creating, ['AllocationFailed'], 400)
        : creating)) as IronicObject<AllocationFields>;
      reply.header('location', locationOf(request, `allocations/${String(created.get('uuid'))}`));
      return allocationBody(request, created);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/allocations/:allocation_ident',
    operationId: 'updateAllocation',
    policy: 'baremetal:allocation:update',
    rpc: ['Allocation.get_by_name', 'Allocation.get_by_uuid', 'Allocation.save', 'Node.get_by_id'],
    status: 200,
    summary: 'Update the name or extra of an allocation (JSON Patch, 1.57)',
    tags: TAGS,
    schema: { params: identParams, body: patchBodySchema, response: { 200: allocationSchema, ...ERRORS } },
    handler: async (request) => {
      checkAllocationsRouter(request);
      // raised inside the exposed method, so in faultstring shape
      if (!allowAllocationUpdate(request))
        throw new HttpError(405, 'The API version does not allow updating allocations');
      const patch = request.body;
      const allocation = await allocationForRequest(request, request.params.allocation_ident);
      validatePatch(patch, { internal: [], nonRemovable: [] });
      for (const p of patch) {
        const root = p.path.split('/')[1];
        if (root !== 'name' && root !== 'extra')
          throw ironicError('Invalid', `Cannot patch ${p.path}. Only the following can be updated: name, extra`);
      }
      for (const name of getPatchValues(patch, '/name')) {
        if (name && !isLogicalName(name))
          throw ironicError('Invalid', `Cannot update allocation with invalid name '${String(name)}'`);
      }
      const doc = allocation.toPlain();
      const patched = applyPatch(doc, patch);
      validateAllocationBody({ name: patched.name ?? null, extra: patched.extra ?? null });
      for (const f of ['name', 'extra'] as const) {
        const v = patched[f] ?? null;
        if (JSON.stringify(v) !== JSON.stringify(doc[f] ?? null)) allocation.set(f, v as never);
      }
      await objectAction(request, allocation, 'save');
      return allocationBody(request, allocation);
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/allocations/:allocation_ident',
    operationId: 'deleteAllocation',
    policy: 'baremetal:allocation:delete',
    rpc: ['Allocation.get_by_name', 'Allocation.get_by_uuid', 'get_random_topic', 'destroy_allocation'],
    status: 204,
    summary: 'Delete an allocation, freeing its node (1.52)',
    tags: TAGS,
    schema: { params: identParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      checkAllocationsRouter(request);
      const ident = checkUuidOrName21('allocation_ident', request.params.allocation_ident);
      const allocation = await allocationForRequest(request, ident);
      // 21.4 also reads the node (Node.get_by_id) for its notification payload; the gateway
      // sends no notifications, so that read is left out
      const topic = await request.conductor.get_random_topic();
      await request.conductor.destroy_allocation(request.ctx, allocation, topic);
      return undefined;
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/allocation',
    operationId: 'showNodeAllocation',
    policy: 'baremetal:allocation:get',
    rpc: ['Node.get_by_uuid', 'Node.get_by_name', 'Allocation.list', 'Node.get_by_id'],
    status: 200,
    summary: "Show a node's allocation (1.52)",
    tags: ['nodes', ...TAGS],
    schema: { params: nodeParams, querystring: fieldsQuery, response: { 200: allocationSchema, ...ERRORS } },
    handler: async (request) => {
      const ident = request.params.node_ident;
      checkNodeAllocationRouter(request, ident);
      const fields = parseFields(request.query.fields);
      // _get_allocations_collection(parent_node=…): a missing node is NodeNotFound with code 400
      const node = await nodeOr400(request, ident);
      const allocations = await allocationsOfNode(
        request,
        String(node.get('uuid')),
        request.server.gatewayConfig.max_limit,
      );
      for (const a of allocations)
        if (!allocationAllowed(request, 'baremetal:allocation:get', a.get('owner')))
          throw forbidden('baremetal:allocation:get');
      const nodes = new NodeUuids(request);
      const items = [];
      for (const a of allocations) items.push(await allocationBody(request, a, fields, nodes));
      if (!items.length)
        throw ironicError('AllocationNotFound', `Allocation for node ${ident} was not found`, { allocation: ident });
      return items[0];
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/nodes/:node_ident/allocation',
    operationId: 'deleteNodeAllocation',
    policy: 'baremetal:allocation:delete',
    rpc: ['Node.get_by_uuid', 'Node.get_by_name', 'Allocation.list', 'get_random_topic', 'destroy_allocation'],
    status: 204,
    summary: "Delete a node's allocation (1.52)",
    tags: ['nodes', ...TAGS],
    schema: { params: nodeParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      const ident = request.params.node_ident;
      checkNodeAllocationRouter(request, ident);
      const node = await getRpcNodeWithSuffix(request, ident);
      const allocations = await allocationsOfNode(request, String(node.get('uuid')));
      const allocation = allocations[0];
      if (!allocation)
        throw ironicError('AllocationNotFound', `Allocation for node ${ident} was not found`, { allocation: ident });
      if (!allocationAllowed(request, 'baremetal:allocation:delete', allocation.get('owner')))
        throw forbidden('baremetal:allocation:delete');
      const topic = await request.conductor.get_random_topic();
      await request.conductor.destroy_allocation(request.ctx, allocation, topic);
      return undefined;
    },
  }),
];

/**
 * _authorize_create_allocation at 21.4's defaults (enforce_new_defaults False), §6.5: a caller
 * that passes allocation:create but not create_pre_rbac (a project member) and names no owner
 * needs create_restricted and gets its project as the owner. `owner` in the body is 406 below
 * 1.60.
 *
 * Fixed, not copied: 21.4 skips every owner check when the body names an owner and
 * allocation:create passes, so a project member could create allocations owned by any other
 * project (and reach that project's nodes). Here a caller without create_pre_rbac may only name
 * its own project (403 otherwise, as 21.4 answers once allocation:create fails).
 */
function authorizeCreate(request: FastifyRequest, body: Record<string, unknown>): void {
  if (ownerScoped(request)) {
    authorizeCreateOwnerScoped(request, body);
    return;
  }
  checkAllowedAllocationFields(request, Object.keys(body));
  if (passes(request, 'baremetal:allocation:create_pre_rbac')) return;
  const project = request.ctx.project_id;
  const owner = body.owner;
  if (owner) {
    if (owner !== project) throw forbidden('baremetal:allocation:create_pre_rbac');
    return;
  }
  if (!passes(request, 'baremetal:allocation:create_restricted'))
    throw forbidden('baremetal:allocation:create_restricted');
  body.owner = project;
}

/**
 * _authorize_create_allocation and the owner step of post() under Ironic 21.4's policy
 * (pinned from 21.4; the same in 39.0, unpinned): allocation:create (and create_pre_rbac without an owner unless
 * enforce_new_defaults); refused, a caller naming another project's owner is refused, else it
 * needs create_restricted and its project owns the allocation. With enforce_new_defaults a
 * project caller naming another owner needs create_restricted; naming none, its project owns it.
 */
function authorizeCreateOwnerScoped(request: FastifyRequest, body: Record<string, unknown>): void {
  const newDefaults = enforcesNewDefaults(request);
  const creds = callerCredentials(request);
  const project = creds.project_id;
  const fallBack = () => {
    if (project && body.owner && project !== body.owner) throw forbidden('baremetal:allocation:create');
    if (body.owner && !newDefaults) authorizeRule(request, 'baremetal:allocation:create_pre_rbac');
    authorizeRule(request, 'baremetal:allocation:create_restricted');
    checkAllowedAllocationFields(request, Object.keys(body));
    body.owner = project;
  };
  if (!checkRule(request, 'baremetal:allocation:create')) fallBack();
  else {
    checkAllowedAllocationFields(request, Object.keys(body));
    if (!newDefaults && !body.owner && !checkRule(request, 'baremetal:allocation:create_pre_rbac')) fallBack();
    // Fixed, not copied: 21.4 without enforce_new_defaults skips every owner check once
    // allocation:create passes, so another project's owner is taken from anyone; here naming
    // another project needs create_restricted or create_pre_rbac. (With 21.4's default rules a
    // member still passes: create_restricted's legacy half is allocation:create. An operator
    // narrowing create_restricted, or enforce_new_defaults, closes it.)
    if (
      !newDefaults &&
      body.owner &&
      body.owner !== project &&
      !checkRule(request, 'baremetal:allocation:create_restricted') &&
      !checkRule(request, 'baremetal:allocation:create_pre_rbac')
    )
      throw forbidden('baremetal:allocation:create_restricted');
  }
  if (newDefaults && creds.system_scope !== 'all') {
    if (body.owner) {
      if (!checkRule(request, 'baremetal:allocation:create_restricted') && body.owner !== project)
        throw new HttpError(
          403,
          `Cannot create allocation with an owner Project ID value ${String(body.owner)} not matching the requestor Project ID ${String(project)}. Policy baremetal:allocation:create_restricted is required for this capability.`,
        );
    } else body.owner = project;
  }
}
