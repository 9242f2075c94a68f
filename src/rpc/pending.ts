/**
 * Calls waiting for their reply, by `_msg_id`: each ends with its reply, its timeout
 * (MessagingTimeout) or a transport failure; a reply to a call no longer waiting is dropped.
 */
import { MessagingTimeout } from './errors.ts';
import type { ParsedReply } from './wire.ts';

interface Waiting {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
  /** a result that came in a message without `ending` (oslo before 2.x sent it separately) */
  result?: unknown;
}

export class PendingCalls {
  private readonly waiting = new Map<string, Waiting>();

  get size(): number {
    return this.waiting.size;
  }

  /** Waits for the reply to `msgId`; MessagingTimeout after `timeoutMs`. Register before publishing. */
  wait(msgId: string, timeoutMs: number, what: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(msgId);
        reject(
          new MessagingTimeout(`Timed out waiting for a reply to message ID ${msgId} (${what}) after ${timeoutMs} ms`),
        );
      }, timeoutMs);
      this.waiting.set(msgId, { resolve, reject, timer });
    });
  }

  /** Delivers a reply; returns false when nobody waits for it (late or unknown). */
  settle(reply: ParsedReply): boolean {
    if (!reply.msgId) return false;
    const w = this.waiting.get(reply.msgId);
    if (!w) return false;
    if (reply.failure) {
      this.finish(reply.msgId, w);
      w.reject(reply.failure);
    } else if (!reply.ending) {
      w.result = reply.result;
    } else {
      this.finish(reply.msgId, w);
      w.resolve(reply.result ?? w.result ?? null);
    }
    return true;
  }

  /** Ends one call with an error (e.g. its message was returned unroutable). */
  fail(msgId: string, err: Error): void {
    const w = this.waiting.get(msgId);
    if (!w) return;
    this.finish(msgId, w);
    w.reject(err);
  }

  /** Ends every call with an error (the connection they were sent on is gone). */
  failAll(err: Error): void {
    for (const [id, w] of [...this.waiting]) {
      this.finish(id, w);
      w.reject(err);
    }
  }

  private finish(msgId: string, w: Waiting): void {
    clearTimeout(w.timer);
    this.waiting.delete(msgId);
  }
}
