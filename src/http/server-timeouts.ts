/**
 * The HTTP server's deadlines for slow or idle clients, from the settings (src/config.ts):
 *
 * - headers timeout: the request line and headers must arrive within it (slowloris);
 * - request timeout: the whole request, body included; it ends once the request is in, so a
 *   slow conductor call is not cut by it (that is the RPC response timeout's job);
 * - keep-alive timeout: an idle connection between requests is closed after it;
 * - idle timeout: a connection on which no byte moves either way (a client that stopped
 *   reading a large answer) is destroyed after it; above the RPC timeout, since a client
 *   waiting for the conductor's answer is silent meanwhile.
 *
 * Node checks the headers and request deadlines on a timer (30 s by default), so a deadline
 * could be overrun by that much: the check runs every second instead. A late client gets a
 * 408 in Ironic's format (framework-errors.ts) and the connection is closed.
 */
import type { Config } from '../config.ts';

/** How often Node checks connections against the headers and request deadlines. */
export const CONNECTIONS_CHECKING_INTERVAL_MS = 1000;

type TimeoutSettings = Pick<
  Config,
  'http_headers_timeout' | 'http_request_timeout' | 'http_keep_alive_timeout' | 'http_idle_timeout'
>;

/** Fastify server options carrying the settings. */
export function serverTimeouts(config: TimeoutSettings) {
  const ms = (s: number) => Math.round(s * 1000);
  return {
    requestTimeout: ms(config.http_request_timeout),
    keepAliveTimeout: ms(config.http_keep_alive_timeout),
    connectionTimeout: ms(config.http_idle_timeout),
    http: {
      headersTimeout: ms(config.http_headers_timeout),
      requestTimeout: ms(config.http_request_timeout),
      connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS,
    },
  };
}
