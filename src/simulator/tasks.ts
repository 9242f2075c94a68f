/**
 * Ironic's task manager and worker pool: an exclusive task reserves the node for this conductor
 * (NodeLocked for anyone else), a shared task only reads; work spawned by a task runs after the
 * request returns, on a bounded pool (NoFreeConductorWorker when full), holding the node's lock
 * until it finishes.
 */
import { ironicError } from '../conductor/exceptions.ts';
import type { NodeRow, Store } from './store.ts';

export type Work = () => Promise<void> | void;

export interface Logger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

export class WorkerPool {
  private busy = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(
    readonly size: number,
    private readonly logger?: Logger,
  ) {}

  get free(): number {
    return this.size - this.busy;
  }

  /** Takes a worker now or throws NoFreeConductorWorker, as Ironic's _spawn_worker. */
  reserve(): () => void {
    if (this.busy >= this.size) {
      throw ironicError(
        'NoFreeConductorWorker',
        'Requested action cannot be performed due to lack of free conductor workers.',
      );
    }
    this.busy++;
    let released = false;
    return () => {
      if (!released) {
        released = true;
        this.busy--;
      }
    };
  }

  /** Runs `work` on an already reserved worker. */
  run(work: Work, release: () => void): void {
    const p = (async () => {
      try {
        await work();
      } catch (err) {
        this.logger?.error({ err }, 'simulated conductor: background work failed');
      } finally {
        release();
      }
    })();
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  /** Resolves when every running piece of work has ended. */
  async drain(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }
}

export class Task {
  private spawned: { work: Work; release: () => void } | null = null;

  constructor(
    readonly node: NodeRow,
    public shared: boolean,
    private readonly host: string,
  ) {}

  /** Upgrades a shared task to exclusive (task.upgrade_lock). */
  upgradeLock(): void {
    if (!this.shared) return;
    reserveNode(this.node, this.host);
    this.shared = false;
  }

  /**
   * Schedules `work` to run after the request returns (task.spawn_after). The worker is taken
   * here, before the caller changes any state, so a full pool leaves the node untouched.
   */
  spawnAfter(pool: WorkerPool, work: Work): void {
    if (this.spawned) throw new Error('a task spawns at most one piece of work');
    this.spawned = { work, release: pool.reserve() };
  }

  /** @internal */
  takeSpawned(): { work: Work; release: () => void } | null {
    const s = this.spawned;
    this.spawned = null;
    return s;
  }
}

function reserveNode(node: NodeRow, host: string): void {
  if (node.reservation !== null) {
    throw ironicError(
      'NodeLocked',
      `Node ${node.uuid} is locked by host ${node.reservation}, please retry after the current operation is completed.`,
      { node: node.uuid, host: node.reservation },
    );
  }
  node.reservation = host;
}

export class TaskManager {
  constructor(
    private readonly store: Store,
    readonly host: string,
    readonly pool: WorkerPool,
  ) {}

  /**
   * Runs `body` under a task on the node (task_manager.acquire as a context manager). An
   * exclusive task's reservation is released when `body` ends, or when its spawned work ends.
   */
  async with<T>(
    nodeId: unknown,
    opts: { shared?: boolean; purpose: string },
    body: (task: Task) => T | Promise<T>,
  ): Promise<T> {
    const node = this.store.node(nodeId);
    const shared = opts.shared ?? false;
    if (!shared) reserveNode(node, this.host);
    const task = new Task(node, shared, this.host);
    const release = (): void => {
      if (!task.shared && node.reservation === this.host) node.reservation = null;
    };
    let result: T;
    try {
      result = await body(task);
    } catch (err) {
      task.takeSpawned()?.release();
      release();
      throw err;
    }
    const spawned = task.takeSpawned();
    if (!spawned) {
      release();
      return result;
    }
    this.pool.run(async () => {
      try {
        await spawned.work();
      } finally {
        release();
      }
    }, spawned.release);
    return result;
  }
}
