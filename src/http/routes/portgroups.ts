/**
 * /v1/portgroups (1.23+) and /v1/nodes/{node_ident}/portgroups (1.24+)
 * (ironic/api/controllers/v1/portgroup.py @10.1.0). Reads and creates go through the
 * indirection API; updates and deletes are `update_portgroup` / `destroy_portgroup` on the
 * node's conductor (PortgroupNotEmpty, 400, while ports remain).
 */
import { randomUUID } from 'node:crypto';
import { detailNextLink, listReturnFields } from '../api-utils/detail-list.ts';
import { authorizeNodeLinkPatch, servesAntelope, servesHibiscus } from '../api-utils/port.ts';
import {
  checkAllowPortgroupFilterByShard,
  MINOR_102_PORTGROUP_PHYSICAL_NETWORK,
  MINOR_103_PORTGROUP_CATEGORY,
  MINOR_111_DYNAMIC_PORTGROUP,
} from '../versions.ts';
import { parseList } from '../api-utils/ident.ts';
import { HttpError } from '../errors.ts';
import { collection } from '../api-utils/collection.ts';
import type { FastifyRequest } from 'fastify';
import { ironicError, pyRepr } from '../../conductor/exceptions.ts';
import type { IronicObject, PortgroupFields } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { checkUuid, isValidLogicalName, parseBoolean } from '../api-utils/ident.ts';
import { classAction, getRpcNode, listObjects, topicFor } from '../api-utils/lookup.ts';
import {
  applyPatch,
  BASE_INTERNAL_ATTRS,
  getPatchValues,
  patchBodySchema,
  touchesPath,
  validatePatch,
  type PatchOp,
} from '../api-utils/patch.ts';
import {
  dict,
  emptyResponse,
  errorResponses,
  linksOf,
  linksSchema,
  locationOf,
  nullableDateTime,
  nullableString,
} from '../api-utils/representation.ts';
import { route, type RouteDef, type WithParams } from '../route.ts';
import {
  atKnownVersion,
  getRpcPortgroupWithSuffix,
  nodeById,
  objectAction,
  withStatus,
} from '../api-utils/object-actions.ts';
import {
  collectionSchema,
  convert,
  fieldsQuery,
  identParam,
  pathParam,
  normalizeMac,
  pageBody,
  pageKwargs,
  pageOf,
  pageQuery,
  requestedFields,
  resourceSchema,
  UuidsById,
  type PageQuery,
  type ResourceSpec,
  pageProject,
} from '../api-utils/resource.ts';
import {
  allowPortgroupModeProperties,
  MINOR_23_PORTGROUPS,
  MINOR_24_PORTGROUPS_SUBCONTROLLERS,
  notAcceptable,
  type Microversion,
} from '../versions.ts';
import type { ConductorCall } from '../../conductor/calls.ts';

const TAGS = ['portgroups'];
const ERRORS = errorResponses(400, 403, 404, 406, 409, 503);

export const PORTGROUP: ResourceSpec = {
  path: 'portgroups',
  key: 'portgroups',
  fields: [
    'uuid',
    'address',
    'extra',
    'internal_info',
    'node_uuid',
    'name',
    'standalone_ports_supported',
    'mode',
    'properties',
    'created_at',
    'updated_at',
  ],
  defaultFields: ['uuid', 'address', 'name'],
  // ironic-api 10.1.0 hides no portgroup field by version, but refuses `fields=mode,properties` below 1.26
  versions: { since: {}, refuseBelow: [] },
  invalidSortKeys: ['extra', 'internal_info', 'properties'],
};

/**
 * The portgroup as 39.0's ironic-api shows it: physical_network (1.102), category (1.103) and
 * dynamic_portgroup (1.111, read-only) hidden below their versions; only dynamic_portgroup is
 * refused in `fields=` below its version (check_allowed_portgroup_fields).
 */
export const PORTGROUP_HIBISCUS: ResourceSpec = {
  ...PORTGROUP,
  fields: [...PORTGROUP.fields, 'physical_network', 'category', 'dynamic_portgroup'],
  versions: {
    since: {
      physical_network: MINOR_102_PORTGROUP_PHYSICAL_NETWORK,
      category: MINOR_103_PORTGROUP_CATEGORY,
      dynamic_portgroup: MINOR_111_DYNAMIC_PORTGROUP,
    },
    refuseBelow: ['dynamic_portgroup'],
  },
};

