/**
 * /v1/volume (1.32+): the index, volume connectors and volume targets, and the same under
 * /v1/nodes/{node_ident}/volume (ironic/api/controllers/v1/volume*.py @10.1.0). Reads and
 * creates go through the indirection API; updates and deletes are `update_volume_connector`,
 * `destroy_volume_connector`, `update_volume_target`, `destroy_volume_target` on the node's
 * conductor. Connectors and targets are served by one table builder: they differ only in
 * their fields.
 */
import { authorizeNodeLinkPatch, servesHibiscus } from '../api-utils/port.ts';
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { allowed } from '../auth/index.ts';
import { servesAntelope } from '../api-utils/port.ts';
import { maskSecrets } from '../api-utils/representation.ts';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, VolumeConnectorFields, VolumeTargetFields } from '../../conductor/objects.ts';
import { checkUuid, isUuidLike, parseBoolean, parseList } from '../api-utils/ident.ts';
import { classAction, getRpcNode, listObjects, topicFor } from '../api-utils/lookup.ts';
import {
  applyPatch,
  BASE_INTERNAL_ATTRS,
  getPatchValues,
  patchBodySchema,
  validatePatch,
  type PatchOp,
} from '../api-utils/patch.ts';
import {
  dict,
  emptyResponse,
  errorResponses,
  linksSchema,
  locationOf,
  nullableDateTime,
  nullableString,
} from '../api-utils/representation.ts';
import { baseUrl, resourceLinks } from '../links.ts';
import { route, type RouteDef } from '../route.ts';
import { atKnownVersion, nodeById, objectAction, withStatus } from '../api-utils/object-actions.ts';
import {
  collectionSchema,
  convert,
  identParam,
  pathParam,
  pageBody,
  pageKwargs,
  pageOf,
  pageQuery,
  resourceSchema,
  UuidsById,
  type PageQuery,
  type ResourceSpec,
} from '../api-utils/resource.ts';
import { MINOR_32_VOLUME } from '../versions.ts';

const TAGS = ['volume'];
const ERRORS = errorResponses(400, 403, 404, 406, 409, 503);
const MIN = MINOR_32_VOLUME;

// connectors and targets handled alike: their fields are read by name
type VolumeObj = IronicObject;

/** What differs between connectors and targets. */
interface VolumeKind {
  objname: 'VolumeConnector' | 'VolumeTarget';
  /** `connectors` or `targets` */
  name: string;
  /** e.g. `connector_uuid` */
  param: string;
  spec: ResourceSpec;
  /** the body fields a create takes besides uuid and node_uuid, with their JSON schemas */
  body: Record<string, object>;
  /** mandatory body fields besides node_uuid */
  required: string[];
  rpc: {
    update: 'update_volume_connector' | 'update_volume_target';
    destroy: 'destroy_volume_connector' | 'destroy_volume_target';
  };
}

const CONNECTOR: VolumeKind = {
  objname: 'VolumeConnector',
  name: 'connectors',
  param: 'connector_uuid',
  spec: {
    path: 'volume/connectors',
    key: 'connectors',
    fields: ['uuid', 'type', 'connector_id', 'extra', 'node_uuid', 'created_at', 'updated_at'],
    defaultFields: ['uuid', 'node_uuid', 'type', 'connector_id'],
    versions: { since: {}, refuseBelow: [] },
    invalidSortKeys: ['extra'],
  },
  body: {
    type: { type: 'string' },
    connector_id: { type: 'string' },
    extra: { type: ['object', 'null'], additionalProperties: true },
  },
  required: ['type', 'connector_id'],
  rpc: { update: 'update_volume_connector', destroy: 'destroy_volume_connector' },
};

