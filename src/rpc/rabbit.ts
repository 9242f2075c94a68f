/**
 * Transport `rabbit://user:pass@host:port/vhost[,user:pass@host2:port]` on amqplib, speaking
 * oslo.messaging's rabbit driver as Ironic uses it (see rpc/wire.ts for the messages).
 *
 * Client: requests go to the topic exchange (`ironic`) with `mandatory`, so a routing key
 * nobody consumes comes back at once (MessageUndeliverable); replies arrive on this connection's
 * `reply_<hex>` queue, an exclusive one: every RabbitMQ accepts it, including a 4.x that refuses
 * transient non-exclusive queues (`deprecated_features.permit.transient_nonexcl_queues = false`),
 * and it goes with the connection (calls in flight fail with it anyway). Server (`serve`): the
 * shared topic queue, the per-host queue and a fanout queue, as a conductor declares them with
 * the same oslo.messaging options (`rabbit_quorum_queue`, `rabbit_transient_quorum_queue`,
 * `amqp_durable_queues`, which also set the exchanges' durability, so the gateway's declarations
 * match the conductors'); replies go to `_reply_q` on the default exchange.
 *
 * One connection at a time, to the hosts in turn; when it drops, every call in flight fails at
 * once (TransportUnavailable), and the transport reconnects with backoff and re-declares its
 * reply queue and servers. Sockets use TCP_NODELAY (Nagle + delayed ACK costs ~40 ms a call).
 */
import {
  connect,
  type Channel,
  type ChannelModel,
  type ConfirmChannel,
  type ConsumeMessage,
  type Message,
} from 'amqplib';
import { MessageUndeliverable, TransportUnavailable } from './errors.ts';
import { PendingCalls } from './pending.ts';
import { parseRabbitUrl, type RabbitHost } from './rabbit-url.ts';
import type { Endpoint, Listener, OutgoingMessage, Target, Transport } from './types.ts';
import {
  answer,
  decodeEnvelope,
  encodeRequest,
  newId,
  parseReply,
  parseRequest,
  requestProperties,
  routingKey,
} from './wire.ts';

/** oslo's rabbit_transient_queues_ttl: reply and fanout queues expire 30 min after last use. */
export const TRANSIENT_QUEUE_TTL_MS = 1_800_000;

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface RabbitOptions {
  /** oslo's control_exchange */
  exchange: string;
  /** AMQP heartbeat, seconds (0 disables) */
  heartbeatS: number;
  /** first reconnect delay; doubles up to reconnectMaxDelayMs, with jitter */
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  /** TCP connect timeout per host */
  connectTimeoutMs: number;
  /** how long a cast waits for the broker's confirm */
  castTimeoutMs: number;
  /** oslo's rabbit_quorum_queue: topic and per-host queues are quorum queues; the control exchange is durable */
  quorumQueues: boolean;
  /** oslo's rabbit_transient_quorum_queue: fanout queues are quorum queues; fanout exchanges are durable */
  transientQuorumQueues: boolean;
  /** oslo's amqp_durable_queues: the control exchange and the topic queues are durable */
  durableQueues: boolean;
  /**
   * How long a call or cast waits for a connection when there is none (start-up, or the broker
   * is away): short, so that a request fails fast with TransportUnavailable (503) instead of
   * hanging for its whole RPC timeout while the transport reconnects in the background.
   */
  connectWaitMs: number;
  logger?: Logger;
}

const DEFAULTS: RabbitOptions = {
  exchange: 'ironic',
  heartbeatS: 30,
  reconnectInitialDelayMs: 100,
  reconnectMaxDelayMs: 5000,
  connectTimeoutMs: 5000,
  castTimeoutMs: 30_000,
  connectWaitMs: 1000,
  quorumQueues: false,
  transientQuorumQueues: false,
  durableQueues: false,
};

type PublishOptions = ReturnType<typeof requestProperties> & { mandatory: true };

