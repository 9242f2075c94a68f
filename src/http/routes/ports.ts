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
import { emptyResponse, errorResponses, locationOf } from '../api-utils/representation.ts';
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
  listPorts,
  PORT,
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
  node_uuid: string;
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

async function createPort(request: FastifyRequest, body: PortCreateBody): Promise<IronicObject<PortFields>> {
  const conductor = request.conductor;
  // below 1.24 ironic-api ignores a portgroup_uuid in the body
  const portgroupUuid = allowPortgroupsSubcontrollers(request) ? (body.portgroup_uuid ?? undefined) : undefined;
  const antelope = servesAntelope(request);
  checkPortFields(
    request,
    Object.keys(body).filter((k) => k !== 'portgroup_uuid'),
    antelope ? body.local_link_connection : undefined,
  );
  const createRemotely = conductor.can_send_create_port();
  // without create_port the conductor can not check the physical network of a portgroup member
  if (!createRemotely && portgroupUuid) throw notAcceptable();

  const node = await withStatus(
    classAction(request, 'Node', 'get_by_uuid', [checkUuid(body.node_uuid)]),
    ['NodeNotFound'],
    400,
  );
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
      ? checkLocalLinkConnectionAntelope(body.local_link_connection)
      : checkLocalLinkConnection(body.local_link_connection);
  if (body.physical_network !== undefined) fields.physical_network = checkPhysicalNetwork(body.physical_network);
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

/** The patched port's fields onto the object (only those that changed), ids for uuids. */
async function applyPortPatch(
  request: FastifyRequest,
  port: IronicObject<PortFields>,
  patch: PatchOp[],
): Promise<void> {
  const [node, portgroup] = await Promise.all([
    nodeById(request, port.get('node_id')),
    port.get('portgroup_id') == null
      ? null
      : (classAction(request, 'Portgroup', 'get_by_id', [port.get('portgroup_id')]) as Promise<
          IronicObject<PortgroupFields>
        >),
  ]);
  const doc: Record<string, unknown> = {
    ...port.toPlain(),
    node_uuid: node.get('uuid'),
    portgroup_uuid: portgroup?.get('uuid') ?? null,
  };
  delete doc.node_id;
  delete doc.portgroup_id;
  const patched = applyPatch(doc, patch);
  const antelope = servesAntelope(request);
  const changes: Partial<PortFields> = {
    address: patched.address == null ? null : normalizeMac(patched.address),
    extra: (patched.extra ?? null) as PortFields['extra'],
    pxe_enabled: (patched.pxe_enabled ?? null) as boolean,
    local_link_connection:
      patched.local_link_connection == null
        ? null
        : antelope
          ? checkLocalLinkConnectionAntelope(patched.local_link_connection)
          : checkLocalLinkConnection(patched.local_link_connection),
    physical_network: patched.physical_network === undefined ? null : checkPhysicalNetwork(patched.physical_network),
  };
  if (antelope) {
    if (typeof changes.pxe_enabled === 'string') changes.pxe_enabled = portBoolean('pxe_enabled', changes.pxe_enabled);
    if (patched.is_smartnic !== undefined)
      changes.is_smartnic = patched.is_smartnic === null ? false : portBoolean('is_smartnic', patched.is_smartnic);
  }
  if (changes.pxe_enabled !== null && typeof changes.pxe_enabled !== 'boolean')
    throw ironicError('Invalid', 'Invalid input for field/attribute pxe_enabled.');
  if (patched.node_uuid !== doc.node_uuid) {
    const newNode = await withStatus(
      classAction(request, 'Node', 'get_by_uuid', [checkUuid(String(patched.node_uuid))]),
      ['NodeNotFound'],
      400,
    );
    changes.node_id = (newNode as IronicObject<{ id: number }>).get('id');
  }
  if (patched.portgroup_uuid !== doc.portgroup_uuid) {
    changes.portgroup_id =
      patched.portgroup_uuid == null
        ? null
        : ((await portgroupFor(request, String(patched.portgroup_uuid), changes.node_id ?? port.get('node_id'))).get(
            'id',
          ) as number);
  }
  for (const [k, v] of Object.entries(changes) as [keyof PortFields & string, unknown][]) {
    if (JSON.stringify(v) !== JSON.stringify(port.get(k) ?? null)) port.set(k, v as never);
  }
}

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

function checkPatchAllowed(patch: readonly PatchOp[]): void {
  for (const p of patch)
    if (!PATCH_ALLOWED_FIELDS.includes(p.path.split('/')[1]))
      throw ironicError(
        'Invalid',
        `Cannot patch ${p.path}. Only the following can be updated: ${PATCH_ALLOWED_FIELDS.join(', ')}`,
      );
}

export const portRoutes: RouteDef[] = [
  ...listRoutes('/v1/ports', 'Ports', (_request, detail) => ({ path: detail ? 'ports/detail' : 'ports', detail })),
  route({
    method: 'GET',
    url: '/v1/ports/:port_uuid',
    operationId: 'showPort',
    policy: 'baremetal:port:get',
    rpc: ['Port.get_by_uuid', ...SHOW_RPC],
    status: 200,
    summary: 'Show a port',
    tags: TAGS,
    schema: {
      params: portUuidParams,
      querystring: { type: 'object', properties: fieldsQuery, additionalProperties: false },
      response: { 200: portSchema, ...ERRORS },
    },
    handler: async (request) => {
      const fields = requestedFields(request, PORT, request.query.fields);
      if (fields) checkPortFields(request, fields);
      return portBody(request, await getPort(request, request.params.port_uuid), fields);
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
        },
        required: ['address', 'node_uuid'],
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
      'Port.get_by_uuid',
      'Portgroup.get_by_id',
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
      // 21.4: patch_validate_allowed_fields first (internal_info, uuid … are not patchable)
      if (antelope) checkPatchAllowed(patch);
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
      const port = await getPort(request, request.params.port_uuid);
      await applyPortPatch(request, port, patch);
      const node = await nodeById(request, port.get('node_id'));
      if (antelope) {
        // from 1.39 a port of an inspecting node can not change (409), as 21.4's patch
        if (node.get('provision_state') === INSPECTING && allowInspectWaitState(request))
          throw new HttpError(
            409,
            `Cannot update port "${String(port.get('uuid'))}" on "${String(node.get('uuid'))}" while it is in state "${INSPECTING}".`,
          );
        if (touchesPath(patch, '/physical_network')) checkPhysicalNetworkNotEmpty(port.get('physical_network'));
      }
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