const TARGET: VolumeKind = {
  objname: 'VolumeTarget',
  name: 'targets',
  param: 'target_uuid',
  spec: {
    path: 'volume/targets',
    key: 'targets',
    fields: [
      'uuid',
      'volume_type',
      'properties',
      'boot_index',
      'volume_id',
      'extra',
      'node_uuid',
      'created_at',
      'updated_at',
    ],
    defaultFields: ['uuid', 'node_uuid', 'volume_type', 'boot_index', 'volume_id'],
    versions: { since: {}, refuseBelow: [] },
    invalidSortKeys: ['extra', 'properties'],
  },
  body: {
    volume_type: { type: 'string' },
    properties: { type: ['object', 'null'], additionalProperties: true },
    boot_index: { type: 'integer' },
    volume_id: { type: 'string' },
    extra: { type: ['object', 'null'], additionalProperties: true },
  },
  required: ['volume_type', 'boot_index', 'volume_id'],
  rpc: { update: 'update_volume_target', destroy: 'destroy_volume_target' },
};

/** How a volume connector and a volume target are shown (the OpenAPI document reads their fields). */
export const VOLUME_CONNECTOR_SPEC: ResourceSpec = CONNECTOR.spec;
export const VOLUME_TARGET_SPEC: ResourceSpec = TARGET.spec;

function itemSchema(kind: VolumeKind) {
  return resourceSchema({
    ...Object.fromEntries(
      Object.entries(kind.body).map(([k, v]) => [k, k === 'extra' || k === 'properties' ? dict : v]),
    ),
    uuid: { type: 'string' },
    node_uuid: nullableString,
    created_at: nullableDateTime,
    updated_at: nullableDateTime,
    links: linksSchema,
  });
}

async function body(
  request: FastifyRequest,
  kind: VolumeKind,
  obj: VolumeObj,
  fields?: readonly string[],
  nodes = new UuidsById(request, 'Node'),
) {
  const out = convert(request, kind.spec, obj, { node_uuid: await nodes.get(obj.get('node_id')) }, fields);
  if (kind === TARGET && servesAntelope(request) && out.properties && typeof out.properties === 'object')
    out.properties = targetProperties(request, out.properties as Record<string, unknown>);
  return out;
}

/**
 * 21.4 (Debian's 21.4.4): a target's properties are shown to callers passing
 * baremetal:volume:view_target_properties, passwords masked; others see a redaction notice.
 */
function targetProperties(request: FastifyRequest, properties: Record<string, unknown>): Record<string, unknown> {
  if (!allowed(request, 'baremetal:volume:view_target_properties'))
    return {
      redacted_contents:
        '** Value redacted: Requires permission baremetal:volume:view_target_properties access. Permission denied. **',
    };
  return maskSecrets(properties);
}

interface ListQuery extends PageQuery {
  node?: string;
  fields?: string;
  detail?: string;
}

async function list(request: FastifyRequest, q: ListQuery, kind: VolumeKind, parentNode: string | undefined) {
  const detail = q.detail === undefined ? undefined : parseBoolean(q.detail);
  let fields = q.fields === undefined ? undefined : parseList(q.fields);
  if (fields === undefined && !detail) fields = [...kind.spec.defaultFields];
  if (fields && fields.length > 0 && detail)
    throw ironicError('InvalidParameterValue', "Can't fetch a subset of fields with 'detail' set");
  const page = await pageOf(request, kind.spec, kind.objname, q);
  const nodeIdent = parentNode ?? q.node;
  let objs: VolumeObj[];
  const params: Record<string, string> = {};
  if (nodeIdent) {
    const node = await getRpcNode(request, nodeIdent);
    objs = await listObjects(request, kind.objname, 'list_by_node_id', [node.get('id')], pageKwargs(page));
    if (!parentNode) params.node = nodeIdent;
  } else {
    objs = await listObjects(request, kind.objname, 'list', [], pageKwargs(page));
  }
  const nodes = new UuidsById(request, 'Node');
  const items = await Promise.all(objs.map((o) => body(request, kind, o, fields, nodes)));
  if (detail) params.detail = 'True';
  if (q.fields !== undefined && fields) params.fields = fields.join(',');
  const path = parentNode ? `nodes/${parentNode}/${kind.spec.path}` : kind.spec.path;
  return pageBody(request, kind.spec, page, objs, items, path, params);
}

async function getOne(request: FastifyRequest, kind: VolumeKind): Promise<VolumeObj> {
  const uuid = checkUuid(pathParam(request, kind.param) ?? '');
  return (await classAction(request, kind.objname, 'get_by_uuid', [uuid])) as VolumeObj;
}

