/**
 * oslo.messaging's message format (rabbit driver, `oslo.version` 2.0), shared by every transport
 * so that the in-memory one exercises exactly the bytes the broker carries.
 *
 * A body is the envelope `{"oslo.version": "2.0", "oslo.message": "<inner JSON string>"}`.
 * Requests carry `method/args/version`, the call keys `_msg_id/_reply_q/_timeout`, `_unique_id`
 * and one `_context_<name>` key per context field; replies carry `result/failure/ending`.
 */
import { randomFillSync } from 'node:crypto';
import { RemoteError } from './errors.ts';
import type { Endpoint, IncomingRequest, OutgoingMessage, Target } from './types.ts';

export const OSLO_VERSION = '2.0';
const OSLO_MAJOR = '2';
const CONTEXT_PREFIX = '_context_';

/** Random bytes for ids, 256 ids' worth per refill (every call takes two ids). */
const idPool = Buffer.allocUnsafe(16 * 256);
let idOffset = idPool.length;

/**
 * A random (version 4) uuid as 32 hex digits, as oslo's `uuid.uuid4().hex`. Drawn from a pool
 * of random bytes: crypto.randomUUID and the slicing that took its dashes out were ~1.8 µs of
 * every call's ~10 µs of client work (bench/rpc.ts).
 */
export function newId(): string {
  if (idOffset === idPool.length) {
    randomFillSync(idPool);
    idOffset = 0;
  }
  const o = idOffset;
  idOffset += 16;
  idPool[o + 6] = (idPool[o + 6] & 0x0f) | 0x40; // version 4
  idPool[o + 8] = (idPool[o + 8] & 0x3f) | 0x80; // RFC 4122 variant
  return idPool.toString('hex', o, o + 16);
}

/**
 * The inner message is a JSON text carried as a JSON string, so each of its pieces is written
 * already escaped for that string: escaping JSON text only ever adds a backslash before `"` and
 * `\` (JSON.stringify leaves no raw control character in its output).
 */
const escapeJson = (json: string): string => JSON.stringify(json).slice(1, -1);
/** Strings that JSON writes as they are, so that escaping their JSON only escapes the quotes. */
const PLAIN = /^[\w .:,;/@+=#%*()[\]{}<>!?~|-]*$/;

/** `v`'s JSON as it appears inside the escaped inner message; undefined where JSON.stringify leaves a member out. */
function escapedJson(v: unknown): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return PLAIN.test(v) ? `\\"${v}\\"` : escapeJson(JSON.stringify(v));
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default: {
      // numbers, objects (toJSON included); a bigint or a cycle throws TypeError as JSON.stringify does
      const json = JSON.stringify(v);
      return json === undefined ? undefined : escapeJson(json);
    }
  }
}

/** `,\"_context_<name>\":`, escaped, built once per name (a request carries ~18 of them). */
const contextKeys = new Map<string, string>();
const contextKeyJson = (k: string): string => {
  let key = contextKeys.get(k);
  if (key === undefined) {
    key = `,${escapeJson(JSON.stringify(CONTEXT_PREFIX + k))}:`;
    contextKeys.set(k, key);
  }
  return key;
};

/** The routing key of a target: `topic` or `topic.server`. */
export const routingKey = (target: Target): string =>
  target.server ? `${target.topic}.${target.server}` : target.topic;

/** The start of every body written here, up to the inner message's opening quote. */
const ENVELOPE_HEAD = `{"oslo.version":"${OSLO_VERSION}","oslo.message":"`;

/** Unwraps an envelope; like oslo, a body without `oslo.version` is taken as the message itself. */
export function decodeEnvelope(body: Buffer | string): Record<string, unknown> {
  const outer: unknown = JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  if (!isRecord(outer)) throw new SyntaxError('oslo message body is not a JSON object');
  if (!('oslo.version' in outer)) return outer;
  const version = String(outer['oslo.version']);
  const dot = version.indexOf('.');
  if ((dot === -1 ? version : version.slice(0, dot)) !== OSLO_MAJOR)
    throw new SyntaxError(`unsupported oslo.version ${version}`);
  const inner: unknown = JSON.parse(String(outer['oslo.message']));
  if (!isRecord(inner)) throw new SyntaxError('oslo.message is not a JSON object');
  return inner;
}

export interface CallKeys {
  msgId: string;
  replyQ: string;
  /** seconds, or null (oslo sends null unless the caller set a timeout on the target) */
  timeout: number | null;
}

/**
 * A request's body: the envelope around the inner message, keys in the order oslo writes them
 * (`method, args, version[, _msg_id, _reply_q, _timeout], _unique_id, _context_*`).
 *
 * The same bytes as JSON.stringify of the envelope around that message object (a unit test holds
 * it to that), written piece by piece already escaped: this runs once per RPC call, and building a ~25-key
 * object to stringify it, then escaping the result, was most of the client's own time per call.
 */
export function encodeRequest(message: OutgoingMessage, call: CallKeys | null, uniqueId: string = newId()): Buffer {
  let out = `${ENVELOPE_HEAD}{\\"method\\":${escapedJson(message.method)},\\"args\\":${escapedJson(message.args) ?? '{}'},\\"version\\":${escapedJson(message.version)}`;
  if (call)
    out += `,\\"_msg_id\\":${escapedJson(call.msgId)},\\"_reply_q\\":${escapedJson(call.replyQ)},\\"_timeout\\":${escapedJson(call.timeout)}`;
  out += `,\\"_unique_id\\":${escapedJson(uniqueId)}`;
  const ctx = message.context;
  for (const k in ctx) {
    const v = escapedJson(ctx[k]);
    if (v !== undefined) out += contextKeyJson(k) + v;
  }
  return Buffer.from(`${out}}"}`, 'utf8');
}

