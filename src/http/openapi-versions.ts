/**
 * Microversioned schemas in the OpenAPI document, as the OpenStack SDK team's OpenAPI work
 * writes them: a resource whose representation changes with the microversion is
 * `components.schemas.<Name>`, a `oneOf` of variants `<Name>_1_N`, each an object of the fields
 * the resource has at microversions min-ver to max-ver (`x-openstack: {min-ver, max-ver}`,
 * no other property), and every representation of it in an answer refers to it. A resource the
 * same at every microversion (no `since` in its table yet) is its one variant, not a oneOf.
 *
 * The variants are derived from the gateway's own field tables (the `since` table of a
 * resource's FieldVersions, the links a full node gains), never written out: a field added to a
 * table appears in the document at its microversion. The route schemas themselves are not
 * changed (they keep validating and serializing as they did); this rewrites the document that
 * @fastify/swagger generates from them (its `transformObject` hook, after openapi-components.ts).
 *
 * A representation is recognised by its shape: an object schema with `links`, every field of
 * the resource that has no `since` (its fields of 1.1), and nothing that is not a field or a
 * link of it. A request body has no `links`, so it is never taken for one. A resource shown
 * without links (a node's states, `withLinks: false`) is recognised by all its fields of 1.1
 * and nothing else, without `links`.
 */
import { ALLOCATION_FIELD_SINCE, ALLOCATION_FIELDS } from './api-utils/allocation.ts';
import {
  NODE_FIELD_VERSIONS,
  NODE_FIELDS,
  NODE_LINK_VERSIONS,
  NODE_STATE_FIELD_SINCE,
  NODE_STATE_FIELDS,
} from './api-utils/node.ts';
import { PORT_HIBISCUS } from './api-utils/port.ts';
import {
  BIOS_API_FIELDS,
  BIOS_FIELD_SINCE,
  HISTORY_DETAIL_FIELDS,
  HISTORY_FIELD_SINCE,
} from './api-utils/subresources.ts';
import type { ResourceSpec } from './api-utils/resource.ts';
import { CHASSIS } from './routes/chassis.ts';
import { FIRMWARE_FIELD_SINCE, FIRMWARE_QUERY_FIELDS } from './routes/nodes/vmedia.ts';
import { DRIVER_FIELD_SINCE, DRIVER_FIELDS, DRIVER_LINK_VERSIONS } from './routes/drivers.ts';
import { PORTGROUP_HIBISCUS } from './routes/portgroups.ts';
import { V1_FIELDS, V1_RESOURCE_VERSIONS } from './routes/root.ts';
import { RUNBOOK_FIELD_SINCE, RUNBOOK_FIELDS } from './routes/runbooks.ts';
import { VOLUME_CONNECTOR_SPEC, VOLUME_TARGET_SPEC } from './routes/volume.ts';
import {
  MINOR_32_VOLUME,
  MINOR_40_BIOS_INTERFACE,
  MINOR_52_ALLOCATION,
  MINOR_78_NODE_HISTORY,
  MINOR_86_FIRMWARE_INTERFACE,
  MINOR_92_RUNBOOKS,
  MINOR_MAX_VERSION,
  MINOR_MIN_VERSION,
  type Microversion,
} from './versions.ts';

type Json = Record<string, unknown>;

/** A resource whose document schema is microversioned. */
export interface VersionedResource {
  /** the component name (`Node`); variants are `<name>_1_<min>` */
  readonly name: string;
  /** the microversion the resource appears at (its routes' minVersion); 1.1 when absent */
  readonly min?: Microversion;
  /** every field of the API representation at the newest microversion (links excluded) */
  readonly fields: readonly string[];
  /** field → the microversion it appears from (absent: from 1.1) */
  readonly since: Readonly<Record<string, Microversion>>;
  /** the links a full representation has besides `links`, with the microversion each appears from */
  readonly links: Readonly<Record<string, Microversion>>;
  /** false for a representation without `links` (a node's states); true when absent */
  readonly withLinks?: boolean;
  /** what the descriptions call one (`a node's states`); `a <name>` when absent */
  readonly noun?: string;
}

