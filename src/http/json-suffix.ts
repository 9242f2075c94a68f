/**
 * ironic-api's JsonExtensionMiddleware: a path ending in `.json` (after its trailing slashes) is
 * served without it, `/v1/nodes.json` as `/v1/nodes`, a compatibility left from pecan's content
 * type guessing. Where ironic-api then looks a node or portgroup up by the path's last segment
 * (get_rpc_node_with_suffix), a miss is retried with `.json` put back, for one named `x.json`.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { MINOR_91_DOT_JSON } from './versions.ts';

const HAD_JSON_SUFFIX = Symbol('hadJsonSuffix');
/** The gateway's own paths whose name ends in .json (ironic-api has none). */
const KEEP_SUFFIX: ReadonlySet<string> = new Set(['/openapi.json']);
type Marked = IncomingMessage & { [HAD_JSON_SUFFIX]?: boolean };

/**
 * 39.0's JsonExtensionMiddleware (1.91, Ironic 25.0): the suffix is stripped only when the
 * request names a version below 1.91 in `X-OpenStack-Ironic-API-Version`; without the header
 * (1.1) the path is taken as it is. A value microversion_parse cannot read (`latest`, `1.abc`)
 * makes 39.0 answer 500 with an empty body (reference §7 R5): fixed, such a request keeps its
 * suffix and is answered as any other (`latest` is 1.115, above 1.91; a bad value is the
 * negotiation's 406).
 */
function stripsAtVersion(req: IncomingMessage): boolean {
  const raw = req.headers['x-openstack-ironic-api-version'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (!value) return false;
  const m = /^(\d+)\.(\d+)$/.exec(value);
  if (!m) return false;
  const minor = Number(m[2]);
  return minor > 0 && minor < MINOR_91_DOT_JSON;
}

/**
 * Fastify's rewriteUrl (`this` is the app): the request's URL without a final `.json`, the
 * request marked if it had one; a gateway answering as a release from 25.0 (1.91) on strips as
 * 39.0 does, an older one always.
 */
export function stripJsonSuffix(this: { apiMaxMinor?: number } | undefined, req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  if (!path.slice(0, end).endsWith('.json') || KEEP_SUFFIX.has(path)) return url;
  if ((this?.apiMaxMinor ?? 0) >= MINOR_91_DOT_JSON && !stripsAtVersion(req)) return url;
  (req as Marked)[HAD_JSON_SUFFIX] = true;
  return path.slice(0, end - 5) + (q === -1 ? '' : url.slice(q));
}

/** True when the path this request came with ended in `.json`. */
export function hadJsonSuffix(request: FastifyRequest): boolean {
  return (request.raw as Marked)[HAD_JSON_SUFFIX] === true;
}
