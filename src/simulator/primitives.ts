/**
 * Rows ⇄ oslo.versionedobjects primitives (`ironic_object.*`), as Ironic's serializer writes
 * them: datetimes as ISO-8601 seconds with `Z`, a Node's traits as a TraitList of Trait objects.
 *
 * Kept independent of the client's codec (src/conductor/objects.ts) on purpose: the simulated
 * conductor is the client's oracle, and a codec shared by both would hide the mistakes it exists
 * to catch. Do not merge them.
 */
import { ironicError } from '../conductor/exceptions.ts';
import { compareVersions } from '../rpc/version.ts';
import { ADDED_IN, classOf, type ObjectClass, type Row } from './schema.ts';

export interface Primitive {
  'ironic_object.name': string;
  'ironic_object.namespace': string;
  'ironic_object.version': string;
  'ironic_object.data': Record<string, unknown>;
  'ironic_object.changes'?: string[];
}

export interface TraitRow {
  trait: string;
  created_at: Date;
  updated_at: Date | null;
}

export const isPrimitive = (v: unknown): v is Primitive =>
  typeof v === 'object' && v !== null && 'ironic_object.name' in v && 'ironic_object.data' in v;

/** oslo's isotime: seconds precision, UTC marked `Z`. */
export function isotime(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

export function parseDate(v: unknown): Date | null {
  if (v instanceof Date) return v;
  if (typeof v !== 'string' || v === '') return null;
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(v) ? v : `${v}Z`);
  return Number.isNaN(d.getTime()) ? null : d;
}

const versionLess = (a: string, b: string): boolean => compareVersions(a, b) < 0;

/** A node's traits as a TraitList, at the versions `versions` names (1.0 when it names none). */
function traitList(
  nodeId: number,
  traits: readonly TraitRow[],
  versions?: Readonly<Record<string, unknown>>,
): Primitive {
  const at = (name: string): string => {
    const v = versions?.[name];
    return typeof v === 'string' ? v : '1.0';
  };
  const trait = at('Trait');
  return {
    'ironic_object.name': 'TraitList',
    'ironic_object.namespace': 'ironic',
    'ironic_object.version': at('TraitList'),
    'ironic_object.data': {
      objects: traits.map((t) => ({
        'ironic_object.name': 'Trait',
        'ironic_object.namespace': 'ironic',
        'ironic_object.version': trait,
        'ironic_object.data': {
          node_id: nodeId,
          trait: t.trait,
          created_at: isotime(t.created_at),
          updated_at: t.updated_at ? isotime(t.updated_at) : null,
        },
      })),
    },
  };
}

/**
 * A deep copy of a row's JSON-like value, so a primitive never aliases the store. Hand-written
 * rather than structuredClone: it runs per field of every object listed, and scalars (most
 * fields) need no copy at all.
 */
function clone<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (Array.isArray(v)) return v.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = clone((v as Record<string, unknown>)[k]);
  return out as T;
}

/**
 * The fields of `cls` a primitive at `version` carries, and which of them are datetimes: worked
 * out once per class and version (every listed row asked again, and comparing versions per
 * field was a visible part of a page's cost).
 */
const layouts = new Map<string, { fields: readonly string[]; dates: ReadonlySet<string> }>();
function layout(cls: ObjectClass, version: string): { fields: readonly string[]; dates: ReadonlySet<string> } {
  const key = `${cls.name} ${version}`;
  let l = layouts.get(key);
  if (!l) {
    const dropped = new Set(
      (ADDED_IN[cls.name] ?? []).filter(([, since]) => versionLess(version, since)).map(([f]) => f),
    );
    l = { fields: cls.fields.filter((f) => !dropped.has(f)), dates: new Set(cls.dates) };
    layouts.set(key, l);
  }
  return l;
}

/**
 * A row as a primitive of its class, at `version` (default: the class's own), fields removed as
 * Ironic backports. `only`, when given, keeps just those fields: an object loaded with some
 * columns (Node.list's `fields`), whose primitive carries only the fields that were set.
 * `nested` gives the versions of nested objects (a Node's TraitList and Trait): the caller's
 * manifest for one object, the release's own for a list.
 */
export function toPrimitive(
  cls: ObjectClass,
  row: Row,
  version = cls.version,
  changes?: string[],
  only?: ReadonlySet<string>,
  nested?: Readonly<Record<string, unknown>>,
): Primitive {
  const { fields, dates } = layout(cls, version);
  const data: Record<string, unknown> = {};
  for (const f of fields) {
    if (!(f in row) || (only && !only.has(f))) continue;
    const v = row[f];
    if (dates.has(f)) data[f] = v instanceof Date ? isotime(v) : null;
    else if (f === 'traits' && cls.name === 'Node') data[f] = traitList(row.id, v as TraitRow[], nested);
    else data[f] = clone(v);
  }
  const p: Primitive = {
    'ironic_object.name': cls.name,
    'ironic_object.namespace': 'ironic',
    'ironic_object.version': versionLess(version, cls.version) ? version : cls.version,
    'ironic_object.data': data,
  };
  if (changes) p['ironic_object.changes'] = changes;
  return p;
}

export interface Decoded {
  cls: ObjectClass;
  version: string;
  /** field values as rows hold them (dates parsed, traits as TraitRow[]) */
  data: Record<string, unknown>;
  changes: string[];
}

/** Reads an incoming primitive; unknown classes are refused as oslo does (IncompatibleObjectVersion is too specific here). */
export function fromPrimitive(p: unknown, expected?: string): Decoded {
  if (!isPrimitive(p)) throw ironicError('InvalidParameterValue', 'Expected a versioned object primitive.');
  const name = p['ironic_object.name'];
  const cls = classOf(name);
  if (!cls || (expected && name !== expected)) {
    throw ironicError(
      'InvalidParameterValue',
      `Unsupported object ${name}${expected ? `; expected ${expected}` : ''}.`,
    );
  }
  const data: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p['ironic_object.data'] ?? {})) {
    if (!cls.fields.includes(k)) continue;
    if (cls.dates.includes(k)) data[k] = parseDate(v);
    else if (k === 'traits' && cls.name === 'Node') data[k] = decodeTraits(v);
    else data[k] = v;
  }
  const changes = Array.isArray(p['ironic_object.changes'])
    ? p['ironic_object.changes'].filter((c): c is string => typeof c === 'string')
    : [];
  return { cls, version: p['ironic_object.version'], data, changes };
}

function decodeTraits(v: unknown): TraitRow[] {
  if (!isPrimitive(v)) return [];
  const objects = (v['ironic_object.data'].objects ?? []) as unknown[];
  return objects.filter(isPrimitive).map((o) => {
    const d = o['ironic_object.data'];
    return {
      trait: String(d.trait),
      created_at: parseDate(d.created_at) ?? new Date(),
      updated_at: parseDate(d.updated_at),
    };
  });
}
