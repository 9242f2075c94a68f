/**
 * The port's API representation and request checks (ironic/api/controllers/v1/port.py
 * @10.1.0): fields per microversion, node_uuid/portgroup_uuid for the ids, the MAC address and
 * local_link_connection types, and the collection (all ports, a node's, a portgroup's, or the
 * port with an address).
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, PortFields } from '../../conductor/objects.ts';
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
    },
    refuseBelow: ['pxe_enabled', 'local_link_connection', 'portgroup_uuid', 'physical_network'],
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
  created_at: nullableDateTime,
  updated_at: nullableDateTime,
  links: linksSchema,
});

/** _check_allowed_port_fields: a field newer than the microversion is 406. */
export function checkPortFields(request: FastifyRequest, fields: Iterable<string>): void {
  for (const f of fields) {
    const since = own(PORT.versions.since, f);
    if (since !== undefined && PORT.versions.refuseBelow.includes(f) && !allows(request, since)) throw notAcceptable();
  }
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
    ports = await portByAddress(request, address);
  } else {
    ports = await listObjects(request, 'Port', 'list', [], pageKwargs(page));
  }
  const refs = portRefs(request);
  const items = await Promise.all(ports.map((p) => portBody(request, p, fields, refs)));
  if (fields && q.fields !== undefined) params.fields = fields.join(',');
  return pageBody(request, PORT, page, ports, items, scope.path, params);
}

async function portByAddress(request: FastifyRequest, address: string): Promise<IronicObject<PortFields>[]> {
  try {
    return [(await classAction(request, 'Port', 'get_by_address', [address])) as IronicObject<PortFields>];
  } catch (err) {
    if (err instanceof RemoteError && err.exc_type === 'PortNotFound') return [];
    throw err;
  }
}

/** Port.get_by_uuid for a path parameter. */
export async function getPort(request: FastifyRequest, uuid: string): Promise<IronicObject<PortFields>> {
  return (await classAction(request, 'Port', 'get_by_uuid', [checkUuid(uuid)])) as IronicObject<PortFields>;
}
