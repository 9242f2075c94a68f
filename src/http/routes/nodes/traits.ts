import { ironicError } from '../../../conductor/exceptions.ts';
import { traitNames } from '../../../conductor/objects.ts';
import { route, type RouteDef, type WithParams } from '../../route.ts';
import { getRpcNode, topicFor } from '../../api-utils/lookup.ts';
import { emptyResponse, locationOf } from '../../api-utils/representation.ts';
import { validateTrait } from '../../api-utils/traits.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery, type NodeRequest } from './common.ts';
import { MINOR_37_NODE_TRAITS } from '../../versions.ts';

const traitParams = {
  type: 'object',
  properties: { ...nodeIdentParams.properties, trait: { type: 'string', description: 'a standard or CUSTOM_ trait' } },
  required: ['node_ident', 'trait'],
} as const;

const ONE_OR_ALL =
  'A single node trait may be added via PUT /v1/nodes/<node identifier>/traits/<trait> with no body, ' +
  'or all node traits may be replaced via PUT /v1/nodes/<node identifier>/traits with the list of traits specified in the request body.';

const traitOf = (request: WithParams<{ trait: string }>): string => request.params.trait;

/** add_node_traits, as NodeTraitsController.put sends it (the node's id, as Ironic does). */
async function addTraits(request: NodeRequest, traits: string[], replace: boolean): Promise<void> {
  const node = await getRpcNode(request, identOf(request));
  for (const t of traits) validateTrait(t);
  const topic = await topicFor(request, node);
  await request.conductor.add_node_traits(
    request.ctx,
    node.get('id') ?? String(node.get('uuid')),
    traits,
    replace,
    topic,
  );
}

async function removeTraits(request: NodeRequest, traits: string[] | null): Promise<void> {
  const node = await getRpcNode(request, identOf(request));
  const topic = await topicFor(request, node);
  await request.conductor.remove_node_traits(request.ctx, node.get('id') ?? String(node.get('uuid')), traits, topic);
}

function hasBody(body: unknown): boolean {
  if (body === undefined || body === null || body === '') return false;
  return typeof body !== 'object' || Object.keys(body as object).length > 0;
}

export const traitRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/traits',
    operationId: 'listNodeTraits',
    minVersion: MINOR_37_NODE_TRAITS,
    policy: 'baremetal:node:traits:list',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid'],
    status: 200,
    summary: 'List the traits of a node (1.37)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      response: {
        200: {
          type: 'object',
          properties: { traits: { type: 'array', items: { type: 'string' } } },
          required: ['traits'],
        },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      const node = await getRpcNode(request, identOf(request));
      return { traits: traitNames(node.get('traits')) };
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/traits',
    operationId: 'setNodeTraits',
    minVersion: MINOR_37_NODE_TRAITS,
    policy: 'baremetal:node:traits:set',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'add_node_traits'],
    status: 204,
    summary: 'Replace all traits of a node (1.37)',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      body: {
        type: ['object', 'null'],
        properties: { traits: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => {
      const traits = request.body?.traits;
      if (traits === undefined) throw ironicError('Invalid', ONE_OR_ALL);
      await addTraits(request, traits, true);
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/traits/:trait',
    operationId: 'addNodeTrait',
    minVersion: MINOR_37_NODE_TRAITS,
    policy: 'baremetal:node:traits:set',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'add_node_traits'],
    status: 204,
    summary: 'Add a trait to a node (1.37)',
    tags: TAGS,
    schema: {
      params: traitParams,
      querystring: noQuery,
      body: { description: 'none', type: ['object', 'null'], additionalProperties: true },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request, reply) => {
      const body: unknown = request.body;
      if (body && typeof body === 'object' && 'traits' in body) throw ironicError('Invalid', ONE_OR_ALL);
      if (hasBody(body)) throw ironicError('Invalid', 'No body should be provided when adding a trait');
      const trait = traitOf(request);
      await addTraits(request, [trait], false);
      reply.header('location', locationOf(request, `nodes/${identOf(request)}/traits/${trait}`));
    },
  }),
  route({
    method: 'DELETE',
    url: '/v1/nodes/:node_ident/traits',
    operationId: 'removeNodeTraits',
    minVersion: MINOR_37_NODE_TRAITS,
    policy: 'baremetal:node:traits:delete',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'remove_node_traits'],
    status: 204,
    summary: 'Remove all traits of a node (1.37)',
    tags: TAGS,
    schema: { params: nodeIdentParams, querystring: noQuery, response: { 204: emptyResponse, ...NODE_ERRORS } },
    handler: async (request) => removeTraits(request, null),
  }),
  route({
    method: 'DELETE',
    url: '/v1/nodes/:node_ident/traits/:trait',
    operationId: 'removeNodeTrait',
    minVersion: MINOR_37_NODE_TRAITS,
    policy: 'baremetal:node:traits:delete',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'remove_node_traits'],
    status: 204,
    summary: 'Remove a trait from a node (1.37)',
    tags: TAGS,
    schema: { params: traitParams, querystring: noQuery, response: { 204: emptyResponse, ...NODE_ERRORS } },
    handler: async (request) => removeTraits(request, [traitOf(request)]),
  }),
];
