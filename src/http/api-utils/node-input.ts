/**
 * A node as a client writes it (POST body, or the result of a PATCH): the writable fields, their
 * types and microversions, name rules and reserved words, as ironic-api's Node type checks them.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import { isValidNodeName, parseBoolean, checkUuid } from './ident.ts';
import { INTERFACE_FIELDS, V31_FIELDS } from './node.ts';
import { nullableDateTime, nullableDict, nullableString } from './representation.ts';
import {
  allows,
  allowNodeLogicalNames,
  allowResourceClass,
  MINOR_20_NETWORK_INTERFACE,
  MINOR_31_DYNAMIC_INTERFACES,
  MINOR_33_STORAGE_INTERFACE,
  MINOR_38_RESCUE_INTERFACE,
  notAcceptable,
  type Microversion,
} from '../versions.ts';

/** Node attributes the API never takes from a client (wsme readonly). */
export const NODE_READONLY = [
  'power_state',
  'target_power_state',
  'last_error',
  'provision_state',
  'reservation',
  'maintenance_reason',
  'target_provision_state',
  'driver_internal_info',
  'clean_step',
  'raid_config',
  'target_raid_config',
  'created_at',
  'updated_at',
  'links',
  'ports',
  'portgroups',
  'volume',
  'states',
] as const;

/** Paths a node PATCH can not touch (NodePatchType.internal_attrs). */
export const NODE_PATCH_INTERNAL = [
  '/created_at',
  '/id',
  '/links',
  '/updated_at',
  '/uuid',
  '/console_enabled',
  '/last_error',
  '/power_state',
  '/provision_state',
  '/reservation',
  '/target_power_state',
  '/target_provision_state',
  '/provision_updated_at',
  '/maintenance_reason',
  '/driver_internal_info',
  '/inspection_finished_at',
  '/inspection_started_at',
  '/clean_step',
  '/raid_config',
  '/target_raid_config',
];

/** Names that route to node sub-resources and can not be node names, in ironic-api's order. */
export const RESERVED_NODE_NAMES = ['maintenance', 'management', 'states', 'vendor_passthru', 'detail', 'validate'];

/** _NODE_DESCRIPTION_MAX_LENGTH of node.py. */
export const NODE_DESCRIPTION_MAX_LENGTH = 4096;

/** Interface fields with the microversion that accepts them on input. */
const INTERFACE_VERSIONS: Readonly<Record<string, Microversion>> = {
  network_interface: MINOR_20_NETWORK_INTERFACE,
  ...Object.fromEntries(V31_FIELDS.map((f) => [f, MINOR_31_DYNAMIC_INTERFACES])),
  storage_interface: MINOR_33_STORAGE_INTERFACE,
  rescue_interface: MINOR_38_RESCUE_INTERFACE,
};

/** JSON schema of the POST /v1/nodes body (types here; version rules in checkNodeInput). */
export const nodeCreateSchema = {
  type: 'object',
  properties: {
    uuid: { type: 'string' },
    name: nullableString,
    instance_uuid: nullableString,
    driver: { type: 'string' },
    driver_info: nullableDict,
    instance_info: nullableDict,
    properties: nullableDict,
    extra: nullableDict,
    chassis_uuid: nullableString,
    maintenance: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
    console_enabled: { anyOf: [{ type: 'boolean' }, { type: 'string' }] },
    resource_class: { type: ['string', 'null'], maxLength: 80 },
    provision_updated_at: nullableDateTime,
    inspection_finished_at: nullableDateTime,
    inspection_started_at: nullableDateTime,
    ...Object.fromEntries(INTERFACE_FIELDS.map((f) => [f, nullableString])),
    traits: { type: 'array', items: { type: 'string' } },
    // 1.40–1.82 (node_schema of 21.4; network_data is checked against its schema in code)
    bios_interface: nullableString,
    conductor_group: nullableString,
    automated_clean: { anyOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'null' }] },
    owner: nullableString,
    description: { type: ['string', 'null'], maxLength: NODE_DESCRIPTION_MAX_LENGTH },
    retired: { anyOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'null' }] },
    retired_reason: nullableString,
    lessee: nullableString,
    network_data: nullableDict,
    boot_mode: nullableString,
    secure_boot: { anyOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'null' }] },
    shard: nullableString,
    // 39.0's node_schema (issue 15, slice nodes; refused as unknown when pinned older)
    disable_power_off: { anyOf: [{ type: 'boolean' }, { type: 'string' }, { type: 'null' }] },
    firmware_interface: nullableString,
    instance_name: { type: ['string', 'null'], minLength: 1, maxLength: 255 },
    parent_node: { type: ['string', 'null'], maxLength: 36 },
    ...Object.fromEntries(NODE_READONLY.map((f) => [f, { description: 'read only: refused' }])),
  },
  required: ['driver'],
  additionalProperties: false,
} as const;