/** The node a body names (must exist: else 400). */
async function nodeIdOf(request: FastifyRequest, nodeUuid: unknown): Promise<number> {
  const node = await withStatus(
    classAction(request, 'Node', 'get_by_uuid', [checkUuid(String(nodeUuid))]),
    ['NodeNotFound'],
    400,
  );
  const id = (node as IronicObject<{ id: number }>).get('id');
  if (typeof id !== 'number')
    throw ironicError('IronicException', `The conductor answered node ${String(nodeUuid)} without an id.`);
  return id;
}

async function create(request: FastifyRequest, body: unknown, kind: VolumeKind): Promise<VolumeObj> {
  // the route's schema (built from the kind's fields) has made `body` an object already
  const b: Record<string, unknown> =
    typeof body === 'object' && body !== null ? Object.fromEntries(Object.entries(body)) : {};
  const fields: Record<string, unknown> = {
    uuid: b.uuid ? checkUuid(String(b.uuid)) : randomUUID(),
    node_id: await nodeIdOf(request, b.node_uuid),
  };
  for (const k of Object.keys(kind.body)) if (b[k] !== undefined) fields[k] = b[k];
  const obj = request.conductor.newObject(kind.objname, fields) as unknown as VolumeObj;
  await objectAction(request, obj, 'create');
  return obj;
}

async function update(request: FastifyRequest, patch: PatchOp[], kind: VolumeKind): Promise<VolumeObj> {
  validatePatch(patch, {
    internal: BASE_INTERNAL_ATTRS,
    nonRemovable: [...kind.required, 'node_uuid'].map((f) => `/${f}`),
  });
  for (const v of getPatchValues(patch, '/node_uuid')) {
    if (!isUuidLike(v)) throw ironicError('InvalidUUID', `Expected a UUID for node_uuid, but received ${String(v)}.`);
  }
  const obj = await getOne(request, kind);
  const node = await nodeById(request, obj.get('node_id'));
  // 39.0's authorize_node_link_patch: a new node_uuid must be a node the caller sees, with the
  // current node's owner (else the same 400 whether or not it exists); 21.4 has no such check
  if (servesHibiscus(request)) await authorizeNodeLinkPatch(request, node, patch);
  const doc: Record<string, unknown> = { ...obj.toPlain(), node_uuid: node.get('uuid') };
  delete doc.node_id;
  const patched = applyPatch(doc, patch);
  if (patched.boot_index !== undefined && patched.boot_index !== null && !Number.isInteger(patched.boot_index)) {
    throw ironicError(
      'Invalid',
      `Invalid input for field/attribute boot_index. Value: '${String(patched.boot_index)}'. Wrong type. Expected 'int'`,
    );
  }
  const changes: Record<string, unknown> = Object.fromEntries(
    Object.keys(kind.body).map((k) => [k, patched[k] ?? null]),
  );
  if (patched.node_uuid !== doc.node_uuid) changes.node_id = await nodeIdOf(request, patched.node_uuid);
  for (const [k, v] of Object.entries(changes)) {
    if (JSON.stringify(v) !== JSON.stringify(obj.get(k) ?? null)) obj.set(k, v);
  }
  const topic = await topicFor(request, await nodeById(request, obj.get('node_id')));
  const conductor = request.conductor;
  const updated =
    kind.objname === 'VolumeConnector'
      ? await conductor.update_volume_connector(request.ctx, obj as IronicObject<VolumeConnectorFields>, topic)
      : await conductor.update_volume_target(request.ctx, obj as IronicObject<VolumeTargetFields>, topic);
  return atKnownVersion(request, updated as unknown as VolumeObj);
}

async function destroy(request: FastifyRequest, kind: VolumeKind): Promise<void> {
  const obj = await getOne(request, kind);
  const topic = await topicFor(request, await nodeById(request, obj.get('node_id')));
  const conductor = request.conductor;
  if (kind.objname === 'VolumeConnector')
    await conductor.destroy_volume_connector(request.ctx, obj as IronicObject<VolumeConnectorFields>, topic);
  else await conductor.destroy_volume_target(request.ctx, obj as IronicObject<VolumeTargetFields>, topic);
}

