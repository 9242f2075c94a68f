/** What every part of the simulated conductor shares: its host, database, tasks and timing. */
import type { Store } from './store.ts';
import type { Logger, TaskManager, WorkerPool } from './tasks.ts';

export interface Sim {
  host: string;
  /** the RPC API version this conductor serves (its release's; UnsupportedVersion above it) */
  rpcVersion: string;
  /**
   * its release's object versions, at which lists are serialized (a conductor sends the
   * objects of a list at its own versions; a single object at the caller's); absent: each
   * class's newest, traits at 1.0
   */
  objectVersions?: Readonly<Record<string, string>>;
  store: Store;
  tasks: TaskManager;
  pool: WorkerPool;
  /** how long a long action (deploy, clean, inspect, …) takes */
  actionDelayMs: number;
  logger: Logger;
  /** this conductor's row id (conductor_affinity) */
  conductorId(): number | null;
  /** waits `ms`, or less if the simulator is stopping */
  sleep(ms: number): Promise<void>;
}

/** RPC arguments as received: keyword arguments by name. */
export type Args = Record<string, unknown>;

export const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const asObject = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