const fromSpec = (
  name: string,
  spec: ResourceSpec,
  links: Record<string, Microversion> = {},
  min?: Microversion,
): VersionedResource => ({
  name,
  ...(min === undefined ? {} : { min }),
  fields: spec.fields,
  since: spec.versions.since,
  links,
});

/**
 * The resources the document describes by microversion, read from their field tables: those of
 * the newest surface the gateway serves (unpinned), as the rest of the document.
 */
export const VERSIONED_RESOURCES: readonly VersionedResource[] = [
  { name: 'Node', fields: NODE_FIELDS, since: NODE_FIELD_VERSIONS.since, links: NODE_LINK_VERSIONS },
  fromSpec('Port', PORT_HIBISCUS),
  fromSpec('Portgroup', PORTGROUP_HIBISCUS, { ports: MINOR_MIN_VERSION }),
  fromSpec('Chassis', CHASSIS, { nodes: MINOR_MIN_VERSION }),
  {
    name: 'Allocation',
    min: MINOR_52_ALLOCATION,
    fields: ALLOCATION_FIELDS,
    since: ALLOCATION_FIELD_SINCE,
    links: {},
  },
  { name: 'Driver', fields: DRIVER_FIELDS, since: DRIVER_FIELD_SINCE, links: DRIVER_LINK_VERSIONS },
  {
    name: 'NodeStates',
    noun: "a node's states",
    fields: NODE_STATE_FIELDS,
    since: NODE_STATE_FIELD_SINCE,
    links: {},
    withLinks: false,
  },
  fromSpec('VolumeConnector', VOLUME_CONNECTOR_SPEC, {}, MINOR_32_VOLUME),
  fromSpec('VolumeTarget', VOLUME_TARGET_SPEC, {}, MINOR_32_VOLUME),
  { name: 'Runbook', min: MINOR_92_RUNBOOKS, fields: RUNBOOK_FIELDS, since: RUNBOOK_FIELD_SINCE, links: {} },
  {
    name: 'NodeHistoryEvent',
    noun: "an event of a node's history",
    min: MINOR_78_NODE_HISTORY,
    fields: HISTORY_DETAIL_FIELDS,
    since: HISTORY_FIELD_SINCE,
    links: {},
  },
  { name: 'ApiV1', noun: 'the v1 API', fields: V1_FIELDS, since: {}, links: V1_RESOURCE_VERSIONS },
  {
    name: 'BiosSetting',
    noun: "a node's BIOS setting",
    min: MINOR_40_BIOS_INTERFACE,
    fields: BIOS_API_FIELDS,
    since: BIOS_FIELD_SINCE,
    links: {},
  },
  {
    name: 'FirmwareComponent',
    noun: "a node's firmware component",
    min: MINOR_86_FIRMWARE_INTERFACE,
    fields: FIRMWARE_QUERY_FIELDS,
    since: FIRMWARE_FIELD_SINCE,
    links: {},
    withLinks: false,
  },
];

export const versionString = (minor: number): string => `1.${minor}`;

export interface Variant {
  /** the component name of the variant (`Node_1_40`) */
  name: string;
  min: number;
  max: number;
  /** the properties it has (fields, then `links` and the other links), in the resource's order */
  properties: string[];
}

const sinceOf = (table: Readonly<Record<string, Microversion>>, key: string): number =>
  (Object.hasOwn(table, key) ? table[key] : undefined) ?? MINOR_MIN_VERSION;

/**
 * The variants of a resource over the microversions `min`–`max`: one per range in which its
 * set of properties stays the same (a new range where a field or link appears).
 */
export function variantsOf(
  resource: VersionedResource,
  min: number = resource.min ?? MINOR_MIN_VERSION,
  max: number = MINOR_MAX_VERSION,
): Variant[] {
  const keys: [string, number][] = [
    ...resource.fields.map((f): [string, number] => [f, Math.max(min, sinceOf(resource.since, f))]),
    ...(resource.withLinks === false ? [] : [['links', min] as [string, number]]),
    ...Object.keys(resource.links).map((l): [string, number] => [l, Math.max(min, sinceOf(resource.links, l))]),
  ];
  const starts = [...new Set([min, ...keys.map(([, since]) => since).filter((v) => v > min && v <= max)])].sort(
    (a, b) => a - b,
  );
  return starts.map((start, i) => ({
    name: `${resource.name}_1_${start}`,
    min: start,
    max: (starts[i + 1] ?? max + 1) - 1,
    properties: keys.filter(([, since]) => since <= start).map(([k]) => k),
  }));
}

