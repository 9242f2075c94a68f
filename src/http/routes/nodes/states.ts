/** Node state changes: power, provision, RAID target, console. */
import { invalidStateRequested, ironicError } from '../../../conductor/exceptions.ts';
import { CLEANING, CLEANWAIT, POWER_TARGETS, SOFT_POWER_OFF, SOFT_REBOOT } from '../../../conductor/states.ts';
import { route, type RouteDef, type RouteRequest } from '../../route.ts';
import { parseBoolean } from '../../api-utils/ident.ts';
import { nodeAndTopic } from '../../api-utils/lookup.ts';
import {
  PROVISION_ACTIONS,
  checkActionable,
  checkCleanSteps,
  checkProvisionArguments,
  checkRescuePassword,
  checkVerbVersion,
  type ProvisionRequest,
} from '../../api-utils/provision.ts';
import { emptyResponse, locationOf } from '../../api-utils/representation.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery, type NodeRequest } from './common.ts';
import { allowRaidConfig, allowSoftPowerOff, notAcceptable } from '../../versions.ts';

const statesLocation = (request: NodeRequest, suffix = ''): string =>
  locationOf(request, `nodes/${identOf(request)}/states${suffix}`);

const accepted = { 202: emptyResponse, ...NODE_ERRORS };

const powerSchema = {
  params: nodeIdentParams,
  querystring: noQuery,
  body: {
    type: 'object',
    properties: {
      target: {
        type: 'string',
        description: "'power on', 'power off', 'rebooting'; 1.27: 'soft power off', 'soft rebooting'",
      },
      timeout: { type: ['integer', 'null'], description: '1.27: seconds' },
    },
    required: ['target'],
    additionalProperties: false,
  },
  response: accepted,
} as const;

const provisionSchema = {
  params: nodeIdentParams,
  querystring: noQuery,
  body: {
    type: 'object',
    properties: {
      target: {
        type: 'string',
        description: 'active, rebuild, deleted, manage, provide, inspect, clean, abort, adopt, rescue, unrescue',
      },
      configdrive: {
        type: ['string', 'null'],
        description: 'gzipped, base64-encoded config drive (active; rebuild from 1.35)',
      },
      clean_steps: { type: ['array', 'null'], items: { type: 'object' }, description: 'clean only (1.15)' },
      rescue_password: { type: ['string', 'null'], description: 'rescue only (1.38)' },
    },
    required: ['target'],
    additionalProperties: false,
  },
  response: accepted,
} as const;

const raidSchema = {
  params: nodeIdentParams,
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: true,
    description: 'the target RAID configuration: {logical_disks: [...]}',
  },
  response: { 204: emptyResponse, ...NODE_ERRORS },
} as const;

const consoleSchema = {
  params: nodeIdentParams,
  querystring: noQuery,
  response: {
    200: {
      type: 'object',
      properties: {
        console_enabled: { type: 'boolean' },
        console_info: { type: ['object', 'null'], additionalProperties: true },
      },
      required: ['console_enabled', 'console_info'],
    },
    ...NODE_ERRORS,
  },
} as const;

async function setPower(request: RouteRequest<typeof powerSchema>): Promise<void> {
  const { target, timeout } = request.body;
  const ident = identOf(request);
  const { node, topic } = await nodeAndTopic(request, ident);
  if ((target === SOFT_REBOOT || target === SOFT_POWER_OFF || timeout) && !allowSoftPowerOff(request))
    throw notAcceptable();
  if (timeout !== undefined && timeout !== null && timeout < 1)
    throw ironicError('Invalid', 'timeout has to be positive integer');
  const refuse = (state: unknown) => invalidStateRequested(target, ident, state);
  if (!POWER_TARGETS.includes(target)) throw refuse(node.get('power_state'));
  const provision = node.get('provision_state');
  if (provision === CLEANWAIT || provision === CLEANING) throw refuse(provision);
  await request.conductor.change_node_power_state(
    request.ctx,
    String(node.get('uuid')),
    target,
    topic,
    timeout ?? null,
  );
}

/** Sends the RPC for a provision target (after every check). */
async function dispatchProvision(
  request: NodeRequest,
  uuid: string,
  topic: string,
  body: ProvisionRequest,
): Promise<void> {
  const c = request.conductor;
  const ctx = request.ctx;
  const t = body.target;
  // A conductor pinned below RPC 1.43 has no rescue methods: refuse rather than send them.
  if ((t === 'rescue' || t === 'unrescue') && !c.can_send_rescue()) {
    throw notAcceptable(`The "${t}" target needs conductor RPC API 1.43, above this gateway's version cap.`);
  }
  if (t === 'active' || t === 'rebuild')
    return void (await c.do_node_deploy(ctx, uuid, t === 'rebuild', body.configdrive ?? null, topic));
  if (t === 'unrescue') return void (await c.do_node_unrescue(ctx, uuid, topic));
  if (t === 'rescue') return void (await c.do_node_rescue(ctx, uuid, checkRescuePassword(body.rescue_password), topic));
  if (t === 'deleted') return void (await c.do_node_tear_down(ctx, uuid, topic));
  if (t === 'inspect') return void (await c.inspect_hardware(ctx, uuid, topic));
  if (t === 'clean') return void (await c.do_node_clean(ctx, uuid, checkCleanSteps(body.clean_steps), topic));
  if (PROVISION_ACTIONS.includes(t)) return void (await c.do_provisioning_action(ctx, uuid, t, topic));
  throw ironicError('InvalidStateRequested', `The requested action "${t}" could not be understood.`);
}

