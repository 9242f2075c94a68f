/**
 * The node's API representation (ironic-api's Node.convert_with_links): the public fields of a
 * Node object, chassis_uuid for chassis_id, secrets masked unless policy allows, provision
 * state names of old microversions, the fields of newer microversions hidden, and links.
 */
import { checkRule, ownerScoped } from '../auth/enforce.ts';
import { own } from '../../own.ts';
import type { FastifyRequest } from 'fastify';
import { type IronicObject, plainValue, traitNames, type NodeFields } from '../../conductor/objects.ts';
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
  allowAllocations,
  allowAvailableState,
  allowExposeConductors,
  MINOR_1_INITIAL_VERSION,
  MINOR_14_LINKS_NODESTATES_DRIVERPROPERTIES,
  MINOR_24_PORTGROUPS_SUBCONTROLLERS,
  MINOR_32_VOLUME,
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
  MINOR_39_INSPECT_WAIT,
  MINOR_40_BIOS_INTERFACE,
  MINOR_42_FAULT,
  MINOR_44_NODE_DEPLOY_STEP,
  MINOR_46_NODE_CONDUCTOR_GROUP,
  MINOR_47_NODE_AUTOMATED_CLEAN,
  MINOR_48_NODE_PROTECTED,
  MINOR_49_CONDUCTORS,
  MINOR_50_NODE_OWNER,
  MINOR_51_NODE_DESCRIPTION,
  MINOR_52_ALLOCATION,
  MINOR_61_NODE_RETIRED,
  MINOR_65_NODE_LESSEE,
  MINOR_66_NODE_NETWORK_DATA,
  MINOR_75_NODE_BOOT_MODE,
  MINOR_82_NODE_SHARD,
  allows,
  type Microversion,
} from '../versions.ts';
// issue 15, slice nodes: the node fields of 1.83–1.109
import {
  MINOR_83_PARENT_CHILD_NODES,
  MINOR_86_FIRMWARE_INTERFACE,
  MINOR_87_SERVICE,
  MINOR_95_DISABLE_POWER_OFF,
  MINOR_104_NODE_INSTANCE_NAME,
  MINOR_109_NODE_HEALTH,
  servesHibiscus,
  servesRelease,
} from '../versions.ts';
import { ironicError } from '../../conductor/exceptions.ts';
import { UuidsById } from './resource.ts';
import { classAction } from './lookup.ts';
// issue 14, provisioning: inspect wait below 1.39, boot mode in GET …/states (1.75)
import { AVAILABLE, INSPECTING, INSPECTWAIT } from '../../conductor/states.ts';
import { allowInspectWaitState } from '../versions.ts';

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

/**
 * The node fields of 1.39–1.82 (utils.VERSIONED_FIELDS at 21.4), each with the microversion it
 * appears from; below it the field is hidden and `fields=` naming it is 406. `conductor` and
 * `allocation_uuid` are computed by the API (convertNode), the rest are Node 1.37 fields.
 */
export const NEWER_NODE_FIELDS: Readonly<Record<string, Microversion>> = {
  bios_interface: MINOR_40_BIOS_INTERFACE,
  fault: MINOR_42_FAULT,
  deploy_step: MINOR_44_NODE_DEPLOY_STEP,
  conductor_group: MINOR_46_NODE_CONDUCTOR_GROUP,
  automated_clean: MINOR_47_NODE_AUTOMATED_CLEAN,
  protected: MINOR_48_NODE_PROTECTED,
  protected_reason: MINOR_48_NODE_PROTECTED,
  conductor: MINOR_49_CONDUCTORS,
  owner: MINOR_50_NODE_OWNER,
  description: MINOR_51_NODE_DESCRIPTION,
  allocation_uuid: MINOR_52_ALLOCATION,
  retired: MINOR_61_NODE_RETIRED,
  retired_reason: MINOR_61_NODE_RETIRED,
  lessee: MINOR_65_NODE_LESSEE,
  network_data: MINOR_66_NODE_NETWORK_DATA,
  boot_mode: MINOR_75_NODE_BOOT_MODE,
  secure_boot: MINOR_75_NODE_BOOT_MODE,
  shard: MINOR_82_NODE_SHARD,
  // 39.0 (issue 15, slice nodes): Node 1.38–1.44's fields, as 39.0's VERSIONED_FIELDS
  parent_node: MINOR_83_PARENT_CHILD_NODES,
  firmware_interface: MINOR_86_FIRMWARE_INTERFACE,
  service_step: MINOR_87_SERVICE,
  disable_power_off: MINOR_95_DISABLE_POWER_OFF,
  instance_name: MINOR_104_NODE_INSTANCE_NAME,
  health: MINOR_109_NODE_HEALTH,
};

