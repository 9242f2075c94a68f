/**
 * The answers Fastify and Node's HTTP server would otherwise write themselves, in Ironic's error
 * format and with a request id, like every other answer of the gateway:
 *
 * - a path the router can not decode (`%ZZ`, a lone `%`, invalid UTF-8 such as `%C0%AF`): 400;
 * - a path parameter longer than the router's limit (MAX_PARAM_LENGTH, above what a request
 *   line can carry, so that routes check long idents themselves, as ironic-api does, with
 *   InvalidUuidOrName): 400;
 * - an `Expect` header other than `100-continue`: 417 (Node's own is an empty body);
 * - a CONNECT (Node hands its socket over, and closes it unanswered when nobody takes it): 405;
 * - a request the HTTP parser refuses, or one too slow to arrive (server timeouts): 400, 408,
 *   431 for headers over Node's limit. These are written on the socket before any request
 *   exists: the answer has a new request id and closes the connection.
 */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { newRequestId } from '../conductor/context.ts';
import { own } from '../own.ts';
import { errorBody } from './errors.ts';
import { isVersionedPath, versionHeaders } from './microversion.ts';
import { genReqId, requestIdHeaders } from './request-id.ts';

/**
 * The router's limit on one path parameter. Node refuses a request line with its headers over
 * 16 KiB (431) first, so in practice every ident reaches its route, which refuses a long one
 * with the 400 ironic-api gives; this limit only backs that up.
 */
export const MAX_PARAM_LENGTH = 16_384;

/** Fastify's `frameworkErrors`: a URL the router can not decode, a parameter over its limit. */
export function onFrameworkError(err: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const path = (request.raw.url ?? '/').split('?')[0];
  const message =
    err.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? `Invalid URL: a path segment is longer than ${MAX_PARAM_LENGTH} characters.`
      : err.code === 'FST_ERR_BAD_URL'
        ? `Invalid URL: the path ${JSON.stringify(path)} is not valid percent-encoded UTF-8.`
        : `Invalid request: ${err.message}`;
  const status = err.statusCode !== undefined && err.statusCode >= 500 ? err.statusCode : 400;
  request.log.info({ status, code: err.code, reason: message }, 'request refused');
  reply
    .code(status)
    .headers(requestIdHeaders(request.id))
    .headers(isVersionedPath(path) ? versionHeaders(null, request.server.apiMaxMinor) : {})
    .type('application/json')
    .send(errorBody(status, message));
}

/** Node's 'checkExpectation' event: an `Expect` the server does not meet, answered 417. */
export function onUnmetExpectation(req: IncomingMessage, res: ServerResponse): void {
  const expect = String(req.headers.expect ?? '');
  const body = JSON.stringify(
    errorBody(
      417,
      `Expectation failed: the server meets no expectation but 100-continue, not ${JSON.stringify(expect)}.`,
    ),
  );
  res.writeHead(417, {
    ...requestIdHeaders(genReqId(req)),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body);
}

/** Writes an answer in Ironic's format straight on a socket, and closes the connection. */
function writeRaw(socket: Duplex, status: number, message: string, requestId: string): void {
  const body = JSON.stringify(errorBody(status, message));
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    `X-Openstack-Request-Id: ${requestId}`,
    `Openstack-Request-Id: ${requestId}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
  ];
  socket.write(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Node's 'connect' event: the API is no proxy. */
export function onConnectMethod(req: IncomingMessage, socket: Duplex): void {
  if (socket.writable) writeRaw(socket, 405, 'The method CONNECT is not allowed.', genReqId(req));
  socket.destroy();
}

const CLIENT_ERRORS: Record<string, { status: number; message: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    message: 'The request line and headers are larger than the server accepts (16 KiB).',
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request did not arrive in time.' },
  ERR_HTTP_HEADERS_TIMEOUT: { status: 408, message: 'The request headers did not arrive in time.' },
};

/** The logger a client error is reported to (the Fastify instance's). */
interface LogLike {
  debug(obj: object, msg: string): void;
}

/**
 * Node's 'clientError': the HTTP parser refused what came on a connection, or it came too
 * slowly. Written straight on the socket (no request exists), as Node's default does, unless an
 * answer has started on it already; the connection is then closed.
 */
export function clientErrorHandler(log: LogLike): (err: NodeJS.ErrnoException, socket: Socket) => void {
  return (err, socket) => {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const known = err.code !== undefined ? own(CLIENT_ERRORS, err.code) : undefined;
    const status = known?.status ?? 400;
    const message = known?.message ?? `The request is not valid HTTP/1.1 (${err.code ?? 'parse error'}).`;
    log.debug({ err, status }, 'client error');
    // a response already under way on this connection (a keep-alive request in flight) can not be followed by another
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (socket.writable && !inFlight?.headersSent) writeRaw(socket, status, message, newRequestId());
    socket.destroy();
  };
}
