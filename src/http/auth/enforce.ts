/**
 * The hook that authenticates the caller and checks the route's policy rule. It runs in
 * onRequest (routing is done by then), after the app's hooks that create `request.ctx`, and
 * before the body is parsed, so a refused caller costs no parsing.
 *
 * - `config.policy === null`: public (`/`, `/v1`, `/healthz` …), no authentication.
 * - a rule that lets an anonymous caller through (`rule:public_api`: IPA lookup and
 *   heartbeat): no authentication, as Ironic's public routes.
 * - `config.policy` undefined: a route that forgot to declare one; denied (403) and logged.
 * - otherwise: authenticate (401 + WWW-Authenticate), then enforce the rule (403).
 * - an unmatched path: authenticate first, then the 404 (as behind keystonemiddleware).
 * - a CORS preflight never gets here: @fastify/cors answers it in an earlier onRequest hook
 *   (browsers send no credentials with it). With CORS off, a preflight is an ordinary request.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../config.ts';
import { type Htpasswd, BASIC_CHALLENGE, basicCredentials, identityForBasicUser } from './basic.ts';
import { clientCertOf, clientCertProblem, clientCertRequired } from './client-cert.ts';
import { HttpError, RETRY_AFTER_SECONDS } from '../errors.ts';
import { ironicError } from '../../conductor/exceptions.ts';
import { AuthFailure, forbidden, unauthorized } from './failure.ts';
import { type KeystoneCaller, type KeystoneClient, KeystoneUnavailable } from './keystone.ts';
import { type JwtSettings, JWT_CHALLENGE, identityFromClaims, tokenFromHeaders, verifyJwt } from './jwt.ts';
import { type Credentials, InvalidScope, type Policy, type PolicyTarget } from './policy.ts';
import type { RequestContext } from '../../conductor/context.ts';

export interface AuthSetup {
  strategy: Config['auth_strategy'];
  jwt?: JwtSettings;
  htpasswd?: Htpasswd;
  keystone?: KeystoneClient;
  policy: Policy;
  corsOrigins: string[];
  /**
   * Mutual TLS with public routes open (tls_public_routes_open): the handshake lets a client
   * without a certificate through, and every non-public route refuses it here.
   */
  clientCertPerRoute?: boolean;
  /** TESTS ONLY: the identity from keystonemiddleware's headers, unvalidated (AuthOptions.trustedHeaders) */
  trustedHeaders?: boolean;
}

/** The identity noauth gives every caller: an administrator with system scope. */
export const NOAUTH_IDENTITY = { roles: ['admin', 'member', 'reader'], system_scope: 'all', is_admin: true } as const;

function challengeFor(setup: AuthSetup): string {
  if (setup.keystone) return setup.keystone.challenge;
  return setup.strategy === 'http_basic' ? BASIC_CHALLENGE : JWT_CHALLENGE;
}

/** What a Keystone caller brings to the policy beyond the request context (oslo.context's policy values). */
const keystoneCallers = new WeakMap<FastifyRequest, KeystoneCaller>();

/** Policy values beyond the request context: project_name (JWT claim, trusted headers). */
const extraCredentials = new WeakMap<FastifyRequest, Record<string, unknown>>();

/** The setup a request was authenticated with (for the checks made once an object is loaded). */
const setups = new WeakMap<FastifyRequest, AuthSetup>();

/** The route's rule, checked once the handler has loaded the node (Ironic's check_node_policy_and_retrieve). */
/** Each entry a rule, or rules of which one must pass (the first named in a refusal's message: the last). */
type PendingRule = string | readonly string[];
const pendingRules = new WeakMap<FastifyRequest, PendingRule[]>();

/** The rules of an entry, any one of which passes it. */
const alternatives = (rule: PendingRule): readonly string[] => (typeof rule === 'string' ? [rule] : rule);

