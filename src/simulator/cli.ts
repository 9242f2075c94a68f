/**
 * `ironic-gateway simulator`: standalone simulated conductors on the configured transport
 * (`--transport-url rabbit://…`, `--simulator-host NAME[,NAME…]`, `--simulator-nodes N`,
 * `--simulator-action-delay-ms MS`, `--simulator-workers N`). Runs until SIGINT/SIGTERM.
 *
 * Several host names start several conductors in this one process over one shared store, as
 * Ironic's conductors share one database: the gateway's hash ring spreads nodes over them.
 * (Separate simulator processes do not share a store, so each would see only its own nodes.)
 */
import { pino } from 'pino';
import type { Config } from '../config.ts';
import { createTransport, rabbitQueueOptions, redactTransportUrl } from '../rpc/transport.ts';
import { Store } from './store.ts';
import { seedNodes } from './seed.ts';
import { startSimulator, type RunningSimulator } from './index.ts';
import { gatewayProfile } from '../release-profile.ts';

export interface SimulatorCommand {
  simulators: RunningSimulator[];
  /** stops serving and closes the transport */
  stop(): Promise<void>;
}

/** The conductor host names a `--simulator-host` value names (comma-separated). */
export function simulatorHosts(value: string): string[] {
  const hosts = value
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '');
  if (hosts.length === 0) throw new Error('--simulator-host names no host');
  if (new Set(hosts).size !== hosts.length) throw new Error(`--simulator-host names a host twice: ${value}`);
  return hosts;
}

/**
 * Starts the simulators the configuration describes and, unless `handleSignals` is false,
 * stops them cleanly on SIGINT/SIGTERM. Resolves once every one is serving.
 */
export async function runSimulatorCommand(
  config: Config,
  opts: { handleSignals?: boolean } = {},
): Promise<SimulatorCommand> {
  const logger = pino({ level: config.log_level, name: 'simulator' });
  const hosts = simulatorHosts(config.simulator_host);
  const transport = createTransport(config.transport_url, {
    ...rabbitQueueOptions(config),
    exchange: config.control_exchange,
  });
  const store = new Store();
  const simulators: RunningSimulator[] = [];
  try {
    for (const host of hosts) {
      simulators.push(
        await startSimulator({
          transport,
          exchange: config.control_exchange,
          host,
          store,
          // the release the gateway would speak with the same settings (pin_release_version)
          rpcVersion: gatewayProfile(config).rpc,
          actionDelayMs: config.simulator_action_delay_ms,
          workers: config.simulator_workers,
          logger,
        }),
      );
    }
  } catch (err) {
    for (const s of simulators) await s.stop().catch(() => undefined);
    await transport.close().catch(() => undefined);
    throw err;
  }
  // Seeded once the conductors are registered, into the store they share.
  if (config.simulator_nodes > 0) seedNodes(store, config.simulator_nodes);
  logger.info(
    { hosts, nodes: config.simulator_nodes, transport: redactTransportUrl(config.transport_url) },
    'simulated conductors serving',
  );
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      for (const s of simulators) await s.stop();
      await transport.close();
    })());
  if (opts.handleSignals !== false) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'simulated conductors stopping');
        void stop().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      });
    }
  }
  return { simulators, stop };
}