/**
 * A call's publish options by timeout, built once: nearly every call uses the default timeout,
 * and amqplib only reads them.
 */
const callOptions = new Map<number, Readonly<PublishOptions>>();
function publishOptions(timeoutMs: number): Readonly<PublishOptions> {
  let o = callOptions.get(timeoutMs);
  if (o === undefined) {
    if (callOptions.size >= 64) callOptions.clear();
    o = Object.freeze({ ...requestProperties(timeoutMs), mandatory: true as const });
    callOptions.set(timeoutMs, o);
  }
  return o;
}
const CAST_OPTIONS: Readonly<PublishOptions> = Object.freeze({ ...requestProperties(null), mandatory: true as const });
const REPLY_OPTIONS = Object.freeze(requestProperties(null));

type ServeTarget = Required<Pick<Target, 'topic' | 'server'>> & Pick<Target, 'exchange'>;

interface Server {
  target: ServeTarget;
  endpoint: Endpoint;
  channel: Channel | null;
}

interface Link {
  model: ChannelModel;
  /** calls and the reply consumer */
  channel: Channel;
  /** casts, which wait for the broker's confirm */
  confirm: ConfirmChannel;
  host: RabbitHost;
  exchanges: Set<string>;
  /** this connection's exclusive reply queue */
  replyQueue: string;
}

export class RabbitTransport implements Transport {
  private readonly hosts: RabbitHost[];
  private readonly options: RabbitOptions;
  /** the reply queue of the current (or last) connection, `reply_<uuid hex>` */
  private lastReplyQueue = '';
  private readonly pending = new PendingCalls();
  /** casts awaiting their confirm, by `_unique_id`: true once the broker returned them */
  private readonly casts = new Map<string, boolean>();
  private readonly servers = new Set<Server>();
  private link: Link | null = null;
  private connecting: Promise<void> | null = null;
  private waiters: Array<() => void> = [];
  private nextHost = 0;
  private closed = false;
  private sleepTimer: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  constructor(url: string, options: Partial<RabbitOptions> = {}) {
    this.hosts = parseRabbitUrl(url);
    this.options = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  }

  isConnected(): boolean {
    return this.link !== null;
  }

  /** the current connection's reply queue (a new one each connection: an exclusive queue of a
   *  half-dead connection may outlive it on the broker for a while) */
  get replyQueue(): string {
    return this.link?.replyQueue ?? this.lastReplyQueue;
  }

  /** oslo's `durable` for the control exchange and the topic queues */
  private get topicDurable(): boolean {
    return this.options.durableQueues || this.options.quorumQueues;
  }

  connect(): void {
    if (!this.closed && !this.link) this.startLoop();
  }

