/**
 * Processes the benchmarks run beside themselves: the gateway as `ironic-gateway serve` runs it,
 * and any HTTP service they wait for.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.ts';

export { freePort };

/** Waits until `url` answers 2xx, or `child` exits, or `seconds` pass. */
async function waitForHttp(url: string, child: ChildProcess, what: string, seconds = 60): Promise<void> {
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? -1;
  });
  for (let i = 0; i < seconds * 10; i++) {
    if (exited !== null) throw new Error(`${what} exited with ${exited}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGTERM');
  throw new Error(`${what} did not answer ${url} within ${seconds} s`);
}

let built = false;

/**
 * `ironic-gateway serve` on 127.0.0.1:`port` in a child process, with these settings, as
 * `npm start` runs it (the esbuild bundle, built once per bench run); resolves once /healthz
 * answers.
 */
export async function startGateway(port: number, env: Record<string, string>, seconds = 30): Promise<ChildProcess> {
  const root = join(import.meta.dirname, '..');
  if (!built) {
    execFileSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
    built = true;
  }
  const child = spawn(process.execPath, [join(root, 'dist', 'ironic-gateway.mjs'), 'serve'], {
    env: {
      ...process.env,
      IRONIC_GATEWAY_HOST: '127.0.0.1',
      IRONIC_GATEWAY_PORT: String(port),
      IRONIC_GATEWAY_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHttp(`http://127.0.0.1:${port}/healthz`, child, 'the gateway', seconds);
  return child;
}

/** SIGTERM, then resolves once the process has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** A process's resident set size, from /proc. */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** A process's CPU time so far (user + system, ms), from /proc: what it spent, however busy the machine. */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux)
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
