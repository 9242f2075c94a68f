/**
 * The two back ends the e2e suite runs against, and what legitimately differs between them.
 *
 * - `simulator`: the gateway with its embedded simulated conductor (memory://).
 * - `real`: the gateway on RabbitMQ in front of the real ironic-conductor that
 *   test/support/stack.sh started (TEST_TRANSPORT_URL, from .tmp/stack-<release>.env): Debian's
 *   21.4, or sid's 39.0 (TEST_RELEASE).
 *
 * E2E_BACKENDS (comma-separated, default "simulator,real") chooses; naming `real` without
 * TEST_TRANSPORT_URL is an error, never a silent skip.
 *
 * On each back end every suite runs in the gateway modes of `gatewayModes()`: by default
 * noauth over plain HTTP, and jwt over HTTPS (a certificate from a CA made for the run, which
 * the clients are given as their CA: `baremetal --os-cacert`, openstacksdk `verify=`,
 * gophercloud's root pool, an undici Agent for openapi-fetch). E2E_HTTPS=all runs both modes
 * over HTTPS, E2E_HTTPS=none neither.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig, type Config } from '../../../src/config.ts';
import { createGateway, type Gateway } from '../../../src/gateway.ts';
import { gatewayProfile } from '../../../src/release-profile.ts';
import { CertDir } from '../../support/certs.ts';
import { stack } from '../../support/stack-env.ts';
import { openApiCheck, type OpenApiCheck } from '../../support/openapi-check.ts';
import assert from 'node:assert/strict';

let contractCheck: OpenApiCheck | undefined;
/** One checker per process (building its validators is the costly part). */
const sharedContract = (): OpenApiCheck => {
  contractCheck ??= openApiCheck();
  return contractCheck;
};

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..', '..');

export type BackendName = 'simulator' | 'real';

/** What each back end does where the real 21.4 conductor differs from the simulator. */
export interface Expectations {
  /** the conductor host `driver list` reports */
  conductorHost: string;
  /** default network interface of a new node: the simulator's fake nodes get flat, the
   *  real conductor's configuration (stack.sh) defaults to noop */
  networkInterface: 'flat' | 'noop';
  /** VIFs listed after `vif attach`: the noop network interface keeps none */
  keepsVifs: boolean;
  /** Ironic's fake vendor interface has no driver-level methods; the simulator adds some */
  driverVendorMethods: boolean;
  /** a volume target of a node in enroll can be deleted while the node is not powered off:
   *  Ironic 39.0 allows it in enroll, manageable and adopt failed; 21.4 and the simulator (as
   *  Queens) only on a powered-off node */
  volumeDeleteInEnroll: boolean;
  /**
   * a driver's default and enabled interfaces are known: from Conductor 1.5's class methods
   * (39.0's conductor, the simulator); a gateway pinned to 21.4 reads Conductor.list, which
   * does not carry them, and reports them as null
   */
  driverInterfaces: boolean;
}

export interface Backend {
  name: BackendName;
  expect: Expectations;
}

export function backends(): Backend[] {
  const names = (process.env.E2E_BACKENDS ?? 'simulator,real')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return names.map((name) => {
    if (name === 'simulator')
      return {
        name,
        expect: {
          conductorHost: 'sim-1',
          networkInterface: 'flat',
          keepsVifs: true,
          driverVendorMethods: true,
          volumeDeleteInEnroll: false,
          driverInterfaces: true,
        },
      };
    if (name === 'real') {
      if (!process.env.TEST_TRANSPORT_URL) {
        throw new Error(
          'E2E_BACKENDS names "real" but TEST_TRANSPORT_URL is not set: run through test/run.sh, or `bash test/support/stack.sh start` and source .tmp/stack-21.4.env (or set E2E_BACKENDS=simulator)',
        );
      }
      return {
        name,
        expect: {
          conductorHost: process.env.TEST_CONDUCTOR_HOST ?? 'cond-1',
          networkInterface: 'noop',
          keepsVifs: false,
          driverVendorMethods: false,
          volumeDeleteInEnroll: stack.release() === '39.0',
          driverInterfaces: stack.release() === '39.0',
        },
      };
    }
    throw new Error(`unknown e2e back end ${JSON.stringify(name)} in E2E_BACKENDS (simulator, real)`);
  });
}