const portgroupSpec = (request: FastifyRequest): ResourceSpec =>
  servesHibiscus(request) ? PORTGROUP_HIBISCUS : PORTGROUP;

/** 39.0's body keys newer than 21.4's (accepted at every microversion, shown from theirs). */
const HIBISCUS_KEYS = ['physical_network', 'category'] as const;

const portgroupSchema = resourceSchema({
  uuid: { type: 'string' },
  address: nullableString,
  extra: dict,
  internal_info: dict,
  node_uuid: { type: 'string' },
  name: nullableString,
  standalone_ports_supported: { type: 'boolean' },
  mode: nullableString,
  properties: dict,
  physical_network: { ...nullableString, description: '1.102+' },
  category: { ...nullableString, description: '1.103+' },
  dynamic_portgroup: { type: 'boolean', description: '1.111+' },
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  links: linksSchema,
  ports: linksSchema,
});

/** check_allowed_portgroup_fields: mode and properties need 1.26. */
function checkPortgroupFields(request: FastifyRequest, fields: readonly string[] | undefined): void {
  if (fields && (fields.includes('mode') || fields.includes('properties')) && !allowPortgroupModeProperties(request))
    throw notAcceptable();
}

/** Portgroup.convert_with_links; a full portgroup links to its ports. */
async function portgroupBody(
  request: FastifyRequest,
  pg: IronicObject<PortgroupFields>,
  fields?: readonly string[],
  nodes = new UuidsById(request, 'Node'),
): Promise<Record<string, unknown>> {
  const nodeUuid = await nodes.get(pg.get('node_id'));
  return convert(request, portgroupSpec(request), pg, { node_uuid: nodeUuid }, fields, (out) => {
    out.ports = linksOf(request, 'portgroups', String(pg.get('uuid')), '/ports');
  });
}

interface ListQuery extends PageQuery {
  node?: string;
  address?: string;
  fields?: string;
  /** 1.43 */
  detail?: string;
  /** 39.0, 1.106: comma-separated shards */
  shard?: string;
  /** 39.0, any version (1.99): comma-separated conductor groups */
  conductor_groups?: string;
}

async function listPortgroups(
  request: FastifyRequest,
  q: ListQuery,
  path: string,
  detail: boolean,
  parentNode?: string,
) {
  let fields: readonly string[] | undefined;
  const hibiscus = servesHibiscus(request);
  if (!hibiscus && (q.shard !== undefined || q.conductor_groups !== undefined))
    throw new HttpError(400, 'Invalid input: querystring must NOT have additional properties');
  if (!detail) {
    fields = requestedFields(request, portgroupSpec(request), q.fields);
    checkPortgroupFields(request, fields);
  }
  if (hibiscus) checkAllowPortgroupFilterByShard(request, q.shard);
  checkPortgroupFields(request, [q.sort_key ?? 'id']);
  // 21.4 (unless pinned to Queens): ?detail (1.43) and 21.4's next link
  const antelope = servesAntelope(request);
  let detailParam: boolean | undefined;
  if (antelope) {
    const r = listReturnFields(request, fields, q.detail, PORTGROUP.defaultFields, detail);
    fields = r.fields;
    detailParam = r.detail;
  }
  const address = q.address === undefined ? undefined : normalizeMac(q.address);
  if (!detail && !antelope) fields ??= PORTGROUP.defaultFields;
  const page = await pageOf(request, PORTGROUP, 'Portgroup', q);
  const nodeIdent = parentNode ?? q.node;
  const params: Record<string, string> = {};
  // 39.0: node, address, shard and conductor_groups exclude one another (400)
  const shards = q.shard ? parseList(q.shard) : [];
  const groups = q.conductor_groups ? parseList(q.conductor_groups) : [];
  if (hibiscus && [nodeIdent, address, shards.length, groups.length].filter(Boolean).length > 1)
    throw ironicError('Invalid', 'Filtering by node, address, or shard simultaneously is not supported.');
  let pgs: IronicObject<PortgroupFields>[];
  if (nodeIdent) {
    const node = await getRpcNode(request, nodeIdent);
    pgs = await listObjects(request, 'Portgroup', 'list_by_node_id', [node.get('id')], pageKwargs(page));
    if (!parentNode) params.node = nodeIdent;
  } else if (address) {
    try {
      const project = pageProject(page);
      const kwargs = project === undefined ? {} : { project };
      pgs = [
        (await classAction(request, 'Portgroup', 'get_by_address', [address], kwargs)) as IronicObject<PortgroupFields>,
      ];
    } catch (err) {
      if (!(err instanceof RemoteError && err.exc_type === 'PortgroupNotFound')) throw err;
      pgs = [];
    }
  } else if (shards.length) {
    pgs = await listObjects(request, 'Portgroup', 'list_by_node_shards', [shards], pageKwargs(page));
  } else {
    // conductor_groups sent only when given (an older conductor's Portgroup.list has no such keyword)
    const kwargs = groups.length ? { ...pageKwargs(page), conductor_groups: groups } : pageKwargs(page);
    pgs = await listObjects(request, 'Portgroup', 'list', [], kwargs);
  }
  const nodes = new UuidsById(request, 'Node');
  const items = await Promise.all(pgs.map((pg) => portgroupBody(request, pg, fields, nodes)));
  if (antelope) {
    // 21.4's next link: `portgroups` or `portgroups/detail` whatever the parent, no filters,
    // sort_key, sort_dir, detail and the returned fields (copied as ironic-api writes it)
    const last = pgs[pgs.length - 1];
    const next = detailNextLink(
      request,
      detail ? 'portgroups/detail' : 'portgroups',
      pgs.length,
      page.limit,
      String(last?.get('uuid')),
      { sort_key: page.sort_key, sort_dir: page.sort_dir, detail: detailParam, fields },
    );
    return collection(PORTGROUP.key, items, next);
  }
  if (fields && q.fields !== undefined) params.fields = fields.join(',');
  return pageBody(request, PORTGROUP, page, pgs, items, path, params);
}

