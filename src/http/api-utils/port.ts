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
import { checkUuid, checkUuidOrName, isUuidLike } from './ident.ts';
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
  MINOR_39_INSPECT_WAIT,
  MINOR_53_PORT_SMARTNIC,
  servesHibiscus,
  servesRelease,
} from '../versions.ts';
import {
  allowOvnVtepVersion,
  MINOR_88_PORT_NAME,
  MINOR_97_PORT_DESCRIPTION,
  MINOR_100_PORT_VENDOR,
  MINOR_101_PORT_CATEGORY,
  MINOR_111_DYNAMIC_PORTGROUP,
} from '../versions.ts';
import { parseBoolean, parseList } from './ident.ts';
import { pyRepr, pyStr } from '../../conductor/exceptions.ts';
import { getPatchValues, type PatchOp } from './patch.ts';
import { baseUrl } from '../links.ts';
import { collection } from './collection.ts';
import { HttpError } from '../errors.ts';
import { nodeVisible } from '../auth/enforce.ts';

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

/** The fields a port gained after 21.4 (Port 1.12–1.16 and the name of 1.10), and their microversions. */
const HIBISCUS_PORT_FIELDS = {
  name: MINOR_88_PORT_NAME,
  description: MINOR_97_PORT_DESCRIPTION,
  vendor: MINOR_100_PORT_VENDOR,
  category: MINOR_101_PORT_CATEGORY,
  available_for_dynamic_portgroup: MINOR_111_DYNAMIC_PORTGROUP,
} as const;

/** The port as 39.0's ironic-api shows it: 21.4's fields and those of 1.88–1.111, each refused below its version. */
export const PORT_HIBISCUS: ResourceSpec = {
  ...PORT,
  fields: [...PORT.fields, ...Object.keys(HIBISCUS_PORT_FIELDS)],
  versions: {
    since: { ...PORT.versions.since, ...HIBISCUS_PORT_FIELDS },
    refuseBelow: [...PORT.versions.refuseBelow, ...Object.keys(HIBISCUS_PORT_FIELDS)],
  },
};

export { servesHibiscus };

/** The port resource the request is answered with. */
export function portSpec(request: FastifyRequest): ResourceSpec {
  return servesHibiscus(request) ? PORT_HIBISCUS : PORT;
}

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
  name: { ...nullableString, description: '1.88+' },
  description: { ...nullableString, description: '1.97+' },
  vendor: { ...nullableString, description: '1.100+' },
  category: { ...nullableString, description: '1.101+' },
  available_for_dynamic_portgroup: { type: 'boolean', description: '1.111+' },
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
  const spec = portSpec(request);
  for (const f of fields) {
    const since = own(spec.versions.since, f);
    if (since !== undefined && spec.versions.refuseBelow.includes(f) && !allows(request, since)) throw notAcceptable();
    if (f === 'local_link_connection/network_type' && !allowLocalLinkConnectionNetworkType(request))
      throw notAcceptable();
  }
  if (llc && typeof llc === 'object' && 'network_type' in llc && !allowLocalLinkConnectionNetworkType(request))
    throw notAcceptable();
  // 39.0: an OVN VTEP link only from 1.90 to 1.104 (the check names vtep-logical-switch alone)
  if (llc && typeof llc === 'object' && 'vtep-logical-switch' in llc && !allowOvnVtepVersion(request))
    throw notAcceptable();
}

/** 39.0's hide_fields_in_newer_versions beyond the field versions: a VTEP link outside 1.90–1.104 shows as {}. */
function hideVtepLink(request: FastifyRequest, out: Record<string, unknown>): void {
  const llc = out.local_link_connection;
  if (allowOvnVtepVersion(request) || !llc || typeof llc !== 'object') return;
  if (OVN_VTEP_KEYS.some((k) => k in llc)) out.local_link_connection = {};
}

/**
 * True when the gateway answers with 21.4's port code: unless it is pinned to Queens (10.1,
 * REST 1.38), whose code it keeps for that pin (its tests), it serves 21.4's ironic-api.
 */
export function servesAntelope(request: FastifyRequest): boolean {
  return servesRelease(request, MINOR_39_INSPECT_WAIT);
}

const LLC_KEYS = ['port_id', 'switch_id', 'hostname', 'switch_info', 'network_type'];
/** utils.LOCAL_LINK_OVN_90_FIELDS (39.0) */
const OVN_VTEP_KEYS = ['vtep-logical-switch', 'vtep-physical-switch'];

