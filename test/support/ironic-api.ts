/**
 * Debian's ironic-api (ironic-common's /usr/bin/ironic-api) of the stack's release beside the
 * conductor stack.sh started (21.4 on the host, 39.0 in its chroot, through `stack.sh api`): the
 * conductor's own ironic.conf (database, broker, noauth) plus an [api] section. For the parity
 * test and the comparison benchmark.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/** 21.4's, on the host */
export const IRONIC_API = '/usr/bin/ironic-api';
const STACK_SCRIPT = join(import.meta.dirname, 'stack.sh');

export interface IronicApi {
  /** e.g. http://127.0.0.1:40123 */
  base: string;
  /** stops it and its workers, resolving once it has exited */
  stop(): Promise<void>;
}

export interface IronicApiOptions {
  /** the conductor's ironic.conf */
  conductorConfig: string;
  /** where its own ironic.conf is written */
  dir: string;
  /** api_workers; ironic-api's default (one per CPU) when absent */
  workers?: number;
  /** how long to wait for it to answer /v1 */
  timeoutS: number;
  /** the stack's release (stack.sh's STACK_RELEASE): TEST_RELEASE, else 21.4 */
  release?: string;
}

/** Starts ironic-api on a free loopback port; resolves once /v1 answers, else throws with its stderr. */
export async function startIronicApi(opts: IronicApiOptions): Promise<IronicApi> {
  const port = await freePort();
  mkdirSync(opts.dir, { recursive: true });
  const conf = join(opts.dir, 'ironic.conf');
  const workers = opts.workers === undefined ? '' : `api_workers = ${opts.workers}\n`;
  writeFileSync(
    conf,
    `${readFileSync(opts.conductorConfig, 'utf8')}\n[api]\nhost_ip = 127.0.0.1\nport = ${port}\n${workers}`,
  );
  // stack.sh execs ironic-api (in the chroot for 39.0): the child is ironic-api itself
  const child = spawn('bash', [STACK_SCRIPT, 'api', '--config-file', conf], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
    env: { ...process.env, STACK_RELEASE: opts.release ?? process.env.TEST_RELEASE ?? '21.4' },
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    // its workers are its children: stop the whole process group
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      /* gone */
    }
    if (child.exitCode === null && child.signalCode === null) await exited;
  };
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${base}/v1`)).ok) return { base, stop };
    } catch {
      /* starting */
    }
    if (child.exitCode !== null || i >= opts.timeoutS * 10) {
      await stop();
      throw new Error(`ironic-api did not start:\n${stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