export type AuthMode = 'noauth' | 'jwt';

/** How a suite's gateway is reached: its authentication, and HTTP or HTTPS. */
export interface GatewayMode {
  auth: AuthMode;
  https: boolean;
  /** mutual TLS: the gateway requires a client certificate of the run's CA (implies https) */
  mutualTls?: boolean;
  /** for test names: `noauth`, `jwt · https` */
  label: string;
}

export function gatewayModes(): GatewayMode[] {
  const https = process.env.E2E_HTTPS ?? 'jwt';
  if (!['jwt', 'all', 'none'].includes(https))
    throw new Error(`unknown E2E_HTTPS ${JSON.stringify(https)} (jwt, all, none)`);
  return (['noauth', 'jwt'] as AuthMode[]).map((auth) => {
    const tls = https === 'all' || (https === 'jwt' && auth === 'jwt');
    return { auth, https: tls, label: tls ? `${auth} · https` : auth };
  });
}

export interface RunningGateway {
  /** base URL, e.g. http://127.0.0.1:40123 or https://127.0.0.1:40123 */
  url: string;
  auth: AuthMode;
  /** over HTTPS: the PEM file of the CA that signed the gateway's certificate */
  cacert?: string;
  /** with mutual TLS: a client certificate the gateway accepts */
  clientCert?: { cert: string; key: string };
  /** an admin token (system scope all) when auth is jwt */
  token?: string;
  gateway: Gateway;
  close(): Promise<void>;
  /** aborts the commands run against it: the signal of the scenario's step running now */
  readonly signal?: AbortSignal;
  /** the newest microversion it announces, '1.N' */
  apiMax: string;
  /**
   * Where the Python clients of the run come from: the host's (Debian bookworm's: the
   * `baremetal` CLI knows up to 1.78, openstacksdk 0.101), or, in front of the 39.0 conductor,
   * that release's own in its sid chroot (python3-ironicclient 6.3, openstacksdk 4.20), run
   * through `stack.sh _exec`.
   */
  clients: 'host' | 'chroot';
}

/**
 * Where a back end's Python clients come from (RunningGateway.clients): in front of the 39.0
 * conductor, that release's own (sid's CLI 6.3 and openstacksdk 4.20, in its chroot) unless
 * E2E_RELEASE_CLIENTS=false; elsewhere the host's (bookworm's CLI 5.0 and openstacksdk 0.101),
 * unless E2E_RELEASE_CLIENTS=true asks for sid's in front of the simulator too (which, unpinned,
 * answers as 39.0). The scenarios hold for both generations: sid's differ in output and
 * defaults (list columns named by field, nodes created in enroll) and the scenarios read both.
 */
export function clientsFor(backend: Backend): 'host' | 'chroot' {
  const asked = process.env.E2E_RELEASE_CLIENTS;
  if (asked === 'false') return 'host';
  if (backend.name === 'real' && stack.release() === '39.0') return 'chroot';
  return asked === 'true' && backend.name === 'simulator' ? 'chroot' : 'host';
}

/**
 * A Python client's command line: as given on the host, or through the stack's chroot (which
 * sees the checkout's .tmp at the same path, so certificates and copied scripts are reachable).
 */
export function clientCommand(
  gw: RunningGateway,
  file: string,
  args: string[],
): [string, string[], Record<string, string>] {
  if (gw.clients === 'host') return [file, args, {}];
  // (stack.sh needs unshare and chroot, which live in sbin)
  return [
    '/bin/bash',
    [stack.script(), '_exec', file, ...args],
    { STACK_RELEASE: '39.0', PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
  ];
}

/** Mints a token with the project's documented tool (docs/auth.md). */
export async function mintToken(secret: string, args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', join(root, 'src/tools/mint-token.ts'), '--secret', secret, ...args],
    { cwd: root, timeout: 30_000 },
  );
  return stdout.trim();
}