  /** Connects (or waits for the reconnect loop) for at most `waitMs`. */
  private async ready(waitMs: number): Promise<Link> {
    if (this.link) return this.link;
    if (this.closed) throw new TransportUnavailable('rabbit transport is closed');
    this.startLoop();
    let timer: NodeJS.Timeout | undefined;
    let waiter: (() => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        waiter = resolve;
        this.waiters.push(resolve);
        timer = setTimeout(
          () =>
            reject(
              new TransportUnavailable(
                `no connection to the message broker (${this.describeHosts()}) within ${waitMs} ms`,
              ),
            ),
          waitMs,
        );
      });
    } finally {
      clearTimeout(timer);
      this.waiters = this.waiters.filter((w) => w !== waiter);
    }
    if (!this.link) throw new TransportUnavailable('rabbit transport is closed');
    return this.link;
  }

  private describeHosts(): string {
    return this.hosts.map((h) => `${h.hostname}:${h.port}`).join(',');
  }

  private async connectLoop(): Promise<void> {
    for (let attempt = 0; !this.closed && !this.link; attempt++) {
      const host = this.hosts[this.nextHost % this.hosts.length];
      try {
        const link = await this.open(host);
        if (this.closed) {
          await link.model.close().catch(() => undefined);
          return;
        }
        this.link = link;
        this.connecting = null;
        this.options.logger?.info(
          { host: `${host.hostname}:${host.port}`, attempt },
          'connected to the message broker',
        );
        const ws = this.waiters;
        this.waiters = [];
        for (const w of ws) w();
        return;
      } catch (err) {
        this.nextHost++;
        const base = Math.min(
          this.options.reconnectMaxDelayMs,
          this.options.reconnectInitialDelayMs * 2 ** Math.min(attempt, 20),
        );
        const delay = Math.round(base * (0.8 + Math.random() * 0.4));
        this.options.logger?.warn(
          { host: `${host.hostname}:${host.port}`, err: String(err), delay },
          'message broker connection failed; retrying',
        );
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.sleepTimer = setTimeout(resolve, delay);
        });
        this.sleepTimer = null;
        this.wake = null;
      }
    }
  }

  private async open(host: RabbitHost): Promise<Link> {
    const model = await connect(
      {
        protocol: 'amqp',
        hostname: host.hostname,
        port: host.port,
        username: host.username,
        password: host.password,
        vhost: host.vhost,
        heartbeat: this.options.heartbeatS,
      },
      { noDelay: true, timeout: this.options.connectTimeoutMs },
    );
    try {
      const channel = await model.createChannel();
      const confirm = await model.createConfirmChannel();
      const replyQueue = `reply_${newId()}`;
      const link: Link = { model, channel, confirm, host, exchanges: new Set(), replyQueue };
      model.on('error', () => {
        /* 'close' follows and handles it */
      });
      model.on('close', (err?: Error) => this.lost(link, err));
      for (const ch of [channel, confirm]) {
        ch.on('error', () => {
          /* closes the channel; 'close' below */
        });
        // a channel closed by the broker (e.g. a precondition failure) takes the link down with it
        ch.on('close', () => this.restart(link, 'channel closed by the broker'));
        ch.on('return', (msg: Message) => this.onReturn(msg));
      }
      await this.declareExchange(link, this.options.exchange, 'topic');
      await channel.assertQueue(replyQueue, { durable: false, exclusive: true });
      this.lastReplyQueue = replyQueue;
      await channel.consume(
        replyQueue,
        (msg) => {
          // null: the broker cancelled our consumer (the reply queue was deleted); start afresh
          if (msg === null) this.restart(link, 'reply queue consumer cancelled by the broker');
          else this.onReply(msg);
        },
        { noAck: true },
      );
      for (const server of this.servers) await this.attach(model, server);
      return link;
    } catch (err) {
      await model.close().catch(() => undefined);
      throw err;
    }
  }

  private async declareExchange(link: Link, name: string, type: 'topic' | 'fanout'): Promise<void> {
    if (link.exchanges.has(name)) return;
    const durable = type === 'fanout' ? this.options.transientQuorumQueues : this.topicDurable;
    await link.channel.assertExchange(name, type, { durable, autoDelete: type === 'fanout' });
    link.exchanges.add(name);
  }

  private lost(link: Link, err?: Error): void {
    if (this.link !== link) return;
    this.link = null;
    for (const s of this.servers) s.channel = null;
    const why = err ? `: ${err.message}` : '';
    this.pending.failAll(
      new TransportUnavailable(`connection to the message broker ${link.host.hostname}:${link.host.port} lost${why}`),
    );
    if (this.closed) return;
    this.options.logger?.warn(
      { host: `${link.host.hostname}:${link.host.port}`, err: err?.message },
      'message broker connection lost; reconnecting',
    );
    this.nextHost++;
    this.startLoop();
  }

  /** One reconnect loop at a time; it ends (and clears `connecting`) when a link is up. */
  private startLoop(): void {
    if (this.connecting !== null) return;
    const loop = this.connectLoop();
    this.connecting = loop;
    void loop
      .catch(() => undefined)
      .finally(() => {
        if (this.connecting === loop) this.connecting = null;
      });
  }

  /** Drops a link that can no longer serve (its 'close' then fails calls and reconnects). */
  private restart(link: Link, why: string): void {
    if (this.link !== link) return;
    // forget the link at once: nothing may be published on a connection that is closing
    this.lost(link, new Error(why));
    void link.model.close().catch(() => undefined);
  }

  private onReply(msg: ConsumeMessage): void {
    try {
      this.pending.settle(parseReply(decodeEnvelope(msg.content)));
    } catch (err) {
      this.options.logger?.warn({ err: String(err) }, 'undecodable reply dropped');
    }
  }

  private onReturn(msg: Message): void {
    let inner: Record<string, unknown>;
    try {
      inner = decodeEnvelope(msg.content);
    } catch {
      return;
    }
    const what = `no consumer for ${msg.fields.routingKey} on exchange ${msg.fields.exchange} (${String(inner.method)})`;
    if (typeof inner._msg_id === 'string') this.pending.fail(inner._msg_id, new MessageUndeliverable(what));
    else if (typeof inner._unique_id === 'string' && this.casts.has(inner._unique_id))
      this.casts.set(inner._unique_id, true);
  }

  call(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown> {
    const exchange = target.exchange ?? this.options.exchange;
    const link = this.link;
    if (link?.exchanges.has(exchange)) return this.send(link, exchange, target, message, timeoutMs);
    // no link yet (or a new exchange): wait briefly for one, then send with what is left of the timeout
    const start = Date.now();
    return this.ready(Math.min(timeoutMs, this.options.connectWaitMs)).then(async (l) => {
      await this.declareExchange(l, exchange, 'topic');
      return this.send(l, exchange, target, message, Math.max(1, timeoutMs - (Date.now() - start)));
    });
  }

  private send(
    link: Link,
    exchange: string,
    target: Target,
    message: OutgoingMessage,
    timeoutMs: number,
  ): Promise<unknown> {
    const msgId = newId();
    let body: Buffer;
    try {
      body = encodeRequest(message, { msgId, replyQ: link.replyQueue, timeout: null });
    } catch (err) {
      return Promise.reject(err); // e.g. an argument JSON cannot carry
    }
    const reply = this.pending.wait(msgId, timeoutMs, message.method);
    try {
      link.channel.publish(exchange, routingKey(target), body, publishOptions(timeoutMs));
    } catch (err) {
      // amqplib throws when the channel is closing (the 'close' that follows resets the link)
      this.pending.fail(msgId, new TransportUnavailable(`could not publish ${message.method}: ${String(err)}`));
    }
    return reply;
  }

  async cast(target: Target, message: OutgoingMessage): Promise<void> {
    const link = await this.ready(Math.min(this.options.castTimeoutMs, this.options.connectWaitMs));
    let exchange = target.exchange ?? this.options.exchange;
    let key = routingKey(target);
    if (target.fanout) {
      exchange = `${target.topic}_fanout`;
      key = target.topic;
      await this.declareExchange(link, exchange, 'fanout');
    } else {
      await this.declareExchange(link, exchange, 'topic');
    }
    const uid = newId();
    const body = encodeRequest(message, null, uid);
    this.casts.set(uid, false);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new TransportUnavailable(
                `no confirm from the message broker for ${message.method} within ${this.options.castTimeoutMs} ms`,
              ),
            ),
          this.options.castTimeoutMs,
        );
        try {
          link.confirm.publish(exchange, key, body, CAST_OPTIONS, (err: unknown) => {
            clearTimeout(timer);
            if (err)
              reject(new TransportUnavailable(`the message broker did not accept ${message.method}: ${String(err)}`));
            else resolve();
          });
        } catch (err) {
          clearTimeout(timer);
          reject(new TransportUnavailable(`could not publish ${message.method}: ${String(err)}`));
        }
      });
      // the broker sends basic.return before basic.ack for the same message
      if (this.casts.get(uid))
        throw new MessageUndeliverable(`no consumer for ${key} on exchange ${exchange} (${message.method})`);
    } finally {
      this.casts.delete(uid);
    }
  }

  async serve(target: ServeTarget, endpoint: Endpoint): Promise<Listener> {
    const server: Server = { target, endpoint, channel: null };
    const link = await this.ready(this.options.castTimeoutMs);
    await this.attach(link.model, server);
    this.servers.add(server);
    return {
      stop: async () => {
        this.servers.delete(server);
        const ch = server.channel;
        server.channel = null;
        await ch?.close().catch(() => undefined);
      },
    };
  }

  /** Declares and consumes what a conductor does: topic queue, per-host queue, fanout queue. */
  private async attach(model: ChannelModel, server: Server): Promise<void> {
    const { topic, server: host } = server.target;
    const exchange = server.target.exchange ?? this.options.exchange;
    const ch = await model.createChannel();
    ch.on('error', () => undefined);
    ch.on('close', () => {
      // closed under a running server (not by stop() or a lost connection): recover everything
      if (server.channel === ch && this.servers.has(server) && this.link?.model === model)
        this.restart(this.link, 'server channel closed by the broker');
    });
    const { quorumQueues, transientQuorumQueues } = this.options;
    await ch.assertExchange(exchange, 'topic', { durable: this.topicDurable, autoDelete: false });
    for (const q of [topic, `${topic}.${host}`]) {
      await ch.assertQueue(q, {
        durable: this.topicDurable,
        autoDelete: false,
        arguments: quorumQueues ? { 'x-queue-type': 'quorum' } : {},
      });
      await ch.bindQueue(q, exchange, q);
    }
    const fanout = `${topic}_fanout`;
    const fanoutQ = `${topic}_fanout_${newId()}`;
    await ch.assertExchange(fanout, 'fanout', { durable: transientQuorumQueues, autoDelete: true });
    await ch.assertQueue(fanoutQ, {
      durable: transientQuorumQueues,
      autoDelete: false,
      arguments: {
        ...(transientQuorumQueues ? { 'x-queue-type': 'quorum' } : {}),
        'x-expires': TRANSIENT_QUEUE_TTL_MS,
      },
    });
    await ch.bindQueue(fanoutQ, fanout, topic);
    for (const q of [topic, `${topic}.${host}`, fanoutQ]) {
      await ch.consume(
        q,
        (msg) => {
          if (msg) void this.dispatch(ch, server.endpoint, msg);
          else if (this.link?.model === model) this.restart(this.link, `consumer of ${q} cancelled by the broker`);
        },
        { noAck: true },
      );
    }
    server.channel = ch;
  }

  private async dispatch(ch: Channel, endpoint: Endpoint, msg: ConsumeMessage): Promise<void> {
    let parsed: ReturnType<typeof parseRequest>;
    try {
      parsed = parseRequest(decodeEnvelope(msg.content));
    } catch (err) {
      this.options.logger?.warn({ err: String(err) }, 'undecodable request dropped');
      return;
    }
    const { msgId, replyQ } = parsed;
    const reply = await answer(endpoint, parsed.request, msgId ?? '');
    if (!msgId || !replyQ) return;
    try {
      ch.publish('', replyQ, reply, REPLY_OPTIONS);
    } catch (err) {
      this.options.logger?.warn({ err: String(err), replyQ }, 'reply not sent: channel closed');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sleepTimer) clearTimeout(this.sleepTimer);
    this.wake?.();
    for (const w of this.waiters) w();
    this.waiters = [];
    const link = this.link;
    this.link = null;
    this.pending.failAll(new TransportUnavailable('rabbit transport closed while the call was in flight'));
    if (link) await link.model.close().catch(() => undefined);
    await this.connecting?.catch(() => undefined);
  }
}
