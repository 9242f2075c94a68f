/** Node state changes: power, provision, RAID target, console. */
import type { FastifyRequest } from 'fastify';
import { invalidStateRequested, ironicError } from '../../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../../conductor/objects.ts';
import {
  ACTIVE,
  CLEANING,
  CLEANWAIT,
  DEPLOY,
  POWER_TARGETS,
  REBUILD,
  SOFT_POWER_OFF,
  SOFT_REBOOT,
  UNDEPLOY,
  UNSTABLE_STATES,
} from '../../../conductor/states.ts';
import { POWER_OFF } from '../../../conductor/states.ts';
import { MINOR_95_DISABLE_POWER_OFF, servesHibiscus, servesRelease } from '../../versions.ts';
import { route, type RouteDef, type RouteRequest } from '../../route.ts';
import { parseBoolean } from '../../api-utils/ident.ts';
import { getRpcNode, nodeAndTopic, topicFor, withNodeTopic } from '../../api-utils/lookup.ts';
import {
  PROVISION_ACTIONS,
  PROVISION_ACTIONS_39,
  apiStateMachine,
  checkConfigdrive,
  checkProvisionArguments39,
  checkSteps39,
  type ProvisionRequest39,
  checkActionable,
  checkCleanSteps,
  checkDeploySteps,
  argsBoolean,
  checkProvisionArguments,
  checkRescuePassword,
  checkVerbVersion,
  type ProvisionRequest,
} from '../../api-utils/provision.ts';
import { emptyResponse, locationOf } from '../../api-utils/representation.ts';
import { NODE_ERRORS, TAGS, identOf, nodeIdentParams, noQuery, type NodeRequest } from './common.ts';
import {
  allowRaidConfig,
  allowSoftPowerOff,
  allows,
  MINOR_76_NODE_CHANGE_BOOT_MODE,
  MINOR_92_RUNBOOKS,
  notAcceptable,
} from '../../versions.ts';
import { passes } from '../../api-utils/allocation.ts';
import { forbidden } from '../../auth/failure.ts';
import { authorizeRule, callerCredentials, nodeTarget, ownerScoped } from '../../auth/enforce.ts';
import type { PolicyRule } from '../../auth/policy.ts';
import { runbookSteps } from '../../api-utils/provision-runbook.ts';

/** ALLOWED_TARGET_BOOT_MODES (boot_modes.UEFI, boot_modes.LEGACY_BIOS). */
const BOOT_MODES = ['bios', 'uefi'];

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
        description:
          'active, rebuild, deleted, manage, provide, inspect, clean, abort, adopt, rescue, unrescue; 1.73: deploy, undeploy; 1.85: unhold; 1.87: service',
      },
      configdrive: {
        // a type list, not anyOf: ajv coerces values to the first anyOf branch (null → "", false → null)
        type: ['null', 'string', 'object'],
        additionalProperties: true,
        description:
          'gzipped, base64-encoded config drive or its URL (active; rebuild from 1.35); 1.56: a JSON object {meta_data, network_data, user_data, vendor_data (1.59)}',
      },
      clean_steps: { type: ['array', 'null'], items: { type: 'object' }, description: 'clean only (1.15)' },
      deploy_steps: {
        type: ['array', 'null'],
        items: { type: 'object' },
        description: '1.69, active or rebuild only: [{interface, step, args, priority}]',
      },
      rescue_password: { type: ['string', 'null'], description: 'rescue only (1.38)' },
      disable_ramdisk: {
        type: ['null', 'boolean', 'string'],
        description: '1.70, clean only: clean without booting the ramdisk; 1.108: service too',
      },
      service_steps: {
        type: ['array', 'null'],
        items: { type: 'object' },
        description:
          '1.87, service only: [{interface, step, args?, order?, execute_on_child_nodes?, limit_child_node_execution?}]',
      },
      runbook: {
        type: ['string', 'null'],
        description: '1.92, clean or service: the UUID or name of a runbook whose steps to run',
      },
    },
    required: ['target'],
    additionalProperties: false,
  },
  response: accepted,
} as const;

