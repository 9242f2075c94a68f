/**
 * The endpoints the deploy ramdisk (ironic-python-agent) calls, open without authentication as
 * in Ironic (ironic/api/controllers/v1/ramdisk.py @21.4, Debian's): node lookup by MAC addresses
 * or uuid, which from 1.62 mints the agent token (RPC get_node_with_token), and heartbeats, which
 * carry that token (the 21.4 conductor refuses a heartbeat without it), the agent's version
 * (1.36), its TLS certificate (1.68) and its status (1.72).
 *
 * `continue_node_clean` is not called by ironic-api: during cleaning, the conductor handling a
 * heartbeat (its agent driver) casts it to itself once the agent reports a finished clean step.
 * It is reached from REST by `POST /v1/heartbeat/{node_ident}`, which names it for that reason.
 *
 * A gateway pinned to a release older than agent tokens (RPC below 1.49, e.g. `10.1`) answers as
 * that release's ironic-api did: lookup hands out Queens' `config` and heartbeat needs no token.
 */
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { ironicError, pyStr } from '../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { isUuidLike, parseBoolean, parseList } from '../api-utils/ident.ts';
import { classAction, getRpcNodeWithSuffix, topicFor } from '../api-utils/lookup.ts';
import { convertNode } from '../api-utils/node.ts';
import { dict, emptyResponse, errorResponses, linksSchema, SECRET_MASK } from '../api-utils/representation.ts';
import { route, type RouteDef } from '../route.ts';
import { identParam, normalizeMac, UuidsById } from '../api-utils/resource.ts';
import {
  allowAgentToken,
  allowAgentVersionInHeartbeat,
  allowStatusInHeartbeat,
  allowVerifyCaInHeartbeat,
  MINOR_22_LOOKUP_HEARTBEAT,
} from '../versions.ts';

const TAGS = ['ramdisk'];

/** utils.is_valid_logical_name: RFC 3986 unreserved characters, at most 255. */
const LOGICAL_NAME_RE = /^[A-Z0-9\-._~]+$/i;

/** Node fields a lookup returns (_LOOKUP_RETURN_FIELDS). */
const LOOKUP_FIELDS = ['uuid', 'properties', 'instance_info', 'driver_internal_info'] as const;

/** Provision states in which a ramdisk may look its node up ([api]restrict_lookup, the default): LOOKUP_ALLOWED_STATES. */
const LOOKUP_ALLOWED_STATES: ReadonlySet<string> = new Set([
  'deploying',
  'wait call-back',
  'cleaning',
  'clean wait',
  'inspecting',
  'inspect wait',
  'rescuing',
  'rescue wait',
]);

/** The same with fast track on (FASTTRACK_LOOKUP_ALLOWED_STATES): the agent may also be up before any action. */
const FASTTRACK_LOOKUP_ALLOWED_STATES: ReadonlySet<string> = new Set([
  'enroll',
  'manageable',
  'available',
  ...LOOKUP_ALLOWED_STATES,
]);

/** The agent status values heartbeat accepts (AGENT_VALID_STATES). */
const AGENT_VALID_STATES = ['start', 'end', 'error'] as const;

/**
 * Whether the conductors speak agent tokens (RPC 1.49, Ironic 15.0): false only when the gateway
 * is pinned to an older release, whose ironic-api had no token, no fast track and Queens' config.
 */
function tokensSpoken(request: FastifyRequest): boolean {
  return request.conductor.can_send_version('1.49');
}

/** Debian's [api]enable_ramdisk_endpoints: off, both endpoints answer 403, before any version check. */
function checkRamdiskEndpointsEnabled(request: FastifyRequest): void {
  if (request.server.gatewayConfig.enable_ramdisk_endpoints) return;
  const path = request.url.split('?', 1)[0];
  throw ironicError('HTTPForbidden', `Access was denied to the following resource: ${path}`, { resource: path });
}

const isDict = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A value as Python's `%s` writes it (in args' messages): lists and dicts as their repr. */
function pyText(value: unknown, nested = false): string {
  if (typeof value === 'string') return nested ? `'${value}'` : value;
  if (Array.isArray(value)) return `[${value.map((v) => pyText(v, true)).join(', ')}]`;
  if (isDict(value))
    return `{${Object.entries(value)
      .map(([k, v]) => `'${k}': ${pyText(v, true)}`)
      .join(', ')}}`;
  return pyStr(value);
}

