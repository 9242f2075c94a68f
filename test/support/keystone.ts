/**
 * The private Keystone test/support/keystone.sh started (via .tmp/keystone.env, sourced by
 * test/run.sh), and what the tests do through its API: tokens, projects, users, role
 * assignments, the catalog.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run the keystone tests through test/run.sh (or source .tmp/keystone.env after test/support/keystone.sh start)`,
    );
  return v;
}

export const keystoneEnv = {
  /** e.g. http://127.0.0.1:40123/v3 */
  url: (): string => required('TEST_KEYSTONE_URL'),
  adminPassword: (): string => required('TEST_KEYSTONE_ADMIN_PASSWORD'),
  /** seconds a token lives ([token] expiration) */
  tokenExpiration: (): number => Number(required('TEST_KEYSTONE_TOKEN_EXPIRATION')),
  script: (): string => process.env.TEST_KEYSTONE_SCRIPT ?? join(import.meta.dirname, 'keystone.sh'),
  /** Runs `keystone.sh <args>` (e.g. stop-api, start-api). */
  async sh(...args: string[]): Promise<void> {
    await run('bash', [keystoneEnv.script(), ...args], { timeout: 180_000 });
  },
};

export interface Token {
  token: string;
  /** ms since the epoch */
  expiresAt: number;
  body: { token: Record<string, unknown> };
}

export interface Scope {
  project?: string;
  system?: boolean;
}

/** A small client of Keystone's identity API v3, as an administrator (or any user). */
export class Keystone {
  constructor(readonly url: string) {}

  /** Password authentication of a user in the Default domain. */
  async login(user: string, password: string, scope: Scope = {}): Promise<Token> {
    const res = await fetch(`${this.url}/auth/tokens?nocatalog`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: { methods: ['password'], password: { user: { name: user, domain: { id: 'default' }, password } } },
          ...(scope.project && { scope: { project: { name: scope.project, domain: { id: 'default' } } } }),
          ...(scope.system && { scope: { system: { all: true } } }),
        },
      }),
    });
    const body = (await res.json()) as Token['body'];
    if (res.status !== 201) throw new Error(`login ${user}: ${res.status} ${JSON.stringify(body)}`);
    return {
      token: res.headers.get('x-subject-token')!,
      expiresAt: Date.parse(String(body.token.expires_at).replace(/(\.\d{3})\d*Z$/, '$1Z')),
      body,
    };
  }

  private adminToken: Token | null = null;

  private async admin(): Promise<string> {
    if (!this.adminToken || this.adminToken.expiresAt - Date.now() < 10_000)
      this.adminToken = await this.login('admin', keystoneEnv.adminPassword(), { project: 'admin' });
    return this.adminToken.token;
  }

  /** An API call as the bootstrap admin; throws on an unexpected status. */
  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    ok = [200, 201, 204],
  ): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        'x-auth-token': await this.admin(),
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!ok.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  async roleId(name: string): Promise<string> {
    const { roles } = await this.call<{ roles: Array<{ id: string }> }>(
      'GET',
      `/roles?name=${encodeURIComponent(name)}`,
    );
    if (roles[0]) return roles[0].id;
    return (await this.call<{ role: { id: string } }>('POST', '/roles', { role: { name } })).role.id;
  }

  async projectId(name: string): Promise<string> {
    const q = await this.call<{ projects: Array<{ id: string }> }>('GET', `/projects?name=${encodeURIComponent(name)}`);
    if (q.projects[0]) return q.projects[0].id;
    const r = await this.call<{ project: { id: string } }>('POST', '/projects', {
      project: { name, domain_id: 'default', enabled: true },
    });
    return r.project.id;
  }

  async createUser(name: string, password: string): Promise<string> {
    const r = await this.call<{ user: { id: string } }>('POST', '/users', {
      user: { name, password, domain_id: 'default', enabled: true },
    });
    return r.user.id;
  }

  /** Grants `role` to the user on a project. */
  async grant(userId: string, projectId: string, role: string): Promise<void> {
    await this.call('PUT', `/projects/${projectId}/users/${userId}/roles/${await this.roleId(role)}`);
  }

  /**
   * Registers `url` as the `baremetal` service's public and internal endpoints in RegionOne
   * (replacing an earlier registration), as an operator does for ironic-api.
   */
  async registerBaremetal(url: string): Promise<void> {
    const { services } = await this.call<{ services: Array<{ id: string }> }>('GET', '/services?type=baremetal');
    for (const s of services) {
      const { endpoints } = await this.call<{ endpoints: Array<{ id: string }> }>(
        'GET',
        `/endpoints?service_id=${s.id}`,
      );
      for (const e of endpoints) await this.call('DELETE', `/endpoints/${e.id}`);
      await this.call('DELETE', `/services/${s.id}`);
    }
    const { service } = await this.call<{ service: { id: string } }>('POST', '/services', {
      service: { type: 'baremetal', name: 'ironic', description: 'Bare Metal (ironic-gateway)', enabled: true },
    });
    for (const iface of ['public', 'internal'])
      await this.call('POST', '/endpoints', {
        endpoint: { service_id: service.id, interface: iface, url, region_id: 'RegionOne', enabled: true },
      });
  }

  /** Revokes a token (DELETE /v3/auth/tokens), as `openstack token revoke` does. */
  async revoke(token: string): Promise<void> {
    const res = await fetch(`${this.url}/auth/tokens`, {
      method: 'DELETE',
      headers: { 'x-auth-token': await this.admin(), 'x-subject-token': token },
    });
    if (res.status !== 204) throw new Error(`revoke: ${res.status} ${await res.text()}`);
  }
}
