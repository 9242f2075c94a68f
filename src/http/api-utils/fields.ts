/**
 * Field sets per microversion, as ironic-api's `hide_fields_in_newer_versions` and
 * `check_allowed_fields`: a resource declares the microversion each field appeared in, which
 * of them a `fields=` request at an older version refuses with 406, and the `fields` parameter
 * itself (1.8) is checked here.
 */
import { ironicError } from '../../conductor/exceptions.ts';
import { allows, allowSpecifyFields, notAcceptable, type Microversion, type Versioned } from '../versions.ts';
import { own } from '../../own.ts';

export interface FieldVersions {
  /** field → the microversion it appears from (absent: always shown) */
  readonly since: Readonly<Record<string, Microversion>>;
  /** fields whose presence in `fields=` below their version is 406 (not merely hidden) */
  readonly refuseBelow: readonly string[];
}

/** Deletes from `obj` the fields not visible at the request's microversion. */
export function hideFields(obj: Record<string, unknown>, spec: FieldVersions, request: Versioned): void {
  for (const [field, since] of Object.entries(spec.since)) if (!allows(request, since)) delete obj[field];
}

/** `fields` needs MINOR_8_FETCHING_SUBSET_OF_FIELDS (check_allow_specify_fields). */
export function checkAllowSpecifyFields(fields: readonly string[] | undefined, request: Versioned): void {
  if (fields !== undefined && !allowSpecifyFields(request)) throw notAcceptable();
}

/** 406 for a requested field newer than the microversion (check_allowed_fields). */
export function checkAllowedFields(
  fields: readonly string[] | undefined,
  spec: FieldVersions,
  request: Versioned,
): void {
  if (fields === undefined) return;
  for (const f of fields) {
    const since = own(spec.since, f);
    if (since !== undefined && !allows(request, since) && spec.refuseBelow.includes(f)) throw notAcceptable();
  }
}

/** InvalidParameterValue for requested fields the resource does not have (check_for_invalid_fields). */
export function checkForInvalidFields(fields: readonly string[], known: Iterable<string>): void {
  const have = new Set(known);
  const invalid = fields.filter((f) => !have.has(f));
  if (invalid.length > 0) throw ironicError('InvalidParameterValue', `Field(s) "${invalid.join(', ')}" are not valid`);
}

/** Keeps only `fields` of `obj` (unset_fields_except). */
export function selectFields<T extends Record<string, unknown>>(obj: T, fields: readonly string[]): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const f of fields) if (Object.hasOwn(obj, f)) out[f] = obj[f];
  return out as Partial<T>;
}
