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
import { ironicError, pyStr } from '../../conductor/exceptions.ts';
import type { IronicObject, NodeFields } from '../../conductor/objects.ts';
import { RemoteError } from '../../rpc/errors.ts';
import { isUuidLike, parseBoolean, parseList } from '../api-utils/ident.ts';
import { classAction, getRpcNodeWithSuffix, listObjects, topicFor } from '../api-utils/lookup.ts';
import { convertNode } from '../api-utils/node.ts';
import {
  dict,
  emptyResponse,
  errorResponses,
  linksSchema,
  maskSecrets,
  SECRET_MASK,
} from '../api-utils/representation.ts';
import { route, type RouteDef } from '../route.ts';
import { identParam, normalizeMac, UuidsById } from '../api-utils/resource.ts';
import {
  allowAgentToken,
  allowAgentVersionInHeartbeat,
  allowStatusInHeartbeat,
  allowVerifyCaInHeartbeat,
  MINOR_22_LOOKUP_HEARTBEAT,
  MINOR_84_CONTINUE_INSPECTION,
  allowContinueInspectionEndpoint,
  newContinueInspectionEndpoint,
  servesHibiscus,
} from '../versions.ts';
import { webobError } from '../api-utils/router-gate.ts';
import { pyRepr } from '../../conductor/exceptions.ts';

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

/** 39.0's LOOKUP_ALLOWED_STATES: `service wait` too. */
const LOOKUP_ALLOWED_STATES_39: ReadonlySet<string> = new Set([...LOOKUP_ALLOWED_STATES, 'service wait']);

/** 39.0's FASTTRACK_LOOKUP_ALLOWED_STATES: an explicit set, servicing states included. */
const FASTTRACK_LOOKUP_ALLOWED_STATES_39: ReadonlySet<string> = new Set([
  ...FASTTRACK_LOOKUP_ALLOWED_STATES,
  'servicing',
  'service wait',
  'service hold',
]);

/**
 * 39.0's heartbeat check of the callback URL (urlparse): a scheme containing `http`, else 400;
 * the empty URL of the anaconda deploy interface passes. The URL goes on as urlparse's geturl()
 * gives it back (the scheme lower-cased).
 */
function checkCallbackUrl(url: string): string {
  const m = /^([A-Za-z][A-Za-z0-9+\-.]*):/.exec(url);
  const scheme = m ? m[1].toLowerCase() : '';
  if (!scheme.includes('http')) {
    if (url !== '')
      throw ironicError('InvalidParameterValue', 'An issue with the supplied "callback_url" has been detected.');
    return url;
  }
  return scheme + url.slice(scheme.length);
}

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

/** A comma-separated setting as oslo.config's ListOpt gives it. */
const listSetting = (value: string): string[] =>
  value
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f !== '');

/**
 * The `config` a lookup hands the ramdisk (ramdisk.config()): the agent's metrics, heartbeat
 * timeout and token, and the image checks, from the gateway's settings of the same Ironic
 * options (keep them equal to the conductors'). Queens' three keys when tokens are not spoken;
 * 39.0's keys (containers, MD5, BMC detection, TLS) when the gateway serves a newer release.
 */
