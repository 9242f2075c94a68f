/**
 * Authentication, policy and CORS for the gateway.
 *
 * Wiring (src/gateway.ts):
 * ```ts
 * const app = await buildApp(config, { logger, plugins: authPlugins(config) });
 * ```
 * `checkAuthConfig(config)` validates the same settings without building anything (start-up);
 * both throw ConfigError with one clear line on a bad or unsafe combination.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ConfigError, envName, isLoopback, type Config } from '../../config.ts';
import { Htpasswd } from './basic.ts';
import { corsOrigins, registerCors } from './cors.ts';
import { credentialsOf, installAuthHook, type AuthSetup } from './enforce.ts';
import { loadJwtSettings } from './jwt.ts';
import { KeystoneClient, type KeystoneClientOptions, loadKeystoneSettings } from './keystone.ts';
import { API_RULES, Policy, loadPolicyFile } from './policy.ts';
import { IRONIC_21_4_RULES } from './policy-21.ts';
import { IRONIC_39_0_RULES } from './policy-39.ts';

/** The release whose policy an unpinned gateway applies (its newest). */
const IRONIC_39_0_RELEASE = '39.0';
import { gatewayProfile } from '../../release-profile.ts';

export { API_RULES, BASE_RULES, DEFAULT_RULES, Policy, parseRule } from './policy.ts';
export { EXPOSED_HEADERS, ALLOWED_HEADERS } from './cors.ts';
export { JWT_CHALLENGE, MAX_TOKEN_LENGTH } from './jwt.ts';
export { BASIC_CHALLENGE } from './basic.ts';
export { KeystoneClient, KeystoneUnavailable, keystoneChallenge } from './keystone.ts';
export type { AuthSetup } from './enforce.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** the loaded policy rules (defaults + the operator's file) */
    authPolicy: Policy;
  }
}

/** Refuses noauth on a non-loopback listen address unless noauth_allow_remote is set. */
export function checkNoauthListen(config: Pick<Config, 'auth_strategy' | 'host' | 'noauth_allow_remote'>): void {
  if (config.auth_strategy === 'noauth' && !isLoopback(config.host) && !config.noauth_allow_remote) {
    throw new ConfigError(
      `refusing auth_strategy noauth on non-loopback address ${config.host}: every caller would be admin. ` +
        `Use ${envName('auth_strategy')}=keystone, jwt or http_basic, or set ${envName('noauth_allow_remote')}=true to force it.`,
    );
  }
}

/** For tests: what the strategies take besides the configuration (the Keystone client's clock). */
export interface AuthOptions {
  keystone?: KeystoneClientOptions;
  /**
   * TESTS ONLY (Ironic's RBAC matrices): the identity comes from the request's headers as
   * keystonemiddleware would have set them (X-Roles, X-Project-Id, OpenStack-System-Scope …),
   * nothing validated. No configuration setting reaches this.
   */
  trustedHeaders?: boolean;
}

/** The 21.4 minor (1.82): a gateway pinned at it or later gets Ironic 21.4's owner/lessee policy. */
const IRONIC_21_4_MINOR = 82;

/**
 * The policy a configuration gets: its defaults (by the served release) and the operator's file.
 * - unpinned (it answers as Ironic 39.0) or pinned at 39.0: 39.0's rules, scope and new defaults
 *   enforced unless the operator's settings say otherwise (39.0's oslo.policy defaults);
 * - pinned from 21.4 up to before 39.0: 21.4's rules, neither enforced unless set (bookworm's 21.4);
 * - pinned before 21.4: the gateway's role-only defaults (policy.ts), decided before any object.
 */
export function loadPolicy(config: Config): Policy {
  const overrides = config.policy_file ? loadPolicyFile(config.policy_file) : {};
  const source = config.policy_file ?? 'policy';
  const profile = gatewayProfile(config);
  if (profile.pin === null || profile.release === IRONIC_39_0_RELEASE)
    return new Policy(overrides, source, {
      defaults: { ...API_RULES, ...IRONIC_39_0_RULES },
      enforceNewDefaults: config.policy_enforce_new_defaults ?? true,
      enforceScope: config.policy_enforce_scope ?? true,
      targetAware: true,
      release: IRONIC_39_0_RELEASE,
    });
  if (profile.apiMinor >= IRONIC_21_4_MINOR)
    return new Policy(overrides, source, {
      // the rules of routes newer than 21.4 (vmedia, runbooks …) keep their defaults, so that such
      // a route, which a 21.4 pin does not serve, answers as the router does (404/406), not 403
      defaults: { ...API_RULES, ...IRONIC_21_4_RULES },
      enforceNewDefaults: config.policy_enforce_new_defaults ?? false,
      enforceScope: config.policy_enforce_scope ?? false,
      targetAware: true,
      release: '21.4',
    });
  return new Policy(overrides, source);
}

/** Validates the auth settings and loads keys, users and policy; throws ConfigError. */
export function loadAuth(config: Config, options: AuthOptions = {}): AuthSetup {
  checkNoauthListen(config);
  const setup: AuthSetup = {
    strategy: config.auth_strategy,
    policy: loadPolicy(config),
    corsOrigins: corsOrigins(config),
    clientCertPerRoute: config.tls_client_ca_file !== undefined && config.tls_public_routes_open,
    trustedHeaders: options.trustedHeaders === true,
  };
  if (config.auth_strategy === 'jwt') setup.jwt = loadJwtSettings(config);
  if (config.auth_strategy === 'keystone')
    setup.keystone = new KeystoneClient(loadKeystoneSettings(config), options.keystone);
  if (config.auth_strategy === 'http_basic') {
    if (!config.http_basic_auth_user_file)
      throw new ConfigError(
        `auth_strategy http_basic needs ${envName('http_basic_auth_user_file')} (an htpasswd file with bcrypt entries)`,
      );
    setup.htpasswd = new Htpasswd(config.http_basic_auth_user_file);
  }
  return setup;
}

/** Start-up check of every auth setting; throws ConfigError with one line. */
export function checkAuthConfig(config: Config): void {
  loadAuth(config);
}

/**
 * The plugins to pass as `services.plugins` to buildApp: CORS (when origins are configured),
 * then authentication and policy enforcement on every route. Loads keys now, so a bad setting
 * throws ConfigError here rather than on the first request.
 */
export function authPlugins(config: Config, options: AuthOptions = {}): Array<(app: FastifyInstance) => Promise<void>> {
  const setup = loadAuth(config, options);
  return [
    async (app) => {
      app.decorate('authPolicy', setup.policy);
      // Caught again per request (denied), but said once at start-up where it is cheap to fix.
      app.addHook('onRoute', (route) => {
        const rule = route.config?.policy;
        if (route.method === 'OPTIONS' && route.url === '*') return; // @fastify/cors preflight
        if (rule === undefined)
          app.log.warn(
            { url: route.url, method: route.method },
            'route declares no policy rule; every request to it will be denied',
          );
        else if (rule !== null && !setup.policy.has(rule))
          app.log.warn(
            { url: route.url, rule },
            'route names an unknown policy rule; every request to it will be denied',
          );
      });
      await registerCors(app, setup.corsOrigins);
      installAuthHook(app, setup);
    },
  ];
}

/**
 * Whether the caller passes `rule` (e.g. `show_password` before showing driver_info secrets).
 * False when no auth plugin is installed.
 */
export function allowed(request: FastifyRequest, rule: string): boolean {
  const policy = request.server.authPolicy as Policy | undefined;
  return policy?.enforce(rule, credentialsOf(request)) ?? false;
}