/**
 * ironic's args.validate as it runs before the controller method: an argument the method does
 * not take is refused, then each one in the method's order (a mandatory one missing, a string
 * that is not one). The arguments are the query string's and, for a POST, the JSON body's
 * (pecan passes both); JSON null is Python's None, "not given".
 */
function checkArguments(
  args: Record<string, unknown>,
  params: readonly { name: string; mandatory?: boolean; check?: (name: string, value: unknown) => void }[],
): void {
  const extra = Object.keys(args).filter((k) => !params.some((p) => p.name === k));
  if (extra.length > 0) throw ironicError('InvalidParameterValue', `Unexpected arguments: ${extra.join(', ')}`);
  for (const p of params) {
    if (!Object.hasOwn(args, p.name)) {
      if (p.mandatory) throw ironicError('MissingParameterValue', `Missing mandatory parameter: ${p.name}`);
      continue;
    }
    const value = args[p.name];
    if (value !== null) p.check?.(p.name, value);
  }
}

/** args.string */
function stringArg(name: string, value: unknown): void {
  if (typeof value !== 'string')
    throw ironicError('InvalidParameterValue', `Expected string for ${name}: ${pyText(value)}`);
}

/** args.uuid */
function uuidArg(name: string, value: unknown): void {
  if (!isUuidLike(value)) throw ironicError('InvalidParameterValue', `Expected UUID for ${name}: ${pyText(value)}`);
}

/** GET /v1/lookup before its version check: its arguments (addresses, node_uuid), then enable_ramdisk_endpoints. */
function lookupPreamble(request: FastifyRequest): void {
  const query: unknown = request.query;
  checkArguments(isDict(query) ? query : {}, [
    { name: 'addresses', check: stringArg },
    { name: 'node_uuid', check: uuidArg },
  ]);
  checkRamdiskEndpointsEnabled(request);
}

/** The heartbeat's arguments, in the order of the controller method's parameters. */
const HEARTBEAT_PARAMS = [
  { name: 'callback_url', mandatory: true, check: stringArg },
  { name: 'agent_version', check: stringArg },
  { name: 'agent_token', check: stringArg },
  { name: 'agent_verify_ca', check: stringArg },
  { name: 'agent_status', check: stringArg },
  { name: 'agent_status_message', check: stringArg },
] as const;

/**
 * POST /v1/heartbeat before its version check: the node ident (args.uuid_or_name), the arguments
 * from the query string and the body (which the route then reads as its body), then
 * enable_ramdisk_endpoints.
 */
function heartbeatPreamble(request: FastifyRequest): void {
  const params: unknown = request.params;
  const ident = isDict(params) ? params.node_ident : undefined;
  const logicalName = typeof ident === 'string' && ident.length <= 255 && LOGICAL_NAME_RE.test(ident);
  if (typeof ident === 'string' && !logicalName && !isUuidLike(ident))
    throw ironicError('InvalidParameterValue', `Expected UUID or name for node_ident: ${ident}`);
  const query: unknown = request.query;
  const body: unknown = request.body;
  const args = { ...(isDict(query) ? query : {}), ...(isDict(body) ? body : {}) };
  checkArguments(args, HEARTBEAT_PARAMS);
  request.body = args;
  checkRamdiskEndpointsEnabled(request);
}

/**
 * The `config` a lookup hands the ramdisk (ramdisk.config()): the agent's metrics, heartbeat
 * timeout and token, and the image checks, from the gateway's settings of the same Ironic
 * options (keep them equal to the conductors'). Queens' three keys when tokens are not spoken.
 */
function agentConfig(config: Config, token: unknown, tokens: boolean): Record<string, unknown> {
  const queens = {
    metrics: {
      backend: config.metrics_agent_backend,
      prepend_host: config.metrics_agent_prepend_host,
      prepend_uuid: config.metrics_agent_prepend_uuid,
      prepend_host_reverse: config.metrics_agent_prepend_host_reverse,
      global_prefix: config.metrics_agent_global_prefix ?? null,
    },
    metrics_statsd: {
      statsd_host: config.metrics_statsd_agent_statsd_host,
      statsd_port: config.metrics_statsd_agent_statsd_port,
    },
    heartbeat_timeout: config.ramdisk_heartbeat_timeout,
  };
  if (!tokens) return queens;
  return {
    ...queens,
    agent_token: token ?? null,
    agent_token_required: true,
    disable_deep_image_inspection: config.disable_deep_image_inspection,
    permitted_image_formats: config.permitted_image_formats
      .split(',')
      .map((f) => f.trim())
      .filter((f) => f !== ''),
    enable_bios_bootloader_install: config.enable_bios_bootloader_install,
  };
}

