/**
 * Building blocks of a resource's API representation: its public fields from an object's
 * primitive data (datetimes as ironic-api renders them), secrets masked as oslo's
 * mask_dict_password does, `[self, bookmark]` links, and JSON schemas shared by responses.
 */
import type { FastifyRequest } from 'fastify';
import { baseUrl, resourceLinks, type Link } from '../links.ts';

/** The keys oslo.utils (Queens) treats as secrets, lower case, matched as substrings. */
const SANITIZE_KEYS = [
  'adminpass',
  'admin_pass',
  'password',
  'admin_password',
  'auth_token',
  'new_pass',
  'auth_password',
  'secret_uuid',
  'secret',
  'sys_pswd',
  'token',
  'configdrive',
  'chappassword',
  'encrypted_key',
];

export const SECRET_MASK = '******';

/** strutils.mask_dict_password: values of secret-looking keys replaced, nested dicts too. */
export function maskSecrets(dict: Record<string, unknown>, mask = SECRET_MASK): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(dict)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = maskSecrets(v as Record<string, unknown>, mask);
    } else {
      const lower = k.toLowerCase();
      out[k] = SANITIZE_KEYS.some((s) => lower.includes(s)) ? mask : v;
    }
  }
  return out;
}

/** A datetime as ironic-api renders it (`…+00:00`), from oslo's `…Z` primitive. */
export function apiDateTime(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value);
  return s.endsWith('Z') ? `${s.slice(0, -1)}+00:00` : s;
}

/** `[self, bookmark]` links of `<collection>/<uuid><suffix>`. */
export function linksOf(request: FastifyRequest, collectionName: string, uuid: string, suffix = ''): Link[] {
  return resourceLinks(baseUrl(request), `${collectionName}/${uuid}${suffix}`);
}

/** Location header value for `<base>/v1/<path>` (link.build_url). */
export function locationOf(request: FastifyRequest, path: string): string {
  return `${baseUrl(request)}/v1/${path}`;
}

// ---- JSON schemas shared by resource responses ----------------------------------------------

export const linkSchema = {
  type: 'object',
  properties: { href: { type: 'string' }, rel: { type: 'string' }, type: { type: 'string' } },
  required: ['href', 'rel'],
} as const;

export const linksSchema = { type: 'array', items: linkSchema } as const;
export const nullableString = { type: ['string', 'null'] } as const;
export const nullableDateTime = { type: ['string', 'null'], description: 'ISO 8601 date and time' } as const;
export const nullableDict = { type: ['object', 'null'], additionalProperties: true } as const;
export const dict = { type: 'object', additionalProperties: true } as const;

/** Ironic's error body, for the documented error responses of a route. */
export const errorSchema = {
  type: 'object',
  properties: { error_message: { type: 'string', description: 'JSON string: {faultstring, faultcode, debuginfo}' } },
  required: ['error_message'],
} as const;

/** Error responses every resource route may give, keyed by status. */
export function errorResponses(...codes: number[]): Record<number, typeof errorSchema> {
  const out: Record<number, typeof errorSchema> = {};
  for (const c of codes) out[c] = errorSchema;
  return out;
}

/** The empty response of a 202/204 route. */
export const emptyResponse = { type: 'null', description: 'No content' } as const;
