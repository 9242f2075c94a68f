/**
 * RAID for the fake RAID interface: Ironic's raid_config_schema.json (10.1.0) checked with ajv,
 * errors worded as python-jsonschema words them ("RAID config validation error: …"), and the
 * logical disk properties read from the same schema.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { pyRepr, ironicError } from '../conductor/exceptions.ts';

const LEVELS = ['JBOD', '0', '1', '2', '5', '6', '1+0', '5+0', '6+0'];

/** Ironic's schema; draft-04's boolean exclusiveMinimum written as draft-07's number. */
export const RAID_SCHEMA = {
  title: 'raid configuration json schema',
  type: 'object',
  properties: {
    logical_disks: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          raid_level: {
            type: 'string',
            enum: LEVELS,
            description:
              "RAID level for the logical disk. Valid values are 'JBOD', '0', '1', '2', '5', '6', '1+0', '5+0' and '6+0'. Required.",
          },
          size_gb: {
            anyOf: [
              { type: 'integer', exclusiveMinimum: 0 },
              { type: 'string', enum: ['MAX'] },
            ],
            description:
              "Size in GiB (Integer) for the logical disk. Use 'MAX' as size_gb if this logical disk is supposed to use the rest of the space available. Required.",
          },
          volume_name: {
            type: 'string',
            description:
              'Name of the volume to be created. If this is not specified, it will be auto-generated. Optional.',
          },
          is_root_volume: {
            type: 'boolean',
            description: 'Specifies whether this disk is a root volume. By default, this is False. Optional.',
          },
          share_physical_disks: {
            type: 'boolean',
            description:
              'Specifies whether other logical disks can share physical disks with this logical disk. By default, this is False. Optional.',
          },
          disk_type: {
            type: 'string',
            enum: ['hdd', 'ssd'],
            description:
              "The type of disk preferred. Valid values are 'hdd' and 'ssd'. If this is not specified, disk type will not be a selection criterion for choosing backing physical disks. Optional.",
          },
          interface_type: {
            type: 'string',
            enum: ['sata', 'scsi', 'sas'],
            description:
              "The interface type of disk. Valid values are 'sata', 'scsi' and 'sas'. If this is not specified, interface type will not be a selection criterion for choosing backing physical disks. Optional.",
          },
          number_of_physical_disks: {
            type: 'integer',
            exclusiveMinimum: 0,
            description:
              'Number of physical disks to use for this logical disk. By default, the driver uses the minimum number of disks required for that RAID level. Optional.',
          },
          controller: {
            type: 'string',
            description:
              'Controller to use for this logical disk. If not specified, the driver will choose a suitable RAID controller on the bare metal node. Optional.',
          },
          physical_disks: {
            type: 'array',
            items: { type: 'string' },
            description:
              'The physical disks to use for this logical disk. If not specified, the driver will choose suitable physical disks to use. Optional.',
          },
        },
        required: ['raid_level', 'size_gb'],
        additionalProperties: false,
        dependencies: { physical_disks: ['controller'] },
      },
      minItems: 1,
    },
  },
  required: ['logical_disks'],
  additionalProperties: false,
} as const;

const ajv = new Ajv({ allErrors: false, strict: false });
const validate = ajv.compile(RAID_SCHEMA);

function at(data: unknown, path: string): unknown {
  let cur = data;
  for (const part of path.split('/').slice(1))
    cur = (cur as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  return cur;
}

function message(e: ErrorObject, data: unknown): string {
  const value = at(data, e.instancePath);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${pyRepr(p.missingProperty)} is a required property`;
    case 'additionalProperties':
      return `Additional properties are not allowed (${pyRepr(p.additionalProperty)} was unexpected)`;
    case 'minItems':
      return `${pyRepr(value)} is too short`;
    case 'enum':
      return `${pyRepr(value)} is not one of ${pyRepr(p.allowedValues)}`;
    case 'type':
      return `${pyRepr(value)} is not of type ${pyRepr(p.type)}`;
    case 'anyOf':
      return `${pyRepr(value)} is not valid under any of the given schemas`;
    case 'exclusiveMinimum':
      return `${pyRepr(value)} is less than or equal to the minimum of ${String(p.limit)}`;
    case 'dependencies':
      return `${pyRepr(p.missingProperty)} is a dependency of ${pyRepr(p.property)}`;
    default:
      return e.message ?? 'invalid';
  }
}

/** raid.validate_configuration: schema, then at most one root volume. */
export function validateRaidConfig(config: unknown): void {
  if (!validate(config)) {
    const errs = validate.errors ?? [];
    // jsonschema reports the deepest, most specific failure; anyOf is reported for its own path
    const e = errs.find((x) => x.keyword === 'anyOf') ?? errs[0];
    throw ironicError('InvalidParameterValue', `RAID config validation error: ${message(e, config)}`);
  }
  const disks = (config as { logical_disks: Array<Record<string, unknown>> }).logical_disks;
  const roots = disks.filter((d) => d.is_root_volume).length;
  if (roots > 1)
    throw ironicError(
      'InvalidParameterValue',
      `Raid config cannot have more than one root volume. ${roots} root volumes were specified`,
    );
}

/** raid.get_logical_disk_properties over the schema. */
export function logicalDiskProperties(): Record<string, string> {
  const props = RAID_SCHEMA.properties.logical_disks.items.properties as Record<string, { description: string }>;
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, v.description]));
}
