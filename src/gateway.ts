/**
 * Wires a gateway from configuration: the transport named by `transport_url`, the conductor
 * client over it, the embedded simulated conductor when the transport is in-process, and the
 * HTTP app with the auth plugins and every resource route.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.ts';
import { createConductorAPI, createConductorRpcClient, type ConductorAPI } from './conductor/api.ts';
import { buildApp, createLogger } from './http/app.ts';
import { type AuthOptions, authPlugins } from './http/auth/index.ts';
import { resourceRoutes } from './http/routes/index.ts';
import type { RouteDef } from './http/route.ts';
import { createTransport, rabbitQueueOptions, redactTransportUrl } from './rpc/transport.ts';
import { batchMetrics, coalesceMetrics, rpcMetrics, transportMetrics } from './http/metrics.ts';
import { BatchingTransport } from './rpc/batch.ts';
import { CoalescingTransport } from './rpc/coalesce.ts';
import { Registry } from 'prom-client';
import { isMemoryUrl } from './rpc/memory.ts';
import type { Transport } from './rpc/types.ts';
import { startSimulator, type RunningSimulator } from './simulator/index.ts';
import { gatewayProfile } from './release-profile.ts';
import type { Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import {
  CertificateWatcher,
  type CertificateWatcherOptions,
  MIN_TLS_VERSION,
  clientCertMode,
  readTlsMaterial,
  serverOptions,
} from './http/tls.ts';

export interface Gateway {
  app: FastifyInstance;
  conductor: ConductorAPI;
  /** the in-process simulated conductor, when transport_url is memory:// */
  simulator: RunningSimulator | null;
  /** the watcher that rotates the certificate, when serving HTTPS */
  certificates: CertificateWatcher | null;
  close(): Promise<void>;
}

export interface GatewayOptions {
  /** the resource route tables to serve (every one by default; tests serve a subset) */
  routes?: readonly RouteDef[];
  /** a pino logger to use instead of a new one at config.log_level (tests read what it says) */
  logger?: Logger;
  /** what the auth strategies take besides the configuration (tests only: trustedHeaders …) */
  auth?: AuthOptions;
  /** how the certificate files are watched (tests shorten the delays) */
  certificateWatch?: CertificateWatcherOptions;
}

export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const logger = options.logger ?? createLogger(config);
  // Read before anything starts: bad TLS files stop start-up with one line (ConfigError).
  const tls = config.tls_cert_file ? readTlsMaterial(config) : null;
  const transportLog = logger.child({ component: 'rpc' });
  const transport: Transport = createTransport(config.transport_url, {
    ...rabbitQueueOptions(config),
    exchange: config.control_exchange,
    logger: transportLog,
  });
  // connect now, not at the first request: /healthz answers 200 only once connected
  transport.connect();

  // pin_release_version: the microversion, RPC and object versions this gateway speaks
  const profile = gatewayProfile(config);
  let simulator: RunningSimulator | null = null;
  let simTransport: Transport | null = null;
  if (isMemoryUrl(config.transport_url)) {
    // The embedded default: a simulated conductor on the same in-process bus; it is reached
    // only through the transport, as a real conductor would be.
    simTransport = createTransport(config.transport_url, { exchange: config.control_exchange });
    simulator = await startSimulator({
      transport: simTransport,
      exchange: config.control_exchange,
      host: config.simulator_host,
      rpcVersion: profile.rpc,
      objectVersions: profile.objects,
      nodes: config.simulator_nodes,
      actionDelayMs: config.simulator_action_delay_ms,
      workers: config.simulator_workers,
      logger: logger.child({ component: 'simulator' }),
    });
  }

  const metrics = new Registry();
  transportMetrics(metrics, () => transport.isConnected());
  // Reads: identical ones in flight together share the conductor's next answer
  // (src/rpc/coalesce.ts); reads of different nodes waiting together share one Node.list
  // (src/rpc/batch.ts), one batch in flight per live conductor as the hash ring last counted.
  let liveConductors = (): number | null => null;
  const batching = config.coalesce_reads
    ? new BatchingTransport(transport, { maxInFlight: () => liveConductors() ?? 1 })
    : null;
  const coalescing = batching ? new CoalescingTransport(batching) : null;
  if (coalescing) coalesceMetrics(metrics, coalescing.counts);
  if (batching) batchMetrics(metrics, batching.counts);
  const conductor = createConductorAPI(
    createConductorRpcClient(coalescing ?? transport, config, profile.rpc, rpcMetrics(metrics)),
    config,
    undefined,
    profile.objects,
  );
  liveConductors = () => conductor.ringManager.liveCountNow();
  const name = redactTransportUrl(config.transport_url);
  const app = await buildApp(config, {
    logger,
    conductor,
    routes: options.routes ?? resourceRoutes,
    metrics,
    plugins: authPlugins(config, options.auth),
    health: { transportConnected: () => transport.isConnected(), transportName: () => name },
    ...(tls ? { https: serverOptions(tls, config) } : {}),
  });
  app.log.info(
    {
      transport: name,
      auth_strategy: config.auth_strategy,
      embedded_simulator: simulator !== null,
      pin_release_version: profile.pin,
      max_microversion: `1.${profile.apiMinor}`,
      rpc_version_cap: profile.rpc,
      coalesce_reads: config.coalesce_reads,
      node_routing_ttl: config.node_routing_ttl,
    },
    'gateway configured',
  );
  let certificates: CertificateWatcher | null = null;
  if (tls) {
    const tlsLog = logger.child({ component: 'tls' });
    tlsLog.info(
      {
        min_version: MIN_TLS_VERSION,
        certificate: tls.summary,
        client_certificates: clientCertMode(config),
        cert_file: config.tls_cert_file,
        key_file: config.tls_key_file,
        client_ca_file: config.tls_client_ca_file,
      },
      'serving HTTPS; the certificate files are watched and reloaded when they change',
    );
    certificates = new CertificateWatcher(
      app.server as unknown as TlsServer,
      config,
      tls,
      tlsLog,
      options.certificateWatch,
    );
    const watcher = certificates;
    app.addHook('onClose', async () => watcher.close());
  }

  return {
    app,
    conductor,
    simulator,
    certificates,
    async close() {
      await app.close();
      await transport.close();
      if (simulator) await simulator.stop();
      if (simTransport) await simTransport.close();
    },
  };
}
