/**
 * A gateway serving HTTPS for the TLS tests (embedded simulator, loopback, port 0), with a
 * logger whose lines the test can read, and a small HTTPS client that reports which
 * certificate the server presented.
 */
import { randomUUID } from 'node:crypto';
import { request as httpsRequest, type Agent } from 'node:https';
import { Writable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { loadConfig, type Config } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import type { CertificateWatcherOptions } from '../../src/http/tls.ts';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface TlsGateway {
  gateway: Gateway;
  port: number;
  url: string;
  /** every line logged so far */
  logs: LogLine[];
  close(): Promise<void>;
}

export async function startTlsGateway(
  overrides: Partial<Config>,
  watch: CertificateWatcherOptions = {},
): Promise<TlsGateway> {
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const config = loadConfig({
    env: {},
    overrides: {
      host: '127.0.0.1',
      port: 0,
      log_level: 'info',
      transport_url: `memory://tls-${randomUUID()}`,
      simulator_action_delay_ms: 20,
      ...overrides,
    },
  });
  const gateway = await createGateway(config, {
    logger: pino({ level: 'info' }, sink),
    certificateWatch: { debounceMs: 300, pollMs: 600_000, ...watch },
  });
  await gateway.app.listen({ host: '127.0.0.1', port: 0 });
  const address = gateway.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no TCP address');
  return {
    gateway,
    port: address.port,
    url: `https://127.0.0.1:${address.port}`,
    logs,
    close: () => gateway.close(),
  };
}

export interface HttpsAnswer {
  status: number;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented */
  fingerprint: string;
  /** the client port of the connection (tells a reused connection from a new one) */
  localPort: number;
}

export interface HttpsOptions {
  ca: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  /** a keep-alive agent to reuse connections; by default every request opens a new one */
  agent?: Agent;
  headers?: Record<string, string>;
}

// A reused keep-alive socket no longer reports its peer's certificate: remember it per socket
// (a TLS connection never changes certificate).
const certificateOf = new WeakMap<TLSSocket, string>();

/** GET over HTTPS, verifying the server against `ca` (and its name, 127.0.0.1). */
export function httpsGet(url: string, options: HttpsOptions): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        ca: options.ca,
        cert: options.cert,
        key: options.key,
        agent: options.agent ?? false,
        headers: options.headers,
        timeout: 30_000,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const fingerprint = certificateOf.get(socket) ?? socket.getPeerX509Certificate()?.fingerprint256 ?? '';
        certificateOf.set(socket, fingerprint);
        const localPort = socket.localPort ?? 0;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString('utf8'),
            fingerprint,
            localPort,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
