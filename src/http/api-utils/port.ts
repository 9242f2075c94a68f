/**
 * The port's API representation and request checks (ironic/api/controllers/v1/port.py
 * @10.1.0): fields per microversion, node_uuid/portgroup_uuid for the ids, the MAC address and
 * local_link_connection types, and the collection (all ports, a node's, a portgroup's, or the
 * port with an address).
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, NodeFields, PortFields } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { checkUuid, isUuidLike } from './ident.ts';
import { classAction, getRpcNode, listObjects } from './lookup.ts';
import { dict, linksSchema, nullableDateTime, nullableDict, nullableString } from './representation.ts';
import { getRpcPortgroup } from './object-actions.ts';
import { own } from '../../own.ts';
import {
  convert,
  normalizeMac,
  pageBody,
  pageKwargs,
  pageOf,
  requestedFields,
  resourceSchema,
  UuidsById,
  type PageQuery,
  type ResourceSpec,
  pageProject,
} from './resource.ts';
import {
  allowNodeLogicalNames,
  allowPortgroupsSubcontrollers,
  allows,
  MINOR_18_PORT_INTERNAL_INFO,
  MINOR_19_PORT_ADVANCED_NET_FIELDS,
  MINOR_24_PORTGROUPS_SUBCONTROLLERS,
  MINOR_34_PORT_PHYSICAL_NETWORK,
  notAcceptable,
} from '../versions.ts';
import {
  allowDetailQuery,
  allowLocalLinkConnectionNetworkType,
  checkAllowFilterByShard,
  MINOR_38_RESCUE_INTERFACE,
  MINOR_53_PORT_SMARTNIC,
} from '../versions.ts';
import { parseBoolean, parseList } from './ident.ts';
import { pyRepr } from '../../conductor/exceptions.ts';
import { baseUrl } from '../links.ts';
import { collection } from './collection.ts';

export const PORT: ResourceSpec = {
  path: 'ports',
  key: 'ports',
  fields: [
    'uuid',
    'address',
    'extra',
    'internal_info',
    'node_uuid',
    'portgroup_uuid',
    'pxe_enabled',
    'local_link_connection',
    'physical_network',
    'is_smartnic',
    'created_at',
    'updated_at',
  ],
  defaultFields: ['uuid', 'address'],
  versions: {
    since: {
      internal_info: MINOR_18_PORT_INTERNAL_INFO,
      pxe_enabled: MINOR_19_PORT_ADVANCED_NET_FIELDS,
      local_link_connection: MINOR_19_PORT_ADVANCED_NET_FIELDS,
      portgroup_uuid: MINOR_24_PORTGROUPS_SUBCONTROLLERS,
      physical_network: MINOR_34_PORT_PHYSICAL_NETWORK,
      is_smartnic: MINOR_53_PORT_SMARTNIC,
    },
    refuseBelow: ['pxe_enabled', 'local_link_connection', 'portgroup_uuid', 'physical_network', 'is_smartnic'],
  },
  invalidSortKeys: ['extra', 'internal_info', 'local_link_connection'],
};

export const portSchema = resourceSchema({
  uuid: { type: 'string' },
  address: { type: 'string' },
  extra: dict,
  internal_info: { ...dict, description: '1.18+' },
  node_uuid: { type: 'string' },
  portgroup_uuid: { ...nullableString, description: '1.24+' },
  pxe_enabled: { type: 'boolean', description: '1.19+' },
  local_link_connection: { ...nullableDict, description: '1.19+' },
  physical_network: { ...nullableString, description: '1.34+' },
  is_smartnic: { type: 'boolean', description: '1.53+' },
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  links: linksSchema,
});

/**
 * _check_allowed_port_fields: a field newer than the microversion is 406; so is
 * `local_link_connection/network_type` (a patch path) or a body's local_link_connection
 * holding `network_type` below 1.64.
 */
