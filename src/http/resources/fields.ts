/**
 * Field sets per microversion, as ironic-api's `hide_fields_in_newer_versions` and
 * `check_allowed_fields`: a resource declares the microversion each field appeared in, which
 * of them a `fields=` request at an older version refuses with 406, and the `fields` parameter
 * itself (1.8) is checked here.
 */
import { ironicError } from '../../conductor/exceptions.ts';
import { own } from '../../own.ts';

export interface FieldVersions {
  /** field → the minor version it appears from (absent: always shown) */
  readonly since: Readonly<Record<string, number>>;
  /** fields whose presence in `fields=` below their version is 406 (not merely hidden) */
  readonly refuseBelow: readonly string[];
}

/** NotAcceptable (406) as ironic-api raises it for a feature above the requested version. */
export function notAcceptable(message = 'Request not acceptable.'): Error {
  return ironicError('NotAcceptable', message);
}

/** NotAcceptable naming the minimal version, as check_allow_specify_driver words it. */
export function needsVersion(minor: number): Error {
  return notAcceptable(`Request not acceptable. The minimal required API version should be 1.${minor}`);
}

/** Deletes from `obj` the fields not visible at `minor`. */
export function hideFields(obj: Record<string, unknown>, spec: FieldVersions, minor: number): void {
  for (const [field, since] of Object.entries(spec.since)) if (minor < since) delete obj[field];
}

/** `fields` needs 1.8 (check_allow_specify_fields). */
export function checkAllowSpecifyFields(fields: readonly string[] | undefined, minor: number): void {
  if (fields !== undefined && minor < 8) throw notAcceptable();
}

/** 406 for a requested field newer than the microversion (check_allowed_fields). */
export function checkAllowedFields(fields: readonly string[] | undefined, spec: FieldVersions, minor: number): void {
  if (fields === undefined) return;
  for (const f of fields) {
    const since = own(spec.since, f);
    if (since !== undefined && minor < since && spec.refuseBelow.includes(f)) throw notAcceptable();
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
