import type { Endpoint, Listener, OutgoingMessage, Target, Transport } from './types.ts';

/**
 * A transport that hands everything to `inner`: the base of the read decorators (coalesce.ts,
 * batch.ts), which change how `call` sends reads and leave the rest as it is.
 */
export abstract class ForwardingTransport implements Transport {
  constructor(protected readonly inner: Transport) {}

  call(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    return this.inner.call(target, message, timeoutMs);
  }

  /**
   * `inner.call`, a synchronous throw turned into a rejection: a decorator counting calls in
   * flight must see every call end, or it would wait for one forever.
   */
  protected forward(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    try {
      return this.inner.call(target, message, timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
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
