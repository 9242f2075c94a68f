/**
 * /v1/ports and the port sub-collections of nodes and portgroups (ironic/api/controllers/v1/
 * port.py @10.1.0). Reads go through the indirection API; a create is `create_port` on the
 * node's conductor when the RPC cap allows it (1.41), else `port.create()` through the
 * indirection API, as ironic-api decides with `can_send_create_port`; updates and deletes are
 * `update_port` / `destroy_port` on the node's conductor.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, PortFields, PortgroupFields } from '../../conductor/objects.ts';
import { checkUuid } from '../api-utils/ident.ts';
import { classAction, topicFor } from '../api-utils/lookup.ts';
import {
  applyPatch,
  BASE_INTERNAL_ATTRS,
  getPatchValues,
  patchBodySchema,
  touchesPath,
  validatePatch,
  type PatchOp,
} from '../api-utils/patch.ts';
import { emptyResponse, errorResponses, locationOf, nullableString } from '../api-utils/representation.ts';
import { route, type RouteDef } from '../route.ts';
import {
  checkLocalLinkConnection,
  checkLocalLinkConnectionAntelope,
  checkPhysicalNetworkNotEmpty,
  checkSmartNicLink,
  portBoolean,
  servesAntelope,
  checkPhysicalNetwork,
  checkPortFields,
  getPort,
  authorizeNodeLinkPatch,
  getPortByIdent,
  listPorts,
  portSpec,
  servesHibiscus,
  portBody,
  portSchema,
  type PortListScope,
} from '../api-utils/port.ts';
import { atKnownVersion, nodeById, objectAction, withStatus } from '../api-utils/object-actions.ts';
import {
  collectionSchema,
  fieldsQuery,
  identParam,
  pathParam,
  normalizeMac,
  pageQuery,
  requestedFields,
} from '../api-utils/resource.ts';
import { allowPortgroupsSubcontrollers, MINOR_24_PORTGROUPS_SUBCONTROLLERS, notAcceptable } from '../versions.ts';
import type { ConductorCall } from '../../conductor/calls.ts';
import { INSPECTING } from '../../conductor/states.ts';
import { HttpError } from '../errors.ts';
import { allowInspectWaitState } from '../versions.ts';
import { allowNodeIdentAsParamForPortCreation, allowPortgroupPhysicalNetwork } from '../versions.ts';
import { pyRepr } from '../../conductor/exceptions.ts';
import { getRpcNode } from '../api-utils/lookup.ts';
import type { NodeFields } from '../../conductor/objects.ts';

const TAGS = ['ports'];
const ERRORS = errorResponses(400, 403, 404, 406, 409, 503);
/** What a port is shown with: its node's and portgroup's uuids. */
const SHOW_RPC = ['Node.get_by_id', 'Portgroup.get_by_id'] as const satisfies readonly ConductorCall[];
/** A page of ports: the marker, the parent (by uuid or name) and the list method of the scope. */
const PAGE_RPC = [...SHOW_RPC, 'Port.get_by_uuid'] as const satisfies readonly ConductorCall[];
const NODE_RPC = ['Node.get_by_uuid', 'Node.get_by_name'] as const satisfies readonly ConductorCall[];
const PORTGROUP_RPC = ['Portgroup.get_by_uuid', 'Portgroup.get_by_name'] as const satisfies readonly ConductorCall[];

const listQuery = {
  node: { type: 'string', description: 'uuid or name of a node: only its ports' },
  node_uuid: { type: 'string', description: 'uuid of a node (deprecated for `node`)' },
  address: { type: 'string', description: 'MAC address: the port with it' },
  portgroup: { type: 'string', description: 'uuid or name of a portgroup: only its ports (1.24+)' },
  shard: { type: 'string', description: "comma-separated shards: only their nodes' ports (1.82+)" },
  description_contains: { type: 'string', description: 'only ports whose description contains it (39.0)' },
  conductor_groups: {
    type: 'string',
    description: "comma-separated conductor groups: only their nodes' ports (1.99, any version on 39.0)",
  },
  ...pageQuery,
} as const;
/** `?detail=` (1.43), on the lists that are not `/detail` */
const detailQuery = { detail: { type: 'string', description: 'every field (1.43+, not with fields)' } } as const;