/** utils.fast_track_enabled: the node's driver_info `fast_track` (strict boolean), else [deploy]fast_track. */
function fastTrackEnabled(request: FastifyRequest, node: IronicObject<NodeFields>): boolean {
  const value = (node.get('driver_info') as Record<string, unknown> | null | undefined)?.fast_track;
  if (value === undefined || value === null) return request.server.gatewayConfig.fast_track;
  try {
    return parseBoolean(value);
  } catch (err) {
    throw ironicError('InvalidParameterValue', `Invalid value of fast_track: ${(err as Error).message}`);
  }
}

/** LookupController.lookup_allowed. */
function lookupAllowed(request: FastifyRequest, node: IronicObject<NodeFields>): boolean {
  const state = String(node.get('provision_state'));
  // fast track came with Ironic 13.0; a gateway pinned before tokens (Queens) knows no fast track
  if (tokensSpoken(request) && fastTrackEnabled(request, node)) return FASTTRACK_LOOKUP_ALLOWED_STATES.has(state);
  return LOOKUP_ALLOWED_STATES.has(state);
}

/** utils.validate_and_normalize_mac, answering null for an invalid address. */
function macOrNull(address: string): string | null {
  try {
    return normalizeMac(address);
  } catch {
    return null;
  }
}

/**
 * node_convert_with_links computes chassis_uuid only when the fields ask for it, and lookup's do
 * not: no Chassis.get_by_id for a node in a chassis.
 */
class NoChassisUuids extends UuidsById {
  override get(): Promise<string | null> {
    return Promise.resolve(null);
  }
}

const notFound = () => ironicError('NotFound', 'Resource could not be found.');

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
    if (err instanceof RemoteError && /NotFound$/.test(err.exc_type)) throw notFound();
    throw err;
  }
}

/** The node's driver_internal_info (a dict, whatever the conductor answered). */
function internalInfo(node: IronicObject<NodeFields>): Record<string, unknown> {
  const dii = node.get('driver_internal_info');
  return dii !== null && typeof dii === 'object' ? (dii as Record<string, unknown>) : {};
}

/**
 * The token a lookup hands out (convert_with_links): at 1.62+ the one get_node_with_token just
 * minted, or its '******' when one had been minted before.
 *
 * 21.4 bug copied? No, fixed: below 1.62 ironic-api 21.4 returns the token stored on the node as
 * it is (§7 Q15, seen on the test stack's ironic-api), to any unauthenticated caller and as often as asked, which defeats the token
 * (its point is that only the first lookup after boot learns it). The gateway answers '******'
 * when a token is stored, null otherwise; an agent that speaks tokens asks for 1.62 or newer.
 */
function lookupToken(request: FastifyRequest, node: IronicObject<NodeFields>): unknown {
  const token = internalInfo(node).agent_secret_token ?? null;
  if (allowAgentToken(request) || token === null) return token;
  return SECRET_MASK;
}

