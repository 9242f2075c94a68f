/**
 * The endpoints the deploy ramdisk (ironic-python-agent) calls, open without authentication as
 * in Ironic (ironic/api/controllers/v1/ramdisk.py @10.1.0): node lookup by MAC addresses or
 * uuid, and heartbeats.
 *
 * `continue_node_clean` is not called by ironic-api: during cleaning, the conductor handling a
 * heartbeat (its agent driver) casts it to itself once the agent reports a finished clean step.
 * It is reached from REST by `POST /v1/heartbeat/{node_ident}`, which names it for that reason.
 */
import type { FastifyRequest } from 'fastify';
import { ironicError } from '../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { checkUuid, parseList } from '../api-utils/ident.ts';
import { classAction, getRpcNodeWithSuffix, topicFor } from '../api-utils/lookup.ts';
import { convertNode } from '../api-utils/node.ts';
import { dict, emptyResponse, errorResponses, linksSchema } from '../api-utils/representation.ts';
import { route, type RouteDef } from '../route.ts';
import { identParam, normalizeMac } from '../api-utils/resource.ts';
import { allowAgentVersionInHeartbeat, MINOR_22_LOOKUP_HEARTBEAT } from '../versions.ts';

const TAGS = ['ramdisk'];

/** Node fields a lookup returns (_LOOKUP_RETURN_FIELDS). */
const LOOKUP_FIELDS = ['uuid', 'properties', 'instance_info', 'driver_internal_info'] as const;

/** Provision states in which a ramdisk may look its node up ([api]restrict_lookup, the default). */
const LOOKUP_ALLOWED_STATES = new Set([
  'deploying',
  'wait call-back',
  'cleaning',
  'clean wait',
  'inspecting',
  'rescuing',
  'rescue wait',
]);

/** The `config` a lookup hands the ramdisk: Ironic's defaults for the agent's metrics and heartbeat. */
const RAMDISK_CONFIG = {
  metrics: {
    backend: 'noop',
    prepend_host: false,
    prepend_uuid: false,
    prepend_host_reverse: true,
    global_prefix: null,
  },
  metrics_statsd: { statsd_host: 'localhost', statsd_port: 8125 },
  heartbeat_timeout: 300,
} as const;

/** utils.validate_and_normalize_mac, answering null for an invalid address. */
function macOrNull(address: string): string | null {
  try {
    return normalizeMac(address);
  } catch {
    return null;
  }
}

async function lookupNode(
  request: FastifyRequest,
  addresses: string[],
  nodeUuid: string | undefined,
): Promise<IronicObject<NodeFields>> {
  try {
    const node = nodeUuid
      ? await classAction(request, 'Node', 'get_by_uuid', [nodeUuid])
      : await classAction(request, 'Node', 'get_by_port_addresses', [addresses]);
    return node as IronicObject<NodeFields>;
  } catch (err) {
    // which node exists is not told to an unauthenticated caller: any not-found is a bare 404
    if (err instanceof RemoteError && /NotFound$/.test(err.exc_type))
      throw ironicError('NotFound', 'Resource could not be found.');
    throw err;
  }
}

export const ramdiskRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/lookup',
    operationId: 'lookupNode',
    minVersion: MINOR_22_LOOKUP_HEARTBEAT,
    policy: null,
    rpc: ['Node.get_by_port_addresses', 'Node.get_by_uuid'],
    status: 200,
    summary: 'Look up a node by its MAC addresses or uuid (deploy ramdisk; no authentication; 1.22+)',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: {
          addresses: { type: 'string', description: "comma-separated MAC addresses of the node's ports" },
          node_uuid: { type: 'string', description: 'the node uuid, when known' },
        },
      },
      response: {
        200: {
          type: 'object',
          properties: {
            node: {
              type: 'object',
              additionalProperties: true,
              properties: { uuid: { type: 'string' }, links: linksSchema },
            },
            config: dict,
          },
          required: ['node', 'config'],
        },
        ...errorResponses(400, 404),
      },
    },
    handler: async (request) => {
      const q = request.query;
      const nodeUuid = q.node_uuid === undefined ? undefined : checkUuid(q.node_uuid);
      const valid: string[] = [];
      const invalid: string[] = [];
      for (const a of q.addresses ? parseList(q.addresses) : []) {
        const mac = macOrNull(a);
        if (mac) valid.push(mac);
        else invalid.push(a);
      }
      if (invalid.length > 0) {
        request.log.warn({ addresses: invalid, node_uuid: nodeUuid }, 'invalid MAC addresses ignored by the lookup');
      }
      if (valid.length === 0 && !nodeUuid) {
        throw ironicError('IncompleteLookup', "At least one of 'addresses' and 'node_uuid' parameters is required");
      }
      const node = await lookupNode(request, valid, nodeUuid);
      if (!LOOKUP_ALLOWED_STATES.has(String(node.get('provision_state'))))
        throw ironicError('NotFound', 'Resource could not be found.');
      return { node: await convertNode(request, node, LOOKUP_FIELDS), config: RAMDISK_CONFIG };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/heartbeat/:node_ident',
    operationId: 'heartbeatNode',
    minVersion: MINOR_22_LOOKUP_HEARTBEAT,
    policy: null,
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'heartbeat'],
    status: 202,
    summary:
      'Heartbeat from the deploy ramdisk (no authentication; 1.22+, agent_version 1.36+). During cleaning the conductor ' +
      'then casts continue_node_clean to itself when the agent reports a finished clean step.',
    tags: TAGS,
    schema: {
      params: identParam('node_ident', 'node uuid or name'),
      body: {
        type: 'object',
        properties: {
          callback_url: { type: 'string', description: 'URL where the conductor reaches the agent' },
          agent_version: { type: 'string', description: 'version of the agent (1.36+)' },
        },
        required: ['callback_url'],
        additionalProperties: false,
      },
      response: { 202: emptyResponse, ...errorResponses(400, 404, 409, 503) },
    },
    handler: async (request) => {
      const body = request.body;
      if (body.agent_version !== undefined && !allowAgentVersionInHeartbeat(request)) {
        throw ironicError('InvalidParameterValue', 'Field "agent_version" not recognised');
      }
      const node = await getRpcNodeWithSuffix(request, request.params.node_ident);
      // a node no conductor can take is the caller's problem here (400), as in ironic-api
      const topic = await topicFor(request, node, true);
      await request.conductor.heartbeat(
        request.ctx,
        String(node.get('uuid')),
        body.callback_url,
        { agent_version: body.agent_version ?? null },
        topic,
      );
      return undefined;
    },
  }),
];