const portUuidParams = identParam('port_uuid', 'port uuid');

/** /v1/ports: every filter (address, node, portgroup) and the page marker. */
const ALL_PORTS_RPC = [
  ...PAGE_RPC,
  ...NODE_RPC,
  ...PORTGROUP_RPC,
  'Port.get_by_address',
  'Port.list',
  'Port.list_by_node_id',
  'Port.list_by_portgroup_id',
  'Port.list_by_node_shards',
] as const satisfies readonly ConductorCall[];

/** The list routes of one scope: `<base>` and `<base>/detail` (`extra.rpc` for a parent's scope). */
function listRoutes(
  url: string,
  /** what is listed, for the operationIds: list<what>, list<what>Detailed */
  what: string,
  scopeOf: (request: FastifyRequest, detail: boolean) => PortListScope,
  extra: Partial<Pick<RouteDef, 'rpc' | 'minVersion'>> = {},
  params?: object,
): RouteDef[] {
  const collection = collectionSchema('ports', portSchema);
  return [
    route({
      method: 'GET',
      url,
      operationId: `list${what}`,
      policy: 'baremetal:port:get',
      rpc: ALL_PORTS_RPC,
      status: 200,
      summary: `List ports (${url})`,
      tags: TAGS,
      schema: {
        ...(params ? { params } : {}),
        querystring: {
          type: 'object',
          properties: { ...listQuery, ...fieldsQuery, ...detailQuery },
          additionalProperties: false,
        },
        response: { 200: collection, ...ERRORS },
      },
      ...extra,
      handler: (request) => listPorts(request, request.query, scopeOf(request, false)),
    }),
    route({
      method: 'GET',
      url: `${url}/detail`,
      operationId: `list${what}Detailed`,
      policy: 'baremetal:port:get',
      rpc: ALL_PORTS_RPC,
      status: 200,
      summary: `List ports with every field (${url})`,
      tags: TAGS,
      schema: {
        ...(params ? { params } : {}),
        querystring: { type: 'object', properties: listQuery, additionalProperties: false },
        response: { 200: collection, ...ERRORS },
      },
      ...extra,
      handler: (request) => listPorts(request, request.query, scopeOf(request, true)),
    }),
  ];
}

/** Writes and single reads under a node or portgroup are refused, as ironic-api's sub-controllers do. */
function notPermittedRoutes(
  base: string,
  /** the parent, for the operationIds: create<parent>PortRefused, <parent>PortRefused<Method> */
  parent: 'Node' | 'Portgroup',
  params: Record<string, unknown>,
  extra: Partial<RouteDef> = {},
): RouteDef[] {
  const refuse = async (): Promise<never> => {
    throw ironicError('OperationNotPermitted', 'Operation not permitted.');
  };
  const withPort = { ...params, properties: { ...(params.properties as object), port_uuid: { type: 'string' } } };
  return [
    {
      method: 'POST',
      url: base,
      operationId: `create${parent}PortRefused`,
      policy: 'baremetal:port:create',
      rpc: [],
      status: 403,
      summary: 'Refused: create ports at /v1/ports',
      tags: TAGS,
      // a route that only refuses is no operation for a client: kept out of the document
      schema: {
        hide: true,
        params,
        response: ERRORS,
      },
      handler: refuse,
      ...extra,
    },
    {
      method: ['GET', 'PATCH', 'DELETE'],
      url: `${base}/:port_uuid`,
      operationId: `${parent.toLowerCase()}PortRefused`,
      policy: 'baremetal:port:get',
      rpc: [],
      status: 403,
      summary: 'Refused: use /v1/ports/{port_uuid}',
      tags: TAGS,
      // a route that only refuses is no operation for a client: kept out of the document
      schema: {
        hide: true,
        params: withPort,
        response: ERRORS,
      },
      handler: refuse,
      ...extra,
    },
  ];
}

