/**
 * The `keystone` strategy: the caller's `X-Auth-Token` is validated by Keystone's identity API
 * v3 (`GET /v3/auth/tokens` with `X-Subject-Token`), authenticated as the gateway's own service
 * user, the way keystonemiddleware's auth_token does it for ironic-api.
 *
 * - The gateway's service token comes from password authentication, scoped to the configured
 *   project; it is renewed before it expires, and once more when Keystone answers 401 to it.
 * - Identity as keystonemiddleware passes it to oslo.context: user, project, domain (domain
 *   scope), user and project domains, role names, system scope (`all`), is_admin_project
 *   (true when Keystone does not say). is_admin stays false, as in Ironic: roles decide.
 * - Validated tokens are cached in memory (lru-cache: bounded by entries, per-entry TTL). An
 *   entry lives for `token_cache_time` seconds (keystonemiddleware's option, default 300, -1 or
 *   0: no cache) and never past the token's `expires_at`; a token revoked in Keystone keeps
 *   working until its entry expires, as behind keystonemiddleware. Only successes are cached.
 * - Keystone unreachable, timing out, answering 5xx, or refusing the service credentials:
 *   KeystoneUnavailable (503 with Retry-After), never a pass.
 * - `X-Service-Token` (service-to-service calls) as keystonemiddleware (service_token_roles,
 *   service_token_roles_required): when present it must be valid and, if required, carry one of
 *   the service roles, else 401; a service token with such a role lets an expired user token
 *   through (`allow_expired`). Its identity is offered to the policy as `service_*`.
 * - Application credentials with access rules: the request must match a rule for service type
 *   `baremetal` (skipped when a valid service token comes with it, as keystonemiddleware does).
 * - Tokens bound to Kerberos are refused (keystonemiddleware's default `permissive` bind mode
 *   refuses them too unless the web server did Kerberos).
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { ConfigError, envName, type Config } from '../../config.ts';
import { AuthFailure } from './failure.ts';
import { MAX_TOKEN_LENGTH } from './jwt.ts';

/** The service type the gateway has in Keystone's catalog (access rules name it). */
export const SERVICE_TYPE = 'baremetal';

/** `Keystone uri="…"`, as keystonemiddleware sends it with a 401. */
export const keystoneChallenge = (uri: string): string => `Keystone uri="${uri}"`;

export interface KeystoneSettings {
  /** the identity API v3 base, e.g. http://keystone:5000/v3 (no trailing slash) */
  authUrl: string;
  username: string;
  password: string;
  userDomainName: string;
  projectName: string;
  projectDomainName: string;
  /** where clients are told to authenticate (WWW-Authenticate) */
  wwwAuthenticateUri: string;
  /** seconds a validated token is cached; 0 or less: never */
  cacheTime: number;
  /** most tokens cached at once */
  cacheSize: number;
  /** per request to Keystone */
  timeoutMs: number;
  serviceTokenRoles: string[];
  serviceTokenRolesRequired: boolean;
}

/** Keystone cannot answer whether a token is valid: the gateway answers 503, never lets it through. */
export class KeystoneUnavailable extends Error {
  override name = 'KeystoneUnavailable';
}

/** What a validated token says about its holder. */
export interface KeystoneIdentity {
  user_id: string;
  user_name: string | null;
  user_domain_id: string | null;
  user_domain_name: string | null;
  project_id: string | null;
  project_name: string | null;
  project_domain_id: string | null;
  project_domain_name: string | null;
  domain_id: string | null;
  domain_name: string | null;
  system_scope: string | null;
  roles: string[];
  is_admin_project: boolean;
  /** ms since the epoch */
  expires_at: number;
  /** an application credential's access rules; null when unrestricted */
  access_rules: AccessRule[] | null;
  /** bind types the token names (e.g. kerberos) */
  bind: string[];
}

export interface AccessRule {
  method: string;
  path: string;
  service: string;
}

/** The caller, as the strategy found it. */
export interface KeystoneCaller {
  user: KeystoneIdentity;
  /** the validated X-Service-Token's identity, when one came */
  service: KeystoneIdentity | null;
  token: string;
}

const DEFAULT_PORTS: Record<string, string> = { 'http:': '80', 'https:': '443' };

