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
import { AuthFailure, forbidden, unauthorized } from './failure.ts';
import { type KeystoneCaller, type KeystoneClient, KeystoneUnavailable } from './keystone.ts';
import { type JwtSettings, JWT_CHALLENGE, identityFromClaims, tokenFromHeaders, verifyJwt } from './jwt.ts';
import type { Credentials, Policy } from './policy.ts';

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
}

/** The identity noauth gives every caller: an administrator with system scope. */
export const NOAUTH_IDENTITY = { roles: ['admin', 'member', 'reader'], system_scope: 'all', is_admin: true } as const;

function challengeFor(setup: AuthSetup): string {
  if (setup.keystone) return setup.keystone.challenge;
  return setup.strategy === 'http_basic' ? BASIC_CHALLENGE : JWT_CHALLENGE;
}

/** What a Keystone caller brings to the policy beyond the request context (oslo.context's policy values). */
const keystoneCallers = new WeakMap<FastifyRequest, KeystoneCaller>();

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
  switch (setup.strategy) {
    case 'noauth':
      Object.assign(request.ctx, { ...NOAUTH_IDENTITY, roles: [...NOAUTH_IDENTITY.roles] });
      return;
    case 'jwt': {
      const token = tokenFromHeaders(request.headers);
      if (token === null) throw new AuthFailure('missing credentials');
      if (!setup.jwt) throw new Error('the jwt strategy was set up without its settings');
      Object.assign(request.ctx, identityFromClaims(verifyJwt(token, setup.jwt)));
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
  return {
    tls_client_cn: cert?.cn ?? null,
    tls_client_subject: cert?.subject ?? null,
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
    if (!setup.policy.enforce(rule, creds)) {
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