export function checkPortFields(
  request: FastifyRequest,
  fields: Iterable<string>,
  llc?: Record<string, unknown> | null,
): void {
  for (const f of fields) {
    const since = own(PORT.versions.since, f);
    if (since !== undefined && PORT.versions.refuseBelow.includes(f) && !allows(request, since)) throw notAcceptable();
    if (f === 'local_link_connection/network_type' && !allowLocalLinkConnectionNetworkType(request))
      throw notAcceptable();
  }
  if (llc && typeof llc === 'object' && 'network_type' in llc && !allowLocalLinkConnectionNetworkType(request))
    throw notAcceptable();
}

/**
 * True when the gateway answers with 21.4's port code: unless it is pinned to Queens (10.1,
 * REST 1.38), whose code it keeps for that pin (its tests), it serves 21.4's ironic-api.
 */
export function servesAntelope(request: FastifyRequest): boolean {
  return request.server.apiMaxMinor > MINOR_38_RESCUE_INTERFACE;
}

const LLC_KEYS = ['port_id', 'switch_id', 'hostname', 'switch_info', 'network_type'];

/**
 * api_utils.LOCAL_LINK_VALIDATOR at 21.4: LOCAL_LINK_CONN_SCHEMA (anyOf: port_id and switch_id;
 * port_id and hostname, a smart NIC; network_type "unmanaged" alone; empty), then switch_id
 * normalized as a MAC or a datapath id. The "possible root cause" jsonschema would pick is
 * approximated (its best_match heuristics are not reproduced).
 */
export function checkLocalLinkConnectionAntelope(value: unknown): Record<string, unknown> | null {
  if (value === null || value === undefined) return null;
  const schemaError = (cause: string) =>
    ironicError(
      'InvalidParameterValue',
      `Schema error for local_link_connection: ${pyRepr(value)} is not valid under any of the given schemas. Possible root cause: ${cause}`,
    );
  if (typeof value !== 'object' || Array.isArray(value)) throw schemaError(`${pyRepr(value)} is not of type 'object'`);
  const llc = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(llc);
  if (keys.length === 0) return llc;
  const unknown = keys.filter((k) => !LLC_KEYS.includes(k));
  if (unknown.length)
    throw schemaError(`Additional properties are not allowed (${unknown.map(pyRepr).join(', ')} was unexpected)`);
  for (const k of keys) if (typeof llc[k] !== 'string') throw schemaError(`${pyRepr(llc[k])} is not of type 'string'`);
  const nt = llc.network_type;
  if (nt !== undefined && nt !== 'managed' && nt !== 'unmanaged')
    throw schemaError(`${pyRepr(nt)} is not one of ['managed', 'unmanaged']`);
  const has = (k: string) => keys.includes(k);
  const ok = (has('port_id') && has('switch_id')) || (has('port_id') && has('hostname')) || nt === 'unmanaged';
  if (!ok) {
    if (nt === 'managed' && keys.length === 1)
      throw ironicError(
        'InvalidParameterValue',
        "Schema error for local_link_connection: 'managed' is not one of ['unmanaged']",
      );
    throw schemaError(`${pyRepr(has('port_id') ? 'switch_id' : 'port_id')} is a required property`);
  }
  if (has('switch_id')) {
    const sw = String(llc.switch_id).toLowerCase();
    if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(sw) || /^[0-9a-f]{16}$/.test(sw)) llc.switch_id = sw;
    else
      throw ironicError(
        'InvalidSwitchID',
        `Expected a MAC address or OpenFlow datapath ID but received ${String(llc.switch_id)}.`,
        { switch_id: llc.switch_id },
      );
  }
  return llc;
}

/** POST with is_smartnic: LOCAL_LINK_SMART_NIC_SCHEMA (port_id and hostname), else 400. */
export function checkSmartNicLink(llc: unknown): void {
  const v = llc && typeof llc === 'object' && !Array.isArray(llc) ? (llc as Record<string, unknown>) : null;
  const valid =
    v !== null &&
    typeof v.port_id === 'string' &&
    typeof v.hostname === 'string' &&
    Object.keys(v).every((k) => LLC_KEYS.includes(k) && typeof v[k] === 'string');
  if (!valid) throw ironicError('Invalid', 'Smart NIC port must have port_id and hostname in local_link_connection');
}

