/**
 * The `http_basic` strategy, as Ironic's (ironic-lib `auth_basic`): an htpasswd file of
 * `user:$2y$…` bcrypt entries; `Authorization: Basic base64(user:password)`.
 *
 * Ironic skips policy checks for every strategy but keystone, so any user in the file acts as
 * an administrator. The gateway keeps that meaning by giving a basic-auth user the roles
 * admin, member and reader with system scope `all` (is_admin true); an operator's policy file
 * can still narrow a rule by user (`user_id:alice`).
 */
import { readFileSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import bcrypt from 'bcryptjs';
import { ConfigError, envName } from '../../config.ts';
import type { RequestContext } from '../../conductor/context.ts';
import { AuthFailure } from './failure.ts';

/** A bcrypt hash compared against when no user exists at all, so that a refusal costs the same time. */
const NO_SUCH_USER_HASH = '$2b$10$oVZcjstLQ8Pyhd50Rdq8l.5k8kx91D7GTTi3/8NQF2MeaECzUjLHu';

export const BASIC_CHALLENGE = 'Basic realm="Baremetal API"';

const BCRYPT = /^\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}$/;

/** Parses htpasswd text; throws ConfigError naming the first bad line. */
export function parseHtpasswd(text: string, path: string): Map<string, string> {
  const users = new Map<string, string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.indexOf(':');
    const user = colon > 0 ? line.slice(0, colon) : '';
    const hash = line.slice(colon + 1);
    if (user === '')
      throw new ConfigError(`${envName('http_basic_auth_user_file')} ${path} line ${i + 1}: expected user:bcrypt-hash`);
    if (!BCRYPT.test(hash))
      throw new ConfigError(
        `${envName('http_basic_auth_user_file')} ${path} line ${i + 1}: only bcrypt entries ($2y$…, htpasswd -B) are supported for user ${user}`,
      );
    users.set(user, hash);
  });
  if (users.size === 0) throw new ConfigError(`${envName('http_basic_auth_user_file')} ${path} has no users`);
  return users;
}

function readUsers(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read ${envName('http_basic_auth_user_file')} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseHtpasswd(text, path);
}

/** The user file, re-read when it changes on disk (as Ironic reads it per request). */
export class Htpasswd {
  private users: Map<string, string>;
  private mtimeMs: number;

  constructor(readonly path: string) {
    this.users = readUsers(path);
    this.mtimeMs = statSync(path).mtimeMs;
  }

  private async refresh(): Promise<void> {
    try {
      const s = await stat(this.path);
      if (s.mtimeMs === this.mtimeMs) return;
      this.users = readUsers(this.path);
      this.mtimeMs = s.mtimeMs;
    } catch {
      // A broken edit keeps the last good user list rather than locking everyone out.
    }
  }

  /** Checks a user's password; throws AuthFailure on an unknown user or a wrong password. */
  async verify(user: string, password: string): Promise<void> {
    await this.refresh();
    const hash = this.users.get(user);
    // An unknown user costs one bcrypt comparison too, so timing does not tell users apart.
    const ok = await bcrypt.compare(password, hash ?? this.users.values().next().value ?? NO_SUCH_USER_HASH);
    if (hash === undefined) throw new AuthFailure('unknown user');
    if (!ok) throw new AuthFailure('wrong password');
  }
}

/** Splits `Authorization: Basic …` into user and password; null when the header is absent. */
export function basicCredentials(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined || header === '') return null;
  const m = /^Basic +([A-Za-z0-9+/=]+) *$/i.exec(header);
  if (!m) throw new AuthFailure('malformed credentials');
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw new AuthFailure('malformed credentials');
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** The context identity of an authenticated basic-auth user (admin, as in Ironic). */
export function identityForBasicUser(
  user: string,
): Pick<RequestContext, 'user_id' | 'roles' | 'system_scope' | 'is_admin'> {
  return { user_id: user, roles: ['admin', 'member', 'reader'], system_scope: 'all', is_admin: true };
}
