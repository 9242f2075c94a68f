/**
 * Runs a client program of the e2e suite (openstacksdk's script, the gophercloud binary) to its
 * end, within a time limit; a program past it is killed, and the result says it timed out
 * rather than showing an exit status.
 */
import { execFile } from 'node:child_process';

export interface ProgramResult {
  code: number;
  stdout: string;
  stderr: string;
  /** set when the program was killed at its time limit */
  timedOut: boolean;
}

export function runProgram(
  file: string,
  args: string[],
  opts: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProgramResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env: opts.env, timeout: opts.timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr, timedOut: err?.killed === true });
    });
  });
}

/** The failure message of a program that did not exit 0. */
export function programFailure(name: string, r: ProgramResult, timeoutMs: number): string {
  const what = r.timedOut ? `timed out after ${timeoutMs / 1000} s and was killed` : `exited ${r.code}`;
  return `${name} ${what}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr.slice(-4000)}`;
}
