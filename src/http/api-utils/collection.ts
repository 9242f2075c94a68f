/**
 * Collections as ironic-api serves them: `limit` (positive, capped by max_limit), `marker`,
 * `sort_key`/`sort_dir` checks, and the `next` link of a full page.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import { baseUrl } from '../links.ts';

/** The page size: max_limit when absent, 400 when not a positive integer. */
export function validateLimit(raw: string | number | undefined, maxLimit: number): number {
  if (raw === undefined) return maxLimit;
  const n = typeof raw === 'number' ? raw : /^\s*[+-]?\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n)) {
    throw ironicError(
      'Invalid',
      `Invalid input for field/attribute limit. Value: '${String(raw)}'. unable to convert to int`,
    );
  }
  if (n <= 0) throw ironicError('Invalid', 'Limit must be positive');
  return Math.min(maxLimit, n);
}

export type SortDir = 'asc' | 'desc';

export function validateSortDir(raw: string | undefined): SortDir {
  const dir = raw ?? 'asc';
  if (dir !== 'asc' && dir !== 'desc') {
    throw ironicError('Invalid', `Invalid sort direction: ${dir}. Acceptable values are 'asc' or 'desc'`);
  }
  return dir;
}

/** Refuses sort keys the resource cannot sort by (JSON columns and the like). */
export function validateSortKey(key: string, invalid: readonly string[]): string {
  if (invalid.includes(key)) {
    throw ironicError('InvalidParameterValue', `The sort_key value ${key} is an invalid field for sorting`);
  }
  return key;
}

/**
 * Collection.get_next: a link to the next page when this one is full, with `params` first, then
 * `limit` and `marker` (the last item's uuid); undefined otherwise.
 */
export function nextLink(
  request: FastifyRequest,
  resourcePath: string,
  items: ReadonlyArray<{ uuid?: unknown }>,
  limit: number,
  params: Readonly<Record<string, string | number | boolean>> = {},
): string | undefined {
  if (items.length === 0 || items.length !== limit) return undefined;
  const args = Object.entries(params)
    .map(([k, v]) => `${k}=${pyString(v)}&`)
    .join('');
  const marker = String(items[items.length - 1].uuid);
  return `${baseUrl(request)}/v1/${resourcePath}?${args}limit=${limit}&marker=${marker}`;
}

/** Python's str() of a query value (booleans are True/False in ironic-api's next links). */
function pyString(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  return String(v);
}

/** Wraps `items` as `{<key>: items, next?}`. */
export function collection<T>(key: string, items: T[], next: string | undefined): Record<string, unknown> {
  const body: Record<string, unknown> = { [key]: items };
  if (next !== undefined) body.next = next;
  return body;
}
