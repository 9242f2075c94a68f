/**
 * The client certificate of a mutual-TLS connection (src/http/tls.ts), as an identity source
 * for the policy: its subject is in the credentials every rule is checked against, as
 * `tls_client_cn` (the subject's common name) and `tls_client_subject` (`CN=…, O=…`), e.g.
 * `"baremetal:node:create": "rule:is_admin and tls_client_cn:provisioner"`.
 *
 * With `tls_public_routes_open` the handshake asks for a certificate without requiring one, so
 * that IPA ramdisks (lookup, heartbeat) and probes (/healthz) reach the public routes; every
 * other route then refuses a caller without a valid certificate here, with 403.
 */
import { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../errors.ts';
import { oneLine } from '../tls.ts';

export interface ClientCertIdentity {
  /** the subject's common name, or null when it has none */
  cn: string | null;
  /** the whole subject, most specific attribute first: `CN=alice, O=Example` */
  subject: string;
}

const cache = new WeakMap<TLSSocket, ClientCertIdentity | null>();

/** The verified client certificate of the request's connection, or null (none, or not trusted). */
export function clientCertOf(request: FastifyRequest): ClientCertIdentity | null {
  const socket = request.raw.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return null;
  const known = cache.get(socket);
  if (known !== undefined) return known;
  const cert = socket.getPeerX509Certificate();
  const identity = cert
    ? {
        cn: /^CN=(.*)$/m.exec(cert.subject)?.[1] ?? null,
        subject: oneLine(cert.subject),
      }
    : null;
  cache.set(socket, identity);
  return identity;
}

/** Why the connection has no usable client certificate, for the log line. */
export function clientCertProblem(request: FastifyRequest): string {
  const socket = request.raw.socket;
  if (!(socket instanceof TLSSocket)) return 'not a TLS connection';
  if (!socket.getPeerCertificate()?.subject) return 'no certificate';
  const err = socket.authorizationError as unknown;
  if (err === null || err === undefined) return 'certificate not verified';
  return err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
}

/** The 403 a route answers when it needs a client certificate the caller did not present. */
export function clientCertRequired(): HttpError {
  return new HttpError(403, 'A valid client certificate is required for this resource.');
}