/** Validates the keystone settings; throws ConfigError with one line. */
export function loadKeystoneSettings(config: Config): KeystoneSettings {
  const need = (key: keyof Config, what: string): string => {
    const v = config[key];
    if (typeof v !== 'string' || v.trim() === '')
      throw new ConfigError(`auth_strategy keystone needs ${envName(key)} (${what})`);
    return v.trim();
  };
  const raw = need('keystone_auth_url', "Keystone's identity API, e.g. https://keystone.example.com:5000/v3");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${envName('keystone_auth_url')} ${JSON.stringify(raw)} is not a URL`);
  }
  if (!(url.protocol in DEFAULT_PORTS) || url.search || url.hash || url.username)
    throw new ConfigError(
      `${envName('keystone_auth_url')} must be an http(s) URL without query or credentials, e.g. https://keystone.example.com:5000/v3`,
    );
  const base = raw.replace(/\/+$/, '');
  const authUrl = /\/v3$/.test(base) ? base : `${base}/v3`;
  const www = config.keystone_www_authenticate_uri?.trim() || raw;
  if (/["\\\r\n]/.test(www))
    throw new ConfigError(`${envName('keystone_www_authenticate_uri')} must not contain quotes or line breaks`);
  const roles = (config.keystone_service_token_roles ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (config.keystone_service_token_roles_required && roles.length === 0)
    throw new ConfigError(
      `${envName('keystone_service_token_roles_required')} is true but ${envName('keystone_service_token_roles')} names no role`,
    );
  return {
    authUrl,
    username: need('keystone_username', "the gateway's service user in Keystone"),
    password: need('keystone_password', "the service user's password"),
    userDomainName: config.keystone_user_domain_name,
    projectName: config.keystone_project_name,
    projectDomainName: config.keystone_project_domain_name,
    wwwAuthenticateUri: www,
    cacheTime: config.keystone_token_cache_time,
    cacheSize: config.keystone_token_cache_size,
    timeoutMs: Math.round(config.keystone_timeout * 1000),
    serviceTokenRoles: roles,
    serviceTokenRolesRequired: config.keystone_service_token_roles_required,
  };
}

// ---------------------------------------------------------------------------------------------
// Reading a token body

type Json = Record<string, unknown>;

const obj = (v: unknown): Json | null =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : null;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** Keystone's `expires_at` (`2026-11-27T11:33:15.000000Z`) in ms, or NaN. */
export function parseKeystoneTime(v: unknown): number {
  if (typeof v !== 'string') return Number.NaN;
  // Date.parse reads at most milliseconds: drop Keystone's extra fraction digits
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/.exec(v.trim());
  if (!m) return Number.NaN;
  const frac = m[2] ? m[2].slice(0, 4) : '';
  return Date.parse(`${m[1]}${frac}${m[3] ?? 'Z'}`);
}

/** The identity a v3 token body (`{"token": {…}}`) describes; throws AuthFailure when it is unreadable. */
export function identityFromToken(body: unknown): KeystoneIdentity {
  const token = obj(obj(body)?.token);
  const user = obj(token?.user);
  const userId = str(user?.id);
  const expires = parseKeystoneTime(token?.expires_at);
  if (!token || !user || !userId || Number.isNaN(expires)) throw new AuthFailure('malformed token');
  const userDomain = obj(user.domain);
  const project = obj(token.project);
  const projectDomain = obj(project?.domain);
  const domain = obj(token.domain);
  const roles = Array.isArray(token.roles) ? token.roles.map((r) => str(obj(r)?.name)).filter((r) => r !== null) : [];
  const system = obj(token.system);
  const appCred = obj(token.application_credential);
  let accessRules: AccessRule[] | null = null;
  if (appCred && Array.isArray(appCred.access_rules)) {
    accessRules = appCred.access_rules.map((r) => {
      const rule = obj(r);
      return {
        method: String(rule?.method ?? ''),
        path: String(rule?.path ?? ''),
        service: String(rule?.service ?? ''),
      };
    });
  }
  return {
    user_id: userId,
    user_name: str(user.name),
    user_domain_id: str(userDomain?.id),
    user_domain_name: str(userDomain?.name),
    project_id: str(project?.id),
    project_name: str(project?.name),
    project_domain_id: str(projectDomain?.id),
    project_domain_name: str(projectDomain?.name),
    domain_id: str(domain?.id),
    domain_name: str(domain?.name),
    system_scope: system?.all === true ? 'all' : null,
    roles,
    is_admin_project: token.is_admin_project !== false,
    expires_at: expires,
    access_rules: accessRules,
    bind: Object.keys(obj(token.bind) ?? {}),
  };
}

/** Whether `path` matches an access rule's path pattern (`{id}` and `*`: one segment; `**`: any). */
export function accessPathMatches(path: string, pattern: string): boolean {
  let re = '';
  for (const m of pattern.matchAll(/\{[^}]*\}|\*\*|\*|[^{}*]+/g)) {
    const t = m[0];
    if (t === '**') re += '.*';
    else if (t === '*' || t.startsWith('{')) re += '[^/]+';
    else re += t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(path);
}

// ---------------------------------------------------------------------------------------------
// Talking to Keystone

export interface KeystoneClientOptions {
  /** for tests: the clock (ms), also used by the cache */
  now?: () => number;
  /** for tests: the HTTP client */
  fetch?: typeof fetch;
}

interface ServiceToken {
  token: string;
  expiresAt: number;
  /** when to fetch a new one */
  renewAt: number;
}

/** Renew the service token this long before it expires (keystoneauth's margin), or at half its life. */
const RENEW_MARGIN_MS = 120_000;

/** Visible ASCII only: anything else is not a Keystone token and must not reach a header. */
const TOKEN_SYNTAX = /^[\x21-\x7e]+$/;

export class KeystoneClient {
  private readonly now: () => number;
  private readonly fetch: typeof fetch;
  private readonly cache: LRUCache<string, KeystoneIdentity> | null;
  private readonly inflight = new Map<string, Promise<KeystoneIdentity>>();
  private serviceToken: ServiceToken | null = null;
  private serviceTokenPending: Promise<ServiceToken> | null = null;
  /** Keystone calls made, by kind (for tests and debugging) */
  readonly calls = { authenticate: 0, validate: 0 };

  constructor(
    readonly settings: KeystoneSettings,
    options: KeystoneClientOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.cache =
      settings.cacheTime > 0
        ? new LRUCache<string, KeystoneIdentity>({
            max: settings.cacheSize,
            ttl: settings.cacheTime * 1000,
            perf: { now: this.now },
            // check the clock on every lookup (the default memoises it for 1 ms)
            ttlResolution: 0,
          })
        : null;
  }

  get challenge(): string {
    return keystoneChallenge(this.settings.wwwAuthenticateUri);
  }

  /** Tokens in the cache now (expired ones may linger until looked up). */
  get cached(): number {
    return this.cache?.size ?? 0;
  }

  private async request(url: string, init: RequestInit): Promise<Response> {
    try {
      return await this.fetch(url, { ...init, signal: AbortSignal.timeout(this.settings.timeoutMs) });
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      const why =
        e.name === 'TimeoutError' ? `no answer within ${this.settings.timeoutMs} ms` : (e.cause?.code ?? e.message);
      throw new KeystoneUnavailable(`cannot reach Keystone at ${this.settings.authUrl}: ${why}`);
    }
  }

  /** The gateway's own token, fetched or renewed when needed (one request at a time). */
  private async serviceTokenNow(): Promise<string> {
    const t = this.serviceToken;
    if (t && this.now() < t.renewAt) return t.token;
    this.serviceTokenPending ??= this.authenticate().finally(() => {
      this.serviceTokenPending = null;
    });
    return (await this.serviceTokenPending).token;
  }

  private async authenticate(): Promise<ServiceToken> {
    const s = this.settings;
    this.calls.authenticate++;
    const res = await this.request(`${s.authUrl}/auth/tokens?nocatalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: { user: { name: s.username, domain: { name: s.userDomainName }, password: s.password } },
          },
          scope: { project: { name: s.projectName, domain: { name: s.projectDomainName } } },
        },
      }),
    });
    const body = await res.json().catch(() => null);
    if (res.status !== 201 && res.status !== 200) {
      throw new KeystoneUnavailable(
        res.status === 401
          ? `Keystone refused the gateway's service credentials (user ${s.username} in domain ${s.userDomainName}, project ${s.projectName})`
          : `Keystone answered ${res.status} to the gateway's authentication`,
      );
    }
    const token = res.headers.get('x-subject-token');
    const expiresAt = parseKeystoneTime(obj(obj(body)?.token)?.expires_at);
    if (!token || Number.isNaN(expiresAt))
      throw new KeystoneUnavailable("Keystone's answer to the gateway's authentication has no token");
    const now = this.now();
    const renewAt = expiresAt - Math.min(RENEW_MARGIN_MS, Math.max(0, (expiresAt - now) / 2));
    this.serviceToken = { token, expiresAt, renewAt };
    return this.serviceToken;
  }

  /** GET /v3/auth/tokens for `token`; AuthFailure when Keystone says it is not valid. */
  private async fetchToken(token: string, allowExpired: boolean, retry = true): Promise<KeystoneIdentity> {
    const serviceToken = await this.serviceTokenNow();
    this.calls.validate++;
    const res = await this.request(
      `${this.settings.authUrl}/auth/tokens?nocatalog${allowExpired ? '&allow_expired=1' : ''}`,
      {
        method: 'GET',
        headers: {
          accept: 'application/json',
          'x-auth-token': serviceToken,
          'x-subject-token': token,
          'openstack-identity-access-rules': '1',
        },
      },
    );
    if (res.status === 200) {
      const body = await res.json().catch(() => null);
      return identityFromToken(body);
    }
    await res.body?.cancel().catch(() => {});
    if (res.status === 404) throw new AuthFailure('rejected by keystone');
    if (res.status === 401 && retry) {
      // our own token: revoked or expired early; authenticate again, once
      this.serviceToken = null;
      return this.fetchToken(token, allowExpired, false);
    }
    throw new KeystoneUnavailable(
      res.status === 401 || res.status === 403
        ? `Keystone refused to let the gateway's service user validate tokens (${res.status}); give it the service role`
        : `Keystone answered ${res.status} to a token validation`,
    );
  }

  /**
   * The identity of a valid token; AuthFailure when it is not (expired unless `allowExpired`),
   * KeystoneUnavailable when Keystone cannot say.
   */
  async validate(token: string, allowExpired = false): Promise<KeystoneIdentity> {
    if (token.length > MAX_TOKEN_LENGTH) throw new AuthFailure('token too large');
    if (!TOKEN_SYNTAX.test(token)) throw new AuthFailure('malformed token');
    const key = createHash('sha256').update(token).digest('base64url');
    let identity = this.cache?.get(key);
    if (identity === undefined) {
      const flightKey = `${allowExpired ? 'e' : 'v'}${key}`;
      let flight = this.inflight.get(flightKey);
      if (!flight) {
        flight = this.fetchToken(token, allowExpired).finally(() => this.inflight.delete(flightKey));
        this.inflight.set(flightKey, flight);
      }
      identity = await flight;
      const ttl = Math.min(this.settings.cacheTime * 1000, identity.expires_at - this.now());
      // only a valid, unexpired token is kept, and never past its expires_at
      if (this.cache && ttl > 0) this.cache.set(key, identity, { ttl });
    }
    if (!allowExpired && identity.expires_at <= this.now()) {
      this.cache?.delete(key);
      throw new AuthFailure('expired');
    }
    if (identity.bind.includes('kerberos')) throw new AuthFailure('unsupported token bind');
    return identity;
  }

  /**
   * Authenticates a request as keystonemiddleware does: X-Service-Token first (when sent), then
   * X-Auth-Token (or X-Storage-Token). Throws AuthFailure (401) or KeystoneUnavailable (503).
   */
  async authenticateRequest(
    headers: Record<string, string | string[] | undefined>,
    method: string,
    path: string,
  ): Promise<KeystoneCaller> {
    const one = (name: string): string | null => {
      const v = headers[name];
      if (Array.isArray(v)) throw new AuthFailure('malformed credentials');
      return v?.trim() || null;
    };
    const userToken = one('x-auth-token') ?? one('x-storage-token');
    const serviceTokenHeader = one('x-service-token');
    if (userToken === null) throw new AuthFailure('missing credentials');
    let service: KeystoneIdentity | null = null;
    let allowExpired = false;
    if (serviceTokenHeader !== null) {
      try {
        service = await this.validate(serviceTokenHeader);
      } catch (err) {
        if (err instanceof AuthFailure) throw new AuthFailure('invalid service token');
        throw err;
      }
      const hasRole = service.roles.some((r) => this.settings.serviceTokenRoles.includes(r));
      if (this.settings.serviceTokenRolesRequired && !hasRole)
        throw new AuthFailure('service token lacks service role');
      allowExpired = hasRole;
    }
    const user = await this.validate(userToken, allowExpired);
    if (user.access_rules !== null && service === null) {
      const ok = user.access_rules.some(
        (r) => r.service === SERVICE_TYPE && r.method.toUpperCase() === method && accessPathMatches(path, r.path),
      );
      if (!ok) throw new AuthFailure('outside access rules');
    }
    return { user, service, token: userToken };
  }
}
