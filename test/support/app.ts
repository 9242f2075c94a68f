/**
 * A gateway for tests: createGateway's embedded default (the simulated conductor on a private
 * memory:// bus, the ConductorAPI over it, the HTTP app with the auth plugins), serving the
 * given route tables, with a short action delay and RPC timeout.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import type { ConductorAPI } from '../../src/conductor/api.ts';
import { createGateway, type GatewayOptions } from '../../src/gateway.ts';
import type { RouteDef } from '../../src/http/route.ts';
import type { RunningSimulator } from '../../src/simulator/index.ts';

export interface TestGateway {
  app: FastifyInstance;
  conductor: ConductorAPI;
  sim: RunningSimulator;
  config: Config;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  routes: readonly RouteDef[];
  /** config overrides (log_level silent, a short action delay by default) */
  config?: Partial<Config>;
  /** fake nodes the simulator enrolls */
  nodes?: number;
  /** the auth strategies' test options (trustedHeaders: identity from X-Roles, X-Project-Id …) */
  auth?: GatewayOptions['auth'];
}

export async function testGateway(opts: TestGatewayOptions): Promise<TestGateway> {
  const config = loadConfig({
    env: {},
    overrides: {
      log_level: 'silent',
      simulator_action_delay_ms: 20,
      rpc_response_timeout: 5,
      transport_url: `memory://test-${randomUUID()}`,
      simulator_nodes: opts.nodes ?? 0,
      // the Queens tests run pinned to Queens; a test of a newer surface sets its own pin (or
      // pin_release_version: undefined for the newest)
      pin_release_version: '10.1',
      ...opts.config,
    },
  });
  const gateway = await createGateway(config, { routes: opts.routes, auth: opts.auth });
  await gateway.app.ready();
  if (!gateway.simulator) throw new Error('testGateway needs a memory:// transport (the embedded simulator)');
  return {
    app: gateway.app,
    conductor: gateway.conductor,
    sim: gateway.simulator,
    config,
    close: () => gateway.close(),
  };
}
