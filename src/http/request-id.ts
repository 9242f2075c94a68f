/**
 * Request ids as oslo.middleware's request_id: a valid incoming `X-Openstack-Request-Id`
 * (`req-<uuid>`) is kept as the global request id, otherwise a new `req-<uuid>` is made; both
 * response headers carry it and every log line of the request has it.
 */
import type { IncomingMessage } from 'node:http';
import { newRequestId } from '../conductor/context.ts';

const VALID = /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function incomingRequestId(headers: IncomingMessage['headers']): string | null {
  const raw = headers['x-openstack-request-id'];
  const v = Array.isArray(raw) ? raw[0] : raw;
  return v !== undefined && VALID.test(v) ? v : null;
}

/** Fastify genReqId. */
export function genReqId(req: IncomingMessage): string {
  return incomingRequestId(req.headers) ?? newRequestId();
}

export function requestIdHeaders(id: string): Record<string, string> {
  return { 'x-openstack-request-id': id, 'openstack-request-id': id };
}