/** Fields ironic-api computes rather than reads from the Node object. */
const COMPUTED_NODE_FIELDS = ['chassis_uuid', 'conductor', 'allocation_uuid'];

/** The node fields of the API that `fields=` may name (those of 1.38, then NEWER_NODE_FIELDS). */
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
  ...(Object.keys(NEWER_NODE_FIELDS) as (keyof typeof NEWER_NODE_FIELDS & string)[]),
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
    ...NEWER_NODE_FIELDS,
  },
  refuseBelow: [
    'network_interface',
    'resource_class',
    ...V31_FIELDS,
    'storage_interface',
    'traits',
    'rescue_interface',
    ...Object.keys(NEWER_NODE_FIELDS),
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
  // a 39.0 field is no field at all to an older release (400 below, not 406)
  checkAllowedFields(
    fields?.filter((f) => !unknownToRelease(request, f)),
    NODE_FIELD_VERSIONS,
    request,
  );
}

/** The node fields of 1.83–1.109 (issue 15, slice nodes). */
const FIELDS_39 = ['parent_node', 'firmware_interface', 'service_step', 'disable_power_off', 'instance_name', 'health'];

/** True for a 1.83–1.109 node field when the gateway answers as a release older than it. */
function unknownToRelease(request: FastifyRequest, field: string): boolean {
  return FIELDS_39.includes(field) && !servesRelease(request, NEWER_NODE_FIELDS[field]);
}

/** The node's public fields, before version hiding (computed ones come later). */
/** The node fields taken from the object as they are (the computed ones are the API's own). */
const PLAIN_NODE_FIELDS = NODE_FIELDS.filter((f) => !COMPUTED_NODE_FIELDS.includes(f));
/** Dict fields a node shows as {} when unset. */
const EMPTY_DICT_FIELDS = [
  'driver_info',
  'driver_internal_info',
  'instance_info',
  'properties',
  'extra',
  'clean_step',
  'raid_config',
  'target_raid_config',
  'deploy_step',
  'network_data',
  'service_step',
];

/**
 * The node's public fields, before the microversion, policy and masking; `only` (a list's
 * fields) builds just those: a page of the default view does not build and then drop the
 * seventy-odd fields it does not show.
 */
async function publicFields(
  node: IronicObject<NodeFields>,
  chassis: UuidsById,
  only?: ReadonlySet<string>,
): Promise<Record<string, unknown>> {
  const want = (f: string): boolean => only === undefined || only.has(f);
  const data = (f: string): unknown => plainValue(node.get(f as keyof NodeFields & string));
  const out: Record<string, unknown> = {};
  for (const f of PLAIN_NODE_FIELDS) if (want(f)) out[f] = data(f) ?? null;
  for (const f of DATETIME_FIELDS) if (want(f)) out[f] = apiDateTime(data(f));
  if (want('chassis_uuid')) out.chassis_uuid = await chassis.get(node.get('chassis_id'));
  if (want('traits')) out.traits = traitNames(node.get('traits'));
  if (want('maintenance')) out.maintenance = data('maintenance') ?? false;
  if (want('console_enabled')) out.console_enabled = data('console_enabled') ?? false;
  for (const f of EMPTY_DICT_FIELDS) if (out[f] === null) out[f] = {};
  // Node object defaults (a Node from a conductor older than the field has none)
  if (want('conductor_group')) out.conductor_group = data('conductor_group') ?? '';
  if (want('protected')) out.protected = data('protected') ?? false;
  if (want('retired')) out.retired = data('retired') ?? false;
  if (want('disable_power_off')) out.disable_power_off = data('disable_power_off') ?? false;
  return out;
}

/**
 * The `conductor` field (1.49): the host the node maps to on the gateway's own hash ring
 * (ConductorAPI.get_conductor_for: no RPC per node, see there); null when no live conductor
 * serves the node's `<group>:<driver>`, as ironic-api answers.
 */
async function conductorOf(request: FastifyRequest, node: IronicObject<NodeFields>): Promise<string | null> {
  try {
    return await request.conductor.get_conductor_for(node);
  } catch (err) {
    const type = (err as { exc_type?: string }).exc_type;
    if (type === 'NoValidHost' || type === 'TemporaryFailure') return null;
    throw err;
  }
}

/**
 * Allocation uuids by allocation id (the node's `allocation_uuid`, 1.52): Allocation.get_by_id
 * through the indirection API, one call per allocation, shared across a list; a vanished
 * allocation (AllocationNotFound) is null, as ironic-api answers.
 */
export class AllocationUuids {
  private readonly cache = new Map<number, Promise<string | null>>();
  constructor(private readonly request: FastifyRequest) {}

