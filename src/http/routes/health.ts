/** Health endpoint for load balancers and the Docker HEALTHCHECK (public, unversioned). */
import type { RouteDef } from '../route.ts';

export interface HealthSource {
  /** true while the gateway can reach its conductors' transport */
  transportConnected(): boolean;
  /** the transport in use, e.g. memory:// or rabbit://host:port (no credentials) */
  transportName(): string;
}

export function healthRoutes(source?: HealthSource): RouteDef[] {
  return [
    {
      method: 'GET',
      url: '/healthz',
      operationId: 'getHealth',
      policy: null,
      rpc: [],
      status: 200,
      summary: 'Liveness and transport readiness',
      tags: ['health'],
      schema: {
        response: {
          200: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              transport: { type: 'string' },
              transport_connected: { type: 'boolean' },
            },
            required: ['status'],
          },
          503: {
            type: 'object',
            properties: {
              status: { type: 'string' },
              transport: { type: 'string' },
              transport_connected: { type: 'boolean' },
            },
            required: ['status'],
          },
        },
      },
      handler: async (_request, reply) => {
        const connected = source ? source.transportConnected() : true;
        if (!connected) reply.code(503).header('retry-after', '5');
        return {
          status: connected ? 'ok' : 'degraded',
          transport: source?.transportName() ?? 'none',
          transport_connected: connected,
        };
      },
    },
  ];
}
