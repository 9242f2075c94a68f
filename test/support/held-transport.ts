import type { Endpoint, Listener, OutgoingMessage, Target, Transport } from '../../src/rpc/types.ts';

/** A transport whose calls stay open until the test answers them, in the order they were sent. */
export class HeldTransport implements Transport {
  readonly sent: {
    message: OutgoingMessage;
    timeoutMs: number;
    answer: (v: unknown) => void;
    fail: (e: Error) => void;
  }[] = [];
  call(_t: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    return new Promise((answer, fail) => this.sent.push({ message, timeoutMs, answer, fail }));
  }
  async cast(): Promise<void> {}
  serve(_t: Target, _e: Endpoint): Promise<Listener> {
    throw new Error('not here');
  }
  connect(): void {}
  isConnected(): boolean {
    return true;
  }
  async close(): Promise<void> {}
}
