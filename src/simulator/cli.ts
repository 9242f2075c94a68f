/**
 * `ironic-gateway simulator`: a standalone simulated conductor on the configured transport
 * (`--transport-url rabbit://…`, `--simulator-host NAME`, `--simulator-nodes N`,
 * `--simulator-action-delay-ms MS`, `--simulator-workers N`). Runs until SIGINT/SIGTERM.
 */
import { pino } from 'pino';
import type { Config } from '../config.ts';
import { createTransport } from '../rpc/transport.ts';
import { startSimulator, type RunningSimulator } from './index.ts';

export interface SimulatorCommand {
  simulator: RunningSimulator;
  /** stops serving and closes the transport */
  stop(): Promise<void>;
}

/**
 * Starts the simulator the configuration describes and, unless `handleSignals` is false,
 * stops it cleanly on SIGINT/SIGTERM. Resolves once it is serving.
 */
export async function runSimulatorCommand(config: Config, opts: { handleSignals?: boolean } = {}): Promise<SimulatorCommand> {
  const logger = pino({ level: config.log_level, name: 'simulator' });
  const transport = createTransport(config.transport_url, { exchange: config.control_exchange });
  let simulator: RunningSimulator;
  try {
    simulator = await startSimulator({
      transport,
      exchange: config.control_exchange,
      host: config.simulator_host,
      nodes: config.simulator_nodes,
      actionDelayMs: config.simulator_action_delay_ms,
      workers: config.simulator_workers,
      logger,
    });
  } catch (err) {
    await transport.close().catch(() => undefined);
    throw err;
  }
  logger.info({ host: config.simulator_host, transport: config.transport_url.replace(/\/\/[^@/]*@/, '//***@') }, 'simulated conductor serving');
  let stopped: Promise<void> | null = null;
  const stop = (): Promise<void> => (stopped ??= (async () => {
    await simulator.stop();
    await transport.close();
  })());
  if (opts.handleSignals !== false) {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'simulated conductor stopping');
        void stop().then(() => process.exit(0), () => process.exit(1));
      });
    }
  }
  return { simulator, stop };
}
