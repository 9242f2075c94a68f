/**
 * CORS for web dashboards on another origin (@fastify/cors). No origins configured → the
 * plugin is not registered and no CORS header is ever sent.
 */
import cors, { type FastifyCorsOptions } from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import { ConfigError, envName, type Config } from '../../config.ts';

/** Response headers a browser script may read: Ironic's version and request-id headers. */
export const EXPOSED_HEADERS = [
  'X-OpenStack-Ironic-API-Minimum-Version',
  'X-OpenStack-Ironic-API-Maximum-Version',
  'X-OpenStack-Ironic-API-Version',
  'OpenStack-API-Version',
  'X-OpenStack-Request-Id',
  'Openstack-Request-Id',
] as const;

/** Request headers a browser script may send. */
export const ALLOWED_HEADERS = [...EXPOSED_HEADERS, 'Authorization', 'X-Auth-Token', 'Content-Type'] as const;

export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The configured origins (comma-separated), each checked to be `scheme://host[:port]`. */
export function corsOrigins(config: Pick<Config, 'cors_allowed_origins'>): string[] {
  const list = (config.cors_allowed_origins ?? '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  for (const origin of list) {
    let ok = false;
    try {
      const u = new URL(origin);
      ok = (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === origin.replace(/\/$/, '');
    } catch {
      ok = false;
    }
    if (!ok)
      throw new ConfigError(
        `invalid origin ${JSON.stringify(origin)} in ${envName('cors_allowed_origins')}: accepts comma-separated origins such as https://dash.example.com (no path)`,
      );
  }
  return list.map((o) => o.replace(/\/$/, ''));
}

export function corsOptions(origins: readonly string[]): FastifyCorsOptions {
  return {
    origin: [...origins],
    methods: [...ALLOWED_METHODS],
    allowedHeaders: [...ALLOWED_HEADERS],
    exposedHeaders: [...EXPOSED_HEADERS],
    maxAge: 600,
    // A preflight is answered in the onRequest hook, before authentication (browsers send none).
    hook: 'onRequest',
  };
}

/** Registers @fastify/cors when origins are configured. */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  await app.register(cors, corsOptions(origins));
}
