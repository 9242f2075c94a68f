/**
 * Reads that wait for a call sent for them with others (coalesce.ts, batch.ts): each keeps its
 * own deadline, as its own call would have, and is settled once.
 */
import { MessagingTimeout } from './errors.ts';
import type { OutgoingMessage } from './types.ts';

export interface Waiter {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  /** when its own call would have timed out (ms since the epoch) */
  deadline: number;
  timer: NodeJS.Timeout;
  done: boolean;
}

/**
 * A read of `message` that waits, handed to `add` with `extra`: it ends with MessagingTimeout
 * `timeoutMs` from now unless settled before; `how` says what it waited with.
 */
export function waitFor<W extends object>(
  message: OutgoingMessage,
  timeoutMs: number,
  how: string,
  extra: W,
  add: (w: Waiter & W) => void,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const w: Waiter & W = {
      ...extra,
      resolve,
      reject,
      deadline: Date.now() + timeoutMs,
      done: false,
      timer: setTimeout(() => {
        w.done = true;
        reject(
          new MessagingTimeout(
            `Timed out after ${timeoutMs} ms waiting for a reply to ${message.method} (${String(message.args.objname)}.${String(message.args.objmethod)}), ${how}`,
          ),
        );
      }, timeoutMs),
    };
    add(w);
  });
}

/** Ends a waiting read with `value` (or the error), unless it has ended. */
export function settle(w: Waiter, ok: boolean, value: unknown): void {
  if (w.done) return;
  w.done = true;
  clearTimeout(w.timer);
  if (ok) w.resolve(value);
  else w.reject(value as Error);
}

/** The timeout of a call sent for `waiters`: what is left of the latest of their deadlines. */
export function timeLeft(waiters: readonly Waiter[]): number {
  return Math.max(1, Math.max(...waiters.map((w) => w.deadline)) - Date.now());
}
