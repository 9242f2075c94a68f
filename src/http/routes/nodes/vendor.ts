/**
 * Node vendor passthru: any HTTP method relayed to the node's vendor interface, answered as
 * ironic-api does (resources/passthru.ts).
 */
import type { FastifyRequest } from 'fastify';
import { sendVendorResult, vendorMethodOf } from '../../resources/passthru.ts';
import type { RouteDef } from '../../route.ts';
import { nodeAndTopic } from '../../resources/lookup.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery } from './common.ts';

/** The body passed to the vendor method as `info` ({} when none). */
export function vendorInfoOf(request: FastifyRequest): Record<string, unknown> {
  const body = request.body;
  return body === undefined || body === null ? {} : (body as Record<string, unknown>);
}

const anyResponse = {
  description:
    "The vendor method's return value: JSON, or raw bytes when the driver attaches it (202 when asynchronous)",
};

export const vendorRoutes: RouteDef[] = [
  {
    method: 'GET',
    url: '/v1/nodes/:node_ident/vendor_passthru/methods',
    policy: 'baremetal:node:vendor_passthru',
    rpc: ['get_node_vendor_passthru_methods', 'get_topic_for'],
    status: 200,
    summary: "List the vendor methods of a node's driver",
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      response: {
        200: {
          type: 'object',
          description: 'method name → metadata',
          additionalProperties: { type: 'object', additionalProperties: true },
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      const { node, topic } = await nodeAndTopic(request, identOf(request));
      return request.server.conductor.get_node_vendor_passthru_methods(request.ctx, String(node.get('uuid')), topic);
    },
  },
  callRoute(
    '/v1/nodes/:node_ident/vendor_passthru',
    nodeIdentParams,
    "Call a vendor method of a node's driver (`?method=`)",
  ),
  callRoute(
    '/v1/nodes/:node_ident/vendor_passthru/:method',
    {
      ...nodeIdentParams,
      properties: { ...nodeIdentParams.properties, method: { type: 'string', description: 'the vendor method' } },
      required: [...nodeIdentParams.required, 'method'],
    },
    "Call a vendor method of a node's driver (the method in the path, as python-ironicclient sends it)",
  ),
];

function callRoute(url: string, params: Record<string, unknown>, summary: string): RouteDef {
  return {
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url,
    policy: 'baremetal:node:vendor_passthru',
    rpc: ['vendor_passthru', 'get_topic_for'],
    status: 200,
    summary,
    tags: TAGS,
    schema: {
      params,
      querystring: {
        type: 'object',
        properties: { method: { type: 'string', description: 'the vendor method' } },
        additionalProperties: false,
      },
      response: { 200: anyResponse, 202: anyResponse, ...NODE_ERRORS },
    },
    handler: async (request, reply) => {
      const method = vendorMethodOf(request);
      const { node, topic } = await nodeAndTopic(request, identOf(request));
      const result = await request.server.conductor.vendor_passthru(
        request.ctx,
        String(node.get('uuid')),
        method,
        request.method.toUpperCase(),
        vendorInfoOf(request),
        topic,
      );
      return sendVendorResult(reply, result);
    },
  };
}
