/**
 * The node's API representation (ironic-api's Node.convert_with_links): the public fields of a
 * Node object, chassis_uuid for chassis_id, secrets masked unless policy allows, provision
 * state names of old microversions, the fields of newer microversions hidden, and links.
 */
import type { FastifyRequest } from 'fastify';
import { type IronicObject, traitNames, type NodeFields } from '../../conductor/objects.ts';
import { allowed } from '../auth/index.ts';
import {
  checkAllowSpecifyFields,
  checkAllowedFields,
  checkForInvalidFields,
  hideFields,
  selectFields,
  type FieldVersions,
} from './fields.ts';
import {
  apiDateTime,
  linksOf,
  linksSchema,
  maskSecrets,
  nullableDateTime,
  nullableDict,
  nullableString,
  SECRET_MASK,
} from './representation.ts';
import {
  allowAvailableState,
  allowLinksNodeStatesAndDriverProperties,
  allowPortgroupsSubcontrollers,
  allowRaidConfig,
  allowVolume,
  MINOR_12_RAID_CONFIG,
  MINOR_20_NETWORK_INTERFACE,
  MINOR_21_RESOURCE_CLASS,
  MINOR_31_DYNAMIC_INTERFACES,
  MINOR_33_STORAGE_INTERFACE,
  MINOR_37_NODE_TRAITS,
  MINOR_38_RESCUE_INTERFACE,
  MINOR_3_DRIVER_INTERNAL_INFO,
  MINOR_5_NODE_NAME,
  MINOR_6_INSPECT_STATE,
  MINOR_7_NODE_CLEAN,
} from '../versions.ts';
import { UuidsById } from './resource.ts';
// issue 14, provisioning: inspect wait below 1.39, boot mode in GET …/states (1.75)
import { AVAILABLE, INSPECTING, INSPECTWAIT } from '../../conductor/states.ts';
import { allowInspectWaitState, allows, MINOR_75_NODE_BOOT_MODE } from '../versions.ts';

/** The dynamic interface fields of 1.31 (api_utils.V31_FIELDS). */
export const V31_FIELDS = [
  'boot_interface',
  'console_interface',
  'deploy_interface',
  'inspect_interface',
  'management_interface',
  'power_interface',
  'raid_interface',
  'vendor_interface',
] as const;

export const INTERFACE_FIELDS = [...V31_FIELDS, 'network_interface', 'rescue_interface', 'storage_interface'] as const;

/** The node fields of the API (1.38) that `fields=` may name. */
export const NODE_FIELDS = [
  'uuid',
  'instance_uuid',
  'name',
  'power_state',
  'target_power_state',
  'last_error',
  'provision_state',
  'reservation',
  'provision_updated_at',
  'inspection_finished_at',
  'inspection_started_at',
  'maintenance',
  'maintenance_reason',
  'target_provision_state',
  'console_enabled',
  'instance_info',
  'driver',
  'driver_info',
  'driver_internal_info',
  'clean_step',
  'raid_config',
  'target_raid_config',
  'extra',
  'resource_class',
  'properties',
  'chassis_uuid',
  ...INTERFACE_FIELDS,
  'traits',
  'created_at',
  'updated_at',
] as const;

/** Fields of the list without `fields=` (_DEFAULT_RETURN_FIELDS). */
export const DEFAULT_LIST_FIELDS = [
  'instance_uuid',
  'maintenance',
  'power_state',
  'provision_state',
  'uuid',
  'name',
] as const;

