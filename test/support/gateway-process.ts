/**
 * The gateway as a separate process (`ironic-gateway serve`, the embedded simulator), for tests
 * that must see it survive: its port, its resident memory, the error lines it logged, and a
 * stop that waits for it to exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.ts';

export interface GatewayProcess {
  port: number;
  child: ChildProcess;
  /** log lines at level error or above (pino JSON), and those `keep` chose */
  errors: string[];
  /** resident set size now, bytes (from /proc) */
  rss(): number;
  alive(): boolean;
  stop(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export async function startGatewayProcess(
  env: Record<string, string> = {},
  opts: { readyMs?: number; keep?: (line: string) => boolean } = {},
): Promise<GatewayProcess> {
  const readyMs = opts.readyMs ?? 60_000;
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'serve'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      IRONIC_GATEWAY_PORT: String(port),
      IRONIC_GATEWAY_LOG_LEVEL: 'error',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const errors: string[] = [];
  let stderr = '';
  child.stdout!.setEncoding('utf8');
  let partial = '';
  child.stdout!.on('data', (d: string) => {
    const lines = (partial + d).split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (/"level":(5|6)\d/.test(l) || opts.keep?.(l)) errors.push(l);
  });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr += d;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + readyMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the gateway exited at start: ${stderr}`);
    try {
      const r = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`the gateway did not answer /healthz within ${readyMs / 1000} s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    port,
    child,
    errors,
    rss: () => {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : Number.NaN;
    },
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}