  get(id: unknown): Promise<string | null> {
    if (typeof id !== 'number') return Promise.resolve(null);
    let p = this.cache.get(id);
    if (!p) {
      p = classAction(this.request, 'Allocation', 'get_by_id', [id]).then(
        (o) => String((o as IronicObject).get('uuid' as never)),
        (err: unknown) => {
          if ((err as { exc_type?: string }).exc_type === 'AllocationNotFound') return null;
          throw err;
        },
      );
      this.cache.set(id, p);
    }
    return p;
  }
}

/** The fields ironic-api computes at this microversion (conductor 1.49, allocation_uuid 1.52). */
async function computedFields(
  request: FastifyRequest,
  node: IronicObject<NodeFields>,
  fields: readonly string[] | undefined,
  out: Record<string, unknown>,
  allocations: AllocationUuids,
): Promise<void> {
  const wants = (f: string): boolean => fields === undefined || fields.includes(f);
  if (allowExposeConductors(request) && wants('conductor')) out.conductor = await conductorOf(request, node);
  if (allowAllocations(request) && wants('allocation_uuid'))
    out.allocation_uuid = await allocations.get(node.get('allocation_id'));
}

const KNOWN_NODE_FIELDS: ReadonlySet<string> = new Set(NODE_FIELDS);

/**
 * check_for_invalid_fields of a node: from 1.39 as 21.4's _get_fields_for_node_query words it
 * (400 `Field x is not a valid field.`, the first in request order), before as Queens did.
 * 21.4's list answers 500 for such a field, and for chassis_uuid, conductor and allocation_uuid
 * (reference §7 Q1): the gateway fixes that, answering as the single-node GET does.
 */
export function checkNodeFieldNames(request: FastifyRequest, fields: readonly string[]): void {
  if (!allows(request, MINOR_39_INSPECT_WAIT)) {
    checkForInvalidFields(
      fields,
      NODE_FIELDS.filter((f) => !unknownToRelease(request, f)),
    );
    return;
  }
  const bad = fields.find((f) => !KNOWN_NODE_FIELDS.has(f) || unknownToRelease(request, f));
  if (bad !== undefined) throw ironicError('Invalid', `Field ${bad} is not a valid field.`);
}

/**
 * node_sanitize's extended redaction (21.4, Ironic's owner/lessee policy): a caller below
 * `baremetal:node:get:filter_threshold` sees last_error, reservation, driver_internal_info and
 * driver_info only where the node's `node:get:<field>` rule lets it (the owner, not a lessee).
 */
function redactNode(request: FastifyRequest, node: IronicObject<NodeFields>, out: Record<string, unknown>): void {
  if (!ownerScoped(request)) return;
  const owner = node.get('owner');
  const lessee = node.get('lessee');
  const target = { ...(owner ? { 'node.owner': owner } : {}), ...(lessee ? { 'node.lessee': lessee } : {}) };
  if (checkRule(request, 'baremetal:node:get:filter_threshold')) return;
  const may = (field: string) => checkRule(request, `baremetal:node:get:${field}`, target);
  if ('last_error' in out && !may('last_error'))
    out.last_error = '** Value Redacted - Requires baremetal:node:get:last_error permission. **';
  if ('reservation' in out && !may('reservation'))
    out.reservation = '** Redacted - requires baremetal:node:get:reservation permission. **';
  if ('driver_internal_info' in out && !may('driver_internal_info'))
    out.driver_internal_info = {
      content: '** Redacted - Requires baremetal:node:get:driver_internal_info permission. **',
    };
  if ('driver_info' in out && !may('driver_info'))
    out.driver_info = { content: '** Redacted - requires baremetal:node:get:driver_info permission. **' };
}

function maskNode(request: FastifyRequest, out: Record<string, unknown>): void {
  const showPassword = allowed(request, 'show_password');
  // (a list's fields may leave out what is masked: only the fields built are)
  if (!showPassword && 'driver_info' in out) out.driver_info = maskSecrets(out.driver_info as Record<string, unknown>);
  // 39.0 (issue 15, slice nodes; the release it came in is not recorded, so from 1.83's 22.0):
  // snmp_auth_key and snmp_priv_key are masked in driver_info when set, and driver_internal_info
  // goes through mask_dict_password as driver_info does
  if (!showPassword && servesHibiscus(request)) {
    // (maskSecrets made driver_info a copy: it may be changed)
    const info = out.driver_info as Record<string, unknown> | null | undefined;
    if (info) for (const f of ['snmp_auth_key', 'snmp_priv_key']) if (info[f]) info[f] = SECRET_MASK;
    if (out.driver_internal_info)
      out.driver_internal_info = maskSecrets(out.driver_internal_info as Record<string, unknown>);
  }
  if ('instance_info' in out && !allowed(request, 'show_instance_secrets')) {
    const info = maskSecrets(out.instance_info as Record<string, unknown>);
    if (info.image_url) info.image_url = SECRET_MASK;
    // 21.4: a configdrive may be a JSON object (1.56); masked whole, whatever its type
    if (info.configdrive) info.configdrive = SECRET_MASK;
    out.instance_info = info;
  }
  // issue 14 (agent tokens): node_sanitize never shows the agent's token, whoever asks
  const dii = out.driver_internal_info as Record<string, unknown> | null | undefined;
  if (dii?.agent_secret_token) out.driver_internal_info = { ...dii, agent_secret_token: SECRET_MASK };
}