export interface ParsedRequest {
  request: IncomingRequest;
  msgId: string | null;
  replyQ: string | null;
  uniqueId: string | null;
}

export function parseRequest(inner: Record<string, unknown>): ParsedRequest {
  const context: Record<string, unknown> = {};
  for (const k in inner) if (k.startsWith(CONTEXT_PREFIX)) context[k.slice(CONTEXT_PREFIX.length)] = inner[k];
  if (typeof inner.method !== 'string') throw new SyntaxError('request without a method');
  return {
    request: {
      method: inner.method,
      args: isRecord(inner.args) ? inner.args : {},
      version: typeof inner.version === 'string' ? inner.version : '1.0',
      context,
    },
    msgId: typeof inner._msg_id === 'string' ? inner._msg_id : null,
    replyQ: typeof inner._reply_q === 'string' ? inner._reply_q : null,
    uniqueId: typeof inner._unique_id === 'string' ? inner._unique_id : null,
  };
}

/**
 * A reply's body, `{result, failure, ending, _msg_id, _unique_id}` as the conductor writes it:
 * success when `failure` is null. Written already escaped, as encodeRequest is (a server answers
 * every call with one); a result JSON leaves out (undefined, a function) is sent as null.
 */
export function encodeReply(
  msgId: string,
  result: unknown,
  failure: string | null,
  uniqueId: string = newId(),
): Buffer {
  const res = failure === null ? (escapedJson(result) ?? 'null') : 'null';
  const fail = failure === null ? 'null' : escapedJson(failure);
  return Buffer.from(
    `${ENVELOPE_HEAD}{\\"result\\":${res},\\"failure\\":${fail},\\"ending\\":true,\\"_msg_id\\":${escapedJson(msgId)},\\"_unique_id\\":${escapedJson(uniqueId)}}"}`,
    'utf8',
  );
}

/**
 * Runs a server's endpoint for one request and encodes its reply: the result, or the failure it
 * threw. A result JSON cannot carry (a cycle, a bigint) is answered as that TypeError, so the
 * caller hears of it instead of waiting out its timeout.
 */
export async function answer(endpoint: Endpoint, request: IncomingRequest, msgId: string): Promise<Buffer> {
  let result: unknown;
  try {
    result = await endpoint(request);
  } catch (err) {
    return encodeReply(msgId, null, serializeFailure(err));
  }
  try {
    return encodeReply(msgId, result, null);
  } catch (err) {
    return encodeReply(msgId, null, serializeFailure(err));
  }
}

export interface ParsedReply {
  msgId: string | null;
  result: unknown;
  failure: RemoteError | null;
  ending: boolean;
}

export function parseReply(inner: Record<string, unknown>): ParsedReply {
  const failure = inner.failure;
  return {
    msgId: typeof inner._msg_id === 'string' ? inner._msg_id : null,
    result: inner.result ?? null,
    failure: failure === null || failure === undefined ? null : deserializeFailure(failure),
    // oslo before 2.x sent a separate `ending` message; a reply carrying a result/failure always ends the call here
    ending: inner.ending === true,
  };
}

/**
 * The `failure` string as oslo's serialize_remote_exception writes it. A RemoteError keeps its
 * Ironic class and kwargs; any other Error goes out under its `name`.
 */
export function serializeFailure(err: unknown): string {
  if (err instanceof RemoteError) {
    return JSON.stringify({
      class: err.exc_type,
      module: err.module,
      message: err.message,
      tb: [...err.remoteTraceback],
      args: [err.message],
      kwargs: err.kwargs,
    });
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return JSON.stringify({
    class: e.name || 'Error',
    module: 'builtins',
    message: e.message,
    tb: (e.stack ?? '').split('\n').map((l) => `${l}\n`),
    args: [e.message],
    kwargs: {},
  });
}

/** Decodes a `failure` (a JSON string, or an already-parsed object) into a RemoteError. */
export function deserializeFailure(failure: unknown): RemoteError {
  let data: unknown = failure;
  if (typeof failure === 'string') {
    try {
      data = JSON.parse(failure);
    } catch {
      return new RemoteError('RemoteError', failure, {}, 'unknown');
    }
  }
  if (!isRecord(data)) return new RemoteError('RemoteError', String(failure), {}, 'unknown');
  const cls = typeof data.class === 'string' ? data.class : 'RemoteError';
  const message = typeof data.message === 'string' ? data.message : String(data.message ?? '');
  const kwargs = isRecord(data.kwargs) ? data.kwargs : {};
  const module = typeof data.module === 'string' ? data.module : 'unknown';
  const tb = Array.isArray(data.tb) ? data.tb.map(String) : [];
  // oslo appends "_Remote" to classes it re-creates on the calling side; the name is the class
  return new RemoteError(cls.replace(/_Remote$/, ''), message, kwargs, module, tb);
}

/** AMQP properties of a request, as oslo's rabbit driver sets them. */
export function requestProperties(timeoutMs: number | null): {
  contentType: string;
  contentEncoding: string;
  deliveryMode: number;
  priority: number;
  expiration?: string;
} {
  const p = { contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, priority: 0 };
  return timeoutMs === null ? p : { ...p, expiration: String(Math.max(1, Math.round(timeoutMs))) };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