function passes(policy: Policy, rule: PendingRule, creds: Credentials, target?: PolicyTarget): boolean {
  return alternatives(rule).some((r) => authorize(policy, r, creds, target));
}
const ruleName = (rule: PendingRule): string => (typeof rule === 'string' ? rule : (rule.at(-1) ?? ''));

const header = (request: FastifyRequest, name: string): string | null => {
  const v = request.headers[name];
  const s = Array.isArray(v) ? v.join(',') : v;
  return s === undefined || s.trim() === '' ? null : s.trim();
};

/**
 * TESTS ONLY: the identity keystonemiddleware would have passed on (oslo.context's
 * from_environ), read from the request's headers without validation: a request without them
 * is anonymous (no roles), as in Ironic's own RBAC tests.
 */
function trustedHeaderIdentity(request: FastifyRequest): Partial<RequestContext> & { project_name: string | null } {
  const roles = (header(request, 'x-roles') ?? '')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  const adminProject = header(request, 'x-is-admin-project');
  return {
    user_id: header(request, 'x-user-id'),
    project_id: header(request, 'x-project-id') ?? header(request, 'x-tenant-id'),
    project_name: header(request, 'x-project-name'),
    domain_id: header(request, 'x-domain-id'),
    user_domain_id: header(request, 'x-user-domain-id'),
    project_domain_id: header(request, 'x-project-domain-id'),
    system_scope: header(request, 'openstack-system-scope'),
    roles,
    is_admin: false,
    is_admin_project: adminProject === null ? true : adminProject.toLowerCase() === 'true',
    auth_token: header(request, 'x-auth-token'),
  };
}

/** The request context of a caller Keystone vouched for, as ironic-api builds it from keystonemiddleware's headers. */
function keystoneContext(caller: KeystoneCaller) {
  const u = caller.user;
  return {
    user_id: u.user_id,
    project_id: u.project_id,
    domain_id: u.domain_id,
    user_domain_id: u.user_domain_id,
    project_domain_id: u.project_domain_id,
    system_scope: u.system_scope,
    roles: [...u.roles],
    is_admin: false,
    is_admin_project: u.is_admin_project,
    // ironic-api passes the caller's token on to the conductor with the keystone strategy only
    auth_token: caller.token,
  };
}

/** Fills `request.ctx` with the caller's identity, or throws AuthFailure. */
async function authenticate(request: FastifyRequest, setup: AuthSetup): Promise<void> {
  setups.set(request, setup);
  if (setup.trustedHeaders) {
    const { project_name, ...identity } = trustedHeaderIdentity(request);
    Object.assign(request.ctx, identity);
    extraCredentials.set(request, { project_name });
    return;
  }
  switch (setup.strategy) {
    case 'noauth':
      Object.assign(request.ctx, { ...NOAUTH_IDENTITY, roles: [...NOAUTH_IDENTITY.roles] });
      return;
    case 'jwt': {
      const token = tokenFromHeaders(request.headers);
      if (token === null) throw new AuthFailure('missing credentials');
      if (!setup.jwt) throw new Error('the jwt strategy was set up without its settings');
      const { project_name, ...identity } = identityFromClaims(verifyJwt(token, setup.jwt));
      Object.assign(request.ctx, identity);
      extraCredentials.set(request, { project_name });
      return;
    }
    case 'http_basic': {
      const creds = basicCredentials(request.headers.authorization);
      if (creds === null) throw new AuthFailure('missing credentials');
      if (!setup.htpasswd) throw new Error('the http_basic strategy was set up without its user file');
      await setup.htpasswd.verify(creds.user, creds.password);
      Object.assign(request.ctx, identityForBasicUser(creds.user));
      return;
    }
    case 'keystone': {
      const path = request.url.split('?', 1)[0];
      if (!setup.keystone) throw new Error('the keystone strategy was set up without its settings');
      const caller = await setup.keystone.authenticateRequest(request.headers, request.method, path);
      keystoneCallers.set(request, caller);
      Object.assign(request.ctx, keystoneContext(caller));
      return;
    }
  }
}

