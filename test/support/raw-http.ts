/**
 * HTTP/1.1 at the byte level, for what a well-behaved client can not send (broken escapes,
 * smuggling attempts, malformed headers): write bytes on a new connection, read until the
 * server closes it, split what came back into answers.
 */
import { connect } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `bytes` to 127.0.0.1:`port` and resolves with everything read until close (or `ms`). */
export function exchange(
  port: number,
  bytes: string | Buffer,
  ms = 30_000,
): Promise<{ text: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, ms);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: Buffer.concat(chunks).toString('latin1'), timedOut });
    });
    socket.write(bytes);
  });
}

/** The answers in a byte stream (Content-Length or chunked bodies); throws on what is not HTTP. */
export function parseAnswers(text: string, headRequest = false): RawAnswer[] {
  const out: RawAnswer[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end === -1) throw new Error(`an incomplete answer: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine ?? '');
    if (!m) throw new Error(`not an HTTP answer: ${JSON.stringify(rest.slice(0, 200))}`);
    const headers: Record<string, string> = {};
    for (const l of lines) {
      const i = l.indexOf(':');
      headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    rest = rest.slice(end + 4);
    const status = Number(m[1]);
    // an interim answer (100 Continue) precedes the real one
    if (status < 200) continue;
    let body = '';
    if (headRequest || status === 204 || status === 304) {
      // no body
    } else if (headers['transfer-encoding']?.includes('chunked')) {
      for (;;) {
        const eol = rest.indexOf('\r\n');
        const size = Number.parseInt(rest.slice(0, eol), 16);
        rest = rest.slice(eol + 2);
        if (size === 0) {
          rest = rest.slice(rest.indexOf('\r\n') + 2);
          break;
        }
        body += rest.slice(0, size);
        rest = rest.slice(size + 2);
      }
    } else {
      const n = Number(headers['content-length'] ?? 0);
      body = rest.slice(0, n);
      rest = rest.slice(n);
    }
    out.push({ status, headers, body: Buffer.from(body, 'latin1').toString('utf8') });
  }
  return out;
}
