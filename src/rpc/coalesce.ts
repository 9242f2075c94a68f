/**
 * Read coalescing: identical reads that arrive while one is in flight share the conductor's next
 * answer instead of each costing the conductor a call of its own.
 *
 * A read here is an indirection class method that only reads (`object_class_action_versions`
 * with a `get…` or `list…` method: Node.get_by_uuid, Port.list …). Two reads are identical when
 * everything sent but the request ids is: target, RPC version, arguments (the object versions
 * asked for included) and the caller's context (user, project, roles, token …), so callers with
 * different credentials never share an answer.
 *
 * The freshness rule, which makes this no cache: a read is answered only by a call *sent after
 * it arrived*. The first read of a key is sent at once. Reads arriving while it is in flight do
 * not take its answer (it may predate them, e.g. a write that finished just before they came);
 * they wait together for it to end, then one call is sent for all of them, and so on. Every
 * answer therefore reflects the conductor's state at some moment after its request arrived, as
 * an uncoalesced call's would. Under concurrent identical reads the conductor answers at most
 * two calls per key at a time (one in flight, one waiting) whatever the number of callers.
 *
 * Bounds: each waiting read keeps its own deadline (its timeout from when it arrived); one
 * that passes ends that read with MessagingTimeout, as its own call would have. A call is sent
 * for the waiting reads with the latest of their deadlines and not at all once none waits.
 * Each caller gets its own copy of the answer (handlers may change what they get); an error is
 * the same object for all of them. Nothing is kept once a key's last call ends.
 */
import { MessagingTimeout } from './errors.ts';
import type { Endpoint, Listener, OutgoingMessage, Target, Transport } from './types.ts';

/** Counts of what the coalescer did, for metrics. */
export interface CoalesceCounts {
  /** reads sent to the conductor */
  sent: number;
  /** reads answered by a call sent for another read as well */
  joined: number;
}

/** True for a call that only reads: an indirection `get…`/`list…` class method. */
export function isCoalescableRead(message: OutgoingMessage): boolean {
  if (message.method !== 'object_class_action_versions') return false;
  const m = message.args.objmethod;
  return typeof m === 'string' && (m.startsWith('get') || m.startsWith('list'));
}

/** What two reads must share to share an answer: all that is sent but the request ids. */
function keyOf(target: Target, message: OutgoingMessage): string {
  const { request_id: _r, global_request_id: _g, ...context } = message.context;
  return JSON.stringify([
    target.exchange ?? null,
    target.topic,
    target.server ?? null,
    target.fanout ?? false,
    message.method,
    message.version,
    message.args,
    context,
  ]);
}

interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  deadline: number;
  timer: NodeJS.Timeout;
  done: boolean;
}

/** The reads waiting for the call after the one in flight. */
interface Batch {
  target: Target;
  message: OutgoingMessage;
  waiters: Waiter[];
}

interface Key {
  next: Batch | null;
}

export class CoalescingTransport implements Transport {
  private readonly keys = new Map<string, Key>();
  readonly counts: CoalesceCounts = { sent: 0, joined: 0 };

  constructor(private readonly inner: Transport) {}

  /** Keys with a call in flight (for tests: nothing is kept once calls end). */
  get inFlight(): number {
    return this.keys.size;
  }

  call(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    if (!isCoalescableRead(message)) return this.inner.call(target, message, timeoutMs);
    const k = keyOf(target, message);
    const key = this.keys.get(k);
    if (!key) {
      const fresh: Key = { next: null };
      this.keys.set(k, fresh);
      return this.send(k, fresh, target, message, timeoutMs);
    }
    // a call is in flight for this key, sent before this read arrived: wait for the next one
    if (!key.next) key.next = { target, message, waiters: [] };
    const batch = key.next;
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        deadline: Date.now() + timeoutMs,
        done: false,
        timer: setTimeout(() => {
          waiter.done = true;
          reject(
            new MessagingTimeout(
              `Timed out after ${timeoutMs} ms waiting for a reply to ${message.method} (${String(message.args.objname)}.${String(message.args.objmethod)}), coalesced with identical reads`,
            ),
          );
        }, timeoutMs),
      };
      batch.waiters.push(waiter);
    });
  }

  /** Sends one call for `k`; when it ends, sends the next batch's call if any read still waits. */
  private send(k: string, key: Key, target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    this.counts.sent++;
    const reply = this.inner.call(target, message, timeoutMs);
    const after = (): void => {
      const batch = key.next;
      key.next = null;
      const waiting = batch ? batch.waiters.filter((w) => !w.done) : [];
      if (!batch || waiting.length === 0) {
        this.keys.delete(k);
        return;
      }
      const deadline = Math.max(...waiting.map((w) => w.deadline));
      this.counts.joined += waiting.length - 1;
      const settle = (ok: boolean, value: unknown): void => {
        let first = true;
        for (const w of waiting) {
          if (w.done) continue;
          w.done = true;
          clearTimeout(w.timer);
          if (!ok) w.reject(value as Error);
          else {
            w.resolve(first ? value : structuredClone(value));
            first = false;
          }
        }
      };
      this.send(k, key, batch.target, batch.message, Math.max(1, deadline - Date.now())).then(
        (v) => settle(true, v),
        (e: unknown) => settle(false, e),
      );
    };
    reply.then(after, after);
    return reply;
  }

  cast(target: Target, message: OutgoingMessage): Promise<void> {
    return this.inner.cast(target, message);
  }

  serve(
    target: Required<Pick<Target, 'topic' | 'server'>> & Pick<Target, 'exchange'>,
    endpoint: Endpoint,
  ): Promise<Listener> {
    return this.inner.serve(target, endpoint);
  }

  connect(): void {
    this.inner.connect();
  }

  isConnected(): boolean {
    return this.inner.isConnected();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