/** The rule engine's view of a request context, and of the client certificate (mutual TLS). */
export function credentialsOf(request: FastifyRequest): Credentials {
  const ctx = request.ctx;
  const cert = clientCertOf(request);
  const ks = keystoneCallers.get(request);
  // rbac_service_role_elevated_access: Ironic's `config.service_project_name` policy value
  const cfg = request.server.gatewayConfig;
  const serviceProject = cfg?.rbac_service_role_elevated_access ? cfg.rbac_service_project_name : null;
  return {
    tls_client_cn: cert?.cn ?? null,
    tls_client_subject: cert?.subject ?? null,
    project_name: null,
    is_public_api: false,
    ...extraCredentials.get(request),
    ...(serviceProject ? { 'config.service_project_name': serviceProject } : {}),
    ...(ks && {
      user_name: ks.user.user_name,
      project_name: ks.user.project_name,
      is_admin_project: ks.user.is_admin_project,
      service_user_id: ks.service?.user_id ?? null,
      service_user_domain_id: ks.service?.user_domain_id ?? null,
      service_project_id: ks.service?.project_id ?? null,
      service_project_domain_id: ks.service?.project_domain_id ?? null,
      service_roles: ks.service ? [...ks.service.roles] : [],
    }),
    user_id: ctx.user_id,
    project_id: ctx.project_id,
    system_scope: ctx.system_scope,
    roles: ctx.roles,
    is_admin: ctx.is_admin,
    domain_id: ctx.domain_id,
    user_domain_id: ctx.user_domain_id,
    project_domain_id: ctx.project_domain_id,
    is_admin_project: ctx.is_admin_project,
  };
}

/** With public routes open under mutual TLS, a non-public route needs a verified client certificate. */
function requireClientCert(request: FastifyRequest, setup: AuthSetup): void {
  if (!setup.clientCertPerRoute || clientCertOf(request) !== null) return;
  request.log.info({ reason: clientCertProblem(request) }, 'client certificate required; refused');
  throw clientCertRequired();
}

async function authenticateOr401(request: FastifyRequest, setup: AuthSetup): Promise<void> {
  requireClientCert(request, setup);
  try {
    await authenticate(request, setup);
  } catch (err) {
    if (err instanceof KeystoneUnavailable) {
      request.log.warn(
        { auth_strategy: setup.strategy, reason: err.message },
        'cannot validate the token: Keystone is unavailable',
      );
      throw new HttpError(503, 'The Keystone service is temporarily unavailable.', {
        'retry-after': String(RETRY_AFTER_SECONDS),
      });
    }
    if (!(err instanceof AuthFailure)) throw err;
    // The reason only: never the header, the token or the password.
    request.log.info({ auth_strategy: setup.strategy, reason: err.reason }, `authentication failed: ${err.reason}`);
    throw unauthorized(err, challengeFor(setup));
  }
}

/** Adds the authentication and policy hook to `app`. */
export function installAuthHook(app: FastifyInstance, setup: AuthSetup): void {
  // The last safety net: a handler answering while its route's rule still waits for an object
  // it never loaded gets the rule checked without a target (fails closed).
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (reply.statusCode < 400) settlePendingRule(request);
    return payload;
  });
  app.addHook('onRequest', async (request) => {
    if (request.is404) return authenticateOr401(request, setup);
    const rule = request.routeOptions.config?.policy;
    if (rule === null || (typeof rule === 'string' && setup.policy.isPublic(rule))) {
      // Public: a noauth gateway still describes its callers as admin, as everywhere else.
      if (setup.strategy === 'noauth') await authenticate(request, setup);
      return;
    }
    await authenticateOr401(request, setup);
    if (rule === undefined) {
      request.log.error(
        { method: request.method, url: request.routeOptions.url },
        'route declares no policy rule; denied',
      );
      throw forbidden(`${request.method} ${request.routeOptions.url ?? request.url}`);
    }
    if (!setup.policy.has(rule)) {
      request.log.error({ rule }, 'route names an unknown policy rule; denied');
      throw forbidden(rule);
    }
    const creds = credentialsOf(request);
    if (setup.policy.targetAware && handlerChecked(request)) return;
    if (deferred(request, setup)) {
      // Ironic checks node:get on the loaded node first (404 when the caller may not see it),
      // then this rule against its owner and lessee: lookup.ts calls authorizeNodeAccess.
      pendingRules.set(request, [rule]);
      return;
    }
    if (!authorize(setup.policy, rule, creds)) {
      request.log.info(
        {
          rule,
          user_id: creds.user_id,
          roles: creds.roles,
          system_scope: creds.system_scope,
          ...(creds.tls_client_subject ? { tls_client_subject: creds.tls_client_subject } : {}),
        },
        `policy denied ${rule}`,
      );
      throw forbidden(rule);
    }
  });
}