/** PUT …/states/boot_mode and …/states/secure_boot (1.76). */
const bootModeSchema = {
  params: nodeIdentParams,
  querystring: noQuery,
  body: {
    type: 'object',
    properties: { target: { type: 'string', description: 'uefi or bios' } },
    required: ['target'],
    additionalProperties: false,
  },
  response: accepted,
} as const;

const secureBootSchema = {
  params: nodeIdentParams,
  querystring: noQuery,
  body: {
    type: 'object',
    properties: {
      target: { type: ['null', 'boolean', 'string'], description: 'true or false' },
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
  // 39.0 (1.95, at every microversion): a node with disable_power_off is never powered off
  // from the API (PowerStateFailure, 409); pinned to a release before 28.0 the API does not check
  if (
    (target === POWER_OFF || target === SOFT_POWER_OFF) &&
    node.get('disable_power_off') === true &&
    servesRelease(request, MINOR_95_DISABLE_POWER_OFF)
  )
    throw ironicError('PowerStateFailure', `Failed to set node power state to ${target}.`, { pstate: target });
  await request.conductor.change_node_power_state(
    request.ctx,
    String(node.get('uuid')),
    target,
    topic,
    timeout ?? null,
  );
}

/** Sends the RPC for a provision target (after every check): _do_provision_action. */
async function dispatchProvision(
  request: NodeRequest,
  node: IronicObject<NodeFields>,
  body: ProvisionRequest,
  disableRamdisk: boolean | null,
): Promise<void> {
  const c = request.conductor;
  const ctx = request.ctx;
  const t = body.target;
  const uuid = String(node.get('uuid'));
  // as 21.4, the topic is resolved after every argument check
  const topic = await topicFor(request, node);
  // A conductor pinned below RPC 1.43 has no rescue methods: refuse rather than send them.
  if ((t === 'rescue' || t === 'unrescue') && !c.can_send_rescue()) {
    throw notAcceptable(`The "${t}" target needs conductor RPC API 1.43, above this gateway's version cap.`);
  }
  if (t === ACTIVE || t === REBUILD || t === DEPLOY) {
    const steps = checkDeploySteps(body.deploy_steps);
    return void (await c.do_node_deploy(ctx, uuid, t === REBUILD, body.configdrive ?? null, topic, steps));
  }
  if (t === 'unrescue') return void (await c.do_node_unrescue(ctx, uuid, topic));
  if (t === 'rescue') return void (await c.do_node_rescue(ctx, uuid, checkRescuePassword(body.rescue_password), topic));
  if (t === 'deleted' || t === UNDEPLOY) return void (await c.do_node_tear_down(ctx, uuid, topic));
  if (t === 'inspect') return void (await c.inspect_hardware(ctx, uuid, topic));
  if (t === 'clean')
    return void (await c.do_node_clean(ctx, uuid, checkCleanSteps(body.clean_steps), topic, disableRamdisk));
  if (PROVISION_ACTIONS.includes(t)) return void (await c.do_provisioning_action(ctx, uuid, t, topic));
  throw ironicError('InvalidStateRequested', `The requested action "${t}" could not be understood.`);
}

/** NodeStatesController.provision, in 21.4's order of checks (39.0's when the gateway serves it). */
async function setProvision(request: RouteRequest<typeof provisionSchema>): Promise<void> {
  if (servesHibiscus(request)) return setProvision39(request);
  // 21.4 has neither argument: the schema's answer before 39.0 added them
  if (request.body.service_steps !== undefined || request.body.runbook !== undefined)
    throw ironicError('Invalid', 'Invalid input: body must NOT have additional properties');
  const { service_steps: _s, runbook: _r, ...body }: ProvisionRequest39 = request.body;
  // the method's own argument types (args.validate: disable_ramdisk is args.boolean) come first,
  // before the node is even looked up
  argsBoolean('disable_ramdisk', body.disable_ramdisk);
  const node = await getRpcNode(request, identOf(request));
  checkVerbVersion(request, body.target);
  checkActionable(node, body.target);
  const disableRamdisk = checkProvisionArguments(request, body, node.get('provision_state') ?? null);
  await dispatchProvision(request, node, body, disableRamdisk);
}

/** _do_provision_action at 39.0: the 21.4 dispatch plus service and unhold, and 39.0's step checks. */
async function dispatchProvision39(
  request: NodeRequest,
  node: IronicObject<NodeFields>,
  body: ProvisionRequest39,
  steps: { clean: unknown; service: unknown },
  disableRamdisk: boolean | null,
): Promise<void> {
  const c = request.conductor;
  const ctx = request.ctx;
  const t = body.target;
  const uuid = String(node.get('uuid'));
  const topic = await topicFor(request, node);
  // a pin newer than 21.4 has RPC 1.43: the 21.4 refusal never applies here, but is checked the same way
  if ((t === 'rescue' || t === 'unrescue') && !c.can_send_rescue()) {
    throw notAcceptable(`The "${t}" target needs conductor RPC API 1.43, above this gateway's version cap.`);
  }
  const child = (ident: string) => getRpcNode(request, ident);
  if (t === ACTIVE || t === REBUILD || t === DEPLOY) {
    const given = body.deploy_steps;
    const deploySteps =
      given && !(Array.isArray(given) && given.length === 0)
        ? await checkSteps39(request, 'deploy', given, child)
        : null;
    return void (await c.do_node_deploy(ctx, uuid, t === REBUILD, body.configdrive ?? null, topic, deploySteps));
  }
  if (t === 'unrescue') return void (await c.do_node_unrescue(ctx, uuid, topic));
  if (t === 'rescue') return void (await c.do_node_rescue(ctx, uuid, checkRescuePassword(body.rescue_password), topic));
  if (t === 'deleted' || t === UNDEPLOY) return void (await c.do_node_tear_down(ctx, uuid, topic));
  if (t === 'inspect') return void (await c.inspect_hardware(ctx, uuid, topic));
  if (t === 'clean') {
    if (!steps.clean)
      throw ironicError('Invalid', '"clean_steps" is required when setting target provision state to clean');
    const cleanSteps = await checkSteps39(request, 'clean', steps.clean, child);
    return void (await c.do_node_clean(ctx, uuid, cleanSteps, topic, disableRamdisk));
  }
  if (t === 'service') {
    if (!steps.service) {
      throw ironicError('Invalid', '"service_steps" is required when setting target provision state to service');
    }
    const serviceSteps = await checkSteps39(request, 'service', steps.service, child);
    return void (await c.do_node_service(ctx, uuid, serviceSteps, disableRamdisk, topic));
  }
  if (PROVISION_ACTIONS_39.includes(t)) return void (await c.do_provisioning_action(ctx, uuid, t, topic));
  throw ironicError('InvalidStateRequested', `The requested action "${t}" could not be understood.`);
}

/** A provision rule against the node's owner and lessee (Ironic's owner/lessee policy), else role-only. */
function checkStepsRule(request: FastifyRequest, node: IronicObject<NodeFields>, rule: PolicyRule): void {
  if (ownerScoped(request)) {
    const target = nodeTarget(callerCredentials(request), { owner: node.get('owner'), lessee: node.get('lessee') });
    authorizeRule(request, rule, target);
  } else if (!passes(request, rule)) throw forbidden(rule);
}

/**
 * NodeStatesController.provision as 39.0 orders its checks (reference §5.3). The step-level
 * policies 39.0 evaluates before any schema check read `step['interface']` of each step, so a
 * malformed step list is a 500 there at every microversion (R3): FIXED, the gateway has no
 * per-step policies and a malformed list gets the schema's 400 when the steps are checked.
 */
async function setProvision39(request: RouteRequest<typeof provisionSchema>): Promise<void> {
  const body: ProvisionRequest39 = request.body;
  argsBoolean('disable_ramdisk', body.disable_ramdisk);
  const node = await getRpcNode(request, identOf(request));
  checkVerbVersion(request, body.target);
  if (!body.runbook) {
    // check_owner_policy('node', …, conceal_node=False): against the node's owner and lessee, 403
    if (body.clean_steps) checkStepsRule(request, node, 'baremetal:node:set_provision_state:clean_steps');
    if (body.service_steps) checkStepsRule(request, node, 'baremetal:node:set_provision_state:service_steps');
  }
  checkActionable(node, body.target, apiStateMachine(request));
  checkConfigdrive(request, body.target, body.configdrive);
  let cleanSteps: unknown = body.clean_steps;
  let serviceSteps: unknown = body.service_steps;
  let disableRamdisk = argsBoolean('disable_ramdisk', body.disable_ramdisk);
  if (body.runbook) {
    if (!allows(request, MINOR_92_RUNBOOKS)) throw notAcceptable();
    ({ cleanSteps, serviceSteps, disableRamdisk } = await runbookSteps(request, node, body, cleanSteps, serviceSteps));
  }
  checkProvisionArguments39(request, body, node.get('provision_state') ?? null, {
    cleanSteps,
    serviceSteps,
    disableRamdisk,
    runbook: Boolean(body.runbook),
  });
  await dispatchProvision39(request, node, body, { clean: cleanSteps, service: serviceSteps }, disableRamdisk);
}

/**
 * The shared start of PUT …/boot_mode and …/secure_boot: node and policy, topic, then the
 * version (404 in faultstring shape below 1.76). 21.4 checks the version after the topic, so
 * without a conductor for the node the answer is 503/400 even below 1.76 (its Q13): COPIED.
 */
async function bootModeNode(request: NodeRequest): Promise<{ node: IronicObject<NodeFields>; topic: string }> {
  const found = await nodeAndTopic(request, identOf(request));
  if (!allows(request, MINOR_76_NODE_CHANGE_BOOT_MODE)) {
    throw ironicError(
      'NotFound',
      `This endpoint is supported starting with the API version 1.${MINOR_76_NODE_CHANGE_BOOT_MODE}`,
    );
  }
  return found;
}

/** 409 while the node is transitioning (UNSTABLE_STATES, adopting included). */
function checkStable(node: IronicObject<NodeFields>): void {
  const state = node.get('provision_state') ?? null;
  if (state !== null && UNSTABLE_STATES.includes(state)) {
    throw ironicError(
      'Conflict',
      `Node is in ${state} state. Since node is transitioning, the boot mode will not be set as this may interfere with ongoing changes and result in erroneous modification. Try again later.`,
    );
  }
}

async function setBootMode(request: RouteRequest<typeof bootModeSchema>): Promise<void> {
  const { node, topic } = await bootModeNode(request);
  const target = request.body.target;
  if (!BOOT_MODES.includes(target)) {
    throw ironicError(
      'InvalidParameterValue',
      `Invalid boot mode ${target} requested for node. Allowed boot modes are: ${BOOT_MODES.join(', ')}`,
    );
  }
  checkStable(node);
  await request.conductor.change_node_boot_mode(request.ctx, String(node.get('uuid')), target, topic);
}

async function setSecureBoot(request: RouteRequest<typeof secureBootSchema>): Promise<void> {
  const { node, topic } = await bootModeNode(request);
  // args.boolean: a boolean or one of its words; null is not a target
  const target = argsBoolean('target', request.body.target);
  if (target === null) {
    throw ironicError(
      'InvalidParameterValue',
      'Invalid secure_boot None requested for node. Allowed secure_boot states are: True, False) ',
    );
  }
  checkStable(node);
  await request.conductor.change_node_secure_boot(request.ctx, String(node.get('uuid')), target, topic);
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
  try {
    const info = await withNodeTopic(request, identOf(request), (uuid, topic) =>
      request.conductor.get_console_information(request.ctx, uuid, topic),
    );
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
      'do_node_service',
      'Runbook.list',
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
    url: '/v1/nodes/:node_ident/states/boot_mode',
    operationId: 'setNodeBootMode',
    policy: 'baremetal:node:set_boot_mode',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'change_node_boot_mode'],
    status: 202,
    summary: 'Change the boot mode of a node (1.76)',
    tags: TAGS,
    schema: bootModeSchema,
    handler: async (request, reply) => {
      await setBootMode(request);
      reply.header('location', statesLocation(request));
    },
  }),
  route({
    method: 'PUT',
    url: '/v1/nodes/:node_ident/states/secure_boot',
    operationId: 'setNodeSecureBoot',
    policy: 'baremetal:node:set_secure_boot',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'change_node_secure_boot'],
    status: 202,
    summary: 'Turn secure boot of a node on or off (1.76)',
    tags: TAGS,
    schema: secureBootSchema,
    handler: async (request, reply) => {
      await setSecureBoot(request);
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
