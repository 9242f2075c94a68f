/**
 * Microversion negotiation as ironic-api does it: `X-OpenStack-Ironic-API-Version: 1.N` or
 * `OpenStack-API-Version: baremetal 1.N`, `latest` for the maximum, 1.1 when none is asked.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';
import { MINOR_MAX_VERSION, MINOR_MIN_VERSION, servesHibiscus } from './versions.ts';

export const MIN_VERSION = { major: 1, minor: MINOR_MIN_VERSION } as const;
/** The newest microversion the gateway implements; an app serves its release profile's (`maxMinor`). */
export const MAX_VERSION = { major: 1, minor: MINOR_MAX_VERSION } as const;
export const MIN_VERSION_STRING = `${MIN_VERSION.major}.${MIN_VERSION.minor}`;
export const MAX_VERSION_STRING = `${MAX_VERSION.major}.${MAX_VERSION.minor}`;
/** '1.N' of a maximum minor version. */
export const versionString = (minor: number): string => `${MAX_VERSION.major}.${minor}`;

export const VERSION_HEADER = 'x-openstack-ironic-api-version';
const GENERIC_HEADER = 'openstack-api-version';

export interface ApiVersion {
  major: number;
  minor: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** the newest microversion this app serves: its release profile's (pin_release_version) */
    apiMaxMinor: number;
  }
  interface FastifyRequest {
    /** the negotiated microversion of this /v1 request */
    apiVersion: ApiVersion;
  }
}

/**
 * webob's HTTPNotAcceptable, which ironic-api raises while negotiating the version (with the
 * version headers and webob's code/title/description); not Ironic's exception.NotAcceptable,
 * which the routes raise (api-utils/fields.ts notAcceptable).
 */
function httpNotAcceptable(description: string, maxMinor: number): HttpError {
  return new HttpError(406, description, versionHeaders(null, maxMinor), {
    code: 406,
    title: 'Not Acceptable',
    description,
  });
}

/**
 * Reads the requested version from the headers; throws 406 when malformed or out of range.
 * `maxMinor`: the newest microversion served (the app's release profile).
 */
export function negotiate(headers: FastifyRequest['headers'], maxMinor: number = MAX_VERSION.minor): ApiVersion {
  const maxString = versionString(maxMinor);
  let raw = headers[VERSION_HEADER];
  if (Array.isArray(raw)) raw = raw[0];
  if (raw === undefined) {
    let generic = headers[GENERIC_HEADER];
    if (Array.isArray(generic)) generic = generic.join(',');
    if (generic !== undefined) {
      for (const part of generic.split(',')) {
        const [service, value] = part.trim().split(/\s+/, 2);
        if (service?.toLowerCase() === 'baremetal' && value !== undefined) raw = value;
      }
    }
  }
  if (raw === undefined || raw.trim() === '') return { ...MIN_VERSION };
  const value = raw.trim();
  if (value.toLowerCase() === 'latest') return { major: MAX_VERSION.major, minor: maxMinor };
  const m = /^(\d+)\.(\d+)$/.exec(value);
  if (!m)
    throw httpNotAcceptable(
      `Invalid value for X-OpenStack-Ironic-API-Version header: ${JSON.stringify(value)}. It must be "latest" or of the form MAJOR.MINOR, e.g. ${maxString}.`,
      maxMinor,
    );
  const v = { major: Number(m[1]), minor: Number(m[2]) };
  if (v.major !== MAX_VERSION.major) {
    throw httpNotAcceptable(
      `Version ${value} was requested but the major version is not supported by this service. The supported version range is: [${MIN_VERSION_STRING}, ${maxString}].`,
      maxMinor,
    );
  }
  if (v.minor < MIN_VERSION.minor || v.minor > maxMinor) {
    throw httpNotAcceptable(
      `Version ${value} was requested but the minor version is not supported by this service. The supported version range is: [${MIN_VERSION_STRING}, ${maxString}].`,
      maxMinor,
    );
  }
  return v;
}

/** The microversion headers of a /v1 response; `used` is null when negotiation failed. */
export function versionHeaders(used: ApiVersion | null, maxMinor: number = MAX_VERSION.minor): Record<string, string> {
  const h: Record<string, string> = {
    'x-openstack-ironic-api-minimum-version': MIN_VERSION_STRING,
    'x-openstack-ironic-api-maximum-version': versionString(maxMinor),
    vary: 'X-OpenStack-Ironic-API-Version, OpenStack-API-Version',
  };
  if (used) {
    h['x-openstack-ironic-api-version'] = `${used.major}.${used.minor}`;
    h['openstack-api-version'] = `baremetal ${used.major}.${used.minor}`;
  }
  return h;
}

export function isVersionedPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

const isRootPath = (url: string): boolean => url === '/' || url.startsWith('/?');

/** onRequest hook: negotiates for /v1 paths and sets the response headers. */
export async function microversionHook(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  request.apiVersion = { ...MIN_VERSION };
  if (!isVersionedPath(request.url)) {
    // 39.0 (and the gateway serving as it) sends the version headers on the root document too,
    // negotiated as for /v1; a version it cannot negotiate leaves the root as 21.4 serves it
    if (isRootPath(request.url) && servesHibiscus(request)) {
      try {
        const used = negotiate(request.headers, request.server.apiMaxMinor);
        reply.headers(versionHeaders(used, request.server.apiMaxMinor));
      } catch {
        /* no headers */
      }
    }
    return;
  }
  const maxMinor = request.server.apiMaxMinor;
  request.apiVersion = negotiate(request.headers, maxMinor);
  reply.headers(versionHeaders(request.apiVersion, maxMinor));
}