/** oslo's authorize as ironic-api's policy.authorize: InvalidScope escapes as a 500 (scope enforced). */
function authorize(policy: Policy, rule: string, creds: Credentials, target?: PolicyTarget): boolean {
  try {
    return policy.authorize(rule, creds, target);
  } catch (err) {
    if (err instanceof InvalidScope) throw new HttpError(500, err.message);
    throw err;
  }
}

/**
 * Under Ironic's owner/lessee policy, routes whose handler makes the policy decision itself, as
 * ironic-api's: the node lists (check_list_policy: list_all, else list with the project filter)
 * and node creation (a project admin's self-owned node).
 */
const HANDLER_CHECKED = new Set([
  'GET /v1/nodes',
  'GET /v1/nodes/detail',
  'POST /v1/nodes',
  // NodeAllocationController: node:get on the node (404), then the rule against the allocation's owner
  'GET /v1/nodes/:node_ident/allocation',
  'DELETE /v1/nodes/:node_ident/allocation',
]);

/** The port, portgroup and volume lists (resource.ts pageOf: <type>:list_all, else <type>:list). */
const LIST_ROUTE = /\/(ports|portgroups|volume\/connectors|volume\/targets)(\/detail)?$/;

function handlerChecked(request: FastifyRequest): boolean {
  const url = request.routeOptions.url ?? '';
  return (
    HANDLER_CHECKED.has(`${request.method} ${url}`) ||
    (request.method === 'GET' && LIST_ROUTE.test(url)) ||
    // check_runbook_policy_and_retrieve: the rule against the runbook's owner (api-utils/runbook.ts)
    url.startsWith('/v1/runbooks/:runbook_ident')
  );
}

/** Under Ironic's owner/lessee policy, a route on one node decides once the node is loaded. */
function deferred(request: FastifyRequest, setup: AuthSetup): boolean {
  if (!setup.policy.targetAware) return false;
  const url = request.routeOptions.url ?? '';
  if (request.method === 'POST' && CREATE_ROUTE.test(url)) return true;
  // NodeVolumeController.get_all: volume:get alone, no node loaded
  if (request.method === 'GET' && url === '/v1/nodes/:node_ident/volume') return false;
  return url.startsWith('/v1/nodes/:node_ident') || Object.keys(OBJECT_PARAMS).some((p) => url.includes(`/:${p}`));
}

/** The creates whose rule is checked against the node their body names (replace_node_uuid_with_id). */
export const CREATE_ROUTE = /^\/v1\/(ports|portgroups|volume\/connectors|volume\/targets)$/;

/**
 * A port, portgroup or volume create, once the node of its body is loaded: the create rule
 * against the node's owner and lessee (403), after `node:get`, whose failure makes the node
 * one that does not exist (NodeNotFound, which the handler answers with 400).
 */