/**
 * api_utils.LOCAL_LINK_VALIDATOR at 21.4: LOCAL_LINK_CONN_SCHEMA (anyOf: port_id and switch_id;
 * port_id and hostname, a smart NIC; network_type "unmanaged" alone; empty), then switch_id
 * normalized as a MAC or a datapath id. The "possible root cause" jsonschema would pick is
 * approximated (its best_match heuristics are not reproduced).
 */
export function checkLocalLinkConnectionAntelope(
  value: unknown,
  /** 39.0's LOCAL_LINK_CONN_SCHEMA: the OVN VTEP keys too (both or neither), and the port_id + VTEP variant */
  vtep = false,
): Record<string, unknown> | null {
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
  const unknown = keys.filter((k) => !LLC_KEYS.includes(k) && !(vtep && OVN_VTEP_KEYS.includes(k)));
  if (unknown.length)
    throw schemaError(`Additional properties are not allowed (${unknown.map(pyRepr).join(', ')} was unexpected)`);
  for (const k of keys) if (typeof llc[k] !== 'string') throw schemaError(`${pyRepr(llc[k])} is not of type 'string'`);
  const nt = llc.network_type;
  if (nt !== undefined && nt !== 'managed' && nt !== 'unmanaged')
    throw schemaError(`${pyRepr(nt)} is not one of ['managed', 'unmanaged']`);
  const has = (k: string) => keys.includes(k);
  if (vtep && has(OVN_VTEP_KEYS[0]) !== has(OVN_VTEP_KEYS[1])) {
    const [present, missing] = has(OVN_VTEP_KEYS[0]) ? OVN_VTEP_KEYS : [...OVN_VTEP_KEYS].reverse();
    throw schemaError(`${pyRepr(missing)} is a dependency of ${pyRepr(present)}`);
  }
  const ok =
    (has('port_id') && has('switch_id')) ||
    (has('port_id') && has('hostname')) ||
    nt === 'unmanaged' ||
    (vtep && has('port_id') && has(OVN_VTEP_KEYS[0]));
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
  // A Port from 1.11 (Ironic 21.4) carries its node's uuid, as ironic-api 21.4 shows it: no
  // Node read per port then; an older Port's node is looked up by id, as Queens' API did.
  const carried = port.get('node_uuid');
  const [nodeUuid, portgroupUuid] = await Promise.all([
    typeof carried === 'string' ? carried : refs.nodes.get(port.get('node_id')),
    refs.portgroups.get(port.get('portgroup_id')),
  ]);
  const hibiscus = servesHibiscus(request);
  const out = convert(request, portSpec(request), port, { node_uuid: nodeUuid, portgroup_uuid: portgroupUuid }, fields);
  if (hibiscus) hideVtepLink(request, out);
  return out;
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
  /** 39.0, any version: ports whose description contains it (SQL LIKE) */
  description_contains?: string;
  /** 39.0, any version (1.99): comma-separated conductor groups of the ports' nodes */
  conductor_groups?: string;
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
  const hibiscus = servesHibiscus(request);
  // 39.0's filters: refused below it as the route's schema refused them before
  if (!hibiscus && (q.description_contains !== undefined || q.conductor_groups !== undefined))
    throw new HttpError(400, 'Invalid input: querystring must NOT have additional properties');
  if (servesAntelope(request)) return listPortsAntelope(request, q, scope, hibiscus);
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
  /** 39.0's: its fields, ?description_contains= and ?conductor_groups= (both at any version) */
  hibiscus: boolean,
): Promise<Record<string, unknown>> {
  const sortKey = q.sort_key ?? 'id';
  let fields: readonly string[] | undefined;
  let detail: boolean | undefined;
  if (!scope.detail) {
    fields = requestedFields(request, portSpec(request), q.fields);
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
  // 39.0 (ungated): the filters go to every list but the address lookup; conductor groups only to
  // Port.list, and not with a node, portgroup or address. Sent only when given, so that an older
  // conductor's list methods (no such keyword) keep working.
  // (built once the node or portgroup is read: the list policy is checked after a parent the
  // caller may not see has answered 404, as ironic-api does)
  const listKwargs = (): Record<string, unknown> => {
    const kw = pageKwargs(page);
    if (hibiscus && q.description_contains) kw.filters = { description_contains: q.description_contains };
    return kw;
  };
  let conductorGroups: string[] | undefined;
  if (hibiscus) {
    conductorGroups = q.conductor_groups === undefined ? undefined : parseList(q.conductor_groups);
    if (conductorGroups?.length && (nodeIdent || portgroupIdent || address))
      throw ironicError(
        'Invalid',
        'Filtering by conductor_groups cannot be combined with node_ident, portgroup_ident, or node address filters.',
      );
  }

  let ports: IronicObject<PortFields>[];
  if (portgroupIdent) {
    const portgroup = await getRpcPortgroup(request, portgroupIdent);
    ports = await listObjects(request, 'Port', 'list_by_portgroup_id', [portgroup.get('id')], listKwargs());
  } else if (nodeIdent) {
    const node = await getRpcNode(request, nodeIdent);
    ports = await listObjects(request, 'Port', 'list_by_node_id', [node.get('id')], listKwargs());
  } else if (address) {
    ports = await portByAddress(request, address, pageProject(page));
  } else if (shards?.length) {
    // Port.list_by_node_shards ignores its `project` on 21.4 (honours it on 39.0, reference Q8),
    // which would show a project the ports of nodes it neither owns nor leases: fixed, not
    // copied, by keeping the ports of the project's nodes (the page may then be short)
    ports = await listObjects(request, 'Port', 'list_by_node_shards', [shards], listKwargs());
    const project = pageProject(page);
    if (project !== undefined) ports = await portsOfProject(request, ports, project);
  } else {
    const kwargs = listKwargs();
    if (conductorGroups?.length) kwargs.conductor_groups = conductorGroups;
    ports = await listObjects(request, 'Port', 'list', [], kwargs);
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

/**
 * The port a GET or PATCH path names: 39.0 (check_port_policy_and_retrieve, any microversion)
 * takes a UUID or a name (InvalidUuidOrName otherwise); 21.4 a UUID. 39.0's Port.get also tries
 * an integer as a database id first (reference R14): not copied, so a port named `1` is found by
 * its name and no database id is exposed.
 */
export async function getPortByIdent(request: FastifyRequest, ident: string): Promise<IronicObject<PortFields>> {
  if (!servesHibiscus(request)) return getPort(request, ident);
  checkUuidOrName(ident, request);
  const method = isUuidLike(ident) ? 'get_by_uuid' : 'get_by_name';
  try {
    return (await classAction(request, 'Port', method, [ident])) as IronicObject<PortFields>;
  } catch (err) {
    if (err instanceof RemoteError && err.exc_type === 'PortNotFound')
      throw ironicError('PortNotFound', `Port ${ident} could not be found.`);
    throw err;
  }
}

/** Port.get_by_uuid for a path parameter. */
export async function getPort(request: FastifyRequest, uuid: string): Promise<IronicObject<PortFields>> {
  return (await classAction(request, 'Port', 'get_by_uuid', [checkUuid(uuid)])) as IronicObject<PortFields>;
}

/**
 * The node a 39.0 PATCH moves a port or portgroup to (authorize_node_link_patch): the value of
 * `/node_uuid`, a uuid or a name, must be a node the caller sees with the current node's owner —
 * else 400 `Unable to apply the requested node_uuid …`, the same text whether or not it exists.
 */
export async function authorizeNodeLinkPatch(
  request: FastifyRequest,
  current: IronicObject<NodeFields>,
  patch: readonly PatchOp[],
): Promise<IronicObject<NodeFields>> {
  const values = getPatchValues(patch, '/node_uuid');
  if (values.length === 0) return current;
  const invalid = () =>
    ironicError(
      'Invalid',
      `Unable to apply the requested node_uuid '${pyStr(values[0])}'. Requested value was invalid.`,
    );
  let node: IronicObject<NodeFields>;
  try {
    node = await getRpcNode(request, String(values[0]));
  } catch (err) {
    if (err instanceof RemoteError && err.exc_type !== 'NoSuchMethod') throw invalid();
    throw err;
  }
  // check_node_policy_and_retrieve('baremetal:node:get', …): a node the caller cannot see
  if (!nodeVisible(request, { owner: node.get('owner'), lessee: node.get('lessee') })) throw invalid();
  if ((node.get('owner') ?? null) !== (current.get('owner') ?? null)) throw invalid();
  return node;
}
