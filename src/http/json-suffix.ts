/**
 * ironic-api's JsonExtensionMiddleware: a path ending in `.json` (after its trailing slashes) is
 * served without it, `/v1/nodes.json` as `/v1/nodes`, a compatibility left from pecan's content
 * type guessing. Where ironic-api then looks a node or portgroup up by the path's last segment
 * (get_rpc_node_with_suffix), a miss is retried with `.json` put back, for one named `x.json`.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

const HAD_JSON_SUFFIX = Symbol('hadJsonSuffix');
/** The gateway's own paths whose name ends in .json (ironic-api has none). */
const KEEP_SUFFIX: ReadonlySet<string> = new Set(['/openapi.json']);
type Marked = IncomingMessage & { [HAD_JSON_SUFFIX]?: boolean };

/** Fastify's rewriteUrl: the request's URL without a final `.json`, the request marked if it had one. */
export function stripJsonSuffix(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  let end = path.length;
  while (end > 1 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  if (!path.slice(0, end).endsWith('.json') || KEEP_SUFFIX.has(path)) return url;
  (req as Marked)[HAD_JSON_SUFFIX] = true;
  return path.slice(0, end - 5) + (q === -1 ? '' : url.slice(q));
}

/** True when the path this request came with ended in `.json`. */
export function hadJsonSuffix(request: FastifyRequest): boolean {
  return (request.raw as Marked)[HAD_JSON_SUFFIX] === true;
}