export function authorizeCreateOnNode(
  request: FastifyRequest,
  node: { owner: unknown; lessee: unknown },
  notFound: () => Error,
): void {
  const setup = setups.get(request);
  const rules = pendingRules.get(request);
  if (!setup?.policy.targetAware || rules === undefined) return;
  pendingRules.delete(request);
  const creds = credentialsOf(request);
  const visible = authorize(setup.policy, 'baremetal:node:get', creds, nodeTarget(creds, node));
  const target = nodeTarget(creds, visible ? node : { owner: null, lessee: null });
  for (const rule of rules) if (!passes(setup.policy, rule, creds, target)) throw forbidden(ruleName(rule));
  if (!visible) throw notFound();
}

/** The path parameter naming a route's object, by object class (checked once it is loaded). */
export const OBJECT_PARAMS: Readonly<Record<string, string>> = {
  port_uuid: 'Port',
  portgroup_ident: 'Portgroup',
  connector_uuid: 'VolumeConnector',
  target_uuid: 'VolumeTarget',
  allocation_ident: 'Allocation',
};

/**
 * check_port_policy_and_retrieve, check_volume_policy_and_retrieve and
 * check_allocation_policy_and_retrieve, once the route's object is loaded: `node:get` against
 * the owner and lessee of the object's node (`allocation:get` against an allocation's owner);
 * failure conceals the object (its NotFound), then the route's rule against the same target (403).
 */
export function authorizeObjectAccess(
  request: FastifyRequest,
  getRule: string,
  target: PolicyTarget,
  notFound: () => Error,
): void {
  const setup = setups.get(request);
  if (!setup?.policy.targetAware) return;
  const creds = credentialsOf(request);
  const full = { ...creds, ...target };
  if (!authorize(setup.policy, getRule, creds, full)) {
    pendingRules.delete(request);
    throw notFound();
  }
  const rules = pendingRules.get(request);
  if (rules === undefined) return;
  pendingRules.delete(request);
  for (const rule of rules) if (!passes(setup.policy, rule, creds, full)) throw forbidden(ruleName(rule));
}

/** The policy a request was authenticated under, if any (null: no auth plugin, e.g. bare test apps). */
export function policyOf(request: FastifyRequest): Policy | null {
  return setups.get(request)?.policy ?? null;
}

/**
 * check_node_policy_and_retrieve, once the handler has loaded the node named by the route:
 * `baremetal:node:get` against the node's owner and lessee (failure: 404 NodeNotFound, so a
 * node the caller may not see does not exist for it), then the route's own rule (403).
 */
export function authorizeNodeAccess(
  request: FastifyRequest,
  ident: string,
  node: { owner: unknown; lessee: unknown },
  notFound: () => Error,
): void {
  const setup = setups.get(request);
  if (!setup?.policy.targetAware) return;
  const creds = credentialsOf(request);
  const target = nodeTarget(creds, node);
  if (!authorize(setup.policy, 'baremetal:node:get', creds, target)) {
    pendingRules.delete(request);
    request.log.info({ rule: 'baremetal:node:get', node: ident }, 'policy conceals the node');
    throw Object.assign(notFound(), { concealed: true });
  }
  const rules = pendingRules.get(request);
  if (rules === undefined) return;
  pendingRules.delete(request);
  for (const rule of rules) {
    if (!passes(setup.policy, rule, creds, target)) {
      request.log.info({ rule, user_id: creds.user_id, roles: creds.roles }, `policy denied ${ruleName(rule)}`);
      throw forbidden(ruleName(rule));
    }
  }
}

/**
 * check_node_policy_and_retrieve's decision when it cannot depend on the node: true (and the
 * route's rules settled) when `baremetal:node:get` and the rules waiting for the node pass for
 * the caller whatever the node's owner and lessee are (no owner/lessee policy; a system-scoped
 * or role-only caller). False when the decision needs the node: the caller must load it and
 * call authorizeNodeAccess, which also answers a scope the rule refuses.
 */