const refuse = async (): Promise<never> => {
  throw ironicError('OperationNotPermitted', 'Operation not permitted.');
};

const listQuery = {
  node: { type: 'string', description: 'uuid or name of a node: only its items' },
  ...pageQuery,
  fields: { type: 'string', description: 'comma-separated fields to return' },
  detail: { type: 'string', description: 'boolean: every field (not with `fields`)' },
  // 21.4 takes `project` and ignores it (the caller's policy decides the project): so does the gateway
  project: { type: 'string', description: 'accepted and ignored, as ironic-api 21.4 does' },
} as const;

const { node: _node, ...nodeListQuery } = listQuery;

const nodeParams = identParam('node_ident', 'node uuid or name');

function kindRoutes(kind: VolumeKind): RouteDef[] {
  const base = `/v1/volume/${kind.name}`;
  const nodeBase = `/v1/nodes/:node_ident/volume/${kind.name}`;
  const item = itemSchema(kind);
  const params = identParam(kind.param, `volume ${kind.name.slice(0, -1)} uuid`);
  const of = <M extends 'get_by_uuid' | 'list' | 'list_by_node_id' | 'create'>(m: M) => `${kind.objname}.${m}` as const;
  const nodeOf = ['Node.get_by_id'] as const; // every volume object is shown with its node's uuid
  const byIdent = ['Node.get_by_uuid', 'Node.get_by_name'] as const;
  const nodeItemParams = { ...nodeParams, properties: { ...nodeParams.properties, ...params.properties } };
  const common = { minVersion: MIN, tags: TAGS };
  // operationIds: listVolumeConnectors, showVolumeConnector … (the object class, plural for lists)
  const one = kind.objname;
  const all = `${kind.objname}s`;
  return [
    route({
      ...common,
      method: 'GET',
      url: base,
      operationId: `list${all}`,
      policy: 'baremetal:volume:get',
      rpc: [...nodeOf, ...byIdent, of('get_by_uuid'), of('list'), of('list_by_node_id')],
      status: 200,
      summary: `List volume ${kind.name}`,
      schema: {
        querystring: { type: 'object', properties: listQuery, additionalProperties: false },
        response: { 200: collectionSchema(kind.spec.key, item), ...ERRORS },
      },
      handler: (request) => list(request, request.query, kind, undefined),
    }),
    route({
      ...common,
      method: 'GET',
      url: `${base}/:${kind.param}`,
      operationId: `show${one}`,
      policy: 'baremetal:volume:get',
      rpc: [...nodeOf, of('get_by_uuid')],
      status: 200,
      summary: `Show a volume ${kind.name.slice(0, -1)}`,
      schema: {
        params,
        querystring: { type: 'object', properties: { fields: listQuery.fields }, additionalProperties: false },
        response: { 200: item, ...ERRORS },
      },
      handler: async (request) => {
        const raw = request.query.fields;
        return body(request, kind, await getOne(request, kind), raw === undefined ? undefined : parseList(raw));
      },
    }),
    route({
      ...common,
      method: 'POST',
      url: base,
      operationId: `create${one}`,
      policy: 'baremetal:volume:create',
      rpc: [...nodeOf, 'Node.get_by_uuid', of('create')],
      status: 201,
      summary: `Create a volume ${kind.name.slice(0, -1)} (an object create through the indirection API)`,
      schema: {
        body: {
          type: 'object',
          properties: { uuid: { type: 'string' }, node_uuid: { type: 'string' }, ...kind.body },
          required: ['node_uuid', ...kind.required],
          additionalProperties: false,
        },
        response: { 201: item, ...ERRORS },
      },
      handler: async (request, reply) => {
        const obj = await create(request, request.body, kind);
        reply.header('location', locationOf(request, `${kind.spec.path}/${String(obj.get('uuid'))}`));
        return body(request, kind, obj);
      },
    }),
    route({
      ...common,
      method: 'PATCH',
      url: `${base}/:${kind.param}`,
      operationId: `update${one}`,
      policy: 'baremetal:volume:update',
      // Node.get_by_uuid: a node_uuid patched to another node
      rpc: [
        ...nodeOf,
        of('get_by_uuid'),
        'Node.get_by_uuid',
        'get_topic_for',
        kind.rpc.update,
        'object_backport_versions',
      ],
      status: 200,
      summary: `Update a volume ${kind.name.slice(0, -1)} (JSON Patch)`,
      schema: { params, body: patchBodySchema, response: { 200: item, ...ERRORS } },
      handler: async (request) => body(request, kind, await update(request, request.body, kind)),
    }),
    route({
      ...common,
      method: 'DELETE',
      url: `${base}/:${kind.param}`,
      operationId: `delete${one}`,
      policy: 'baremetal:volume:delete',
      rpc: [...nodeOf, of('get_by_uuid'), 'get_topic_for', kind.rpc.destroy],
      status: 204,
      summary: `Delete a volume ${kind.name.slice(0, -1)}`,
      schema: { params, response: { 204: emptyResponse, ...ERRORS } },
      handler: async (request) => {
        await destroy(request, kind);
        return undefined;
      },
    }),
    route({
      ...common,
      method: 'GET',
      url: nodeBase,
      operationId: `listNode${all}`,
      policy: 'baremetal:volume:get',
      rpc: [...nodeOf, ...byIdent, of('get_by_uuid'), of('list_by_node_id')],
      status: 200,
      summary: `List a node's volume ${kind.name}`,
      schema: {
        params: nodeParams,
        querystring: { type: 'object', properties: nodeListQuery, additionalProperties: false },
        response: { 200: collectionSchema(kind.spec.key, item), ...ERRORS },
      },
      handler: (request) => list(request, request.query, kind, request.params.node_ident),
    }),
    {
      ...common,
      method: 'POST',
      url: nodeBase,
      operationId: `createNode${one}Refused`,
      policy: 'baremetal:volume:create',
      rpc: [],
      status: 403,
      summary: `Refused: create at ${base}`,
      // a route that only refuses is no operation for a client: kept out of the document
      schema: {
        hide: true,
        params: nodeParams,
        response: ERRORS,
      },
      handler: refuse,
    },
    {
      ...common,
      method: ['GET', 'PATCH', 'DELETE'],
      url: `${nodeBase}/:${kind.param}`,
      operationId: `node${one}Refused`,
      policy: 'baremetal:volume:get',
      rpc: [],
      status: 403,
      summary: `Refused: use ${base}/{${kind.param}}`,
      // a route that only refuses is no operation for a client: kept out of the document
      schema: {
        hide: true,
        params: nodeItemParams,
        response: ERRORS,
      },
      handler: refuse,
    },
  ];
}

