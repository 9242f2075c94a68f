/**
 * The `jwt` strategy: a JSON Web Token from `Authorization: Bearer …` or `X-Auth-Token`,
 * verified by jsonwebtoken with one algorithm pinned by configuration.
 *
 * Claims → request context:
 * | claim | context |
 * | --- | --- |
 * | `sub` | user_id |
 * | `project_id` (or `project`) | project_id |
 * | `project_name` | project_name (a policy value only) |
 * | `domain_id` | domain_id (a domain-scoped token) |
 * | `roles` (array of strings, compared lower-case) | roles |
 * | `system_scope` (e.g. `"all"`) | system_scope |
 * | `user_domain_id`, `project_domain_id` | the same |
 * | — | is_admin = role `admin` and system_scope `all` |
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import jsonwebtoken, { type Algorithm, type JwtPayload } from 'jsonwebtoken';
import { ConfigError, envName, type Config } from '../../config.ts';
import type { RequestContext } from '../../conductor/context.ts';
import { AuthFailure } from './failure.ts';

/** Tokens longer than this are refused before any parsing (Node's header limit is 16 KiB). */
export const MAX_TOKEN_LENGTH = 8192;

/** Shortest HS* secret accepted: a shorter one can be brute-forced offline from any token. */
export const MIN_SECRET_LENGTH = 32;

export const JWT_CHALLENGE = 'Bearer realm="ironic-gateway"';

export interface JwtSettings {
  algorithm: Algorithm;
  key: KeyObject | string;
  issuer?: string;
  audience?: string;
  clockSkew: number;
}

const EC_CURVES: Record<string, string> = { ES256: 'prime256v1', ES384: 'secp384r1', ES512: 'secp521r1' };

function readPublicKey(algorithm: string, path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read ${envName('jwt_public_key_file')} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  // The gateway only verifies; a private key on its disk is a key that can mint admin tokens.
  if (/PRIVATE KEY/.test(pem))
    throw new ConfigError(
      `${envName('jwt_public_key_file')} ${path} holds a private key; give the gateway the public key only`,
    );
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch {
    throw new ConfigError(`${envName('jwt_public_key_file')} ${path} is not a PEM public key`);
  }
  const type = key.asymmetricKeyType;
  if (algorithm.startsWith('ES')) {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (type !== 'ec' || curve !== EC_CURVES[algorithm]) {
      throw new ConfigError(
        `${envName('jwt_public_key_file')} ${path} is a ${type}${curve ? ` ${curve}` : ''} key; ${algorithm} needs an EC ${EC_CURVES[algorithm]} key`,
      );
    }
  } else if (type !== 'rsa' && !(algorithm.startsWith('PS') && type === 'rsa-pss')) {
    throw new ConfigError(`${envName('jwt_public_key_file')} ${path} is a ${type} key; ${algorithm} needs an RSA key`);
  }
  return key;
}

/** Validates the jwt settings and loads the key; throws ConfigError with one line. */
export function loadJwtSettings(config: Config): JwtSettings {
  const algorithm = config.jwt_algorithm;
  if (!algorithm)
    throw new ConfigError(`auth_strategy jwt needs ${envName('jwt_algorithm')} (e.g. RS256, ES256 or HS256)`);
  let key: KeyObject | string;
  if (algorithm.startsWith('HS')) {
    if (config.jwt_public_key_file)
      throw new ConfigError(
        `${algorithm} verifies with ${envName('jwt_secret')}; unset ${envName('jwt_public_key_file')} (or pin an RS/ES/PS algorithm)`,
      );
    if (!config.jwt_secret) throw new ConfigError(`${algorithm} needs ${envName('jwt_secret')}`);
    if (Buffer.byteLength(config.jwt_secret) < MIN_SECRET_LENGTH)
      throw new ConfigError(`${envName('jwt_secret')} must be at least ${MIN_SECRET_LENGTH} bytes`);
    key = config.jwt_secret;
  } else {
    if (config.jwt_secret)
      throw new ConfigError(
        `${algorithm} verifies with ${envName('jwt_public_key_file')}; unset ${envName('jwt_secret')} (or pin an HS algorithm)`,
      );
    if (!config.jwt_public_key_file)
      throw new ConfigError(`${algorithm} needs ${envName('jwt_public_key_file')} (a PEM public key)`);
    key = readPublicKey(algorithm, config.jwt_public_key_file);
  }
  return {
    algorithm: algorithm as Algorithm,
    key,
    issuer: config.jwt_issuer || undefined,
    audience: config.jwt_audience || undefined,
    clockSkew: config.jwt_clock_skew,
  };
}