/** hide_fields_in_newer_versions and check_allowed_fields of node.py. */
export const NODE_FIELD_VERSIONS: FieldVersions = {
  since: {
    driver_internal_info: MINOR_3_DRIVER_INTERNAL_INFO,
    name: MINOR_5_NODE_NAME,
    inspection_finished_at: MINOR_6_INSPECT_STATE,
    inspection_started_at: MINOR_6_INSPECT_STATE,
    clean_step: MINOR_7_NODE_CLEAN,
    raid_config: MINOR_12_RAID_CONFIG,
    target_raid_config: MINOR_12_RAID_CONFIG,
    network_interface: MINOR_20_NETWORK_INTERFACE,
    resource_class: MINOR_21_RESOURCE_CLASS,
    ...Object.fromEntries(V31_FIELDS.map((f) => [f, MINOR_31_DYNAMIC_INTERFACES])),
    storage_interface: MINOR_33_STORAGE_INTERFACE,
    traits: MINOR_37_NODE_TRAITS,
    rescue_interface: MINOR_38_RESCUE_INTERFACE,
  },
  refuseBelow: [
    'network_interface',
    'resource_class',
    ...V31_FIELDS,
    'storage_interface',
    'traits',
    'rescue_interface',
  ],
};

const DATETIME_FIELDS = [
  'provision_updated_at',
  'inspection_finished_at',
  'inspection_started_at',
  'created_at',
  'updated_at',
];

/** Checks a `fields=` selection of nodes at this microversion (406 / 400 as ironic-api). */
export function checkNodeFields(request: FastifyRequest, fields: readonly string[] | undefined): void {
  checkAllowSpecifyFields(fields, request);
  checkAllowedFields(fields, NODE_FIELD_VERSIONS, request);
}

/** The node's public fields at 1.38, before version hiding. */
async function publicFields(node: IronicObject<NodeFields>, chassis: UuidsById): Promise<Record<string, unknown>> {
  const data = node.toPlain() as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of NODE_FIELDS) out[f] = data[f] ?? null;
  for (const f of DATETIME_FIELDS) out[f] = apiDateTime(data[f]);
  out.chassis_uuid = await chassis.get(node.get('chassis_id'));
  out.traits = traitNames(node.get('traits'));
  out.maintenance = data.maintenance ?? false;
  out.console_enabled = data.console_enabled ?? false;
  for (const f of [
    'driver_info',
    'driver_internal_info',
    'instance_info',
    'properties',
    'extra',
    'clean_step',
    'raid_config',
    'target_raid_config',
  ]) {
    if (out[f] === null) out[f] = {};
  }
  return out;
}

function maskNode(request: FastifyRequest, out: Record<string, unknown>): void {
  if (!allowed(request, 'show_password')) out.driver_info = maskSecrets(out.driver_info as Record<string, unknown>);
  if (!allowed(request, 'show_instance_secrets')) {
    const info = maskSecrets(out.instance_info as Record<string, unknown>);
    if (info.image_url) info.image_url = SECRET_MASK;
    // 21.4: a configdrive may be a JSON object (1.56); masked whole, whatever its type
    if (info.configdrive) info.configdrive = SECRET_MASK;
    out.instance_info = info;
  }
}

/** The sub-resource links of a full node: ports, states (1.14), portgroups (1.24), volume (1.32). */
function subLinks(request: FastifyRequest, uuid: string, out: Record<string, unknown>): void {
  out.ports = linksOf(request, 'nodes', uuid, '/ports');
  if (allowLinksNodeStatesAndDriverProperties(request)) out.states = linksOf(request, 'nodes', uuid, '/states');
  if (allowPortgroupsSubcontrollers(request)) out.portgroups = linksOf(request, 'nodes', uuid, '/portgroups');
  if (allowVolume(request)) out.volume = linksOf(request, 'nodes', uuid, '/volume');
}

/**
 * A node as the API shows it at the request's microversion; `fields` keeps only those (plus
 * links), as a list or `?fields=` asks. `chassis` shares chassis lookups across a list.
 */
export async function convertNode(
  request: FastifyRequest,
  node: IronicObject<NodeFields>,
  fields?: readonly string[],
  chassis = new UuidsById(request, 'Chassis'),
): Promise<Record<string, unknown>> {
  let out = await publicFields(node, chassis);
  if (fields !== undefined) checkForInvalidFields(fields, NODE_FIELDS);
  maskNode(request, out);
  updateStateInOlderVersions(request, out);
  hideFields(out, NODE_FIELD_VERSIONS, request);
  const uuid = String(node.get('uuid'));
  if (fields !== undefined) out = selectFields(out, fields);
  else subLinks(request, uuid, out);
  out.links = linksOf(request, 'nodes', uuid);
  return out;
}

