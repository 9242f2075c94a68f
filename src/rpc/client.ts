/**
 * RpcClient: oslo.messaging's RPCClient over any Transport. Checks each method's RPC version
 * against the version cap, serializes the context and arguments, and deserializes the result.
 */
import { RpcVersionCapError } from './errors.ts';
import type { Target, Transport } from './types.ts';
import { parseVersion, versionWithin } from './version.ts';

/** Turns rich values (e.g. versioned objects) into JSON primitives and back (oslo's Serializer). */
export interface Serializer {
  serialize(value: unknown): unknown;
  deserialize(value: unknown): unknown;
}

export const identitySerializer: Serializer = { serialize: (v) => v, deserialize: (v) => v };

export interface RpcClientOptions<C> {
  /** default timeout for calls, in ms (rpc_response_timeout × 1000) */
  defaultTimeoutMs: number;
  /** highest RPC version this client may send; none means no cap */
  versionCap?: string;
  /** the context's wire keys, without the `_context_` prefix */
  serializeContext: (ctx: C) => Record<string, unknown>;
  serializer?: Serializer;
  /** told of every call and cast when it ends, e.g. to feed metrics */
  observer?: RpcObserver;
}

/** How one call or cast ended: `ok`, or the error's class (e.g. NodeLocked, MessagingTimeout). */
export interface RpcEvent {
  kind: 'call' | 'cast';
  method: string;
  outcome: string;
  seconds: number;
}

export type RpcObserver = (event: RpcEvent) => void;

/** The outcome label of a failure: a remote exception's class, else the local error's name. */
function outcomeOf(err: unknown): string {
  if (err && typeof err === 'object') {
    const e = err as { exc_type?: unknown; name?: unknown };
    if (typeof e.exc_type === 'string') return e.exc_type;
    if (typeof e.name === 'string') return e.name;
  }
  return 'Error';
}

export interface CallOptions {
  /** RPC version the method is sent at, e.g. '1.17' */
  version: string;
  /** overrides the default timeout */
  timeoutMs?: number;
}

export class RpcClient<C = Record<string, unknown>> {
  readonly defaultTimeoutMs: number;
  readonly versionCap: string | undefined;
  private readonly serializer: Serializer;

  constructor(
    readonly transport: Transport,
    private readonly options: RpcClientOptions<C>,
  ) {
    this.defaultTimeoutMs = options.defaultTimeoutMs;
    this.versionCap = options.versionCap;
    this.serializer = options.serializer ?? identitySerializer;
    if (options.versionCap) parseVersion(options.versionCap);
  }

  /** True when `version` is within the cap (oslo's can_send_version). */
  canSendVersion(version: string): boolean {
    return this.versionCap === undefined || versionWithin(this.versionCap, version);
  }

  private message(ctx: C, method: string, args: Record<string, unknown>, version: string) {
    if (!this.canSendVersion(version)) {
      throw new RpcVersionCapError(
        `Requested message version, ${version} is incompatible. It needs to be equal in major version and less than or equal in minor version as the specified version cap ${this.versionCap}.`,
      );
    }
    return {
      method,
      args: this.serializer.serialize(args) as Record<string, unknown>,
      version,
      context: this.options.serializeContext(ctx),
    };
  }

  /**
   * Sends `method` and waits for its reply (MessagingTimeout, MessageUndeliverable, TransportUnavailable, RemoteError).
   * Not an async function: a call is a handful of promise steps fewer without one (bench/rpc.ts).
   */
  call<R = unknown>(
    ctx: C,
    target: Target,
    method: string,
    args: Record<string, unknown>,
    opts: CallOptions,
  ): Promise<R> {
    return this.sent('call', method, () => {
      const reply = this.transport.call(
        target,
        this.message(ctx, method, args, opts.version),
        opts.timeoutMs ?? this.defaultTimeoutMs,
      );
      const serializer = this.serializer;
      return (serializer === identitySerializer ? reply : reply.then((r) => serializer.deserialize(r))) as Promise<R>;
    });
  }

  /** Sends `method` without waiting for a reply; resolves once the broker accepted it. */
  cast(
    ctx: C,
    target: Target,
    method: string,
    args: Record<string, unknown>,
    opts: Pick<CallOptions, 'version'>,
  ): Promise<void> {
    return this.sent('cast', method, () => this.transport.cast(target, this.message(ctx, method, args, opts.version)));
  }

  /** Runs `send` (a throw becomes a rejection) and, with an observer, tells it how the send ended. */
  private sent<T>(kind: RpcEvent['kind'], method: string, send: () => Promise<T>): Promise<T> {
    const started = this.options.observer ? performance.now() : 0;
    let outcome: Promise<T>;
    try {
      outcome = send();
    } catch (err) {
      outcome = Promise.reject(err);
    }
    return this.options.observer ? this.observe(kind, method, started, outcome) : outcome;
  }

  /** Tells the observer how `outcome` ended, `started` being performance.now() when it was sent. */
  private observe<T>(kind: RpcEvent['kind'], method: string, started: number, outcome: Promise<T>): Promise<T> {
    const observer = this.options.observer;
    if (!observer) return outcome;
    const seconds = (): number => (performance.now() - started) / 1000;
    return outcome.then(
      (result) => {
        observer({ kind, method, outcome: 'ok', seconds: seconds() });
        return result;
      },
      (err: unknown) => {
        observer({ kind, method, outcome: outcomeOf(err), seconds: seconds() });
        throw err;
      },
    );
  }
}
