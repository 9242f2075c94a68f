/**
 * Wires a gateway from configuration: the transport named by `transport_url`, the conductor
 * client, the embedded simulator when the transport is in-process, and the HTTP app.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { buildApp, createLogger } from './http/app.ts';
import { authPlugins } from './http/auth/index.ts';

export interface Gateway {
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function createGateway(config: Config): Promise<Gateway> {
  const logger = createLogger(config);
  const app = await buildApp(config, { logger, plugins: authPlugins(config) });
  return {
    app,
    async close() {
      await app.close();
    },
  };
}
