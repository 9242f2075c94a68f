/**
 * A gateway for tests, wired as createGateway will wire memory://: a private in-process bus,
 * the simulated conductor serving on it, the ConductorAPI over it, and the HTTP app with the
 * auth plugins and the given route tables. Until src/gateway.ts does this, tests use this.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { createConductorAPI, createConductorRpcClient, type ConductorAPI } from '../../src/conductor/api.ts';
import { buildApp } from '../../src/http/app.ts';
import { authPlugins } from '../../src/http/auth/index.ts';
import type { RouteDef } from '../../src/http/route.ts';
import { createTransport } from '../../src/rpc/transport.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';

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
}

export async function testGateway(opts: TestGatewayOptions): Promise<TestGateway> {
  const config = loadConfig({
    env: {},
    overrides: { log_level: 'silent', simulator_action_delay_ms: 20, rpc_response_timeout: 5, ...opts.config },
  });
  const url = `memory://test-${randomUUID()}`;
  const simTransport = createTransport(url, { exchange: config.control_exchange });
  const sim = await startSimulator({
    transport: simTransport,
    host: config.simulator_host,
    nodes: opts.nodes ?? 0,
    actionDelayMs: config.simulator_action_delay_ms,
    workers: config.simulator_workers,
  });
  const transport = createTransport(url, { exchange: config.control_exchange });
  const conductor = createConductorAPI(createConductorRpcClient(transport, config), config);
  const app = await buildApp(config, { conductor, routes: opts.routes, plugins: authPlugins(config) });
  await app.ready();
  return {
    app,
    conductor,
    sim,
    config,
    async close() {
      await app.close();
      await sim.stop();
      await transport.close();
      await simTransport.close();
    },
  };
}
