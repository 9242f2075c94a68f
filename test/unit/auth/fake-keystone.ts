/**
 * A fake Keystone identity API v3 for the keystone strategy's unit tests: password
 * authentication (POST /v3/auth/tokens) and token validation (GET /v3/auth/tokens with
 * X-Subject-Token), on a loopback port, on a clock the test moves. It counts the calls it
 * serves and can be told to fail.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Clock {
  t: number;
  now(): number;
}

export const clock = (start = Date.parse('2026-11-27T12:00:00Z')): Clock => {
  const c = { t: start, now: () => c.t };
  return c;
};

export interface FakeToken {
  user: { id: string; name: string; domain: { id: string; name: string } };
  project?: { id: string; name: string; domain: { id: string; name: string } };
  domain?: { id: string; name: string };
  system?: { all: boolean };
  roles: string[];
  is_admin_project?: boolean;
  application_credential?: { id: string; access_rules?: Array<{ method: string; path: string; service: string }> };
  bind?: Record<string, string>;
  /** seconds from issue to expiry */
  lifetime?: number;
}

interface Issued extends FakeToken {
  issued: number;
  expires: number;
  revoked: boolean;
}

export const DEFAULT_DOMAIN = { id: 'default', name: 'Default' };
export const SERVICE_USER = { name: 'ironic-gateway', password: 'gw-password' };

/** What the fake answers to validations (and authentications) instead of the truth. */
export type Failure = null | { status: number; body?: string } | 'hang';

export class FakeKeystone {
  readonly tokens = new Map<string, Issued>();
  readonly calls = { authenticate: 0, validate: 0 };
  /** the last X-Subject-Token queries, with allow_expired */
  readonly validations: Array<{ allowExpired: boolean; nocatalog: boolean; accessRules: string | undefined }> = [];
  fail: Failure = null;
  failAuthenticate: Failure = null;
  /** lifetime of the gateway's own tokens, seconds */
  serviceTokenLifetime = 3600;
  private server: Server | null = null;
  url = '';
  port = 0;

  constructor(readonly clock: Clock) {}

  issue(spec: FakeToken): string {
    const token = `gAAAA${randomBytes(24).toString('base64url')}`;
    const issued = this.clock.now();
    this.tokens.set(token, { ...spec, issued, expires: issued + (spec.lifetime ?? 3600) * 1000, revoked: false });
    return token;
  }

  revoke(token: string): void {
    const t = this.tokens.get(token);
    if (t) t.revoked = true;
  }

  /** Revokes every token the gateway's service user holds. */
  revokeServiceTokens(): void {
    for (const t of this.tokens.values()) if (t.user.name === SERVICE_USER.name) t.revoked = true;
  }

  private body(t: Issued): unknown {
    const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');
    return {
      token: {
        methods: ['password'],
        user: { ...t.user, password_expires_at: null },
        audit_ids: ['x'],
        expires_at: iso(t.expires),
        issued_at: iso(t.issued),
        ...(t.project && { project: t.project, is_domain: false }),
        ...(t.domain && { domain: t.domain }),
        ...(t.system && { system: t.system }),
        ...(t.is_admin_project !== undefined && { is_admin_project: t.is_admin_project }),
        ...(t.application_credential && { application_credential: t.application_credential }),
        ...(t.bind && { bind: t.bind }),
        roles: t.roles.map((name, i) => ({ id: `r${i}`, name })),
      },
    };
  }

  private valid(token: string | undefined, allowExpired = false): Issued | null {
    const t = token ? this.tokens.get(token) : undefined;
    if (!t || t.revoked) return null;
    if (!allowExpired && t.expires <= this.clock.now()) return null;
    return t;
  }

  private failWith(res: ServerResponse, f: Failure): boolean {
    if (f === null) return false;
    if (f === 'hang') return true; // never answers
    res.writeHead(f.status, { 'content-type': 'application/json' }).end(f.body ?? '{"error": {"code": 500}}');
    return true;
  }

  private handle(req: IncomingMessage, res: ServerResponse, body: string) {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, data: unknown, headers: Record<string, string> = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(data));
    };
    if (url.pathname !== '/v3/auth/tokens') return json(404, { error: { code: 404 } });
    if (req.method === 'POST') {
      this.calls.authenticate++;
      if (this.failWith(res, this.failAuthenticate)) return;
      const auth = JSON.parse(body).auth;
      const user = auth.identity.password.user;
      if (user.name !== SERVICE_USER.name || user.password !== SERVICE_USER.password)
        return json(401, { error: { code: 401, title: 'Unauthorized' } });
      const token = this.issue({
        user: { id: 'gw-user-id', name: SERVICE_USER.name, domain: DEFAULT_DOMAIN },
        project: { id: 'service-project-id', name: auth.scope.project.name, domain: DEFAULT_DOMAIN },
        roles: ['service'],
        lifetime: this.serviceTokenLifetime,
      });
      return json(201, this.body(this.tokens.get(token)!), { 'x-subject-token': token });
    }
    if (req.method === 'GET') {
      this.calls.validate++;
      const allowExpired = url.searchParams.get('allow_expired') === '1';
      this.validations.push({
        allowExpired,
        nocatalog: url.searchParams.has('nocatalog'),
        accessRules: req.headers['openstack-identity-access-rules'] as string | undefined,
      });
      if (this.failWith(res, this.fail)) return;
      const caller = this.valid(req.headers['x-auth-token'] as string | undefined);
      if (!caller?.roles.includes('service')) return json(401, { error: { code: 401 } });
      const subject = this.valid(req.headers['x-subject-token'] as string | undefined, allowExpired);
      if (!subject) return json(404, { error: { code: 404, title: 'Not Found' } });
      return json(200, this.body(subject));
    }
    return json(405, {});
  }

  /** Listens on a loopback port (the same one again after stop(), when one was used before). */
  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => this.handle(req, res, body));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${this.port}/v3`;
    return this.url;
  }

  /** Stops listening (new connections are refused) and drops open ones. */
  async stop(): Promise<void> {
    const s = this.server;
    if (!s) return;
    this.server = null;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}
