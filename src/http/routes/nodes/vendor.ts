/**
 * Node vendor passthru: any HTTP method relayed to the node's vendor interface, answered as
 * ironic-api does (api_utils.vendor_passthru): 202 for an async method, 200 otherwise; the
 * return value as the JSON body, or, when the driver asks to `attach` it, as the raw body.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VendorPassthruResult } from '../../../conductor/api.ts';
import { ironicError } from '../../../conductor/exceptions.ts';
import type { RouteDef } from '../../route.ts';
import { nodeAndTopic } from '../../api-utils/lookup.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery } from './common.ts';

/** Sends a vendor method's result as ironic-api does; shared with driver vendor passthru. */
export function sendVendorResult(reply: FastifyReply, result: VendorPassthruResult): FastifyReply {
  reply.code(result.async ? 202 : 200).type('application/json');
  if (result.attach) {
    const raw = result.return;
    const body = Buffer.isBuffer(raw)
      ? raw
      : Buffer.from(typeof raw === 'string' ? raw : JSON.stringify(raw ?? ''), 'utf8');
    return reply.send(body);
  }
  if (result.async && (result.return === null || result.return === undefined)) return reply.send();
  return reply.send(JSON.stringify(result.return ?? null));
}

/**
 * The vendor method a passthru call names: the path segment after `vendor_passthru/` (as
 * python-ironicclient sends it; ironic-api's `_default` takes either) or the `method` query
 * parameter (400 "Method not specified" when neither).
 */
export function vendorMethodOf(request: FastifyRequest): string {
  const method = (request.params as { method?: string }).method || (request.query as { method?: string }).method;
  if (!method) throw ironicError('Invalid', 'Method not specified');
  return method;
}

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
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'get_node_vendor_passthru_methods'],
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
      return request.conductor.get_node_vendor_passthru_methods(request.ctx, String(node.get('uuid')), topic);
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
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'vendor_passthru'],
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
      const result = await request.conductor.vendor_passthru(
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