/** args.boolean for a port field: `Invalid <name>: Unrecognized value …`. */
export function portBoolean(name: string, value: unknown): boolean {
  try {
    return parseBoolean(value);
  } catch (err) {
    throw ironicError('InvalidParameterValue', `Invalid ${name}: ${(err as Error).message}`);
  }
}

/** 21.4: an empty physical network is refused on POST and PATCH. */
export function checkPhysicalNetworkNotEmpty(value: unknown): void {
  if (value !== null && value !== undefined && value === '')
    throw ironicError('Invalid', 'A non-empty value is required when setting physical_network');
}

/** Per-request resolution of a list's node and portgroup uuids. */
export interface PortRefs {
  nodes: UuidsById;
  portgroups: UuidsById;
}

export function portRefs(request: FastifyRequest): PortRefs {
  return { nodes: new UuidsById(request, 'Node'), portgroups: new UuidsById(request, 'Portgroup') };
}

/** Port.convert_with_links at the request's microversion. */
export async function portBody(
  request: FastifyRequest,
  port: IronicObject<PortFields>,
  fields?: readonly string[],
  refs = portRefs(request),
): Promise<Record<string, unknown>> {
  const [nodeUuid, portgroupUuid] = await Promise.all([
    refs.nodes.get(port.get('node_id')),
    refs.portgroups.get(port.get('portgroup_id')),
  ]);
  return convert(request, PORT, port, { node_uuid: nodeUuid, portgroup_uuid: portgroupUuid }, fields);
}

/** types.locallinkconnectiontype: switch_id and port_id required (switch_info optional); switch_id a MAC or datapath id. */
export function checkLocalLinkConnection(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw ironicError(
      'Invalid',
      `Invalid input for field/attribute local_link_connection. Value: '${JSON.stringify(value)}'. Wrong type.`,
    );
  }
  const llc = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(llc);
  if (keys.length === 0) return llc;
  for (const [k, v] of Object.entries(llc)) {
    if (typeof v !== 'string')
      throw ironicError(
        'Invalid',
        `Invalid input for field/attribute local_link_connection. Value of ${k} must be a string.`,
      );
  }
  const invalid = keys.filter((k) => !['switch_id', 'port_id', 'switch_info'].includes(k));
  if (invalid.length > 0) throw ironicError('Invalid', `{${invalid.map((k) => `'${k}'`).join(', ')}} are invalid keys`);
  const missing = ['switch_id', 'port_id'].filter((k) => !keys.includes(k));
  if (missing.length > 0)
    throw ironicError('Invalid', `Missing mandatory keys: {${missing.map((k) => `'${k}'`).join(', ')}}`);
  const sw = String(llc.switch_id).toLowerCase();
  if (/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(sw)) llc.switch_id = sw;
  else if (/^[0-9a-f]{16}$/.test(sw)) llc.switch_id = sw;
  else
    throw ironicError(
      'InvalidSwitchID',
      `Expected a MAC address or OpenFlow datapath ID but received ${String(llc.switch_id)}.`,
      { switch_id: llc.switch_id },
    );
  return llc;
}

/** physical_network: a string of at most 64 characters, or null. */
export function checkPhysicalNetwork(value: unknown): string | null {
  if (value === null) return null;
  if (typeof value !== 'string' || value.length > 64) {
    throw ironicError(
      'Invalid',
      `Invalid input for field/attribute physical_network. Value: '${String(value)}'. Value should have a maximum character requirement of 64`,
    );
  }
  return value;
}

export interface PortListQuery extends PageQuery {
  node?: string;
  node_uuid?: string;
  address?: string;
  portgroup?: string;
  fields?: string;
  /** 1.43 */
  detail?: string;
  /** 1.82: comma-separated shards */
  shard?: string;
}

/** Where a port list comes from: the path it was asked on, and the parent resource in it. */
export interface PortListScope {
  /** `ports`, `ports/detail`, `nodes/<ident>/ports` … (the next link's path) */
  path: string;
  parentNode?: string;
  parentPortgroup?: string;
  /** true for /detail (every field) */
  detail: boolean;
}

