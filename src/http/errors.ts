/**
 * Every error the gateway returns goes through here: one mapping from an error value to an HTTP
 * status, and Ironic's error body (`error_message` holding a JSON string with `faultstring`,
 * `faultcode`, `debuginfo`). No stack or remote traceback ever reaches a client.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import {
  MessageUndeliverable,
  MessagingTimeout,
  RemoteError,
  RpcError,
  RpcVersionCapError,
  TransportUnavailable,
} from '../rpc/errors.ts';
import { exceptionRow, httpStatusFor } from '../conductor/exceptions.ts';
import { RawFault, TOO_LARGE_39, rawFaultBody, servesJsonLimits } from './json-depth.ts';

/** The microversion headers a /v1 answer carries (none on the JSON limits middleware's refusals). */
const VERSION_HEADER_NAMES = [
  'x-openstack-ironic-api-minimum-version',
  'x-openstack-ironic-api-maximum-version',
  'x-openstack-ironic-api-version',
  'openstack-api-version',
];

/** Seconds a client should wait before retrying when the conductors are unreachable. */
export const RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  error_message: string;
}

/** Ironic's error body for `status` and `message`; `extra` adds keys to the inner JSON. */
export function errorBody(status: number, message: string, extra: Record<string, unknown> = {}): ErrorBody {
  return {
    error_message: JSON.stringify({
      faultstring: message,
      faultcode: status < 500 ? 'Client' : 'Server',
      debuginfo: null,
      ...extra,
    }),
  };
}

/** An error the HTTP layer itself raises with a given status (404 route, 405, 406 version …). */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface MappedError {
  status: number;
  message: string;
  headers: Record<string, string>;
  extra: Record<string, unknown>;
  /** how to log it: 'warn' for the server's fault, 'info' for the client's */
  level: 'info' | 'warn' | 'error';
}

/** Maps any thrown value to its HTTP answer. The single place where that decision is made. */
export function mapError(err: unknown): MappedError {
  if (err instanceof HttpError) {
    return { status: err.statusCode, message: err.message, headers: err.headers, extra: err.extra, level: 'info' };
  }
  if (
    err instanceof RpcVersionCapError ||
    (err instanceof RemoteError &&
      (err.exc_type === 'UnsupportedVersion' || err.exc_type === 'IncompatibleObjectVersion'))
  ) {
    // The gateway and the conductor speak different releases: the conductor is older than
    // the gateway's release profile (or the pin is below what the route needs). A deployment
    // fault, so 500, with the remedy in words (the conductor's own message names the version).
    const what =
      err instanceof RemoteError && err.exc_type === 'IncompatibleObjectVersion'
        ? 'an object version that the conductor does not know'
        : err instanceof RpcVersionCapError
          ? 'a conductor RPC message version that the pinned release does not allow'
          : 'a conductor RPC message version that the conductor does not serve';
    return {
      status: 500,
      message: `The request needs ${what}: ${err.message} Set IRONIC_GATEWAY_PIN_RELEASE_VERSION (pin_release_version) to the Ironic release of the oldest conductor.`,
      headers: {},
      extra: {},
      level: 'error',
    };
  }
  if (err instanceof RemoteError) {
    const known = exceptionRow(err.exc_type) !== undefined;
    const status = httpStatusFor(err.exc_type);
    const headers: Record<string, string> = status === 503 ? { 'retry-after': String(RETRY_AFTER_SECONDS) } : {};
    // A class Ironic's table does not know (a database or Python error on the conductor) may
    // carry internals in its message: log it, answer with the class name only.
    const message = known
      ? err.message
      : `The conductor failed with an unexpected ${err.exc_type}; its log and the gateway's have the details.`;
    return { status, message, headers, extra: {}, level: !known ? 'error' : status >= 500 ? 'warn' : 'info' };
  }
  if (err instanceof MessagingTimeout) {
    return {
      status: 504,
      message: 'The conductor did not answer in time; try again later.',
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      extra: {},
      level: 'warn',
    };
  }
  if (err instanceof MessageUndeliverable || err instanceof TransportUnavailable || err instanceof RpcError) {
    return {
      status: 503,
      message: `No conductor is reachable: ${err.message}`,
      headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      extra: {},
      level: 'warn',
    };
  }
  const fe = err as Partial<FastifyError> | undefined;
  if (fe && Array.isArray(fe.validation)) {
    return { status: 400, message: `Invalid input: ${fe.message}`, headers: {}, extra: {}, level: 'info' };
  }
  if (fe && typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return { status: fe.statusCode, message: fe.message ?? 'Bad request', headers: {}, extra: {}, level: 'info' };
  }
  return {
    status: 500,
    message: 'An internal error occurred in the gateway; see its log for the request id.',
    headers: {},
    extra: {},
    level: 'error',
  };
}

/** Fastify error handler: logs with the request id, answers in Ironic's format. */
export function handleError(err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // issue 15 (slice nodes): 39.0's JSON limits middleware answers before the API, raw and
  // without version headers; a JSON body over the size limit too
  const tooLarge =
    (err as Partial<FastifyError> | undefined)?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' &&
    String(request.headers['content-type'] ?? '').includes('json') &&
    servesJsonLimits(request.server);
  if (err instanceof RawFault || tooLarge) {
    const fault = err instanceof RawFault ? err : new RawFault(413, TOO_LARGE_39);
    request.log.info({ status: fault.statusCode, reason: fault.faultstring }, 'request refused');
    for (const h of VERSION_HEADER_NAMES) reply.removeHeader(h);
    return reply.code(fault.statusCode).type('application/json').send(rawFaultBody(fault.faultstring));
  }
  const m = mapError(err);
  const logFields: Record<string, unknown> = { status: m.status };
  if (err instanceof RemoteError) {
    logFields.exc_type = err.exc_type;
    if (m.level !== 'info') logFields.remote_traceback = err.remoteTraceback;
  }
  if (m.level === 'error') request.log.error({ ...logFields, err }, 'request failed');
  else request.log[m.level]({ ...logFields, reason: m.message }, 'request refused');
  return reply
    .code(m.status)
    .headers(m.headers)
    .type('application/json')
    .send(errorBody(m.status, m.message, m.extra));
}
