/**
 * The OpenAPI document of the API this gateway serves, generated from the route schemas
 * (@fastify/swagger), as JSON and YAML. Public, like /v1: it describes the API, not its data.
 * The `api_docs` setting turns these and the /docs page off.
 */
import { route, type RouteDef } from '../route.ts';

export const openapiRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/openapi.json',
    operationId: 'showOpenApiJson',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'The OpenAPI 3.1 document of this API (JSON)',
    tags: ['docs'],
    schema: { hide: true },
    handler: async (request) => request.server.swagger(),
  }),
  route({
    method: 'GET',
    url: '/openapi.yaml',
    operationId: 'showOpenApiYaml',
    policy: null,
    rpc: [],
    status: 200,
    summary: 'The OpenAPI 3.1 document of this API (YAML)',
    tags: ['docs'],
    schema: { hide: true },
    handler: async (request, reply) => {
      reply.type('application/yaml; charset=utf-8');
      return request.server.swagger({ yaml: true });
    },
  }),
];
