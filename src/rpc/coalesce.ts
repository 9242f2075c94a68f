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
 * an uncoalesced call's would. Under concurrent identical reads the conductor answers one call
 * per key at a time (one more per `holdMs` while one hangs) whatever the number of callers.
 *
 * Bounds: each waiting read keeps its own deadline (its timeout from when it arrived); one
 * that passes ends that read with MessagingTimeout, as its own call would have. A call is sent
 * for the waiting reads with the latest of their deadlines and not at all once none waits.
 * Reads wait for a call in flight at most `holdMs` (1 s): past it their call is sent anyway,
 * so a conductor that stopped answering (killed, stopped) holds back the reads that come after
 * it no longer than that once a conductor answers again.
 * Each caller gets its own copy of the answer (handlers may change what they get); an error is
 * the same object for all of them. Nothing is kept once a key's last call ends.
 */
import { ForwardingTransport } from './forwarding.ts';
import type { OutgoingMessage, Target, Transport } from './types.ts';
import { settle, timeLeft, type Waiter, waitFor } from './waiting.ts';

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

/**
 * What two reads must share to share an answer: all that is sent but the request ids (and
 * `args` stands for the message's arguments: the batcher leaves out what varies in a batch).
 */
export function keyOf(target: Target, message: OutgoingMessage, args: unknown = message.args): string {
  const { request_id: _r, global_request_id: _g, ...context } = message.context;
  return JSON.stringify([
    target.exchange ?? null,
    target.topic,
    target.server ?? null,
    target.fanout ?? false,
    message.method,
    message.version,
    args,
    context,
  ]);
}

/** The reads waiting for the next call of their key. */
interface Batch {
  target: Target;
  message: OutgoingMessage;
  waiters: Waiter[];
  /** sends the batch's call after `holdMs` even if no call of the key has ended */
  hold: NodeJS.Timeout;
}

interface Key {
  /** calls of this key in flight */
  inFlight: number;
  next: Batch | null;
}

export interface CoalescingOptions {
  /**
   * The longest reads wait for a call in flight to end before their own is sent anyway (ms):
   * a conductor that stopped answering holds the reads behind it no longer than this, so
   * reads are served again within it once a conductor answers (1000 by default).
   */
  holdMs?: number;
}

export class CoalescingTransport extends ForwardingTransport {
  private readonly keys = new Map<string, Key>();
  private readonly holdMs: number;
  readonly counts: CoalesceCounts = { sent: 0, joined: 0 };

  constructor(inner: Transport, options: CoalescingOptions = {}) {
    super(inner);
    this.holdMs = options.holdMs ?? 1000;
  }

  /** Keys with a call in flight or reads waiting (for tests: nothing is kept once calls end). */
  get inFlight(): number {
    return this.keys.size;
  }

  override call(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    if (!isCoalescableRead(message)) return this.inner.call(target, message, timeoutMs);
    const k = keyOf(target, message);
    const key = this.keys.get(k);
    if (!key) {
      const fresh: Key = { inFlight: 0, next: null };
      this.keys.set(k, fresh);
      return this.send(k, fresh, target, message, timeoutMs);
    }
    // a call is in flight for this key, sent before this read arrived: wait for the next one
    if (!key.next) {
      key.next = { target, message, waiters: [], hold: setTimeout(() => this.flush(k, key), this.holdMs) };
    }
    const batch = key.next;
    return waitFor(message, timeoutMs, 'coalesced with identical reads', {}, (w) => batch.waiters.push(w));
  }

  /** Sends one call for `k`; when it ends, sends the waiting reads' call, if any. */
  private send(k: string, key: Key, target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    this.counts.sent++;
    key.inFlight++;
    const reply = this.forward(target, message, timeoutMs);
    const after = (): void => {
      key.inFlight--;
      this.flush(k, key);
    };
    reply.then(after, after);
    return reply;
  }

  /**
   * Sends the call of the reads waiting on `k` (every one of them arrived before it is sent),
   * with the latest of their deadlines; forgets the key once nothing is in flight or waiting.
   */
  private flush(k: string, key: Key): void {
    const batch = key.next;
    key.next = null;
    if (batch) clearTimeout(batch.hold);
    const waiting = batch ? batch.waiters.filter((w) => !w.done) : [];
    if (!batch || waiting.length === 0) {
      if (key.inFlight === 0) this.keys.delete(k);
      return;
    }
    this.counts.joined += waiting.length - 1;
    // the first still waiting gets the answer, every other one its own copy; an error is shared
    const settleAll = (ok: boolean, value: unknown): void => {
      let first = true;
      for (const w of waiting) {
        if (w.done) continue;
        settle(w, ok, ok && !first ? structuredClone(value) : value);
        first = false;
      }
    };
    this.send(k, key, batch.target, batch.message, timeLeft(waiting)).then(
      (v) => settleAll(true, v),
      (e: unknown) => settleAll(false, e),
    );
  }
}
