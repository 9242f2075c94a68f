/**
 * Node indicators (1.63): GET …/management/indicators, GET and PUT
 * …/management/indicators/{indicator@component}. 21.4 does not enforce 1.63 on these routes
 * (its Q14: the controller has no version check), and neither do we: copied.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../../conductor/exceptions.ts';
import { route, type RouteDef } from '../../route.ts';
import { withNodeTopic } from '../../api-utils/lookup.ts';
import { emptyResponse, linksOf } from '../../api-utils/representation.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery } from './common.ts';

const indicatorParams = {
  type: 'object',
  properties: {
    node_ident: nodeIdentParams.properties.node_ident,
    indicator: { type: 'string', description: '<indicator id>@<component>, e.g. led@system' },
  },
  required: ['node_ident', 'indicator'],
} as const;

/** IndicatorAtComponent(unique_name=…): split at the first `@`, else 400. */
function splitIndicator(uniqueName: string): { name: string; component: string } {
  const at = uniqueName.indexOf('@');
  if (at < 0) throw ironicError('InvalidParameterValue', `Malformed indicator name "${uniqueName}"`);
  return { name: uniqueName.slice(0, at), component: uniqueName.slice(at + 1) };
}

const linkSchema = {
  type: 'object',
  properties: { href: { type: 'string' }, rel: { type: 'string' } },
} as const;

const indicatorListSchema = {
  type: 'object',
  properties: {
    indicators: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          component: { type: 'string' },
          readonly: { type: 'boolean' },
          states: { type: 'array', items: { type: 'string' } },
          links: { type: 'array', items: linkSchema },
        },
      },
    },
  },
  required: ['indicators'],
} as const;

export const indicatorRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/management/indicators',
    operationId: 'listNodeIndicators',
    policy: 'baremetal:node:get_indicator_state',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'get_supported_indicators'],
    status: 200,
    summary: "List a node's indicators (1.63)",
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      response: { 200: indicatorListSchema, ...NODE_ERRORS },
    },
    handler: async (request) => {
      const ident = identOf(request);
      const supported = await withNodeTopic(request, ident, (uuid, topic) =>
        request.conductor.get_supported_indicators(request.ctx, uuid, null, topic),
      );
      // indicator_list_from_dict: one entry per component and indicator, linked by the ident as typed
      const indicators = Object.entries(supported ?? {}).flatMap(([component, names]) =>
        Object.entries(names ?? {}).map(([name, fields]) => {
          const unique = `${name}@${component}`;
          return {
            name: unique,
            component,
            readonly: fields?.readonly ?? true,
            states: fields?.states ?? [],
            links: linksOf(request, 'nodes', ident, `/management/indicators/${unique}`),
          };
        }),
      );
      return { indicators };
    },
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/management/indicators/:indicator',
    operationId: 'showNodeIndicatorState',
    policy: 'baremetal:node:get_indicator_state',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'get_indicator_state'],
    status: 200,
    summary: 'Show the state of a node indicator (1.63)',
    tags: TAGS,
    schema: {
      params: indicatorParams,
      querystring: noQuery,
      response: {
        200: { type: 'object', properties: { state: { type: 'string' } }, required: ['state'] },
        ...NODE_ERRORS,
      },
    },
    handler: async (request) => {
      const state = await withNodeTopic(request, identOf(request), (uuid, topic) => {
        const { name, component } = splitIndicator(request.params.indicator);
        return request.conductor.get_indicator_state(request.ctx, uuid, component, name, topic);
      });
      return { state };
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/management/indicators/:indicator',
    operationId: 'setNodeIndicatorState',
    policy: 'baremetal:node:set_indicator_state',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'set_indicator_state'],
    status: 204,
    summary: 'Set the state of a node indicator (1.63): on, off, blinking',
    tags: TAGS,
    schema: {
      params: indicatorParams,
      querystring: {
        type: 'object',
        properties: { state: { type: 'string', description: 'the state (or in the body)' } },
        additionalProperties: false,
      },
      body: {
        type: ['object', 'null'],
        properties: { state: { type: 'string', description: 'on, off or blinking' } },
        additionalProperties: false,
      },
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => setIndicatorState(request, request.body?.state ?? request.query.state),
  }),
  // ironic-api's controller takes the state as a second path segment too (pecan passes extra
  // segments as positional arguments): PUT …/indicators/{indicator}/{state}, as Ironic's own RBAC
  // matrices send it
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/management/indicators/:indicator/:state',
    operationId: 'setNodeIndicatorStateInPath',
    policy: 'baremetal:node:set_indicator_state',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'set_indicator_state'],
    status: 204,
    summary: 'Set the state of a node indicator, the state in the path (1.63)',
    tags: TAGS,
    schema: {
      params: {
        ...indicatorParams,
        properties: {
          ...indicatorParams.properties,
          state: { type: 'string', description: 'on, off or blinking' },
        },
        required: ['node_ident', 'indicator', 'state'],
      },
      querystring: noQuery,
      response: { 204: emptyResponse, ...NODE_ERRORS },
    },
    handler: async (request) => setIndicatorState(request, request.params.state),
  }),
];

/** IndicatorController.put: the node (policy, 404), its conductor, then the state and the indicator's name. */
async function setIndicatorState(
  request: FastifyRequest<{ Params: { node_ident: string; indicator: string } }>,
  state: string | undefined,
): Promise<void> {
  await withNodeTopic(request, identOf(request), (uuid, topic) => {
    // args.validate: a mandatory parameter without a default
    if (state === undefined) throw ironicError('MissingParameterValue', 'Missing mandatory parameter: state');
    const { name, component } = splitIndicator(request.params.indicator);
    return request.conductor.set_indicator_state(request.ctx, uuid, component, name, state, topic);
  });
}
