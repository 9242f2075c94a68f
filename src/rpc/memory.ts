/**
 * In-process transport: `memory://` or `memory://<name>`. Every transport opened with the same
 * name in this process shares one bus, so the gateway and an embedded simulated conductor meet.
 * Messages travel as the same encoded bytes as on the broker (rpc/wire.ts), asynchronously.
 */
import { MessageUndeliverable, TransportUnavailable } from './errors.ts';
import { PendingCalls } from './pending.ts';
import type { Endpoint, Listener, OutgoingMessage, Target, Transport } from './types.ts';
import { answer, decodeEnvelope, encodeRequest, newId, parseReply, parseRequest, routingKey } from './wire.ts';

type Deliver = (body: Buffer) => void;

/** One named bus: routing keys to consumers (round-robin, as a shared AMQP queue) and reply queues. */
class Bus {
  readonly queues = new Map<string, { consumers: Deliver[]; next: number }>();
  readonly fanouts = new Map<string, Set<Deliver>>();
  readonly replyQueues = new Map<string, Deliver>();

  bind(key: string, deliver: Deliver): () => void {
    const q = this.queues.get(key) ?? { consumers: [], next: 0 };
    this.queues.set(key, q);
    q.consumers.push(deliver);
    return () => {
      const cur = this.queues.get(key);
      if (!cur) return;
      cur.consumers = cur.consumers.filter((d) => d !== deliver);
      if (cur.consumers.length === 0) this.queues.delete(key);
    };
  }

  /** Delivers to one consumer of `key`; false when nobody consumes it (AMQP basic.return). */
  route(key: string, body: Buffer): boolean {
    const q = this.queues.get(key);
    if (!q || q.consumers.length === 0) return false;
    const deliver = q.consumers[q.next++ % q.consumers.length];
    setImmediate(() => deliver(body));
    return true;
  }
}

const buses = new Map<string, Bus>();

/**
 * The bus a `memory://[name]` URL names ('default' when none), or null when `url` is not one:
 * the one parser of memory:// URLs (settings, transport choice, gateway).
 */
export function memoryBusName(url: string): string | null {
  const m = /^memory:\/\/([\w.-]*)\/?$/.exec(url);
  return m ? m[1] || 'default' : null;
}

/** True for a well-formed `memory://[name]` URL. */
export function isMemoryUrl(url: string): boolean {
  return memoryBusName(url) !== null;
}

export class MemoryTransport implements Transport {
  private readonly bus: Bus;
  private readonly replyQ = `reply_${newId()}`;
  private readonly pending = new PendingCalls();
  private readonly listeners = new Set<() => void>();
  private closed = false;

  constructor(
    url = 'memory://',
    private readonly defaultExchange = 'ironic',
  ) {
    const name = memoryBusName(url);
    if (name === null) throw new TypeError(`not a memory transport URL: ${url}`);
    const bus = buses.get(name) ?? new Bus();
    buses.set(name, bus);
    this.bus = bus;
    this.bus.replyQueues.set(this.replyQ, (body) => this.onReply(body));
  }

  private key(target: Target): string {
    return `${target.exchange ?? this.defaultExchange}/${routingKey(target)}`;
  }

  private onReply(body: Buffer): void {
    this.pending.settle(parseReply(decodeEnvelope(body)));
  }

  call(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    if (this.closed) return Promise.reject(new TransportUnavailable('memory transport is closed'));
    const msgId = newId();
    let body: Buffer;
    try {
      body = encodeRequest(message, { msgId, replyQ: this.replyQ, timeout: null });
    } catch (err) {
      return Promise.reject(err);
    }
    const reply = this.pending.wait(msgId, timeoutMs, message.method);
    if (!this.publish(target, body))
      this.pending.fail(msgId, new MessageUndeliverable(`no consumer for ${routingKey(target)} (${message.method})`));
    return reply;
  }

  async cast(target: Target, message: OutgoingMessage): Promise<void> {
    if (this.closed) throw new TransportUnavailable('memory transport is closed');
    if (!this.publish(target, encodeRequest(message, null))) {
      throw new MessageUndeliverable(`no consumer for ${routingKey(target)} (${message.method})`);
    }
  }

  private publish(target: Target, body: Buffer): boolean {
    if (target.fanout) {
      const set = this.bus.fanouts.get(this.key({ ...target, server: undefined }));
      if (!set || set.size === 0) return false;
      for (const d of set) setImmediate(() => d(body));
      return true;
    }
    return this.bus.route(this.key(target), body);
  }

  async serve(
    target: Required<Pick<Target, 'topic' | 'server'>> & Pick<Target, 'exchange'>,
    endpoint: Endpoint,
  ): Promise<Listener> {
    if (this.closed) throw new TransportUnavailable('memory transport is closed');
    const deliver: Deliver = (body) => void this.dispatch(endpoint, body);
    const unbindTopic = this.bus.bind(this.key({ ...target, server: undefined }), deliver);
    const unbindServer = this.bus.bind(this.key(target), deliver);
    const fanoutKey = this.key({ exchange: target.exchange, topic: target.topic });
    const set = this.bus.fanouts.get(fanoutKey) ?? new Set();
    this.bus.fanouts.set(fanoutKey, set);
    set.add(deliver);
    const stop = (): void => {
      unbindTopic();
      unbindServer();
      this.bus.fanouts.get(fanoutKey)?.delete(deliver);
      this.listeners.delete(stop);
    };
    this.listeners.add(stop);
    return { stop: async () => stop() };
  }

  private async dispatch(endpoint: Endpoint, body: Buffer): Promise<void> {
    const { request, msgId, replyQ } = parseRequest(decodeEnvelope(body));
    const reply = await answer(endpoint, request, msgId ?? '');
    if (!msgId || !replyQ) return;
    const deliver = this.bus.replyQueues.get(replyQ);
    if (deliver) setImmediate(() => deliver(reply));
  }

  connect(): void {
    // in-process: nothing to connect
  }

  isConnected(): boolean {
    return !this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stop of [...this.listeners]) stop();
    this.bus.replyQueues.delete(this.replyQ);
    this.pending.failAll(new TransportUnavailable('memory transport closed while the call was in flight'));
  }
}
