/**
 * Node vendor passthru: any HTTP method relayed to the node's vendor interface, answered as
 * ironic-api does (resources/passthru.ts).
 */
import { route, type RouteDef } from '../../route.ts';
import { nodeAndTopic } from '../../api-utils/lookup.ts';
import { sendVendorResult, vendorMethodOf } from '../../api-utils/passthru.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery } from './common.ts';

/** The body passed to the vendor method as `info` ({} when none). */
export function vendorInfoOf(body: unknown): unknown {
  return body === undefined || body === null ? {} : body;
}

const anyResponse = {
  description:
    "The vendor method's return value: JSON, or raw bytes when the driver attaches it (202 when asynchronous)",
};

const nodeMethodParams = {
  ...nodeIdentParams,
  properties: { ...nodeIdentParams.properties, method: { type: 'string', description: 'the vendor method' } },
  required: [...nodeIdentParams.required, 'method'],
} as const;

export const vendorRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/vendor_passthru/methods',
    operationId: 'listNodeVendorMethods',
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
  }),
  callRoute(false),
  callRoute(true),
];

/** Vendor passthru on a node, the method named in the path (`inPath`) or by `?method=`. */
function callRoute(inPath: boolean): RouteDef {
  return route({
    method: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
    url: `/v1/nodes/:node_ident/vendor_passthru${inPath ? '/:method' : ''}`,
    // one operation per HTTP method: callNodeVendorMethodPost …
    operationId: inPath ? 'callNodeVendorMethod' : 'callNodeVendorPassthru',
    policy: 'baremetal:node:vendor_passthru',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'vendor_passthru'],
    status: 200,
    summary: inPath
      ? "Call a vendor method of a node's driver (the method in the path, as python-ironicclient sends it)"
      : "Call a vendor method of a node's driver (`?method=`)",
    tags: TAGS,
    schema: {
      params: inPath ? nodeMethodParams : nodeIdentParams,
      querystring: {
        type: 'object',
        properties: { method: { type: 'string', description: 'the vendor method' } },
        additionalProperties: false,
      },
      response: { 200: anyResponse, 202: anyResponse, ...NODE_ERRORS },
    },
    handler: async (request, reply) => {
      const method = vendorMethodOf(
        'method' in request.params && typeof request.params.method === 'string' ? request.params.method : undefined,
        request.query.method,
      );
      const { node, topic } = await nodeAndTopic(request, identOf(request));
      const result = await request.conductor.vendor_passthru(
        request.ctx,
        String(node.get('uuid')),
        method,
        request.method.toUpperCase(),
        vendorInfoOf(request.body),
        topic,
      );
      return sendVendorResult(reply, result);
    },
  });
}