/** PortsController.get_all / detail: the version checks, then _get_ports_collection. */
export async function listPorts(
  request: FastifyRequest,
  q: PortListQuery,
  scope: PortListScope,
): Promise<Record<string, unknown>> {
  if (servesAntelope(request)) return listPortsAntelope(request, q, scope);
  let fields: readonly string[] | undefined;
  if (!scope.detail) {
    fields = requestedFields(request, PORT, q.fields);
    if (fields) checkPortFields(request, fields);
  }
  checkPortFields(request, [q.sort_key ?? 'id']);
  if (q.portgroup !== undefined && !allowPortgroupsSubcontrollers(request)) throw notAcceptable();
  if (q.node_uuid !== undefined) checkUuid(q.node_uuid);
  if (!q.node_uuid && q.node && !allowNodeLogicalNames(request) && !isUuidLike(q.node)) throw notAcceptable();
  const address = q.address === undefined ? undefined : normalizeMac(q.address);
  if (!scope.detail) fields ??= PORT.defaultFields;

  const page = await pageOf(request, PORT, 'Port', q);
  const nodeIdent = scope.parentNode ?? (q.node_uuid || q.node);
  const portgroupIdent = scope.parentPortgroup ?? q.portgroup;
  if (nodeIdent && portgroupIdent) throw ironicError('OperationNotPermitted', 'Operation not permitted.');

  let ports: IronicObject<PortFields>[];
  const params: Record<string, string> = {};
  if (portgroupIdent) {
    const portgroup = await getRpcPortgroup(request, portgroupIdent);
    ports = await listObjects(request, 'Port', 'list_by_portgroup_id', [portgroup.get('id')], pageKwargs(page));
    if (!scope.parentPortgroup) params.portgroup = portgroupIdent;
  } else if (nodeIdent) {
    const node = await getRpcNode(request, nodeIdent);
    ports = await listObjects(request, 'Port', 'list_by_node_id', [node.get('id')], pageKwargs(page));
    if (!scope.parentNode) params.node = nodeIdent;
  } else if (address) {
    ports = await portByAddress(request, address, pageProject(page));
  } else {
    ports = await listObjects(request, 'Port', 'list', [], pageKwargs(page));
  }
  const refs = portRefs(request);
  const items = await Promise.all(ports.map((p) => portBody(request, p, fields, refs)));
  if (fields && q.fields !== undefined) params.fields = fields.join(',');
  return pageBody(request, PORT, page, ports, items, scope.path, params);
}

/**
 * 21.4's PortsController.get_all / detail and _get_ports_collection: `?detail` (1.43) and
 * `?shard` (1.82, exclusive with node and portgroup: 403), the checks in its order, and its
 * next link: `ports` or `ports/detail` whatever the parent (reference §7 Q10, copied: clients
 * follow it as ironic-api writes it), with sort_key, sort_dir, detail and the returned fields
 * but none of the filters.
 */