/**
 * The sub-resource links of a full node, each with the microversion it appears from: ports,
 * states (1.14), portgroups (1.24), volume (1.32). The OpenAPI document's node variants read it.
 */
export const NODE_LINK_VERSIONS: Readonly<Record<string, Microversion>> = {
  ports: MINOR_1_INITIAL_VERSION,
  states: MINOR_14_LINKS_NODESTATES_DRIVERPROPERTIES,
  portgroups: MINOR_24_PORTGROUPS_SUBCONTROLLERS,
  volume: MINOR_32_VOLUME,
};

function subLinks(request: FastifyRequest, uuid: string, out: Record<string, unknown>): void {
  for (const [link, since] of Object.entries(NODE_LINK_VERSIONS))
    if (allows(request, since)) out[link] = linksOf(request, 'nodes', uuid, `/${link}`);
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
  allocations = new AllocationUuids(request),
): Promise<Record<string, unknown>> {
  let out = await publicFields(node, chassis, fields === undefined ? undefined : new Set(fields));
  await computedFields(request, node, fields, out, allocations);
  if (fields !== undefined) checkNodeFieldNames(request, fields);
  redactNode(request, node, out);
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

/** The fields of a node's states (node_states_convert), in its order. */
export const NODE_STATE_FIELDS = [
  'console_enabled',
  'last_error',
  'power_state',
  'provision_state',
  'target_power_state',
  'target_provision_state',
  'provision_updated_at',
  'raid_config',
  'target_raid_config',
  'boot_mode',
  'secure_boot',
] as const;

/**
 * The state fields newer than 1.1, each from the microversion the node shows it from
 * (NODE_FIELD_VERSIONS: raid_config and target_raid_config 1.12, boot_mode and secure_boot
 * 1.75, as node_states_convert gates them). nodeStates hides by it.
 */
export const NODE_STATE_FIELD_SINCE: Readonly<Record<string, Microversion>> = Object.fromEntries(
  NODE_STATE_FIELDS.flatMap((f) => {
    const since = own(NODE_FIELD_VERSIONS.since, f);
    return since === undefined ? [] : [[f, since]];
  }),
);

/** The states of a node (node_states_convert): the fields of NODE_STATE_FIELDS the microversion shows. */
export function nodeStates(request: FastifyRequest, node: IronicObject<NodeFields>): Record<string, unknown> {
  const out: Record<string, unknown> = {
    console_enabled: node.get('console_enabled') ?? false,
    last_error: node.get('last_error') ?? null,
    power_state: node.get('power_state') ?? null,
    provision_state: node.get('provision_state') ?? null,
    target_power_state: node.get('target_power_state') ?? null,
    target_provision_state: node.get('target_provision_state') ?? null,
    provision_updated_at: apiDateTime(node.get('provision_updated_at')),
    raid_config: node.get('raid_config') ?? {},
    target_raid_config: node.get('target_raid_config') ?? {},
    boot_mode: node.get('boot_mode') ?? null,
    secure_boot: node.get('secure_boot') ?? null,
  };
  hideFields(out, { since: NODE_STATE_FIELD_SINCE, refuseBelow: [] }, request);
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
    // 1.40–1.82
    bios_interface: stringOrNull,
    fault: stringOrNull,
    deploy_step: nullableDict,
    conductor_group: { type: 'string' },
    automated_clean: { type: ['boolean', 'null'] },
    protected: { type: 'boolean' },
    protected_reason: stringOrNull,
    conductor: stringOrNull,
    owner: stringOrNull,
    description: stringOrNull,
    allocation_uuid: stringOrNull,
    retired: { type: ['boolean', 'null'] },
    retired_reason: stringOrNull,
    lessee: stringOrNull,
    network_data: nullableDict,
    boot_mode: stringOrNull,
    secure_boot: { type: ['boolean', 'null'] },
    shard: stringOrNull,
    // 1.83–1.109
    parent_node: stringOrNull,
    firmware_interface: stringOrNull,
    service_step: nullableDict,
    disable_power_off: { type: ['boolean', 'null'] },
    instance_name: stringOrNull,
    health: stringOrNull,
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