interface PortCreateBody {
  uuid?: string;
  address: string;
  node_uuid?: string;
  /** 1.94: the node by uuid or name, instead of node_uuid */
  node_ident?: string;
  /** 1.88 */
  name?: unknown;
  /** 1.97 */
  description?: unknown;
  /** 1.100 */
  vendor?: unknown;
  /** 1.101 */
  category?: unknown;
  /** 1.111 */
  available_for_dynamic_portgroup?: unknown;
  portgroup_uuid?: string | null;
  extra?: Record<string, unknown> | null;
  pxe_enabled?: boolean;
  local_link_connection?: Record<string, unknown> | null;
  physical_network?: string | null;
  /** 1.53 */
  is_smartnic?: unknown;
}

/** The portgroup a port joins: it must exist (else 400) and be on the port's node. */
async function portgroupFor(
  request: FastifyRequest,
  uuid: string,
  nodeId: unknown,
): Promise<IronicObject<PortgroupFields>> {
  const pg = (await withStatus(
    classAction(request, 'Portgroup', 'get_by_uuid', [checkUuid(uuid)]),
    ['PortgroupNotFound'],
    400,
  )) as IronicObject<PortgroupFields>;
  if (pg.get('node_id') !== nodeId)
    throw ironicError('Invalid', 'Port can not be added to a portgroup belonging to a different node.');
  return pg;
}

/** The body keys 39.0 added to a port (Port 1.12–1.16, the name, node_ident). */
const HIBISCUS_KEYS = [
  'node_ident',
  'name',
  'description',
  'vendor',
  'category',
  'available_for_dynamic_portgroup',
] as const;

/**
 * 39.0's PORT_SCHEMA for the fields newer than 21.4's (types and maximum lengths), in
 * jsonschema's words: `Schema error for port: …` on POST, `Schema error for patch: …` on PATCH.
 */