/** Volume.convert: links to the index itself, its connectors and its targets. */
function volumeIndex(request: FastifyRequest, nodeIdent?: string): Record<string, unknown> {
  const base = baseUrl(request);
  const root = nodeIdent ? `nodes/${nodeIdent}/volume/` : 'volume/';
  return {
    links: resourceLinks(base, root),
    connectors: resourceLinks(base, `${root}connectors`),
    targets: resourceLinks(base, `${root}targets`),
  };
}

const indexSchema = {
  type: 'object',
  properties: { links: linksSchema, connectors: linksSchema, targets: linksSchema },
  required: ['links', 'connectors', 'targets'],
} as const;

export const volumeRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/volume',
    operationId: 'showVolume',
    minVersion: MIN,
    policy: 'baremetal:volume:get',
    rpc: [],
    status: 200,
    summary: 'The volume resources (1.32+)',
    tags: TAGS,
    schema: { response: { 200: indexSchema, ...ERRORS } },
    handler: async (request) => volumeIndex(request),
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/volume',
    operationId: 'showNodeVolume',
    minVersion: MIN,
    policy: 'baremetal:volume:get',
    rpc: [],
    status: 200,
    summary: "A node's volume resources (1.32+)",
    tags: TAGS,
    schema: { params: nodeParams, response: { 200: indexSchema, ...ERRORS } },
    handler: async (request) => volumeIndex(request, request.params.node_ident),
  }),
  ...kindRoutes(CONNECTOR),
  ...kindRoutes(TARGET),
];
