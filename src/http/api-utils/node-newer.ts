/**
 * The node fields of 1.39–1.82 on input, as ironic-api 21.4 takes them: which a POST or a PATCH
 * may carry at which microversion (reject_fields_in_newer_versions,
 * reject_patch_in_newer_versions), the paths a PATCH may touch (PATCH_ALLOWED_FIELDS), the
 * boolean fields (NODE_VALIDATE_EXTRA), the description length and the network_data schema.
 */
import networkDataSchema from './network-data-schema.json' with { type: 'json' };
import { Ajv, type ErrorObject } from 'ajv';
import type { FastifyRequest } from 'fastify';
import { pyRepr, ironicError } from '../../conductor/exceptions.ts';
import { parseBoolean } from './ident.ts';
import { NEWER_NODE_FIELDS } from './node.ts';
import { NODE_DESCRIPTION_MAX_LENGTH } from './node-input.ts';
import { getPatchValues, type PatchOp } from './patch.ts';
import { allows, MINOR_39_INSPECT_WAIT, notAcceptable, servesRelease } from '../versions.ts';

/** The paths a node PATCH may change from 1.39 (node.py PATCH_ALLOWED_FIELDS, in its order). */
export const PATCH_ALLOWED_FIELDS = [
  'automated_clean',
  'bios_interface',
  'boot_interface',
  'chassis_uuid',
  'conductor_group',
  'console_interface',
  'deploy_interface',
  'description',
  'driver',
  'driver_info',
  'extra',
  'inspect_interface',
  'instance_info',
  'instance_uuid',
  'lessee',
  'maintenance',
  'management_interface',
  'name',
  'network_data',
  'network_interface',
  'owner',
  'power_interface',
  'properties',
  'protected',
  'protected_reason',
  'raid_interface',
  'rescue_interface',
  'resource_class',
  'retired',
  'retired_reason',
  'shard',
  'storage_interface',
  'vendor_interface',
] as const;

/**
 * 39.0's PATCH_ALLOWED_FIELDS adds these (disable_power_off and instance_name in alphabetical
 * place, parent_node and firmware_interface at the end); each is listed, and may be patched,
 * when the gateway answers as a release that has it (issue 15, slice nodes).
 */
const PATCH_ALLOWED_39 = [
  ...PATCH_ALLOWED_FIELDS.slice(0, PATCH_ALLOWED_FIELDS.indexOf('driver')),
  'disable_power_off',
  ...PATCH_ALLOWED_FIELDS.slice(PATCH_ALLOWED_FIELDS.indexOf('driver'), PATCH_ALLOWED_FIELDS.indexOf('instance_uuid')),
  'instance_name',
  ...PATCH_ALLOWED_FIELDS.slice(PATCH_ALLOWED_FIELDS.indexOf('instance_uuid')),
  'parent_node',
  'firmware_interface',
] as const;

/** The node fields 39.0 added to PATCH_ALLOWED_FIELDS and the POST schema. */
export const NODE_INPUT_FIELDS_39 = [
  'disable_power_off',
  'instance_name',
  'parent_node',
  'firmware_interface',
] as const;

/** PATCH_ALLOWED_FIELDS of the release the gateway answers as (21.4's, or 39.0's up to the pin). */
export function patchAllowedFields(request: FastifyRequest): readonly string[] {
  return PATCH_ALLOWED_39.filter(
    (f) => !(NODE_INPUT_FIELDS_39 as readonly string[]).includes(f) || servesRelease(request, NEWER_NODE_FIELDS[f]),
  );
}

/** Object fields a PATCH copies onto the Node when they differ (patch_update_changed_fields). */
export const PATCH_COPIED_FIELDS = PATCH_ALLOWED_39.filter((f) => f !== 'chassis_uuid');

/** Newer fields a POST may carry (node_schema of 21.4; protected only by PATCH). */
const POST_NEWER_FIELDS = [
  'bios_interface',
  'conductor_group',
  'automated_clean',
  'owner',
  'description',
  'retired',
  'retired_reason',
  'lessee',
  'network_data',
  'boot_mode',
  'secure_boot',
  'shard',
  // 39.0's node_schema (issue 15, slice nodes)
  ...NODE_INPUT_FIELDS_39,
] as const;

/** args.boolean (21.4): InvalidParameterValue `Invalid <name>: <oslo's message>`. */
export function booleanArg(name: string, value: unknown): boolean | null {
  if (value === null || value === undefined) return null;
  try {
    return parseBoolean(value);
  } catch (err) {
    throw ironicError('InvalidParameterValue', `Invalid ${name}: ${(err as Error).message}`);
  }
}

/** The boolean fields of NODE_VALIDATE_EXTRA that are new since Queens. */
const BOOLEAN_FIELDS = ['automated_clean', 'protected', 'retired', 'secure_boot', 'disable_power_off'] as const;

/**
 * reject_fields_in_newer_versions for the newer fields of a POST body: 406 for a field above
 * the request's microversion unless it is empty (null; '' for conductor_group, which the hash
 * ring reads). Then the body's newer fields typed as the Node object wants them.
 */
