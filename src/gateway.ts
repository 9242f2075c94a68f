/**
 * Wires a gateway from configuration: the transport named by `transport_url`, the conductor
 * client over it, the embedded simulated conductor when the transport is in-process, and the
 * HTTP app with the auth plugins and every resource route.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createConductorAPI, createConductorRpcClient, type ConductorAPI } from './conductor/api.ts';
import { buildApp, createLogger } from './http/app.ts';
import { authPlugins } from './http/auth/index.ts';
import { resourceRoutes } from './http/routes/index.ts';
import type { RouteDef } from './http/route.ts';
import { createTransport, rabbitQueueOptions, redactTransportUrl } from './rpc/transport.ts';
import { rpcMetrics, transportMetrics } from './http/metrics.ts';
import { Registry } from 'prom-client';
import type { Transport } from './rpc/types.ts';
import { startSimulator, type RunningSimulator } from './simulator/index.ts';

export interface Gateway {
  app: FastifyInstance;
  conductor: ConductorAPI;
  /** the in-process simulated conductor, when transport_url is memory:// */
  simulator: RunningSimulator | null;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** the resource route tables to serve (every one by default; tests serve a subset) */
  routes?: readonly RouteDef[];
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = createLogger(config);
  const transportLog = logger.child({ component: 'rpc' });
  const transport: Transport = createTransport(config.transport_url, {
    ...rabbitQueueOptions(config),
    exchange: config.control_exchange,
    logger: transportLog,
  });
  // connect now, not at the first request: /healthz answers 200 only once connected
  transport.connect();

  let simulator: RunningSimulator | null = null;
  let simTransport: Transport | null = null;
  if (config.transport_url.startsWith('memory://')) {
    // The embedded default: a simulated conductor on the same in-process bus; it is reached
    // only through the transport, as a real conductor would be.
    simTransport = createTransport(config.transport_url, { exchange: config.control_exchange });
    simulator = await startSimulator({
      transport: simTransport,
      exchange: config.control_exchange,
      host: config.simulator_host,
      nodes: config.simulator_nodes,
      actionDelayMs: config.simulator_action_delay_ms,
      workers: config.simulator_workers,
      logger: logger.child({ component: 'simulator' }),
    });
  }

  const metrics = new Registry();
  transportMetrics(metrics, () => transport.isConnected());
  const conductor = createConductorAPI(
    createConductorRpcClient(transport, config, undefined, rpcMetrics(metrics)),
    config,
  );
  const name = redactTransportUrl(config.transport_url);
  const app = await buildApp(config, {
    logger,
    conductor,
    routes: options.routes ?? resourceRoutes,
    metrics,
    plugins: authPlugins(config),
    health: { transportConnected: () => transport.isConnected(), transportName: () => name },
  });
  app.log.info(
    { transport: name, auth_strategy: config.auth_strategy, embedded_simulator: simulator !== null },
    'gateway configured',
  );

  return {
    app,
    conductor,
    simulator,
    async close() {
      await app.close();
      await transport.close();
      if (simulator) await simulator.stop();
      if (simTransport) await simTransport.close();
    },
  };
}