/** The token a request carries: `Authorization: Bearer …`, else `X-Auth-Token`; null if none. */
export function tokenFromHeaders(headers: Record<string, string | string[] | undefined>): string | null {
  const authz = headers.authorization;
  if (typeof authz === 'string' && authz !== '') {
    const m = /^Bearer +(\S+) *$/i.exec(authz);
    if (!m) throw new AuthFailure('malformed credentials');
    return m[1];
  }
  const token = headers['x-auth-token'];
  if (Array.isArray(token)) throw new AuthFailure('malformed credentials');
  return token ? token.trim() : null;
}

function failureFor(err: unknown): AuthFailure {
  if (err instanceof jsonwebtoken.TokenExpiredError) return new AuthFailure('expired');
  if (err instanceof jsonwebtoken.NotBeforeError) return new AuthFailure('not yet valid');
  const message = err instanceof Error ? err.message : '';
  if (message === 'invalid signature') return new AuthFailure('bad signature');
  if (message === 'invalid algorithm') return new AuthFailure('wrong algorithm');
  if (message.startsWith('jwt issuer invalid')) return new AuthFailure('wrong issuer');
  if (message.startsWith('jwt audience invalid')) return new AuthFailure('wrong audience');
  return new AuthFailure('malformed token');
}

/** Verifies `token`; returns its claims or throws AuthFailure saying why not. */
export function verifyJwt(token: string, settings: JwtSettings): JwtPayload {
  if (token.length > MAX_TOKEN_LENGTH) throw new AuthFailure('token too large');
  const decoded = jsonwebtoken.decode(token, { complete: true });
  if (decoded === null || typeof decoded.payload !== 'object') throw new AuthFailure('malformed token');
  // Checked before verification so the log tells `alg: none` and key confusion apart from a bad
  // signature; jsonwebtoken's `algorithms` pin below enforces it again.
  if (decoded.header.alg !== settings.algorithm) throw new AuthFailure('wrong algorithm');
  let payload: string | JwtPayload;
  try {
    payload = jsonwebtoken.verify(token, settings.key, {
      algorithms: [settings.algorithm],
      issuer: settings.issuer,
      audience: settings.audience,
      clockTolerance: settings.clockSkew,
    });
  } catch (err) {
    throw failureFor(err);
  }
  if (typeof payload !== 'object') throw new AuthFailure('malformed token');
  if (typeof payload.exp !== 'number') throw new AuthFailure('missing exp');
  return payload;
}

const optionalString = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new AuthFailure('invalid claims');
  return v;
};

/** The request-context identity the claims describe (see the table at the top). */
export function identityFromClaims(
  claims: JwtPayload,
): Pick<
  RequestContext,
  | 'user_id'
  | 'project_id'
  | 'domain_id'
  | 'user_domain_id'
  | 'project_domain_id'
  | 'system_scope'
  | 'roles'
  | 'is_admin'
> & { project_name: string | null } {
  const rolesClaim: unknown = claims.roles ?? [];
  if (!Array.isArray(rolesClaim) || !rolesClaim.every((x): x is string => typeof x === 'string'))
    throw new AuthFailure('invalid claims');
  const roles = [...new Set(rolesClaim.map((x) => x.toLowerCase()))];
  const system_scope = optionalString(claims.system_scope);
  return {
    user_id: optionalString(claims.sub),
    project_id: optionalString(claims.project_id) ?? optionalString(claims.project),
    project_name: optionalString(claims.project_name),
    domain_id: optionalString(claims.domain_id),
    user_domain_id: optionalString(claims.user_domain_id),
    project_domain_id: optionalString(claims.project_domain_id),
    system_scope,
    roles,
    is_admin: roles.includes('admin') && system_scope === 'all',
  };
}