async function setProvision(request: RouteRequest<typeof provisionSchema>): Promise<void> {
  const body: ProvisionRequest = request.body;
  checkVerbVersion(request, body.target);
  const { node, topic } = await nodeAndTopic(request, identOf(request));
  checkActionable(node, body.target);
  checkProvisionArguments(request, body);
  await dispatchProvision(request, String(node.get('uuid')), topic, body);
}

async function setRaid(request: RouteRequest<typeof raidSchema>): Promise<void> {
  if (!allowRaidConfig(request)) throw notAcceptable();
  const { node, topic } = await nodeAndTopic(request, identOf(request));
  try {
    await request.conductor.set_target_raid_config(request.ctx, String(node.get('uuid')), request.body, topic);
  } catch (err) {
    // RAID is a standard interface a driver may lack: ironic-api answers 404 then
    if ((err as { exc_type?: string }).exc_type === 'UnsupportedDriverExtension')
      throw ironicError('NotFound', (err as Error).message);
    throw err;
  }
}

async function getConsole(request: NodeRequest) {
  const { node, topic } = await nodeAndTopic(request, identOf(request));
  try {
    const info = await request.conductor.get_console_information(request.ctx, String(node.get('uuid')), topic);
    return { console_enabled: true, console_info: info };
  } catch (err) {
    if ((err as { exc_type?: string }).exc_type === 'NodeConsoleNotEnabled')
      return { console_enabled: false, console_info: null };
    throw err;
  }
}

export const stateRoutes: RouteDef[] = [
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/states/power',
    operationId: 'setNodePowerState',
    policy: 'baremetal:node:set_power_state',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'change_node_power_state'],
    status: 202,
    summary: 'Change the power state of a node',
    tags: TAGS,
    schema: powerSchema,
    handler: async (request, reply) => {
      await setPower(request);
      reply.header('location', statesLocation(request));
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/states/provision',
    operationId: 'setNodeProvisionState',
    policy: 'baremetal:node:set_provision_state',
    rpc: [
      'Node.get_by_name',
      'Node.get_by_uuid',
      'can_send_rescue',
      'get_topic_for',
      'do_node_clean',
      'do_node_deploy',
      'do_node_rescue',
      'do_node_tear_down',
      'do_node_unrescue',
      'do_provisioning_action',
      'inspect_hardware',
    ],
    status: 202,
    summary: 'Change the provision state of a node',
    tags: TAGS,
    schema: provisionSchema,
    handler: async (request, reply) => {
      await setProvision(request);
      reply.header('location', statesLocation(request));
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/states/raid',
    operationId: 'setNodeRaidConfig',
    policy: 'baremetal:node:set_raid_state',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'set_target_raid_config'],
    status: 204,
    summary: 'Set the target RAID configuration of a node (1.12)',
    tags: TAGS,
    schema: raidSchema,
    handler: async (request) => setRaid(request),
  }),
  route({
    method: 'GET',
    url: '/v1/nodes/:node_ident/states/console',
    operationId: 'showNodeConsole',
    policy: 'baremetal:node:get_console',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'get_console_information'],
    status: 200,
    summary: 'Show console information of a node',
    tags: TAGS,
    schema: consoleSchema,
    handler: async (request) => getConsole(request),
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/states/console',
    operationId: 'setNodeConsole',
    policy: 'baremetal:node:set_console_state',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'set_console_mode'],
    status: 202,
    summary: 'Enable or disable the console of a node',
    tags: TAGS,
    schema: {
      params: nodeIdentParams,
      querystring: noQuery,
      body: {
        type: 'object',
        properties: { enabled: { anyOf: [{ type: 'boolean' }, { type: 'string' }] } },
        required: ['enabled'],
        additionalProperties: false,
      },
      response: accepted,
    },
    handler: async (request, reply) => {
      const enabled = parseBoolean(request.body.enabled);
      const { node, topic } = await nodeAndTopic(request, identOf(request));
      await request.conductor.set_console_mode(request.ctx, String(node.get('uuid')), enabled, topic);
      reply.header('location', statesLocation(request, '/console'));
    },
  }),
];
