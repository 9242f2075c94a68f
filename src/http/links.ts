/** Links in response bodies, built from the public endpoint or the request's own Host. */
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    publicEndpoint: string | null;
  }
}

export interface Link {
  href: string;
  rel: string;
  type?: string;
}

export function baseUrl(request: FastifyRequest): string {
  const configured = request.server.publicEndpoint;
  if (configured) return configured.replace(/\/+$/, '');
  return `${request.protocol}://${request.host}`;
}

export function link(rel: string, href: string, type?: string): Link {
  return type ? { href, rel, type } : { href, rel };
}

/** Ironic's `[self, bookmark]` pair for a resource path such as `nodes/<uuid>`. */
export function resourceLinks(base: string, path: string): Link[] {
  return [link('self', `${base}/v1/${path}`), link('bookmark', `${base}/${path}`)];
}