async function listPortsAntelope(
  request: FastifyRequest,
  q: PortListQuery,
  scope: PortListScope,
): Promise<Record<string, unknown>> {
  const sortKey = q.sort_key ?? 'id';
  let fields: readonly string[] | undefined;
  let detail: boolean | undefined;
  if (!scope.detail) {
    fields = requestedFields(request, PORT, q.fields);
    if (fields) checkPortFields(request, fields);
  }
  checkPortFields(request, [sortKey]);
  if (q.portgroup !== undefined && !allowPortgroupsSubcontrollers(request)) throw notAcceptable();
  checkAllowFilterByShard(request, q.shard);
  const shards = q.shard === undefined ? undefined : parseList(q.shard);
  if (!scope.detail) {
    detail = q.detail === undefined ? undefined : portBoolean('detail', q.detail);
    if (detail !== undefined && !allowDetailQuery(request))
      throw ironicError(
        'InvalidParameterValue',
        `Invalid query parameter ?detail=${detail ? 'True' : 'False'} received.`,
      );
    if (fields !== undefined && detail)
      throw ironicError('InvalidParameterValue', 'Can not specify ?detail=True and fields in the same request.');
    if (fields === undefined && !detail) fields = PORT.defaultFields;
  }
  if (q.node_uuid !== undefined) checkUuid(q.node_uuid);
  if (!q.node_uuid && q.node && !allowNodeLogicalNames(request) && !isUuidLike(q.node)) throw notAcceptable();
  const address = q.address === undefined ? undefined : normalizeMac(q.address);

  const page = await pageOf(request, PORT, 'Port', q);
  const nodeIdent = scope.parentNode ?? (q.node_uuid || q.node);
  const portgroupIdent = scope.parentPortgroup ?? q.portgroup;
  if ([nodeIdent, portgroupIdent, shards?.length ? shards : undefined].filter(Boolean).length > 1)
    throw ironicError('OperationNotPermitted', 'Operation not permitted.');

  let ports: IronicObject<PortFields>[];
  if (portgroupIdent) {
    const portgroup = await getRpcPortgroup(request, portgroupIdent);
    ports = await listObjects(request, 'Port', 'list_by_portgroup_id', [portgroup.get('id')], pageKwargs(page));
  } else if (nodeIdent) {
    const node = await getRpcNode(request, nodeIdent);
    ports = await listObjects(request, 'Port', 'list_by_node_id', [node.get('id')], pageKwargs(page));
  } else if (address) {
    ports = await portByAddress(request, address, pageProject(page));
  } else if (shards?.length) {
    // Port.list_by_node_shards ignores its `project` (21.4), which would show a project the
    // ports of nodes it neither owns nor leases: fixed, not copied, by keeping the ports of
    // the project's nodes (the page may then be short)
    ports = await listObjects(request, 'Port', 'list_by_node_shards', [shards], pageKwargs(page));
    const project = pageProject(page);
    if (project !== undefined) ports = await portsOfProject(request, ports, project);
  } else {
    ports = await listObjects(request, 'Port', 'list', [], pageKwargs(page));
  }
  const refs = portRefs(request);
  const items = await Promise.all(ports.map((p) => portBody(request, p, fields, refs)));
  let next: string | undefined;
  if (ports.length > 0 && ports.length === page.limit) {
    let args = `sort_key=${page.sort_key}&sort_dir=${page.sort_dir}&`;
    if (detail !== undefined) args += `detail=${detail ? 'True' : 'False'}&`;
    if (fields?.length) args += `fields=${fields.join(',')}&`;
    const path = scope.detail ? 'ports/detail' : 'ports';
    next = `${baseUrl(request)}/v1/${path}?${args}limit=${page.limit}&marker=${String(ports[ports.length - 1].get('uuid'))}`;
  }
  return collection(PORT.key, items, next);
}

/** The ports whose node the project owns or leases (each node read once). */
async function portsOfProject(
  request: FastifyRequest,
  ports: IronicObject<PortFields>[],
  project: string,
): Promise<IronicObject<PortFields>[]> {
  const mine = new Map<unknown, boolean>();
  for (const p of ports) {
    const id = p.get('node_id');
    if (mine.has(id)) continue;
    try {
      const node = (await classAction(request, 'Node', 'get_by_id', [id])) as IronicObject<NodeFields>;
      mine.set(id, node.get('owner') === project || node.get('lessee') === project);
    } catch {
      mine.set(id, false);
    }
  }
  return ports.filter((p) => mine.get(p.get('node_id')) === true);
}

async function portByAddress(
  request: FastifyRequest,
  address: string,
  project: string | undefined,
): Promise<IronicObject<PortFields>[]> {
  try {
    const kwargs = project === undefined ? {} : { project };
    return [(await classAction(request, 'Port', 'get_by_address', [address], kwargs)) as IronicObject<PortFields>];
  } catch (err) {
    if (err instanceof RemoteError && err.exc_type === 'PortNotFound') return [];
    throw err;
  }
}

/** Port.get_by_uuid for a path parameter. */
export async function getPort(request: FastifyRequest, uuid: string): Promise<IronicObject<PortFields>> {
  return (await classAction(request, 'Port', 'get_by_uuid', [checkUuid(uuid)])) as IronicObject<PortFields>;
}