function agentConfig(
  request: FastifyRequest,
  token: unknown,
  node: IronicObject<NodeFields> | null,
): Record<string, unknown> {
  const config = request.server.gatewayConfig;
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
  if (!tokensSpoken(request)) return queens;
  const hibiscus = servesHibiscus(request);
  // [agent]enable_bios_bootloader_install: true in Debian's 21.4, false in 39.0
  const bootloader = config.enable_bios_bootloader_install ?? !hibiscus;
  // [conductor]permitted_image_formats: 39.0 adds gpt
  const formats = listSetting(config.permitted_image_formats ?? (hibiscus ? 'raw,gpt,qcow2,iso' : 'raw,qcow2,iso'));
  if (!hibiscus)
    return {
      ...queens,
      agent_token: token ?? null,
      agent_token_required: true,
      disable_deep_image_inspection: config.disable_deep_image_inspection,
      permitted_image_formats: formats,
      enable_bios_bootloader_install: bootloader,
    };
  // out-of-band management interfaces whose BMC address Ironic already knows
  const management = node?.get('management_interface');
  return {
    ...queens,
    agent_containers: {
      allow_arbitrary_containers: config.agent_containers_allow_arbitrary_containers,
      allowed_containers: listSetting(config.agent_containers_allowed_containers),
      container_steps_file: config.agent_containers_container_steps_file,
      runner: config.agent_containers_runner,
      pull_options: listSetting(config.agent_containers_pull_options),
      run_options: listSetting(config.agent_containers_run_options),
    },
    agent_token: token ?? null,
    agent_token_required: true,
    agent_md5_checksum_enable: config.agent_allow_md5_checksum,
    disable_deep_image_inspection: config.disable_deep_image_inspection,
    permitted_image_formats: formats,
    agent_skip_bmc_detect: management === 'redfish' || management === 'idrac-redfish',
    enable_bios_bootloader_install: bootloader,
    tls_min_version: config.agent_tls_minimum_version,
    tls_cipher_suites: config.agent_tls_ciphers ?? null,
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
  const hibiscus = servesHibiscus(request);
  if (tokensSpoken(request) && fastTrackEnabled(request, node))
    return (hibiscus ? FASTTRACK_LOOKUP_ALLOWED_STATES_39 : FASTTRACK_LOOKUP_ALLOWED_STATES).has(state);
  return (hibiscus ? LOOKUP_ALLOWED_STATES_39 : LOOKUP_ALLOWED_STATES).has(state);
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

// ---- POST /v1/continue_inspection (1.84; exactly 1.1 too): issue 15, slice vmedia

/** inspect_utils.LOOKUP_CACHE_FIELD: the BMC addresses cached on a node when its inspection starts. */
const LOOKUP_CACHE_FIELD = 'lookup_bmc_addresses';

/**
 * ramdisk.DATA_VALIDATOR through args.schema (`Schema error for data: …`): the error
 * jsonschema's best_match reports, the one nearest the document's root, first in the schema's
 * order among those as deep.
 */
function checkInspectionData(data: unknown): asserts data is Record<string, unknown> & {
  inventory: Record<string, unknown> & { interfaces: Record<string, unknown>[] };
} {
  const fail = (message: string): never => {
    throw ironicError('InvalidParameterValue', `Schema error for data: ${message}`);
  };
  const notOf = (v: unknown, type: string) => `${pyRepr(v)} is not of type ${type}`;
  if (!isDict(data)) return fail(notOf(data ?? null, "'object'"));
  if (!Object.hasOwn(data, 'inventory')) fail("'inventory' is a required property");
  const inv = data.inventory;
  if (!isDict(inv)) return fail(notOf(inv, "'object'"));
  if (!Object.hasOwn(inv, 'interfaces')) fail("'interfaces' is a required property");
  for (const k of ['bmc_address', 'bmc_v6address'])
    if (Object.hasOwn(inv, k) && inv[k] !== null && typeof inv[k] !== 'string') fail(notOf(inv[k], "'string', 'null'"));
  const ifaces = inv.interfaces;
  if (!Array.isArray(ifaces)) return fail(notOf(ifaces, "'array'"));
  if (ifaces.length === 0) fail('[] should be non-empty');
  for (const i of ifaces) {
    if (!isDict(i)) fail(notOf(i, "'object'"));
    else if (!Object.hasOwn(i, 'mac_address')) fail("'mac_address' is a required property");
  }
  for (const i of ifaces as Record<string, unknown>[])
    if (typeof i.mac_address !== 'string') fail(notOf(i.mac_address, "'string'"));
}

const remoteType = (err: unknown): string | undefined =>
  err instanceof RemoteError ? err.exc_type : (err as { exc_type?: string }).exc_type;

/**
 * inspect_utils.lookup_node: by node uuid, then MAC addresses (a conflict between the two, or
 * several nodes for the MACs, is not found), the node must wait for inspection data, then the
 * BMC addresses cached on the nodes in `inspect wait`. Every failure is the same bare 404 to
 * this unauthenticated caller; no match at all is auto-discovery's case, which the gateway
 * does not offer ([auto_discovery]enabled is off by default): 404 as well.
 */
async function inspectionLookup(
  request: FastifyRequest,
  macs: string[],
  bmcAddresses: string[],
  nodeUuid: string | undefined,
): Promise<IronicObject<NodeFields>> {
  let node: IronicObject<NodeFields> | null = null;
  if (nodeUuid) {
    try {
      node = (await classAction(request, 'Node', 'get_by_uuid', [nodeUuid])) as IronicObject<NodeFields>;
    } catch (err) {
      if (/NotFound$/.test(remoteType(err) ?? '')) throw notFound();
      throw err;
    }
  }
  if (macs.length > 0) {
    let byMac: IronicObject<NodeFields> | null = null;
    try {
      byMac = (await classAction(request, 'Node', 'get_by_port_addresses', [macs])) as IronicObject<NodeFields>;
    } catch (err) {
      const type = remoteType(err) ?? '';
      if (type === 'DuplicateNodeOnLookup') throw notFound();
      if (!/NotFound$/.test(type)) throw err;
    }
    if (byMac && node && byMac.get('uuid') !== node.get('uuid')) throw notFound();
    node = byMac ?? node;
  }
  if (node && node.get('provision_state') !== 'inspect wait') {
    request.log.warn(
      { node: node.get('uuid'), provision_state: node.get('provision_state') },
      'inspection lookup: node not in inspect wait',
    );
    throw notFound();
  }
  if (bmcAddresses.length > 0) {
    const candidates = await listObjects(request, 'Node', 'list', [], {
      filters: { provision_state: 'inspect wait' },
      fields: ['uuid', 'driver_internal_info'],
    });
    const byBmc = new Set<string>();
    for (const c of candidates) {
      const cached = internalInfo(c)[LOOKUP_CACHE_FIELD];
      if (Array.isArray(cached) && cached.some((a) => bmcAddresses.includes(String(a))))
        byBmc.add(String(c.get('uuid')));
    }
    if (node && byBmc.size > 0 && !byBmc.has(String(node.get('uuid')))) throw notFound();
    if (!node && byBmc.size > 0) {
      if (byBmc.size > 1) throw notFound();
      node = (await classAction(request, 'Node', 'get_by_uuid', [[...byBmc][0]])) as IronicObject<NodeFields>;
    }
  }
  if (!node) throw notFound();
  return node;
}

/**
 * ramdisk.convert_with_links: the node's lookup fields and the agent's config. node_sanitize
 * never shows the token in the node, only in config; 39.0 masks all of driver_internal_info
 * as mask_dict_password does (§5.3), 21.4 only the token.
 */
async function lookupAnswer(request: FastifyRequest, found: IronicObject<NodeFields>) {
  const token = lookupToken(request, found);
  const out = await convertNode(request, found, LOOKUP_FIELDS, new NoChassisUuids(request, 'Chassis'));
  const dii = out.driver_internal_info;
  if (dii !== null && typeof dii === 'object') {
    const info = dii as Record<string, unknown>;
    if (servesHibiscus(request)) out.driver_internal_info = maskSecrets(info);
    else if (info.agent_secret_token) out.driver_internal_info = { ...info, agent_secret_token: SECRET_MASK };
  }
  return { node: out, config: agentConfig(request, token, found) };
}

export const ramdiskRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/v1/lookup',
    operationId: 'lookupNode',
    minVersion: MINOR_22_LOOKUP_HEARTBEAT,
    // (the ramdisk controller's own 404, in 39.0 as in 21.4)
    belowMinVersion: () => ironicError('NotFound', 'Resource could not be found.'),
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
      return lookupAnswer(request, found);
    },
  }),
  route({
    method: 'POST',
    url: '/v1/heartbeat/:node_ident',
    operationId: 'heartbeatNode',
    minVersion: MINOR_22_LOOKUP_HEARTBEAT,
    // (the ramdisk controller's own 404, in 39.0 as in 21.4)
    belowMinVersion: () => ironicError('NotFound', 'Resource could not be found.'),
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
      const callbackUrl = servesHibiscus(request) ? checkCallbackUrl(body.callback_url) : body.callback_url;
      const agentUrl = internalInfo(node).agent_url;
      if (agentUrl !== undefined && agentUrl !== null && agentUrl !== callbackUrl) {
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
        callbackUrl,
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
  route({
    method: 'POST',
    url: '/v1/continue_inspection',
    operationId: 'continueInspection',
    policy: 'baremetal:driver:ipa_continue_inspection',
    rpc: [
      'Node.get_by_uuid',
      'Node.get_by_port_addresses',
      'Node.list',
      'get_topic_for',
      'get_node_with_token',
      'continue_inspection',
    ],
    status: 202,
    summary:
      "In-band inspection data from the ramdisk (no authentication; 1.84, and exactly 1.1 as ironic-inspector's " +
      'callback): the node is found by node_uuid, its MAC addresses or BMC address, and its inspection continues. ' +
      'At 1.84+ the answer is a lookup\'s (with a fresh agent token); at 1.1 `{"uuid": …}`',
    tags: TAGS,
    schema: {
      querystring: {
        type: 'object',
        properties: { node_uuid: { type: 'string', description: 'the node uuid, when known (1.84+)' } },
        additionalProperties: true,
      },
      // documented shape only: the handler checks the data with args.schema's words (DATA_VALIDATOR)
      body: {
        type: 'object',
        properties: {
          inventory: {
            description:
              'the hardware inventory: interfaces (at least one, each with mac_address), bmc_address, bmc_v6address …',
          },
        },
        additionalProperties: true,
      },
      response: {
        202: {
          type: 'object',
          description: 'at 1.84+ {node, config} as a lookup answers; at 1.1 {uuid}',
          properties: {
            uuid: { type: 'string' },
            node: { type: 'object', additionalProperties: true },
            config: dict,
          },
        },
        ...errorResponses(400, 403, 404, 409, 503),
      },
    },
    handler: async (request) => {
      // 21.4 has no such controller: a gateway serving an older release answers as its router
      if (request.server.apiMaxMinor < MINOR_84_CONTINUE_INSPECTION) throw webobError(404, '');
      // args.validate: unexpected arguments, the data, then node_uuid
      const query: unknown = request.query;
      checkArguments(isDict(query) ? query : {}, [{ name: 'node_uuid' }]);
      const data: unknown = request.body;
      checkInspectionData(data);
      const nodeUuid = request.query.node_uuid ?? undefined;
      if (nodeUuid !== undefined) uuidArg('node_uuid', nodeUuid);
      checkRamdiskEndpointsEnabled(request);
      if (!allowContinueInspectionEndpoint(request) || (nodeUuid && !newContinueInspectionEndpoint(request)))
        throw ironicError('NotFound', `API version 1.${MINOR_84_CONTINUE_INSPECTION} or newer is required`);
      const { inventory, ...pluginData } = data;
      const macs: string[] = [];
      for (const iface of inventory.interfaces) {
        const mac = macOrNull(String(iface.mac_address));
        if (mac) macs.push(mac);
      }
      const bmc = [inventory.bmc_address, inventory.bmc_v6address].filter(
        (a): a is string => typeof a === 'string' && a !== '',
      );
      if (macs.length === 0 && bmc.length === 0 && !nodeUuid)
        throw ironicError('Invalid', 'No lookup information provided');
      const node = await inspectionLookup(request, macs, bmc, nodeUuid);
      const topic = await topicFor(request, node, true);
      const uuid = String(node.get('uuid'));
      // the token first: processing the data may take long, and minting one locks the node
      const found = newContinueInspectionEndpoint(request)
        ? await request.conductor.get_node_with_token(request.ctx, uuid, topic)
        : node;
      await request.conductor.continue_inspection(request.ctx, uuid, inventory, pluginData, topic);
      if (newContinueInspectionEndpoint(request)) return lookupAnswer(request, found);
      return { uuid };
    },
  }),
];
