/**
 * The RPC layer's contract: what a transport offers to callers (the gateway's RPC client) and
 * to servers (a conductor such as the simulator). Generic: nothing here knows Ironic's methods.
 */

/** Where a message goes: oslo.messaging's Target. */
export interface Target {
  /** AMQP exchange (oslo's control_exchange); the transport's default when absent */
  exchange?: string;
  /** e.g. `ironic.conductor_manager` */
  topic: string;
  /** a conductor's host name: routing key `<topic>.<server>` */
  server?: string;
  /** cast to every server of the topic */
  fanout?: boolean;
}

/** One RPC request as sent: the inner oslo.message without the transport's own keys. */
export interface OutgoingMessage {
  method: string;
  args: Record<string, unknown>;
  version: string;
  /** `_context_*` keys without the prefix (see conductor/context.ts toWireContext) */
  context: Record<string, unknown>;
}

/** One RPC request as received by a server. */
export interface IncomingRequest {
  method: string;
  args: Record<string, unknown>;
  version: string;
  context: Record<string, unknown>;
}

/**
 * A server's handler. Its return value is the reply's `result` (JSON-encodable); a thrown
 * RemoteError (rpc/errors.ts) becomes the reply's `failure` with that class name, message and
 * kwargs; any other thrown Error is sent with its `name` as the class.
 */
export type Endpoint = (request: IncomingRequest) => Promise<unknown>;

export interface Listener {
  stop(): Promise<void>;
}

export interface Transport {
  /** Sends and waits for the reply; rejects with MessagingTimeout, MessageUndeliverable, TransportUnavailable or RemoteError. */
  call(target: Target, message: OutgoingMessage, timeoutMs: number): Promise<unknown>;
  /** Sends with no reply; resolves once the broker has accepted the message. */
  cast(target: Target, message: OutgoingMessage): Promise<void>;
  /** Consumes `topic` and `topic.server` (and the topic's fanout) and answers with `endpoint`. */
  serve(
    target: Required<Pick<Target, 'topic' | 'server'>> & Pick<Target, 'exchange'>,
    endpoint: Endpoint,
  ): Promise<Listener>;
  /**
   * Starts connecting now, and reconnecting whenever the link drops, instead of at the first
   * call: a gateway reports itself healthy only once connected, and nothing would call before.
   */
  connect(): void;
  /** True while the transport believes it can send (for health checks). */
  isConnected(): boolean;
  close(): Promise<void>;
}