export const ramdiskRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/lookup',
    operationId: 'lookupNode',
    minVersion: MINOR_22_LOOKUP_HEARTBEAT,
    beforeVersion: lookupPreamble,
    policy: 'baremetal:driver:ipa_lookup',
    rpc: ['Node.get_by_port_addresses', 'Node.get_by_uuid', 'get_topic_for', 'get_node_with_token'],
    status: 200,
    summary:
      'Look up a node by its MAC addresses or uuid (deploy ramdisk; no authentication; 1.22+). From 1.62 it mints ' +
      "the node's agent token (config.agent_token; '******' once minted)",
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
        ...errorResponses(400, 403, 404, 409),
      },
    },
    handler: async (request) => {
      const q = request.query;
      const nodeUuid = q.node_uuid ?? undefined; // a UUID: lookupPreamble checked it
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
      if (request.server.gatewayConfig.restrict_lookup && !lookupAllowed(request, node)) {
        request.log.warn(
          { node: node.get('uuid'), provision_state: node.get('provision_state') },
          'lookup is not allowed for the node in its provision state',
        );
        throw notFound();
      }
      let found = node;
      if (allowAgentToken(request)) {
        // a node no conductor can take is the caller's problem here (400), as in ironic-api
        const topic = await topicFor(request, node, true);
        found = await request.conductor.get_node_with_token(request.ctx, String(node.get('uuid')), topic);
      }
      const token = lookupToken(request, found);
      const out = await convertNode(request, found, LOOKUP_FIELDS, new NoChassisUuids(request, 'Chassis'));
      // node_sanitize: the token itself is never shown in the node, only in config
      const dii = out.driver_internal_info;
      if (dii !== null && typeof dii === 'object' && (dii as Record<string, unknown>).agent_secret_token)
        out.driver_internal_info = { ...dii, agent_secret_token: SECRET_MASK };
      return { node: out, config: agentConfig(request.server.gatewayConfig, token, tokensSpoken(request)) };
    },
  }),
  route({
    method: 'POST',
    url: '/v1/heartbeat/:node_ident',
    operationId: 'heartbeatNode',
    minVersion: MINOR_22_LOOKUP_HEARTBEAT,
    beforeVersion: heartbeatPreamble,
    policy: 'baremetal:node:ipa_heartbeat',
    rpc: ['Node.get_by_name', 'Node.get_by_uuid', 'get_topic_for', 'heartbeat'],
    status: 202,
    summary:
      'Heartbeat from the deploy ramdisk (no authentication; 1.22+): agent_token (required), agent_version 1.36+, ' +
      'agent_verify_ca 1.68+, agent_status and agent_status_message 1.72+. During cleaning the conductor then casts ' +
      'continue_node_clean to itself when the agent reports a finished clean step.',
    tags: TAGS,
    schema: {
      params: identParam('node_ident', 'node uuid or name'),
      body: {
        type: 'object',
        properties: {
          callback_url: { type: 'string', description: 'URL where the conductor reaches the agent' },
          agent_version: { type: ['string', 'null'], description: 'version of the agent (1.36+)' },
          agent_token: {
            type: ['string', 'null'],
            description: "the token lookup handed out (required: the conductor refuses a heartbeat without the node's)",
          },
          agent_verify_ca: {
            type: ['string', 'null'],
            description: "the agent's TLS certificate, PEM, for the conductor to verify it (1.68+)",
          },
          agent_status: {
            type: ['string', 'null'],
            description: 'start, end or error (1.72+; the anaconda deploy interface)',
          },
          agent_status_message: { type: ['string', 'null'], description: 'a message for agent_status (1.72+)' },
        },
        required: ['callback_url'],
        additionalProperties: false,
      },
      response: { 202: emptyResponse, ...errorResponses(400, 403, 404, 409, 503) },
    },
    handler: async (request) => {
      const body = request.body;
      if (body.agent_version && !allowAgentVersionInHeartbeat(request)) {
        throw ironicError('InvalidParameterValue', 'Field "agent_version" not recognised');
      }
      if ((body.agent_status || body.agent_status_message) && !allowStatusInHeartbeat(request)) {
        throw ironicError('InvalidParameterValue', 'Fields "agent_status" and "agent_status_message" not recognised.');
      }
      if (body.agent_verify_ca !== undefined && body.agent_verify_ca !== null && !allowVerifyCaInHeartbeat(request)) {
        throw ironicError('InvalidParameterValue', 'Field "agent_verify_ca" not recognised in this version');
      }
      const node = await getRpcNodeWithSuffix(request, request.params.node_ident);
      const agentUrl = internalInfo(node).agent_url;
      if (agentUrl !== undefined && agentUrl !== null && agentUrl !== body.callback_url) {
        request.log.warn({ node: node.get('uuid'), callback_url: body.callback_url }, 'callback URL changed');
        throw ironicError('Invalid', 'Detected change in ramdisk provided "callback_url"');
      }
      if ((body.agent_token === undefined || body.agent_token === null) && tokensSpoken(request)) {
        throw ironicError('InvalidParameterValue', 'Agent token is required for heartbeat processing.');
      }
      const status = body.agent_status ?? null;
      if (status !== null && !(AGENT_VALID_STATES as readonly string[]).includes(status)) {
        throw ironicError(
          'InvalidParameterValue',
          `Agent status is invalid. Valid states are ${AGENT_VALID_STATES.join(',')}.`,
        );
      }
      // a node no conductor can take is the caller's problem here (400), as in ironic-api
      const topic = await topicFor(request, node, true);
      await request.conductor.heartbeat(
        request.ctx,
        String(node.get('uuid')),
        body.callback_url,
        {
          agent_version: body.agent_version ?? null,
          agent_token: body.agent_token ?? null,
          agent_verify_ca: body.agent_verify_ca ?? null,
          agent_status: status,
          agent_status_message: body.agent_status_message ?? null,
        },
        topic,
      );
      return undefined;
    },
  }),
];