interface CreateBody {
  uuid?: string;
  address?: string | null;
  node_uuid: string;
  name?: string | null;
  extra?: Record<string, unknown> | null;
  standalone_ports_supported?: unknown;
  mode?: string | null;
  properties?: Record<string, unknown> | null;
  /** 39.0 (shown from 1.102) */
  physical_network?: string | null;
  /** 39.0 (shown from 1.103) */
  category?: string | null;
}

const identOf = (request: WithParams<{ portgroup_ident: string }>): string => request.params.portgroup_ident;
const pgParams = identParam('portgroup_ident', 'portgroup uuid or name');
const nodeParams = identParam('node_ident', 'node uuid or name');

const listQuery = {
  node: { type: 'string', description: 'uuid or name of a node: only its portgroups' },
  address: { type: 'string', description: 'MAC address: the portgroup with it' },
  shard: { type: 'string', description: "comma-separated shards: only their nodes' portgroups (1.106+)" },
  conductor_groups: {
    type: 'string',
    description: "comma-separated conductor groups: only their nodes' portgroups (1.99; any version)",
  },
  ...pageQuery,
} as const;

/** The plain list's parameters: also `fields` and `detail` (1.43) */
const plainListQuery = {
  ...listQuery,
  ...fieldsQuery,
  detail: { type: 'string', description: 'every field (1.43+, not with fields)' },
} as const;

function listRoutes(
  url: string,
  /** what is listed, for the operationIds: list<what>, list<what>Detailed */
  what: string,
  pathOf: (request: FastifyRequest, detail: boolean) => string,
  parentOf: (request: FastifyRequest) => string | undefined,
  minVersion: Microversion,
  rpc: readonly ConductorCall[],
  params?: object,
): RouteDef[] {
  const body = collectionSchema('portgroups', portgroupSchema);
  return [false, true].map(
    (detail): RouteDef =>
      route({
        method: 'GET',
        url: detail ? `${url}/detail` : url,
        operationId: `list${what}${detail ? 'Detailed' : ''}`,
        minVersion,
        policy: 'baremetal:portgroup:get',
        rpc,
        status: 200,
        summary: detail ? `List portgroups with every field (${url})` : `List portgroups (${url})`,
        tags: TAGS,
        schema: {
          ...(params ? { params } : {}),
          querystring: {
            type: 'object',
            properties: detail ? listQuery : plainListQuery,
            additionalProperties: false,
          },
          response: { 200: body, ...ERRORS },
        },
        handler: (request) =>
          listPortgroups(request, request.query, pathOf(request, detail), detail, parentOf(request)),
      }),
  );
}

