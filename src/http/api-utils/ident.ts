/**
 * Identifier rules of ironic-api: UUIDs (oslo's is_uuid_like), logical names (RFC 3986
 * unreserved characters from 1.10, hostname-safe before), and the request-parameter types
 * (strict booleans, comma lists) that wsme parsed for it.
 */
import { ironicError } from '../../conductor/exceptions.ts';
import { allowUnrestrictedNodeName, type Versioned } from '../versions.ts';

const UUID_RE = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const LOGICAL_NAME_RE = /^[A-Z0-9\-._~]+$/i;
const HOSTNAME_SAFE_RE = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9\-_]{0,62}[a-z0-9])*\.?$/;

/** oslo_utils.uuidutils.is_uuid_like: 32 hex digits, dashes optional, any case. */
export function isUuidLike(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const compact = value.replace(/[{}]/g, '').replace(/^urn:uuid:/i, '');
  return UUID_RE.test(compact) && compact.replace(/-/g, '').length === 32;
}

/** A logical name as the microversion allows it (MINOR_10_UNRESTRICTED_NODE_NAME widened the alphabet). */
export function isValidLogicalName(name: unknown, request: Versioned): boolean {
  if (typeof name !== 'string' || name.length > 255) return false;
  return allowUnrestrictedNodeName(request) ? LOGICAL_NAME_RE.test(name) : HOSTNAME_SAFE_RE.test(name);
}

/** A name a node may take: a valid logical name that is not a UUID. */
export function isValidNodeName(name: unknown, request: Versioned): boolean {
  return isValidLogicalName(name, request) && !isUuidLike(name);
}

/** types.uuid: raises InvalidUUID for anything not UUID-like. */
export function checkUuid(value: string): string {
  if (!isUuidLike(value)) throw ironicError('InvalidUUID', `Expected a UUID but received ${value}.`);
  return value;
}

/** types.uuid_or_name: raises InvalidUuidOrName. */
export function checkUuidOrName(value: string, request: Versioned): string {
  if (!isUuidLike(value) && !isValidLogicalName(value, request)) {
    throw ironicError('InvalidUuidOrName', `Expected a logical name or UUID but received ${value}.`);
  }
  return value;
}

const TRUE_WORDS = new Set(['1', 't', 'true', 'on', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'f', 'false', 'off', 'n', 'no']);

/** oslo's bool_from_string(strict=True); raises Invalid (400) otherwise. Booleans pass through. */
export function parseBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  const s = String(value).trim().toLowerCase();
  if (TRUE_WORDS.has(s)) return true;
  if (FALSE_WORDS.has(s)) return false;
  throw ironicError(
    'Invalid',
    `Unrecognized value '${String(value)}', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'`,
  );
}

/** types.listtype: a comma-separated list, lower-cased, de-duplicated, order kept. */
export function parseList(value: string): string[] {
  const items: string[] = [];
  for (const part of value.split(',')) {
    const v = part.trim().toLowerCase();
    if (v && !items.includes(v)) items.push(v);
  }
  return items;
}