function checkHibiscusPortValues(name: 'port' | 'patch', body: Record<string, unknown>): void {
  const schemaError = (m: string) => ironicError('InvalidParameterValue', `Schema error for ${name}: ${m}`);
  const limits: [string, number | undefined][] = [
    ['name', undefined],
    ['description', 255],
    ['vendor', 32],
    ['category', 80],
  ];
  for (const [k, max] of limits) {
    const v = body[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') throw schemaError(`${pyRepr(v)} is not of type 'string', 'null'`);
    if (max !== undefined && v.length > max) throw schemaError(`${pyRepr(v)} is too long`);
  }
  const dyn = body.available_for_dynamic_portgroup;
  if (dyn !== undefined && typeof dyn !== 'boolean') throw schemaError(`${pyRepr(dyn)} is not of type 'boolean'`);
}

/**
 * The node of a new port at 39.0: exactly one of node_uuid and node_ident (PORT_SCHEMA's oneOf),
 * node_ident from 1.94 (406 below), either resolved by uuid or name. Not found is 400 naming
 * `node_uuid` — "Node None could not be found." for a node_ident (reference R13, copied: only the
 * wording is wrong, and clients compared with ironic-api see the same text).
 */
async function newPortNodeHibiscus(request: FastifyRequest, body: PortCreateBody): Promise<IronicObject<NodeFields>> {
  const both = body.node_ident !== undefined && body.node_uuid !== undefined;
  if (both || (body.node_ident === undefined && body.node_uuid === undefined)) {
    const required = "{'required': ['node_ident']}, {'required': ['node_uuid']}";
    throw ironicError(
      'InvalidParameterValue',
      both
        ? `Schema error for port: ${pyRepr(body)} is valid under each of ${required}`
        : `Schema error for port: ${pyRepr(body)} is not valid under any of the given schemas`,
    );
  }
  if (body.node_ident !== undefined && !allowNodeIdentAsParamForPortCreation(request)) throw notAcceptable();
  const ident = body.node_ident ?? checkUuid(String(body.node_uuid));
  try {
    return await getRpcNode(request, ident);
  } catch (err) {
    const code = (err as { exc_type?: unknown }).exc_type;
    if (code === 'NodeNotFound' || code === 'InvalidUuidOrName')
      throw new HttpError(400, `Node ${body.node_uuid ?? 'None'} could not be found.`);
    throw err;
  }
}

async function createPort(request: FastifyRequest, body: PortCreateBody): Promise<IronicObject<PortFields>> {
  const conductor = request.conductor;
  // below 1.24 ironic-api ignores a portgroup_uuid in the body
  const portgroupUuid = allowPortgroupsSubcontrollers(request) ? (body.portgroup_uuid ?? undefined) : undefined;
  const antelope = servesAntelope(request);
  const hibiscus = servesHibiscus(request);
  if (!hibiscus) {
    // the route's schema is 39.0's (node_uuid or node_ident, the newer fields): refused as
    // fastify's schema refused them before (21.4's and Queens' bodies)
    if (HIBISCUS_KEYS.some((k) => k in body))
      throw new HttpError(400, 'Invalid input: body must NOT have additional properties');
    if (body.node_uuid === undefined)
      throw new HttpError(400, "Invalid input: body must have required property 'node_uuid'");
  }
  // 39.0's PORT_VALIDATOR (types, lengths) runs before anything else
  if (hibiscus) checkHibiscusPortValues('port', body as unknown as Record<string, unknown>);
  const hibiscusNode = hibiscus ? await newPortNodeHibiscus(request, body) : undefined;
  checkPortFields(
    request,
    Object.keys(body).filter((k) => k !== 'portgroup_uuid' && k !== 'node_ident'),
    antelope ? body.local_link_connection : undefined,
  );
  const createRemotely = conductor.can_send_create_port();
  // without create_port the conductor can not check the physical network of a portgroup member
  if (!createRemotely && portgroupUuid) throw notAcceptable();

  const node =
    hibiscusNode ??
    (await withStatus(
      classAction(request, 'Node', 'get_by_uuid', [checkUuid(String(body.node_uuid))]),
      ['NodeNotFound'],
      400,
    ));
  const nodeObj = node as IronicObject<{ id: number; uuid: string }>;
  const fields: Partial<PortFields> = {
    uuid: body.uuid ? checkUuid(body.uuid) : randomUUID(),
    address: normalizeMac(body.address),
    node_id: nodeObj.get('id'),
  };
  if (body.extra !== undefined) fields.extra = body.extra;
  if (body.pxe_enabled !== undefined) fields.pxe_enabled = body.pxe_enabled;
  if (body.local_link_connection !== undefined)
    fields.local_link_connection = antelope
      ? checkLocalLinkConnectionAntelope(body.local_link_connection, hibiscus)
      : checkLocalLinkConnection(body.local_link_connection);
  if (body.physical_network !== undefined) fields.physical_network = checkPhysicalNetwork(body.physical_network);
  if (hibiscus) {
    for (const k of ['name', 'description', 'vendor', 'category'] as const)
      if (body[k] !== undefined) fields[k] = body[k] as string | null;
    if (body.available_for_dynamic_portgroup !== undefined)
      fields.available_for_dynamic_portgroup = body.available_for_dynamic_portgroup as boolean;
  }
  if (antelope) {
    // 21.4's post: a smart NIC needs port_id and hostname in its link; no empty physical network
    if (body.is_smartnic !== undefined && body.is_smartnic !== null)
      fields.is_smartnic = portBoolean('is_smartnic', body.is_smartnic);
    if (fields.is_smartnic) checkSmartNicLink(body.local_link_connection);
    checkPhysicalNetworkNotEmpty(body.physical_network);
  }
  if (portgroupUuid) {
    const pg = await portgroupFor(request, portgroupUuid, fields.node_id);
    fields.portgroup_id = pg.get('id') as number;
    // 21.4 refuses only pxe_enabled here (Queens also an extra/vif_port_id)
    const vif = !antelope && body.extra && typeof body.extra === 'object' ? body.extra.vif_port_id : undefined;
    if (hibiscus && body.pxe_enabled && pg.get('standalone_ports_supported') === false)
      throw ironicError(
        'Conflict',
        `Port group ${portgroupUuid} doesn't support standalone ports. This port cannot be created as a member of that portgroup as the port's 'pxe_enabled' field was set to True.`,
      );
    if ((body.pxe_enabled || vif) && pg.get('standalone_ports_supported') === false) {
      throw ironicError(
        'Conflict',
        `Port group ${portgroupUuid} doesn't support standalone ports. This port cannot be created as a member of that port group because either 'extra/vif_port_id' was specified or 'pxe_enabled' was set to True.`,
      );
    }
  }
  const port = request.conductor.newObject('Port', fields);
  if (createRemotely) {
    const topic = await topicFor(request, await nodeById(request, fields.node_id));
    return atKnownVersion(request, await conductor.create_port(request.ctx, port, topic));
  }
  await objectAction(request, port, 'create');
  return port;
}

/** The fields 39.0 added to a port that a PATCH may change, with their values once removed. */
const HIBISCUS_PATCHABLE: [keyof PortFields & string, unknown][] = [
  ['name', null],
  ['description', null],
  ['vendor', null],
  ['category', null],
  // a removed flag goes back to its default (39.0 would set None on a non-nullable field)
  ['available_for_dynamic_portgroup', true],
];

/**
 * The patched port's fields onto the object (only those that changed), ids for uuids. Only
 * real edits are marked changed, so the conductor saves nothing else (reference §8.1: a 39.0
 * conductor fills newer fields it is not sent); a port moving to another node changes `node_id`
 * only, never `node_uuid` (39.0's ironic-api sends node_uuid and its conductor fails with 500,
 * reference R12: fixed).
 */
async function applyPortPatch(
  request: FastifyRequest,
  port: IronicObject<PortFields>,
  patch: PatchOp[],
): Promise<{ node: IronicObject<NodeFields>; portgroup: IronicObject<PortgroupFields> | null }> {
  const [node, portgroup] = await Promise.all([
    nodeById(request, port.get('node_id')),
    port.get('portgroup_id') == null
      ? null
      : (classAction(request, 'Portgroup', 'get_by_id', [port.get('portgroup_id')]) as Promise<
          IronicObject<PortgroupFields>
        >),
  ]);
  const hibiscus = servesHibiscus(request);
  const newNode = hibiscus ? await authorizeNodeLinkPatch(request, node, patch) : undefined;
  const doc: Record<string, unknown> = {
    ...port.toPlain(),
    node_uuid: node.get('uuid'),
    portgroup_uuid: portgroup?.get('uuid') ?? null,
  };
  delete doc.node_id;
  delete doc.portgroup_id;
  const patched = applyPatch(doc, patch);
  if (newNode) patched.node_uuid = newNode.get('uuid');
  const antelope = servesAntelope(request);
  const changes: Partial<PortFields> = {
    address: patched.address == null ? null : normalizeMac(patched.address),
    extra: (patched.extra ?? null) as PortFields['extra'],
    pxe_enabled: (patched.pxe_enabled ?? null) as boolean,
    local_link_connection:
      patched.local_link_connection == null
        ? null
        : antelope
          ? checkLocalLinkConnectionAntelope(patched.local_link_connection, hibiscus)
          : checkLocalLinkConnection(patched.local_link_connection),
    physical_network: patched.physical_network === undefined ? null : checkPhysicalNetwork(patched.physical_network),
  };
  if (antelope) {
    if (typeof changes.pxe_enabled === 'string') changes.pxe_enabled = portBoolean('pxe_enabled', changes.pxe_enabled);
    if (patched.is_smartnic !== undefined)
      changes.is_smartnic = patched.is_smartnic === null ? false : portBoolean('is_smartnic', patched.is_smartnic);
  }
  if (hibiscus) {
    // PORT_PATCH_SCHEMA is PORT_SCHEMA: its oneOf refuses node_ident beside node_uuid
    if ('node_ident' in patched)
      throw ironicError(
        'InvalidParameterValue',
        `Schema error for patch: ${pyRepr(patched)} is valid under each of {'required': ['node_ident']}, {'required': ['node_uuid']}`,
      );
    checkHibiscusPortValues('patch', patched);
    const have = port.toPlain();
    for (const [k, removed] of HIBISCUS_PATCHABLE)
      if (k in have) (changes as Record<string, unknown>)[k] = patched[k] ?? removed;
  }
  if (changes.pxe_enabled !== null && typeof changes.pxe_enabled !== 'boolean')
    throw ironicError('Invalid', 'Invalid input for field/attribute pxe_enabled.');
  if (newNode) {
    if (newNode.get('id') !== port.get('node_id')) changes.node_id = newNode.get('id') as number;
  } else if (patched.node_uuid !== doc.node_uuid) {
    const moved = await withStatus(
      classAction(request, 'Node', 'get_by_uuid', [checkUuid(String(patched.node_uuid))]),
      ['NodeNotFound'],
      400,
    );
    changes.node_id = (moved as IronicObject<{ id: number }>).get('id');
  }
  let newPortgroup = portgroup;
  if (patched.portgroup_uuid !== doc.portgroup_uuid) {
    newPortgroup =
      patched.portgroup_uuid == null
        ? null
        : await portgroupFor(request, String(patched.portgroup_uuid), changes.node_id ?? port.get('node_id'));
    changes.portgroup_id = newPortgroup === null ? null : (newPortgroup.get('id') as number);
  }
  for (const [k, v] of Object.entries(changes) as [keyof PortFields & string, unknown][]) {
    if (JSON.stringify(v) !== JSON.stringify(port.get(k) ?? null)) port.set(k, v as never);
  }
  const target = newNode ?? (changes.node_id !== undefined ? await nodeById(request, changes.node_id) : node);
  return { node: target, portgroup: newPortgroup };
}

/** port.py's PATCH_ALLOWED_FIELDS (39.0): 21.4's, node_ident and the newer fields. */
const PATCH_ALLOWED_FIELDS_HIBISCUS = [
  'address',
  'extra',
  'is_smartnic',
  'local_link_connection',
  'node_ident',
  'node_uuid',
  'physical_network',
  'portgroup_uuid',
  'pxe_enabled',
  'name',
  'description',
  'vendor',
  'category',
  'available_for_dynamic_portgroup',
];

/** port.py's PATCH_ALLOWED_FIELDS (21.4). */
const PATCH_ALLOWED_FIELDS = [
  'address',
  'extra',
  'is_smartnic',
  'local_link_connection',
  'node_uuid',
  'physical_network',
  'portgroup_uuid',
  'pxe_enabled',
];

function checkPatchAllowed(patch: readonly PatchOp[], allowed = PATCH_ALLOWED_FIELDS): void {
  for (const p of patch)
    if (!allowed.includes(p.path.split('/')[1]))
      throw ironicError('Invalid', `Cannot patch ${p.path}. Only the following can be updated: ${allowed.join(', ')}`);
}

export const portRoutes: RouteDef[] = [
  ...listRoutes('/v1/ports', 'Ports', (_request, detail) => ({ path: detail ? 'ports/detail' : 'ports', detail })),
  route({
    method: 'GET',
    url: '/v1/ports/:port_uuid',
    operationId: 'showPort',
    policy: 'baremetal:port:get',
    rpc: ['Port.get_by_uuid', 'Port.get_by_name', ...SHOW_RPC],
    status: 200,
    summary: 'Show a port (by uuid; on 39.0 also by name, at every microversion)',
    tags: TAGS,
    schema: {
      params: portUuidParams,
      querystring: { type: 'object', properties: fieldsQuery, additionalProperties: false },
      response: { 200: portSchema, ...ERRORS },
    },
    handler: async (request) => {
      const fields = requestedFields(request, portSpec(request), request.query.fields);
      if (fields) checkPortFields(request, fields);
      return portBody(request, await getPortByIdent(request, request.params.port_uuid), fields);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/ports',
    operationId: 'createPort',
    policy: 'baremetal:port:create',
    rpc: [
      'Node.get_by_id',
      'Node.get_by_uuid',
      'Node.get_by_name',
      'Port.create',
      'Portgroup.get_by_id',
      'Portgroup.get_by_uuid',
      'can_send_create_port',
      'get_topic_for',
      'create_port',
      'object_backport_versions',
    ],
    status: 201,
    summary:
      "Create a port: create_port on the node's conductor (RPC 1.41), else an object create through the indirection API",
    tags: TAGS,
    schema: {
      body: {
        type: 'object',
        properties: {
          uuid: { type: 'string' },
          address: { type: 'string' },
          node_uuid: { type: 'string' },
          portgroup_uuid: { type: ['string', 'null'], description: '1.24+' },
          extra: { type: ['object', 'null'], additionalProperties: true },
          pxe_enabled: { type: 'boolean', description: '1.19+' },
          local_link_connection: { type: ['object', 'null'], additionalProperties: true, description: '1.19+' },
          physical_network: { type: ['string', 'null'], description: '1.34+' },
          is_smartnic: { description: 'a boolean (1.53+): needs port_id and hostname in local_link_connection' },
          node_ident: { type: 'string', description: 'the node by uuid or name, instead of node_uuid (1.94+)' },
          name: { ...nullableString, description: '1.88+' },
          description: { ...nullableString, description: 'at most 255 characters (1.97+)' },
          vendor: { ...nullableString, description: 'at most 32 characters (1.100+)' },
          category: { ...nullableString, description: 'at most 80 characters (1.101+)' },
          available_for_dynamic_portgroup: { type: 'boolean', description: '1.111+ (default true)' },
        },
        // node_uuid, or node_ident from 1.94 (exactly one of them; checked in the handler)
        required: ['address'],
        additionalProperties: false,
      },
      response: { 201: portSchema, ...ERRORS },
    },
    handler: async (request, reply) => {
      const port = await createPort(request, request.body);
      reply.header('location', locationOf(request, `ports/${String(port.get('uuid'))}`));
      return portBody(request, port);
    },
  }),
  route({
    method: 'PATCH',
    url: '/v1/ports/:port_uuid',
    operationId: 'updatePort',
    policy: 'baremetal:port:update',
    rpc: [
      'Node.get_by_id',
      'Node.get_by_uuid',
      'Node.get_by_name',
      'Port.get_by_uuid',
      'Port.get_by_name',
      'Portgroup.get_by_id',
      'Portgroup.get_by_uuid',
      'get_topic_for',
      'update_port',
      'object_backport_versions',
    ],
    status: 200,
    summary: 'Update a port (JSON Patch)',
    tags: TAGS,
    schema: { params: portUuidParams, body: patchBodySchema, response: { 200: portSchema, ...ERRORS } },
    handler: async (request) => {
      const patch = request.body;
      const antelope = servesAntelope(request);
      const hibiscus = servesHibiscus(request);
      // 21.4: patch_validate_allowed_fields first (internal_info, uuid … are not patchable)
      if (antelope) checkPatchAllowed(patch, hibiscus ? PATCH_ALLOWED_FIELDS_HIBISCUS : PATCH_ALLOWED_FIELDS);
      validatePatch(patch, {
        internal: [...BASE_INTERNAL_ATTRS, '/internal_info'],
        nonRemovable: ['/address', '/node_uuid'],
      });
      const checked = ['pxe_enabled', 'local_link_connection', 'portgroup_uuid', 'physical_network'];
      if (antelope) checked.push('is_smartnic', 'local_link_connection/network_type');
      const touched = checked.filter(
        (f) =>
          getPatchValues(patch, `/${f}`).length > 0 ||
          patch.some((p) => p.op === 'remove' && touchesPath([p], `/${f}`)),
      );
      checkPortFields(request, touched);
      // 39.0 checks no microversion for name, description, vendor, category and
      // available_for_dynamic_portgroup on PATCH (only on POST and in fields): copied
      const port = await getPortByIdent(request, request.params.port_uuid);
      const { node, portgroup } = await applyPortPatch(request, port, patch);
      if (antelope) {
        // from 1.39 a port of an inspecting node can not change (409), as 21.4's patch
        if (node.get('provision_state') === INSPECTING && allowInspectWaitState(request))
          throw new HttpError(
            409,
            `Cannot update port "${String(port.get('uuid'))}" on "${String(node.get('uuid'))}" while it is in state "${INSPECTING}".`,
          );
        if (touchesPath(patch, '/physical_network')) checkPhysicalNetworkNotEmpty(port.get('physical_network'));
      }
      // 39.0 from 1.102: a member's physical network is its portgroup's (any op on the path;
      // 39.0's is_path_updated looks at the first op only, fixed)
      if (hibiscus && allowPortgroupPhysicalNetwork(request) && touchesPath(patch, '/physical_network') && portgroup)
        throw ironicError('Invalid', 'physical_network cannot be changed while the port belongs to a portgroup.');
      const topic = await topicFor(request, node);
      return portBody(
        request,
        await atKnownVersion(request, await request.conductor.update_port(request.ctx, port, topic)),
      );
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/ports/:port_uuid',
    operationId: 'deletePort',
    policy: 'baremetal:port:delete',
    rpc: ['Node.get_by_id', 'Port.get_by_uuid', 'get_topic_for', 'destroy_port'],
    status: 204,
    summary: 'Delete a port',
    tags: TAGS,
    schema: { params: portUuidParams, response: { 204: emptyResponse, ...ERRORS } },
    handler: async (request) => {
      const port = await getPort(request, request.params.port_uuid);
      const topic = await topicFor(request, await nodeById(request, port.get('node_id')));
      await request.conductor.destroy_port(request.ctx, port, topic);
      return undefined;
    },
  }),
  ...listRoutes(
    '/v1/nodes/:node_ident/ports',
    'NodePorts',
    (request, detail) => {
      const ident = pathParam(request, 'node_ident');
      return { path: `nodes/${ident}/ports${detail ? '/detail' : ''}`, parentNode: ident, detail };
    },
    { rpc: [...PAGE_RPC, ...NODE_RPC, 'Port.list_by_node_id'] },
    identParam('node_ident', 'node uuid or name'),
  ),
  ...notPermittedRoutes('/v1/nodes/:node_ident/ports', 'Node', identParam('node_ident', 'node uuid or name')),
  ...listRoutes(
    '/v1/portgroups/:portgroup_ident/ports',
    'PortgroupPorts',
    (request, detail) => {
      const ident = pathParam(request, 'portgroup_ident');
      return { path: `portgroups/${ident}/ports${detail ? '/detail' : ''}`, parentPortgroup: ident, detail };
    },
    {
      minVersion: MINOR_24_PORTGROUPS_SUBCONTROLLERS,
      rpc: [...PAGE_RPC, ...PORTGROUP_RPC, 'Port.list_by_portgroup_id'],
    },
    identParam('portgroup_ident', 'portgroup uuid or name'),
  ),
  ...notPermittedRoutes(
    '/v1/portgroups/:portgroup_ident/ports',
    'Portgroup',
    identParam('portgroup_ident', 'portgroup uuid or name'),
    { minVersion: MINOR_24_PORTGROUPS_SUBCONTROLLERS },
  ),
];