/** The name rule of a portgroup (a logical name at the microversion); ClientSideError 400 otherwise. */
function checkName(request: FastifyRequest, name: unknown, message: string): void {
  if (name && !isValidLogicalName(name, request)) throw ironicError('Invalid', message);
}

async function createPortgroup(request: FastifyRequest, body: CreateBody): Promise<IronicObject<PortgroupFields>> {
  if ((body.mode !== undefined || body.properties !== undefined) && !allowPortgroupModeProperties(request))
    throw notAcceptable();
  checkName(request, body.name, `Cannot create portgroup with invalid name '${String(body.name)}'`);
  const hibiscus = servesHibiscus(request);
  if (!hibiscus && HIBISCUS_KEYS.some((k) => k in body))
    throw new HttpError(400, 'Invalid input: body must NOT have additional properties');
  const node = await withStatus(
    classAction(request, 'Node', 'get_by_uuid', [checkUuid(body.node_uuid)]),
    ['NodeNotFound'],
    400,
  );
  const fields: Partial<PortgroupFields> = {
    uuid: body.uuid ? checkUuid(body.uuid) : randomUUID(),
    node_id: (node as IronicObject<{ id: number }>).get('id'),
  };
  if (body.address !== undefined) fields.address = body.address === null ? null : normalizeMac(body.address);
  if (body.name !== undefined) fields.name = body.name;
  if (body.extra !== undefined) fields.extra = body.extra;
  if (body.standalone_ports_supported !== undefined)
    fields.standalone_ports_supported = parseBoolean(body.standalone_ports_supported);
  if (body.mode !== undefined) fields.mode = body.mode;
  if (body.properties !== undefined) fields.properties = body.properties;
  if (hibiscus) {
    if (body.physical_network !== undefined) fields.physical_network = body.physical_network;
    if (body.category !== undefined) fields.category = body.category;
  }
  const pg = request.conductor.newObject('Portgroup', fields);
  await objectAction(request, pg, 'create');
  return pg;
}

async function patchPortgroup(
  request: WithParams<{ portgroup_ident: string }>,
  patch: PatchOp[],
): Promise<IronicObject<PortgroupFields>> {
  validatePatch(patch, { internal: [...BASE_INTERNAL_ATTRS, '/internal_info'], nonRemovable: ['/node_uuid', '/mode'] });
  if ((touchesPath(patch, '/mode') || touchesPath(patch, '/properties')) && !allowPortgroupModeProperties(request))
    throw notAcceptable();
  const ident = identOf(request);
  const pg = await getRpcPortgroupWithSuffix(request, ident);
  for (const name of getPatchValues(patch, '/name')) {
    checkName(request, name, `Portgroup ${ident}: Cannot change name to invalid name '${String(name)}'`);
  }
  const node = await nodeById(request, pg.get('node_id'));
  // 39.0: the node a portgroup moves to must be visible with the current node's owner (400)
  const newNode = servesHibiscus(request) ? await authorizeNodeLinkPatch(request, node, patch) : undefined;
  const doc: Record<string, unknown> = { ...pg.toPlain(), node_uuid: node.get('uuid') };
  delete doc.node_id;
  const patched = applyPatch(doc, patch);
  if (newNode) patched.node_uuid = newNode.get('uuid');
  const changes: Partial<PortgroupFields> = {
    address: patched.address == null ? null : normalizeMac(patched.address),
    name: (patched.name ?? null) as string | null,
    extra: (patched.extra ?? null) as PortgroupFields['extra'],
    standalone_ports_supported:
      patched.standalone_ports_supported == null ? (null as never) : parseBoolean(patched.standalone_ports_supported),
    mode: (patched.mode ?? null) as string | null,
    properties: (patched.properties ?? null) as PortgroupFields['properties'],
  };
  const hibiscus = servesHibiscus(request);
  if (hibiscus) {
    const have = pg.toPlain();
    for (const [k, max] of [
      ['physical_network', 64],
      ['category', 80],
    ] as const) {
      const v = patched[k] ?? null;
      if (v !== null && (typeof v !== 'string' || v.length > max))
        throw ironicError(
          'InvalidParameterValue',
          typeof v !== 'string'
            ? `Schema error for patch: ${pyRepr(v)} is not of type 'string', 'null'`
            : `Schema error for patch: ${pyRepr(v)} is too long`,
        );
      if (k in have) changes[k] = v as string | null;
    }
  }
  if (newNode) {
    if (newNode.get('id') !== pg.get('node_id')) changes.node_id = newNode.get('id') as number;
  } else if (patched.node_uuid !== doc.node_uuid) {
    const newNode = await withStatus(
      classAction(request, 'Node', 'get_by_uuid', [checkUuid(String(patched.node_uuid))]),
      ['NodeNotFound'],
      400,
    );
    changes.node_id = (newNode as IronicObject<{ id: number }>).get('id');
  }
  for (const [k, v] of Object.entries(changes) as [keyof PortgroupFields & string, unknown][]) {
    if (JSON.stringify(v) !== JSON.stringify(pg.get(k) ?? null)) pg.set(k, v as never);
  }
  const topic = await topicFor(request, await nodeById(request, pg.get('node_id')));
  const updated = await atKnownVersion(request, await request.conductor.update_portgroup(request.ctx, pg, topic));
  // 39.0 (RPC 1.62): after the update, the member ports take the portgroup's physical network.
  // 39.0's is_path_updated looks at the first op only and a remove has no value (500): any op
  // on the path counts here, and a removal sends None (both fixed).
  if (hibiscus && touchesPath(patch, '/physical_network') && request.conductor.can_send_version('1.62')) {
    await request.conductor.update_portgroup_physical_network(request.ctx, pg, changes.physical_network ?? null, topic);
  }
  return updated;
}