/**
 * Starts a gateway in this process on a free loopback port, for the back end and mode.
 * Clients reach it only over HTTP(S), as they would reach a deployed one.
 */
export async function startGateway(backend: Backend, mode: GatewayMode): Promise<RunningGateway> {
  const auth = mode.auth;
  const secret = randomBytes(48).toString('base64');
  let certs: CertDir | undefined;
  let tls: Partial<Config> = {};
  let clientCert: RunningGateway['clientCert'];
  if (mode.https || mode.mutualTls) {
    certs = new CertDir('e2e-tls');
    const ca = await certs.ca('e2e-ca');
    const server = await certs.issue(ca, 'gateway', 'server', '127.0.0.1');
    tls = { tls_cert_file: server.cert, tls_key_file: server.key };
    if (mode.mutualTls) {
      clientCert = await certs.issue(ca, 'e2e-client', 'client');
      tls.tls_client_ca_file = ca.cert;
    }
  }
  const overrides: Partial<Config> = {
    host: '127.0.0.1',
    port: 0,
    log_level: (process.env.E2E_LOG_LEVEL as Config['log_level'] | undefined) ?? 'error',
    rpc_response_timeout: 30,
    hash_ring_reset_interval: 2,
    ...(backend.name === 'simulator'
      ? { transport_url: `memory://e2e-${randomUUID()}`, simulator_action_delay_ms: 100 }
      : stack.gatewaySettings()),
    ...(auth === 'jwt' ? { auth_strategy: 'jwt' as const, jwt_algorithm: 'HS256', jwt_secret: secret } : {}),
    ...tls,
  };
  const config = loadConfig({ env: {}, overrides });
  const gateway = await createGateway(config);
  // every answer the clients get is checked against the committed OpenAPI document at its
  // microversion (issue 19); a mismatch fails the suite when the gateway is closed
  const contract = sharedContract();
  const contractProblems: string[] = [];
  gateway.app.addHook('onSend', async (request, reply, payload) => {
    let body: unknown;
    if (typeof payload === 'string' && payload !== '' && /json/.test(String(reply.getHeader('content-type') ?? ''))) {
      try {
        body = JSON.parse(payload);
      } catch {
        body = payload;
      }
    }
    const problems = contract.problems({
      method: request.method,
      path: request.url,
      status: reply.statusCode,
      body,
      headers: reply.getHeaders() as Record<string, string>,
    });
    if (problems.length > 0)
      contractProblems.push(`${request.method} ${request.url} → ${reply.statusCode}: ${problems.join('; ')}`);
    return payload;
  });
  await gateway.app.listen({ host: config.host, port: 0 });
  const address = gateway.app.server.address();
  if (!address || typeof address === 'string') throw new Error('gateway has no TCP address');
  const url = `${certs ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  const token =
    auth === 'jwt'
      ? await mintToken(secret, [
          '--sub',
          'e2e-admin',
          '--project',
          'e2e',
          '--roles',
          'admin,member,reader',
          '--system-scope',
          'all',
        ])
      : undefined;
  return {
    url,
    auth,
    token,
    gateway,
    apiMax: `1.${gatewayProfile(config).apiMinor}`,
    clients: clientsFor(backend),
    ...(certs ? { cacert: certs.path('e2e-ca.pem') } : {}),
    ...(clientCert ? { clientCert } : {}),
    async close() {
      await gateway.close();
      certs?.remove();
      assert.deepEqual(contractProblems.slice(0, 20), [], 'answers that do not match openapi/openapi.json');
    },
  };
}

/** A short unique tag so resources of one run never collide with another's on a shared conductor. */
export const runTag = (): string => randomBytes(3).toString('hex');