/**
 * update_state_in_older_versions: `available` is shown as null below 1.2, and `inspect wait`
 * as `inspecting` below 1.39 (node bodies and GET …/states alike).
 */
export function updateStateInOlderVersions(request: FastifyRequest, out: Record<string, unknown>): void {
  if (!allowAvailableState(request) && out.provision_state === AVAILABLE) out.provision_state = null;
  if (!allowInspectWaitState(request) && out.provision_state === INSPECTWAIT) out.provision_state = INSPECTING;
}

/** The states of a node (node_states_convert; boot_mode and secure_boot from 1.75). */
export function nodeStates(request: FastifyRequest, node: IronicObject<NodeFields>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    console_enabled: node.get('console_enabled') ?? false,
    last_error: node.get('last_error') ?? null,
    power_state: node.get('power_state') ?? null,
    provision_state: node.get('provision_state') ?? null,
    target_power_state: node.get('target_power_state') ?? null,
    target_provision_state: node.get('target_provision_state') ?? null,
    provision_updated_at: apiDateTime(node.get('provision_updated_at')),
  };
  if (allowRaidConfig(request)) {
    out.raid_config = node.get('raid_config') ?? {};
    out.target_raid_config = node.get('target_raid_config') ?? {};
  }
  if (allows(request, MINOR_75_NODE_BOOT_MODE)) {
    out.boot_mode = node.get('boot_mode') ?? null;
    out.secure_boot = node.get('secure_boot') ?? null;
  }
  updateStateInOlderVersions(request, out);
  return out;
}

// ---- schemas ----------------------------------------------------------------------------------

const stringOrNull = nullableString;

/** JSON schema of a node in responses (every field optional: the microversion and `fields` decide). */
export const nodeSchema = {
  type: 'object',
  properties: {
    uuid: { type: 'string' },
    instance_uuid: stringOrNull,
    name: stringOrNull,
    power_state: stringOrNull,
    target_power_state: stringOrNull,
    last_error: stringOrNull,
    provision_state: stringOrNull,
    reservation: stringOrNull,
    provision_updated_at: nullableDateTime,
    inspection_finished_at: nullableDateTime,
    inspection_started_at: nullableDateTime,
    maintenance: { type: 'boolean' },
    maintenance_reason: stringOrNull,
    target_provision_state: stringOrNull,
    console_enabled: { type: 'boolean' },
    instance_info: nullableDict,
    driver: stringOrNull,
    driver_info: nullableDict,
    driver_internal_info: nullableDict,
    clean_step: nullableDict,
    raid_config: nullableDict,
    target_raid_config: nullableDict,
    extra: nullableDict,
    resource_class: stringOrNull,
    properties: nullableDict,
    chassis_uuid: stringOrNull,
    ...Object.fromEntries(INTERFACE_FIELDS.map((f) => [f, stringOrNull])),
    traits: { type: 'array', items: { type: 'string' } },
    created_at: nullableDateTime,
    updated_at: nullableDateTime,
    links: linksSchema,
    ports: linksSchema,
    states: linksSchema,
    portgroups: linksSchema,
    volume: linksSchema,
  },
} as const;

/** JSON schema of GET …/states. */
export const nodeStatesSchema = {
  type: 'object',
  properties: {
    console_enabled: { type: 'boolean' },
    last_error: stringOrNull,
    power_state: stringOrNull,
    provision_state: stringOrNull,
    target_power_state: stringOrNull,
    target_provision_state: stringOrNull,
    provision_updated_at: nullableDateTime,
    raid_config: nullableDict,
    target_raid_config: nullableDict,
    boot_mode: stringOrNull,
    secure_boot: { type: ['boolean', 'null'] },
  },
  required: ['console_enabled', 'power_state', 'provision_state'],
} as const;

/** JSON schema of a node list (`{nodes: [...], next?}`). */
export const nodeCollectionSchema = {
  type: 'object',
  properties: { nodes: { type: 'array', items: nodeSchema }, next: { type: 'string' } },
  required: ['nodes'],
} as const;