export function authorizedForAnyNode(request: FastifyRequest): boolean {
  const setup = setups.get(request);
  if (!setup?.policy.targetAware) return true;
  const creds = credentialsOf(request);
  const anyNode = (rule: PendingRule): boolean =>
    alternatives(rule).some((r) => setup.policy.passesForAnyTarget(r, creds));
  if (!['baremetal:node:get', ...(pendingRules.get(request) ?? [])].every(anyNode)) return false;
  pendingRules.delete(request);
  return true;
}

/**
 * The rules a route checks once its node is loaded, in place of the route's own (a node PATCH
 * checks one rule per patched field, check_multiple_node_policies_and_retrieve). Only while the
 * route's rule is still waiting for the node.
 */
export function replacePendingRules(request: FastifyRequest, rules: readonly PendingRule[]): void {
  if (pendingRules.has(request) && rules.length > 0) pendingRules.set(request, [...rules]);
}

/** ironic-api's target: the caller's policy values plus `node.owner` (and `node.lessee` when set). */
export function nodeTarget(creds: Credentials, node: { owner: unknown; lessee: unknown }): PolicyTarget {
  return { ...creds, 'node.owner': node.owner ?? null, ...(node.lessee ? { 'node.lessee': node.lessee } : {}) };
}

/** Evaluates a rule for the request's caller against `target` (403 when it fails). */
export function authorizeRule(request: FastifyRequest, rule: string, target?: PolicyTarget): void {
  const setup = setups.get(request);
  if (!setup) return;
  const creds = credentialsOf(request);
  if (!authorize(setup.policy, rule, creds, target ? { ...creds, ...target } : undefined)) throw forbidden(rule);
}

/**
 * Whether the caller passes `rule` against `target` (the caller's values plus the object's
 * fields), as ironic-api's policy.authorize: a scope the rule does not list is a 500.
 */
export function authorizedFor(request: FastifyRequest, rule: string, target: PolicyTarget): boolean {
  const setup = setups.get(request);
  if (!setup) return false;
  const creds = credentialsOf(request);
  return authorize(setup.policy, rule, creds, { ...creds, ...target });
}

/** Whether the caller passes `rule` against `target`, without raising (oslo's enforce; scope mismatch: false). */
export function checkRule(request: FastifyRequest, rule: string, target?: PolicyTarget): boolean {
  const setup = setups.get(request);
  if (!setup) return false;
  const creds = credentialsOf(request);
  return setup.policy.enforce(rule, creds, target ? { ...creds, ...target } : undefined);
}

/**
 * The safety net: a handler about to call the conductor while its route's rule still waits for
 * the node (a path that loaded no node through lookup.ts) gets the rule checked without a
 * target, which no owner or lessee clause passes. Fails closed.
 */
export function settlePendingRule(request: FastifyRequest): void {
  const rules = pendingRules.get(request);
  if (rules === undefined) return;
  pendingRules.delete(request);
  const setup = setups.get(request);
  if (!setup) return;
  request.log.warn({ rules, url: request.routeOptions.url }, 'route rule checked without its node');
  for (const rule of rules) if (!passes(setup.policy, rule, credentialsOf(request))) throw forbidden(ruleName(rule));
}

/** The request's Policy-checked caller, for handlers deciding themselves (self-owned nodes). */
export function callerCredentials(request: FastifyRequest): Credentials {
  return credentialsOf(request);
}

/**
 * api_utils.check_list_policy: `baremetal:<type>:list_all` lets the caller list everything
 * (filtered by `owner` if it asked); else a project-scoped caller passing `<type>:list` gets
 * its own project's objects (the filter returned), and one asking for another project, or
 * without a project, is refused (403). Without Ironic's owner/lessee policy: `owner`.
 */
