/**
 * The simulated conductor: a conductor in TypeScript with fake hardware that serves every
 * ConductorAPI 1.44 method on a transport (memory:// in-process, rabbit:// standalone) and
 * registers as a live conductor so the gateway's hash ring includes it.
 *
 * @example
 *   const sim = await startSimulator({ transport: createTransport('memory://'), host: 'sim-1', nodes: 5 });
 *   …
 *   await sim.stop();
 */
import { MANAGER_TOPIC } from '../conductor/rpc-methods.ts';
import { compareVersions } from '../rpc/version.ts';
import type { Endpoint, Listener, Transport } from '../rpc/types.ts';
import type { Sim } from './context.ts';
import { DRIVERS } from './drivers.ts';
import { makeEndpoint } from './endpoint.ts';
import { seedNodes } from './seed.ts';
import { Store } from './store.ts';
import { TaskManager, WorkerPool, type Logger } from './tasks.ts';

export { Store } from './store.ts';
export { seedNodes } from './seed.ts';
export type { Logger } from './tasks.ts';

/** how often the conductor row is touched (Ironic's heartbeat_interval) */
const HEARTBEAT_INTERVAL_MS = 10_000;

/** The newest conductor RPC API version the simulator serves (39.0's; methods it lacks answer NoSuchMethod). */
export const SIMULATOR_RPC_VERSION = '1.62';

export interface SimulatorOptions {
  /** conductor host name: the routing key is `ironic.conductor_manager.<host>` */
  host: string;
  /**
   * the RPC API version to serve: the gateway's release profile's (the simulator speaks the
   * gateway's release), capped at SIMULATOR_RPC_VERSION; SIMULATOR_RPC_VERSION by default
   */
  rpcVersion?: string;
  /** the object versions of that release (the gateway's release profile's): lists are sent at them */
  objectVersions?: Readonly<Record<string, string>>;
  /** fake nodes to enroll at start (`--simulator-nodes`) */
  nodes?: number;
  /** how long deploy, clean, inspect, tear down, rescue, verify, adopt take (ms) */
  actionDelayMs?: number;
  /** worker pool size (NoFreeConductorWorker beyond it) */
  workers?: number;
  /** a database shared with other simulators in this process, as conductors share Ironic's DB */
  store?: Store;
  logger?: Logger;
}

export interface Simulator {
  host: string;
  store: Store;
  /** the RPC endpoint, for calling the conductor without a transport */
  endpoint: Endpoint;
  /** free workers right now */
  freeWorkers(): number;
  /** waits until no background work is running */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

const silent: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Builds a simulated conductor without serving it (tests call `endpoint` directly). */
export function createSimulator(opts: SimulatorOptions): Simulator {
  const store = opts.store ?? new Store();
  const logger = opts.logger ?? silent;
  const pool = new WorkerPool(opts.workers ?? 100, logger);
  const sleepers = new Set<() => void>();
  let stopping = false;
  const sim: Sim = {
    host: opts.host,
    rpcVersion:
      opts.rpcVersion && compareVersions(opts.rpcVersion, SIMULATOR_RPC_VERSION) < 0
        ? opts.rpcVersion
        : SIMULATOR_RPC_VERSION,
    ...(opts.objectVersions ? { objectVersions: opts.objectVersions } : {}),
    store,
    pool,
    tasks: new TaskManager(store, opts.host, pool),
    actionDelayMs: opts.actionDelayMs ?? 200,
    logger,
    conductorId: () => store.conductors.byField('hostname', opts.host)?.id ?? null,
    sleep: (ms) =>
      new Promise<void>((resolve) => {
        if (stopping) {
          resolve();
          return;
        }
        const done = (): void => {
          clearTimeout(timer);
          sleepers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        sleepers.add(done);
      }),
  };
  store.registerConductor(opts.host, [...DRIVERS]);
  const touch = setInterval(() => store.registerConductor(opts.host, [...DRIVERS]), HEARTBEAT_INTERVAL_MS);
  touch.unref();
  if (opts.nodes) seedNodes(store, opts.nodes);
  return {
    host: opts.host,
    store,
    endpoint: makeEndpoint(sim),
    freeWorkers: () => pool.free,
    idle: () => pool.drain(),
    async stop() {
      stopping = true;
      clearInterval(touch);
      store.unregisterConductor(opts.host);
      for (const wake of [...sleepers]) wake();
      await pool.drain();
      for (const n of store.nodes.rows.values()) if (n.reservation === opts.host) n.reservation = null;
    },
  };
}

export interface StartOptions extends SimulatorOptions {
  transport: Transport;
  /** oslo control_exchange (default: the transport's) */
  exchange?: string;
  /** the manager topic (default ironic.conductor_manager); tests use their own to stay apart on a shared broker */
  topic?: string;
}

export interface RunningSimulator extends Simulator {
  listener: Listener;
}

/** Starts a simulated conductor serving `ironic.conductor_manager` (and `.<host>`) on `transport`. */
export async function startSimulator(opts: StartOptions): Promise<RunningSimulator> {
  const sim = createSimulator(opts);
  let listener: Listener;
  try {
    listener = await opts.transport.serve(
      { topic: opts.topic ?? MANAGER_TOPIC, server: opts.host, exchange: opts.exchange },
      sim.endpoint,
    );
  } catch (err) {
    await sim.stop();
    throw err;
  }
  (opts.logger ?? silent).info({ host: opts.host, nodes: sim.store.nodes.rows.size }, 'simulated conductor started');
  return {
    ...sim,
    listener,
    async stop() {
      await listener.stop();
      await sim.stop();
    },
  };
}