/** True when `schema` is a representation of `resource` (see the module's comment). */
function isRepresentation(schema: Json, resource: VersionedResource): boolean {
  if (schema.type !== 'object' || typeof schema.properties !== 'object' || schema.properties === null) return false;
  const keys = Object.keys(schema.properties);
  const withLinks = resource.withLinks !== false;
  if (withLinks !== keys.includes('links')) return false;
  const known = new Set([...(withLinks ? ['links'] : []), ...resource.fields, ...Object.keys(resource.links)]);
  if (!keys.every((k) => known.has(k))) return false;
  return resource.fields.filter((f) => !Object.hasOwn(resource.since, f)).every((f) => keys.includes(f));
}

interface Found {
  resource: VersionedResource;
  /** the property schemas of the representations found, by property name */
  properties: Record<string, unknown>;
}

/** Replaces, in place, every representation under `node` by a $ref to its component. */
function replaceRepresentations(node: unknown, found: Map<string, Found>): unknown {
  if (Array.isArray(node)) return node.map((v) => replaceRepresentations(v, found));
  if (typeof node !== 'object' || node === null) return node;
  const obj = node as Json;
  for (const resource of VERSIONED_RESOURCES) {
    if (!isRepresentation(obj, resource)) continue;
    const entry = found.get(resource.name) ?? { resource, properties: {} };
    for (const [k, v] of Object.entries(obj.properties as Json)) entry.properties[k] ??= v;
    found.set(resource.name, entry);
    return { $ref: `#/components/schemas/${resource.name}` };
  }
  for (const [k, v] of Object.entries(obj)) obj[k] = replaceRepresentations(v, found);
  return obj;
}

/** The components of one resource: the oneOf and its variants. */
function componentsOf({ resource, properties }: Found): Record<string, Json> {
  const variants = variantsOf(resource);
  const out: Record<string, Json> = {};
  const noun = resource.noun ?? resource.name.replace(/(?<=[a-z])(?=[A-Z])/g, ' ').toLowerCase();
  const a = resource.noun
    ? `${noun.charAt(0).toUpperCase()}${noun.slice(1)}`
    : `${/^[aeiou]/.test(noun) ? 'An' : 'A'} ${noun}`;
  const single = variants.length === 1;
  // a resource the same at every microversion is its one variant (a oneOf of one says nothing)
  if (!single)
    out[resource.name] = {
      description: `${a} as the API shows it: its fields depend on the microversion (the variant whose \`x-openstack\` range holds it) and on \`fields\`.`,
      oneOf: variants.map((v) => ({ $ref: `#/components/schemas/${v.name}` })),
      'x-openstack': { discriminator: 'microversion' },
    };
  for (const v of variants) {
    const range = v.min === v.max ? versionString(v.min) : `${versionString(v.min)}–${versionString(v.max)}`;
    out[single ? resource.name : v.name] = {
      type: 'object',
      description: `${a} at microversion ${range}.`,
      properties: Object.fromEntries(
        v.properties.map((p) => [p, properties[p] ?? { description: 'not documented by its route schema' }]),
      ),
      additionalProperties: false,
      'x-openstack': { 'min-ver': versionString(v.min), 'max-ver': versionString(v.max) },
    };
  }
  return out;
}

/**
 * The document with its microversioned schemas (a new object, `doc` is left as it was):
 * representations of the VERSIONED_RESOURCES in the paths refer to their components.
 */
export function withVersionedSchemas<D>(doc: D): D {
  const out = structuredClone(doc) as Json & { paths?: Json; components?: Json & { schemas?: Json } };
  const found = new Map<string, Found>();
  out.paths = replaceRepresentations(out.paths ?? {}, found) as Json;
  out.components ??= {};
  const schemas: Json = { ...out.components.schemas };
  for (const resource of VERSIONED_RESOURCES) {
    const f = found.get(resource.name);
    if (f) Object.assign(schemas, componentsOf(f));
  }
  out.components.schemas = schemas;
  return out as D;
}
