/**
 * Version-gated routers: a pecan controller whose `_route` refuses the whole resource below its
 * microversion with webob's exceptions, rendered as `{code, title, description}` inside
 * `error_message` (reference §5.8) — 404 for GET, 405 for any other method — before anything
 * else runs (body validation, lookups): the routes' `belowMinVersion` (src/http/route.ts). Deploy templates (1.55) and shards (1.82) are such
 * routers in 21.4.
 */
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';
import { servesHibiscus } from '../versions.ts';

/**
 * webob's HTTPNotFound / HTTPMethodNotAllowed in Ironic's error body. `description` is empty
 * for a bare `pecan.abort(404)`; the faultstring then says what webob's explanation says.
 */
export function webobError(status: 404 | 405, description: string): HttpError {
  const title = status === 404 ? 'Not Found' : 'Method Not Allowed';
  const message = description || (status === 404 ? 'The resource could not be found.' : 'Method not allowed.');
  return new HttpError(status, message, {}, { code: status, title, description });
}

/** A RouteDef's `belowMinVersion`: webob's 404 for GET (and HEAD), 405 for other methods, with `description`. */
export function routerRefusal(
  description: string,
  options: { decoratedIn39?: boolean } = {},
): (request: FastifyRequest) => Error {
  return (request) => {
    // 39.0 moved some gates from the router onto its methods (validation.api_version): a 404 in
    // Ironic's usual error body; a method the controller has not is still the router's 405
    const read = request.method === 'GET' || request.method === 'HEAD';
    if (options.decoratedIn39 && read && servesHibiscus(request)) return new HttpError(404, description);
    return webobError(read ? 404 : 405, description);
  };
}
