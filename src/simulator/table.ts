/**
 * One in-memory table of versioned-object rows with Ironic's DB-API semantics: integer ids,
 * lookups by id or uuid raising <Class>NotFound, and paginated lists (limit, marker,
 * sort_key with `id` as the tie-breaker, sort_dir) as oslo.db's paginate_query orders them.
 *
 * What a request costs does not grow with the table where an index can answer: ids and uuids,
 * and the `indexed` fields a table declares (a node's name and instance_uuid, a port's address
 * and node_id: the lookups and uniqueness checks of every create, and a node's ports). Those
 * fields change only through insert() and update() (a row assigned in place keeps its old index
 * entry, which is checked against the row on every hit, so a stale entry is never answered).
 * A page in id order walks the rows from the start; a page in another order keeps only the
 * `limit` best rows while it walks (no sort of the whole table).
 */
import { randomUUID } from 'node:crypto';
import { ironicError } from '../conductor/exceptions.ts';
import { isPrimitive } from './primitives.ts';
import type { ObjectClass, Row } from './schema.ts';

export interface ListOptions {
  limit?: unknown;
  marker?: unknown;
  sort_key?: unknown;
  sort_dir?: unknown;
}

export const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
export const isIntLike = (v: unknown): boolean =>
  (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^\d+$/.test(v));

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return -1;
  if (b === null || b === undefined) return 1;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  const sa = typeof a === 'string' ? a : JSON.stringify(a);
  const sb = typeof b === 'string' ? b : JSON.stringify(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export class Table {
  /** By id, in insertion order: ids only grow, so this is also id order. */
  readonly rows = new Map<number, Row>();
  /** uuid → row, checked on every use (a uuid never changes in Ironic, but rows are plain objects). */
  private readonly uuids = new Map<string, Row>();
  private nextId = 1;
  /** indexed field → value → the rows holding it (kept by insert, update and delete) */
  private readonly indexes = new Map<string, Map<unknown, Set<Row>>>();
  /** bumped by every insert, update and delete: a sorted copy older than this is rebuilt */
  private version = 0;
  /** sort key → every row in (key, id) order, as of `version` (see sortedBy) */
  private readonly sorted = new Map<string, { version: number; rows: Row[] }>();

  constructor(
    readonly cls: ObjectClass,
    indexed: readonly string[] = [],
  ) {
    for (const f of indexed) this.indexes.set(f, new Map());
  }

  private index(row: Row): void {
    for (const [f, idx] of this.indexes) {
      const v = row[f];
      let set = idx.get(v);
      if (!set) {
        set = new Set();
        idx.set(v, set);
      }
      set.add(row);
    }
  }

  private unindex(row: Row, field: string, value: unknown): void {
    const idx = this.indexes.get(field);
    const set = idx?.get(value);
    if (!set) return;
    set.delete(row);
    if (set.size === 0) idx?.delete(value);
  }

  /** True when `field` is indexed, so byField and rowsWith answer without a scan. */
  isIndexed(field: string): boolean {
    return this.indexes.has(field);
  }

  /**
   * The rows whose indexed `field` is `value`, in id order (each entry checked against its
   * row); undefined when the field is not indexed (the caller scans).
   */
  rowsWith(field: string, value: unknown): Row[] | undefined {
    const idx = this.indexes.get(field);
    if (!idx) return undefined;
    const set = idx.get(value);
    if (!set) return [];
    const out: Row[] = [];
    for (const r of set) if (r[field] === value && this.rows.get(r.id) === r) out.push(r);
    return out.length > 1 ? out.sort((a, b) => a.id - b.id) : out;
  }

  notFound(ident: unknown): Error {
    const [className, kwarg, label] = this.cls.notFound;
    return ironicError(className, `${label} ${String(ident)} could not be found.`, { [kwarg]: JSON.stringify(ident) });
  }

  /** By integer id or uuid (Ironic's `get`). */
  get(ident: unknown): Row {
    const row = isIntLike(ident)
      ? this.rows.get(Number(ident))
      : typeof ident === 'string'
        ? this.byField('uuid', ident)
        : undefined;
    if (!row) throw this.notFound(ident);
    return row;
  }

  byId(id: unknown): Row {
    const row = isIntLike(id) ? this.rows.get(Number(id)) : undefined;
    if (!row) throw this.notFound(id);
    return row;
  }

  byUuid(uuid: unknown): Row {
    const row = typeof uuid === 'string' ? this.byField('uuid', uuid) : undefined;
    if (!row) throw this.notFound(uuid);
    return row;
  }

  byField(field: string, value: unknown): Row | undefined {
    if (field === 'uuid' && typeof value === 'string') {
      const row = this.uuids.get(value);
      if (row && row.uuid === value && this.rows.get(row.id) === row) return row;
    }
    const indexed = field === 'uuid' ? undefined : this.rowsWith(field, value);
    if (indexed) return indexed[0];
    for (const row of this.rows.values()) if (row[field] === value) return row;
    return undefined;
  }

  insert(values: Record<string, unknown>): Row {
    const now = new Date();
    const row = {
      ...structuredClone(this.cls.defaults),
      ...values,
      id: this.nextId++,
      uuid: typeof values.uuid === 'string' && values.uuid ? values.uuid : randomUUID(),
      created_at: now,
      updated_at: null,
    } as Row;
    this.rows.set(row.id, row);
    this.uuids.set(row.uuid, row);
    this.index(row);
    this.version++;
    return row;
  }

  update(row: Row, values: Record<string, unknown>): Row {
    const moved: Array<[string, unknown]> = [];
    for (const f of this.indexes.keys()) if (f in values && values[f] !== row[f]) moved.push([f, row[f]]);
    Object.assign(row, values, { updated_at: new Date() });
    this.version++;
    this.uuids.set(row.uuid, row);
    for (const [f, old] of moved) {
      this.unindex(row, f, old);
      const idx = this.indexes.get(f);
      const set = idx?.get(row[f]) ?? new Set<Row>();
      idx?.set(row[f], set);
      set.add(row);
    }
    return row;
  }

  delete(row: Row): void {
    this.rows.delete(row.id);
    if (this.uuids.get(row.uuid) === row) this.uuids.delete(row.uuid);
    for (const f of this.indexes.keys()) this.unindex(row, f, row[f]);
    this.version++;
  }

  /**
   * Rows passing `keep`, paginated and sorted as Ironic's _paginate_query. `among`, when given,
   * is every row that can pass (from an index, in id order): only those are walked.
   */
  list(opts: ListOptions = {}, keep: (r: Row) => boolean = () => true, among?: readonly Row[]): Row[] {
    const sortKey = opts.sort_key ?? null;
    if (
      sortKey !== null &&
      (typeof sortKey !== 'string' || !this.cls.fields.includes(sortKey) || sortKey === 'traits')
    ) {
      throw ironicError(
        'InvalidParameterValue',
        `The sort_key value "${String(sortKey)}" is an invalid field for sorting`,
      );
    }
    const dir = opts.sort_dir ?? 'asc';
    if (dir !== 'asc' && dir !== 'desc')
      throw ironicError('InvalidParameterValue', "Unknown sort direction, must be 'desc' or 'asc'");
    const keys = sortKey && sortKey !== 'id' ? [sortKey, 'id'] : ['id'];
    const sign = dir === 'desc' ? -1 : 1;
    const cmp = (a: Row, b: Row): number => {
      for (const k of keys) {
        const c = compare(a[k], b[k]);
        if (c !== 0) return sign * c;
      }
      return 0;
    };
    const limit = opts.limit;
    if (limit !== undefined && limit !== null && (!isIntLike(limit) || Number(limit) < 0))
      throw ironicError('InvalidParameterValue', `Limit must be positive: ${String(limit)}`);
    const max = limit === undefined || limit === null ? Number.POSITIVE_INFINITY : Number(limit);
    const marker = opts.marker !== undefined && opts.marker !== null ? this.markerRow(opts.marker) : null;
    // The usual page (by id, ascending): the rows are already in that order, so a page costs
    // what it holds and the rows before it, never a sort of the whole table.
    // A sort key whose values change only through update() (an indexed field, created_at):
    // the rows kept in that order until the next write; a page is a binary search for the
    // marker and a walk from there.
    if (!among && sortKey && sortKey !== 'id' && this.sortCached(sortKey) && Number.isFinite(max)) {
      const rows = this.sortedBy(sortKey);
      const page: Row[] = [];
      if (max === 0) return page;
      const asc = (a: Row, b: Row): number => compare(a[sortKey], b[sortKey]) || a.id - b.id;
      // the first row after the marker in ascending order
      let lo = 0;
      let hi = rows.length;
      if (marker) {
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (asc(rows[mid] as Row, marker) <= 0) lo = mid + 1;
          else hi = mid;
        }
      }
      if (sign === 1) {
        for (let i = lo; i < rows.length && page.length < max; i++) {
          const r = rows[i] as Row;
          if (keep(r)) page.push(r);
        }
      } else {
        // descending: from the last row before the marker (or the last row) backwards
        let start = rows.length - 1;
        if (marker) {
          let l = 0;
          let h = rows.length;
          while (l < h) {
            const mid = (l + h) >> 1;
            if (asc(rows[mid] as Row, marker) < 0) l = mid + 1;
            else h = mid;
          }
          start = l - 1;
        }
        for (let i = start; i >= 0 && page.length < max; i--) {
          const r = rows[i] as Row;
          if (keep(r)) page.push(r);
        }
      }
      return page;
    }
    const candidates: Iterable<Row> = among ?? this.rows.values();
    if (keys.length === 1 && sign === 1) {
      const page: Row[] = [];
      if (max === 0) return page;
      for (const r of candidates) {
        if (marker && r.id <= marker.id) continue;
        if (!keep(r)) continue;
        page.push(r);
        if (page.length >= max) break;
      }
      return page;
    }
    if (!Number.isFinite(max)) {
      let rows = [...candidates].filter(keep).sort(cmp);
      if (marker) rows = rows.filter((r) => cmp(r, marker) > 0);
      return rows;
    }
    // Any other order: one walk keeping the `max` first rows after the marker, in order
    // (binary insertion into the page), instead of sorting every row for one page.
    const page: Row[] = [];
    if (max === 0) return page;
    for (const r of candidates) {
      const last = page[page.length - 1];
      if (page.length >= max && last && cmp(r, last) >= 0) continue;
      if (marker && cmp(r, marker) <= 0) continue;
      if (!keep(r)) continue;
      let lo = 0;
      let hi = page.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cmp(page[mid] as Row, r) <= 0) lo = mid + 1;
        else hi = mid;
      }
      page.splice(lo, 0, r);
      if (page.length > max) page.pop();
    }
    return page;
  }

  /** Sort keys kept in order between writes: indexed fields and created_at (never assigned in place). */
  private sortCached(field: string): boolean {
    return this.indexes.has(field) || field === 'created_at';
  }

  /** Every row in (field, id) ascending order, sorted again only after a write. */
  private sortedBy(field: string): Row[] {
    let s = this.sorted.get(field);
    if (!s || s.version !== this.version) {
      const rows = [...this.rows.values()].sort((a, b) => compare(a[field], b[field]) || a.id - b.id);
      s = { version: this.version, rows };
      this.sorted.set(field, s);
    }
    return s.rows;
  }

  /** A marker is a row identity: a primitive of the class (as oslo serializes one), a uuid or an id. */
  private markerRow(marker: unknown): Row {
    if (isPrimitive(marker)) {
      const d = marker['ironic_object.data'];
      return d.id !== undefined ? this.byId(d.id) : this.byUuid(d.uuid);
    }
    return this.get(marker);
  }
}

export const listOptions = (kw: Record<string, unknown>): ListOptions => ({
  limit: kw.limit,
  marker: kw.marker,
  sort_key: kw.sort_key,
  sort_dir: kw.sort_dir,
});
