/** Shared set-up for the auth tests: configs, keys, a route table across the families, logs. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../../src/config.ts';
import { buildApp } from '../../../src/http/app.ts';
import type { PolicyRule } from '../../../src/http/auth/policy.ts';
import type { RouteDef } from '../../../src/http/route.ts';
import { authPlugins } from '../../../src/http/auth/index.ts';

export const dir = mkdtempSync(join(tmpdir(), 'gw-auth-'));

export function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

export function config(overrides: Partial<Config> = {}): Config {
  return loadConfig({ env: {}, overrides: { log_level: 'info', ...overrides } });
}

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
  publicFile: string;
}

function pair(name: string, kind: 'rsa' | 'ec', curve?: string): KeyPair {
  const { privateKey, publicKey } =
    kind === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: curve! });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { privateKey, publicKey, publicPem, publicFile: file(`${name}.pub.pem`, publicPem) };
}

export const rsa = pair('rsa', 'rsa');
export const rsaOther = pair('rsa-other', 'rsa');
export const ec = pair('ec', 'ec', 'prime256v1');
export const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

export type Level = 'public' | 'reader' | 'member' | 'admin';

/** One route per family and kind of action, with the level the default policy requires. */
export const FAMILY_ROUTES: Array<{
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  policy: PolicyRule;
  level: Level;
}> = [
  { method: 'GET', url: '/v1/nodes', policy: 'baremetal:node:get', level: 'reader' },
  { method: 'GET', url: '/v1/nodes/n1/states', policy: 'baremetal:node:get_states', level: 'reader' },
  { method: 'POST', url: '/v1/nodes', policy: 'baremetal:node:create', level: 'admin' },
  { method: 'PATCH', url: '/v1/nodes/n1', policy: 'baremetal:node:update', level: 'admin' },
  { method: 'DELETE', url: '/v1/nodes/n1', policy: 'baremetal:node:delete', level: 'admin' },
  { method: 'PUT', url: '/v1/nodes/n1/states/power', policy: 'baremetal:node:set_power_state', level: 'member' },
  {
    method: 'PUT',
    url: '/v1/nodes/n1/states/provision',
    policy: 'baremetal:node:set_provision_state',
    level: 'member',
  },
  { method: 'PUT', url: '/v1/nodes/n1/states/console', policy: 'baremetal:node:set_console_state', level: 'member' },
  {
    method: 'GET',
    url: '/v1/nodes/n1/management/boot_device',
    policy: 'baremetal:node:get_boot_device',
    level: 'reader',
  },
  {
    method: 'PUT',
    url: '/v1/nodes/n1/management/boot_device',
    policy: 'baremetal:node:set_boot_device',
    level: 'member',
  },
  { method: 'PUT', url: '/v1/nodes/n1/management/inject_nmi', policy: 'baremetal:node:inject_nmi', level: 'member' },
  { method: 'PUT', url: '/v1/nodes/n1/maintenance', policy: 'baremetal:node:set_maintenance', level: 'member' },
  { method: 'GET', url: '/v1/nodes/n1/traits', policy: 'baremetal:node:traits:list', level: 'reader' },
  { method: 'PUT', url: '/v1/nodes/n1/traits', policy: 'baremetal:node:traits:set', level: 'member' },
  { method: 'GET', url: '/v1/nodes/n1/vifs', policy: 'baremetal:node:vif:list', level: 'reader' },
  { method: 'POST', url: '/v1/nodes/n1/vifs', policy: 'baremetal:node:vif:attach', level: 'member' },
  { method: 'POST', url: '/v1/nodes/n1/vendor_passthru', policy: 'baremetal:node:vendor_passthru', level: 'member' },
  { method: 'GET', url: '/v1/ports', policy: 'baremetal:port:get', level: 'reader' },
  { method: 'POST', url: '/v1/ports', policy: 'baremetal:port:create', level: 'admin' },
  { method: 'PATCH', url: '/v1/portgroups/pg1', policy: 'baremetal:portgroup:update', level: 'admin' },
  { method: 'GET', url: '/v1/chassis', policy: 'baremetal:chassis:get', level: 'reader' },
  { method: 'DELETE', url: '/v1/chassis/c1', policy: 'baremetal:chassis:delete', level: 'admin' },
  { method: 'GET', url: '/v1/drivers', policy: 'baremetal:driver:get', level: 'reader' },
  { method: 'POST', url: '/v1/drivers/d1/vendor_passthru', policy: 'baremetal:driver:vendor_passthru', level: 'admin' },
  { method: 'GET', url: '/v1/volume/connectors', policy: 'baremetal:volume:get', level: 'reader' },
  { method: 'POST', url: '/v1/volume/targets', policy: 'baremetal:volume:create', level: 'admin' },
  { method: 'GET', url: '/v1/lookup', policy: 'baremetal:driver:ipa_lookup', level: 'public' },
  { method: 'POST', url: '/v1/heartbeat/n1', policy: 'baremetal:node:ipa_heartbeat', level: 'public' },
];

/** Test routes: each answers 200 with the request context it saw. */
export const TEST_ROUTES: RouteDef[] = [
  ...FAMILY_ROUTES.map(
    (r): RouteDef => ({
      method: r.method,
      url: r.url,
      operationId: `${r.method} ${r.url}`,
      policy: r.policy,
      rpc: [],
      status: 200,
      summary: r.policy,
      handler: async (request) => ({ ctx: request.ctx }),
    }),
  ),
  // A route that forgot its policy: must be denied (fail closed).
  {
    method: 'GET',
    url: '/v1/forgotten',
    operationId: 'test2',
    policy: undefined as unknown as PolicyRule,
    rpc: [],
    status: 200,
    summary: 'no policy',
    handler: async () => ({ ok: true }),
  },
  // A route naming a rule that does not exist: denied too.
  {
    method: 'GET',
    url: '/v1/misspelt',
    operationId: 'test3',
    // the compiler refuses a misspelt rule; this checks the runtime still fails closed
    policy: 'baremetal:node:gett' as PolicyRule,
    rpc: [],
    status: 200,
    summary: 'bad rule',
    handler: async () => ({ ok: true }),
  },
];

export interface Harness {
  app: FastifyInstance;
  logs: string[];
}

/**
 * The configuration the stand-in routes (TEST_ROUTES) are served with: pinned below 21.4 unless
 * the test pins. The stand-ins load no object and make no handler decision, so they can only
 * exercise the strategies and the gateway's role-only rules (which pins below 21.4 keep); the
 * owner/lessee policy of 21.4 and of the unpinned gateway (39.0's) needs the real routes and is
 * tested there (owner-lessee.test.ts, policy-39.test.ts, the RBAC matrices).
 */
export function standInConfig(cfg: Config): Config {
  return { ...cfg, pin_release_version: cfg.pin_release_version ?? '10.1' };
}

/** Builds the app (stand-in routes, standInConfig) with the auth plugins and a logger whose output the test can read. */
export async function harness(given: Config): Promise<Harness> {
  const cfg = standInConfig(given);
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const logger = pino({ level: 'trace' }, stream);
  const app = await buildApp(cfg, { logger, plugins: authPlugins(cfg), routes: TEST_ROUTES });
  await app.ready();
  return { app, logs };
}

/** The faultstring of an Ironic error body. */
export function faultstring(body: string): string {
  return JSON.parse(JSON.parse(body).error_message).faultstring;
}