export const portgroupRoutes: RouteDef[] = [
  ...listRoutes(
    '/v1/portgroups',
    'Portgroups',
    (_r, detail) => (detail ? 'portgroups/detail' : 'portgroups'),
    () => undefined,
    MINOR_23_PORTGROUPS,
    // every filter (node by uuid or name, address) and the page marker
    [
      'Node.get_by_id',
      'Node.get_by_name',
      'Node.get_by_uuid',
      'Portgroup.get_by_address',
      'Portgroup.get_by_uuid',
      'Portgroup.list',
      'Portgroup.list_by_node_id',
      'Portgroup.list_by_node_shards',
    ],
  ),
  route({
    method: 'GET',
    url: '/v1/portgroups/:portgroup_ident',
    operationId: 'showPortgroup',
    minVersion: MINOR_23_PORTGROUPS,
    policy: 'baremetal:portgroup:get',
    rpc: ['Node.get_by_id', 'Portgroup.get_by_name', 'Portgroup.get_by_uuid'],
    status: 200,
    summary: 'Show a portgroup',
    tags: TAGS,
    schema: {
      params: pgParams,
      querystring: { type: 'object', properties: fieldsQuery, additionalProperties: false },
      response: { 200: portgroupSchema, ...ERRORS },
    },
    handler: async (request) => {
      const fields = requestedFields(request, portgroupSpec(request), request.query.fields);
      checkPortgroupFields(request, fields);
      return portgroupBody(request, await getRpcPortgroupWithSuffix(request, identOf(request)), fields);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/portgroups',
    operationId: 'createPortgroup',
    minVersion: MINOR_23_PORTGROUPS,
    policy: 'baremetal:portgroup:create',
    rpc: ['Node.get_by_id', 'Node.get_by_uuid', 'Portgroup.create'],
    status: 201,
    summary: 'Create a portgroup (an object create through the indirection API)',
    tags: TAGS,
    schema: {
      body: {
        type: 'object',
        properties: {
          uuid: { type: 'string' },
          address: nullableString,
          node_uuid: { type: 'string' },
          name: nullableString,
          extra: { type: ['object', 'null'], additionalProperties: true },
          standalone_ports_supported: { description: 'boolean, or a boolean string ("true", "0" …)' },
          mode: { ...nullableString, description: '1.26+' },
          properties: { type: ['object', 'null'], additionalProperties: true, description: '1.26+' },
          physical_network: { ...nullableString, maxLength: 64, description: 'shown from 1.102 (39.0)' },
          category: { ...nullableString, maxLength: 80, description: 'shown from 1.103 (39.0)' },
        },
        required: ['node_uuid'],
        additionalProperties: false,
      },
      response: { 201: portgroupSchema, ...ERRORS },
    },
    handler: async (request, reply) => {
      const pg = await createPortgroup(request, request.body);
      reply.header('location', locationOf(request, `portgroups/${String(pg.get('uuid'))}`));
      return portgroupBody(request, pg);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/portgroups/:portgroup_ident',
    operationId: 'updatePortgroup',
    minVersion: MINOR_23_PORTGROUPS,
    policy: 'baremetal:portgroup:update',
    rpc: [
      'Node.get_by_id',
      'Node.get_by_uuid',
      'Node.get_by_name',
      'Portgroup.get_by_name',
      'Portgroup.get_by_uuid',
      'get_topic_for',
      'update_portgroup',
      'update_portgroup_physical_network',
      'object_backport_versions',
    ],
    status: 200,
    summary: 'Update a portgroup (JSON Patch)',
    tags: TAGS,
    schema: { params: pgParams, body: patchBodySchema, response: { 200: portgroupSchema, ...ERRORS } },
    handler: async (request) => portgroupBody(request, await patchPortgroup(request, request.body)),
  }),
  route({
    method: 'DELETE',
    url: '/v1/portgroups/:portgroup_ident',
    operationId: 'deletePortgroup',
    minVersion: MINOR_23_PORTGROUPS,
    policy: 'baremetal:portgroup:delete',
    rpc: ['Node.get_by_id', 'Portgroup.get_by_name', 'Portgroup.get_by_uuid', 'get_topic_for', 'destroy_portgroup'],
    status: 204,
    summary: 'Delete a portgroup (PortgroupNotEmpty, 400, while it has ports)',
    tags: TAGS,
    schema: { params: pgParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      const pg = await getRpcPortgroupWithSuffix(request, identOf(request));
      const topic = await topicFor(request, await nodeById(request, pg.get('node_id')));
      await request.conductor.destroy_portgroup(request.ctx, pg, topic);
      return undefined;
    },
  }),
  ...listRoutes(
    '/v1/nodes/:node_ident/portgroups',
    'NodePortgroups',
    (request, detail) => `nodes/${pathParam(request, 'node_ident')}/portgroups${detail ? '/detail' : ''}`,
    (request) => pathParam(request, 'node_ident'),
    MINOR_24_PORTGROUPS_SUBCONTROLLERS,
    ['Node.get_by_id', 'Node.get_by_name', 'Node.get_by_uuid', 'Portgroup.get_by_uuid', 'Portgroup.list_by_node_id'],
    nodeParams,
  ),
  route({
    method: ['POST'],
    url: '/v1/nodes/:node_ident/portgroups',
    operationId: 'createNodePortgroupRefused',
    minVersion: MINOR_24_PORTGROUPS_SUBCONTROLLERS,
    policy: 'baremetal:portgroup:create',
    rpc: [],
    status: 403,
    summary: 'Refused: create portgroups at /v1/portgroups',
    tags: TAGS,
    // a route that only refuses is no operation for a client: kept out of the document
    schema: {
      hide: true,
      params: nodeParams,
      response: ERRORS,
    },
    handler: async () => {
      throw ironicError('OperationNotPermitted', 'Operation not permitted.');
    },
  }),
  route({
    method: ['GET', 'PATCH', 'DELETE'],
    url: '/v1/nodes/:node_ident/portgroups/:portgroup_ident',
    operationId: 'nodePortgroupRefused',
    minVersion: MINOR_24_PORTGROUPS_SUBCONTROLLERS,
    policy: 'baremetal:portgroup:get',
    rpc: [],
    status: 403,
    summary: 'Refused: use /v1/portgroups/{portgroup_ident}',
    tags: TAGS,
    // a route that only refuses is no operation for a client: kept out of the document
    schema: {
      hide: true,
      params: { ...nodeParams, properties: { ...nodeParams.properties, ...pgParams.properties } },
      response: ERRORS,
    },
    handler: async () => {
      throw ironicError('OperationNotPermitted', 'Operation not permitted.');
    },
  }),
];