const invalidInput = (field: string, value: unknown, why: string): Error =>
  ironicError(
    'Invalid',
    `Invalid input for field/attribute ${field}. Value: '${typeof value === 'string' ? value : JSON.stringify(value)}'. ${why}`,
  );

/** Refuses read-only attributes in a client's node. */
export function checkReadonly(body: Record<string, unknown>): void {
  for (const f of NODE_READONLY) if (f in body) throw invalidInput(f, body[f], 'Cannot set read only field.');
}

/** 406 for interface fields and resource_class above the request's microversion (post/patch). */
export function checkInputVersions(request: FastifyRequest, present: (field: string) => boolean): void {
  if (present('resource_class') && !allowResourceClass(request)) throw notAcceptable();
  for (const [f, v] of Object.entries(INTERFACE_VERSIONS)) if (present(f) && !allows(request, v)) throw notAcceptable();
}

/** _check_names_acceptable: 406 before 1.5, 400 for an invalid or reserved name. */
export function checkNamesAcceptable(
  request: FastifyRequest,
  names: readonly unknown[],
  errorMessage: (name: string) => string,
): void {
  if (!allowNodeLogicalNames(request)) throw notAcceptable();
  for (const name of names) {
    if (!isValidNodeName(name, request)) throw ironicError('Invalid', errorMessage(String(name)));
    if (RESERVED_NODE_NAMES.includes(name as string)) {
      throw ironicError(
        'Invalid',
        `The word "${String(name)}" is reserved and can not be used as a node name. Reserved words are: ${RESERVED_NODE_NAMES.join(', ')}.`,
      );
    }
  }
}

const DICT_FIELDS = ['driver_info', 'instance_info', 'properties', 'extra'];
const STRING_FIELDS = ['name', 'driver', 'resource_class', ...INTERFACE_FIELDS];

/** Type checks of a node after a PATCH (the API Node type rebuilt from the patched document). */
export function checkNodeTypes(node: Record<string, unknown>): Record<string, unknown> {
  const out = { ...node };
  for (const f of ['instance_uuid', 'chassis_uuid'])
    if (out[f] !== null && out[f] !== undefined) checkUuid(String(out[f]));
  for (const f of ['maintenance', 'console_enabled'])
    if (out[f] !== null && out[f] !== undefined) out[f] = parseBoolean(out[f]);
  for (const f of DICT_FIELDS) {
    const v = out[f];
    if (v !== null && v !== undefined && (typeof v !== 'object' || Array.isArray(v)))
      throw invalidInput(f, v, 'Value should be a dictionary.');
  }
  for (const f of STRING_FIELDS) {
    const v = out[f];
    if (v !== null && v !== undefined && typeof v !== 'string')
      throw invalidInput(f, v, "Value should be of type 'str'.");
  }
  if (typeof out.resource_class === 'string' && out.resource_class.length > 80) {
    throw invalidInput('resource_class', out.resource_class, 'Value should have a maximum character requirement of 80');
  }
  if (out.driver === null || out.driver === undefined)
    throw invalidInput('driver', out.driver, 'Mandatory field missing.');
  return out;
}