export function checkListPolicy(request: FastifyRequest, type: string, owner?: string): string | undefined {
  const setup = setups.get(request);
  if (!setup?.policy.targetAware) return owner;
  const creds = credentialsOf(request);
  const listAll = `baremetal:${type}:list_all`;
  let passed: boolean;
  let scopeError: InvalidScope | null = null;
  try {
    passed = setup.policy.authorize(listAll, creds);
  } catch (err) {
    if (!(err instanceof InvalidScope)) throw err;
    scopeError = err;
    passed = false;
  }
  if (passed) return owner;
  const project = creds.project_id;
  // ironic-api re-raises what list_all raised: HTTPForbidden, or InvalidScope (500)
  if (!project || (owner && owner !== project)) {
    if (scopeError) throw new HttpError(500, scopeError.message);
    throw forbidden(listAll);
  }
  authorizeRule(request, `baremetal:${type}:list`);
  return project;
}

/**
 * check_port_list_policy / check_volume_list_policy without a parent: `<type>:list_all`, else
 * `<type>:list` with the caller's project as the filter (no project: 403).
 */
export function checkResourceListPolicy(request: FastifyRequest, type: string): string | undefined {
  const setup = setups.get(request);
  if (!setup?.policy.targetAware) return undefined;
  const creds = credentialsOf(request);
  const listAll = `baremetal:${type}:list_all`;
  if (authorize(setup.policy, listAll, creds)) return undefined;
  const project = creds.project_id;
  if (!project) throw forbidden(listAll);
  authorizeRule(request, `baremetal:${type}:list`);
  return project;
}

/** Whether the request runs under Ironic's owner/lessee policy (21.4's or 39.0's rules: pinned from 21.4, or unpinned). */
export function ownerScoped(request: FastifyRequest): boolean {
  return setups.get(request)?.policy.targetAware === true;
}

/**
 * NodesController.post's policy: with project_admin_can_manage_own_nodes, a caller passing
 * `node:create:self_owned_node` creates a node its project owns (a project-scoped caller asking
 * for another owner: 400); anyone else needs `node:create`. Returns the owner to force, if any.
 */
export function authorizeNodeCreate(request: FastifyRequest, requestedOwner: unknown): { owner?: string | null } {
  const setup = setups.get(request);
  if (!setup?.policy.targetAware) return {};
  const creds = credentialsOf(request);
  const owned =
    request.server.gatewayConfig.project_admin_can_manage_own_nodes &&
    setup.policy.enforce('baremetal:node:create:self_owned_node', creds);
  if (!owned) {
    if (!authorize(setup.policy, 'baremetal:node:create', creds)) throw forbidden('baremetal:node:create');
    return {};
  }
  if (creds.system_scope === 'all') return {};
  const project = creds.project_id || null;
  if (requestedOwner && requestedOwner !== project)
    throw ironicError(
      'Invalid',
      'Cannot create a node as a project scoped admin with an owner other than your own project.',
    );
  return { owner: project };
}

/** NodesController.delete: node:delete, else (project_admin_can_manage_own_nodes) node:delete:self_owned_node. */
export function allowSelfOwnedNodeDelete(request: FastifyRequest): void {
  if (!request.server.gatewayConfig.project_admin_can_manage_own_nodes) return;
  replacePendingRules(request, [['baremetal:node:delete', 'baremetal:node:delete:self_owned_node']]);
}

/** Whether the caller may see a node (`baremetal:node:get` against its owner and lessee); true without the owner/lessee policy. */
export function nodeVisible(request: FastifyRequest, node: { owner: unknown; lessee: unknown }): boolean {
  const setup = setups.get(request);
  if (!setup?.policy.targetAware) return true;
  const creds = credentialsOf(request);
  return authorize(setup.policy, 'baremetal:node:get', creds, nodeTarget(creds, node));
}

/** The Ironic release whose rules the request's policy has ('21.4', '39.0'; null: the gateway's role-only rules). */
export function policyRelease(request: FastifyRequest): string | null {
  return setups.get(request)?.policy.release ?? null;
}

/** oslo's enforce_new_defaults as the request's policy has it. */
export function enforcesNewDefaults(request: FastifyRequest): boolean {
  return setups.get(request)?.policy.enforceNewDefaults === true;
}