export function newerCreateFields(request: FastifyRequest, body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of POST_NEWER_FIELDS) {
    const value = body[f];
    // a release older than the field's has it not in its schema
    if (value !== undefined && !servesRelease(request, NEWER_NODE_FIELDS[f])) throw unexpectedProperty(f);
    const empty = f === 'conductor_group' ? value === '' || value === undefined || value === null : value == null;
    if (!empty && !allows(request, NEWER_NODE_FIELDS[f])) throw notAcceptable();
    if (value === undefined) continue;
    out[f] = value;
  }
  for (const f of BOOLEAN_FIELDS) if (f in out) out[f] = booleanArg(f, out[f]);
  if (out.network_data !== undefined && out.network_data !== null) checkNetworkDataOnCreate(out.network_data);
  // the Node's conductor_group is a non-null string ('' for none); the API routes with it, so
  // it is lowercased here as the object lowercases it on save (21.4 routes a POST with the
  // case given, reference §7 Q16: fixed, a group in capitals would find no conductor)
  out.conductor_group = typeof out.conductor_group === 'string' ? out.conductor_group.toLowerCase() : '';
  if (out.network_data === null) out.network_data = {};
  if (out.retired === null) delete out.retired;
  return out;
}

/**
 * The PATCH checks of 21.4's _validate_patch for the newer fields: from 1.39 only
 * PATCH_ALLOWED_FIELDS may be patched (before, the Queens rules stand and the newer fields are
 * absent from the patched document); a newer field set below its version is 406; description
 * length; network_data schema.
 */
export function checkNewerPatch(request: FastifyRequest, patch: readonly PatchOp[]): void {
  const allowed = patchAllowedFields(request);
  if (allows(request, MINOR_39_INSPECT_WAIT)) {
    for (const p of patch) {
      const root = p.path.split('/')[1];
      if (!allowed.includes(root))
        throw ironicError(
          'Invalid',
          `Cannot patch ${p.path}. Only the following can be updated: ${allowed.join(', ')}`,
        );
    }
  }
  for (const [f, v] of Object.entries(NEWER_NODE_FIELDS))
    if (allowed.includes(f) && getPatchValues(patch, `/${f}`).length > 0 && !allows(request, v)) throw notAcceptable();
}

/** A POST body key the release's node_schema does not know (`additionalProperties: False`). */
function unexpectedProperty(f: string): Error {
  return ironicError(
    'InvalidParameterValue',
    `Schema error for node: Additional properties are not allowed ('${f}' was unexpected)`,
  );
}

/** The checks of _validate_patch after the traits check: description length, network_data. */
export function checkNewerPatchValues(patch: readonly PatchOp[]): void {
  const description = getPatchValues(patch, '/description');
  if (typeof description[0] === 'string' && description[0].length > NODE_DESCRIPTION_MAX_LENGTH)
    throw ironicError(
      'Invalid',
      `Cannot update node with description exceeding ${NODE_DESCRIPTION_MAX_LENGTH} characters`,
    );
  for (const nd of getPatchValues(patch, '/network_data')) validateNetworkData(nd);
}

// ---- network_data ------------------------------------------------------------------------------

/**
 * `[api]network_data_schema` of 21.4: Nova's network_data JSON schema, as Ironic ships it
 * (network-data-schema.json, a data file kept beside this module and bundled with it), compiled
 * once.
 */
let validator: ReturnType<Ajv['compile']> | undefined;
function networkDataValidator(): ReturnType<Ajv['compile']> {
  if (!validator) {
    // a copy: the ids dropped below must not change the imported module's object
    const schema = structuredClone(networkDataSchema) as Record<string, unknown>;
    delete schema.$schema; // draft-07, ajv's default
    delete schema.id; // the draft-04 spelling of $id
    // its `$id`s are JSON-pointer fragments (`#/properties/links`), which jsonschema ignores and
    // ajv takes as anchors that clash with its `$ref`s: dropped, the refs resolve from the root
    const dropIds = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(dropIds);
      else if (node && typeof node === 'object') {
        const n = node as Record<string, unknown>;
        delete n.$id;
        // Python's inline (?i) (the MAC pattern) has no JavaScript spelling: its classes widened
        if (typeof n.pattern === 'string' && n.pattern.startsWith('(?i)'))
          n.pattern = n.pattern.slice(4).replaceAll('A-F]', 'A-Fa-f]');
        Object.values(n).forEach(dropIds);
      }
    };
    dropIds(schema);
    validator = new Ajv({ allErrors: false, strict: false }).compile(schema);
  }
  return validator;
}

/** jsonschema's message for the commonest failures, from ajv's first error. */
function jsonschemaMessage(e: ErrorObject | undefined, data: unknown): string {
  if (!e) return 'invalid';
  const at = e.instancePath
    .split('/')
    .slice(1)
    .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], data);
  switch (e.keyword) {
    case 'required':
      return `'${String(e.params.missingProperty)}' is a required property`;
    case 'type':
      return `${pyRepr(at)} is not of type '${String(e.params.type)}'`;
    case 'additionalProperties':
      return `Additional properties are not allowed ('${String(e.params.additionalProperty)}' was unexpected)`;
    case 'enum':
      return `${pyRepr(at)} is not one of ${pyRepr(e.params.allowedValues)}`;
    default:
      return `${pyRepr(at)} ${e.message ?? 'is not valid'}`;
  }
}

/** validate_network_data (PATCH): 400 `Invalid network_data: <jsonschema's message> `. */
export function validateNetworkData(value: unknown): void {
  const validate = networkDataValidator();
  if (!validate(value))
    throw ironicError('Invalid', `Invalid network_data: ${jsonschemaMessage(validate.errors?.[0], value)} `);
}

/**
 * POST: node_schema's network_data is anyOf null, an empty object, or the schema; a value that
 * is none of these fails the body's schema (`Schema error for node: …`).
 */
function checkNetworkDataOnCreate(value: unknown): void {
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return;
  const validate = networkDataValidator();
  if (!validate(value))
    throw ironicError(
      'InvalidParameterValue',
      `Schema error for node: ${pyRepr(value)} is not valid under any of the given schemas. Possible root cause: ${jsonschemaMessage(validate.errors?.[0], value)}`,
    );
}
