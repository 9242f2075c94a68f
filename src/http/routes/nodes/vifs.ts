import { ironicError } from '../../../conductor/exceptions.ts';
import { route, type RouteDef } from '../../route.ts';
import { checkUuidOrName } from '../../api-utils/ident.ts';
import { withNodeTopic } from '../../api-utils/lookup.ts';
import { emptyResponse } from '../../api-utils/representation.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery, type NodeRequest } from './common.ts';
import { allows, MINOR_28_VIFS_SUBCONTROLLER, MINOR_67_NODE_VIF_ATTACH_PORT } from '../../versions.ts';

/** `send` to the node's conductor; no conductor for its driver is the caller's problem here (400). */
const toNode = <T>(request: NodeRequest, send: (uuid: string, topic: string) => Promise<T>) =>
  withNodeTopic(request, identOf(request), send, true);

/** types.viftype: a JSON object with a mandatory `id` that is a uuid or a name. */
function checkVif(request: NodeRequest, vif: Record<string, unknown>): Record<string, unknown> & { id: string } {
  if (!('id' in vif)) throw ironicError('Invalid', 'Missing mandatory keys: id');
  checkUuidOrName(String(vif.id), request);
  return vif as Record<string, unknown> & { id: string };
}

export const vifRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/vifs',
    operationId: 'listNodeVifs',
    minVersion: MINOR_28_VIFS_SUBCONTROLLER,
    policy: 'baremetal:node:vif:list',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'vif_list'],
    status: 200,
    summary: 'List the VIFs attached to a node (1.28)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      response: {
        200: {
          type: 'object',
          properties: {
            vifs: {
              type: 'array',
              items: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] },
            },
          },
          required: ['vifs'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      const vifs = await toNode(request, (uuid, topic) => request.conductor.vif_list(request.ctx, uuid, topic));
      return { vifs: (vifs ?? []).map((v) => ({ id: v.id })) };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/nodes/:node_ident/vifs',
    operationId: 'attachNodeVif',
    minVersion: MINOR_28_VIFS_SUBCONTROLLER,
    policy: 'baremetal:node:vif:attach',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'vif_attach'],
    status: 204,
    summary: 'Attach a VIF to a node (1.28)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      body: {
        type: 'object',
        properties: {
          id: { type: 'string', description: 'the VIF (e.g. a Neutron port) id' },
          port_uuid: { description: '1.67: the port to attach to' },
          portgroup_uuid: { description: '1.67: the portgroup to attach to' },
        },
        additionalProperties: true,
      },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      const vif = checkVif(request, request.body);
      await toNode(request, (uuid, topic) => {
        // 1.67: the VIF may name the port or portgroup to attach to, not both (below, the keys pass unchecked)
        if (allows(request, MINOR_67_NODE_VIF_ATTACH_PORT) && 'port_uuid' in vif && 'portgroup_uuid' in vif)
          throw ironicError('Invalid', 'Cannot specify both port_uuid and portgroup_uuid');
        return request.conductor.vif_attach(request.ctx, uuid, vif, topic);
      });
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/nodes/:node_ident/vifs/:vif_id',
    operationId: 'detachNodeVif',
    minVersion: MINOR_28_VIFS_SUBCONTROLLER,
    policy: 'baremetal:node:vif:detach',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'vif_detach'],
    status: 204,
    summary: 'Detach a VIF from a node (1.28)',
    tags: TAGS,
    schema: {
      params: {
        type: 'object',
        properties: { ...nodeIdentParams.properties, vif_id: { type: 'string' } },
        required: ['node_ident', 'vif_id'],
      },
      querystring: noQuery,
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      const vifId = checkUuidOrName(request.params.vif_id, request);
      await toNode(request, (uuid, topic) => request.conductor.vif_detach(request.ctx, uuid, vifId, topic));
    },
  }),
];
