/**
 * Runs Debian's `baremetal` CLI (python3-ironicclient) against a gateway, unmodified: no auth
 * (`--os-auth-type none`) or a JWT passed as a token (`--os-auth-type admin_token --os-token`,
 * which sends it as X-Auth-Token); over HTTPS with `--os-cacert` naming the run's CA.
 */
import { execFile, execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { clientCommand, type RunningGateway } from './backend.ts';

export const BAREMETAL = '/usr/bin/baremetal';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** why it was stopped, when it was: its own time limit, or its step's deadline */
  stopped?: string;
}

/** The CLI's options that point it at the gateway, for its auth mode (and CA and client certificate, over HTTPS). */
export function endpointArgs(gw: RunningGateway): string[] {
  const ca = [
    ...(gw.cacert ? ['--os-cacert', gw.cacert] : []),
    ...(gw.clientCert ? ['--os-cert', gw.clientCert.cert, '--os-key', gw.clientCert.key] : []),
  ];
  if (gw.auth === 'jwt')
    return ['--os-auth-type', 'admin_token', '--os-endpoint', gw.url, '--os-token', gw.token!, ...ca];
  return ['--os-auth-type', 'none', '--os-endpoint', gw.url, ...ca];
}

/** One command's time limit: far above what it takes on a busy machine (2–10 s), so only a hang reaches it. */
export const COMMAND_TIMEOUT_MS = 120_000;

/**
 * Runs `baremetal <args>`; never throws on a non-zero exit (the caller checks it). A command
 * past its time limit, or whose step's deadline passed (`gw.signal`), is killed and says so.
 */
export function baremetalRaw(gw: RunningGateway, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<CliResult> {
  const signal = gw.signal;
  if (signal?.aborted) return Promise.resolve({ code: -1, stdout: '', stderr: '', stopped: String(signal.reason) });
  return new Promise((resolve) => {
    // Debian's interpreter and no user site or proxy settings that could change the client
    const env = {
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      HOME: process.env.HOME ?? '/tmp',
      NO_PROXY: '127.0.0.1,localhost',
      no_proxy: '127.0.0.1,localhost',
    };
    const [file, argv, extraEnv] = clientCommand(gw, BAREMETAL, [...endpointArgs(gw), ...args]);
    execFile(
      file,
      argv,
      { env: { ...env, ...extraEnv }, timeout: timeoutMs, maxBuffer: 16 << 20, ...(signal ? { signal } : {}) },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        const stopped = signal?.aborted
          ? String(signal.reason)
          : err?.killed
            ? `timed out after ${timeoutMs / 1000} s and was killed`
            : undefined;
        resolve({ code, stdout, stderr, ...(stopped ? { stopped } : {}) });
      },
    );
  });
}

function describe(args: string[], r: CliResult): string {
  if (r.stopped) return `baremetal ${args.join(' ')} → stopped: ${r.stopped}`;
  return `baremetal ${args.join(' ')} → exit ${r.code}\nstdout: ${r.stdout.slice(0, 2000)}\nstderr: ${r.stderr.slice(-3000)}`;
}

/** Runs a command that must succeed and print nothing (actions: power, maintenance …). */
export async function ok(gw: RunningGateway, ...args: string[]): Promise<string> {
  const r = await baremetalRaw(gw, args);
  assert.equal(r.code, 0, describe(args, r));
  return r.stdout;
}

/**
 * A list's column names as bookworm's CLI (5.0) prints them, by the field names sid's (6.x) prints
 * instead: from 6.0 on, `list -f json` names its columns by the API's fields (`uuid`,
 * `provision_state`), where 5.0 printed ironicclient's labels (`UUID`, `Provisioning State`). The
 * scenarios read the labels; the table is 5.0's own (ironicclient.v1.resource_fields.Resource.FIELDS
 * of the host's python3-ironicclient), read once.
 */
let listLabels: Readonly<Record<string, string>> | undefined;
function labels(): Readonly<Record<string, string>> {
  listLabels ??= JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      ['-c', 'import json; from ironicclient.v1.resource_fields import Resource; print(json.dumps(Resource.FIELDS))'],
      { env: { PATH: '/usr/bin:/bin', LANG: 'C.UTF-8' }, encoding: 'utf8' },
    ),
  ) as Record<string, string>;
  return listLabels;
}

function withLabels(parsed: unknown): unknown {
  if (!Array.isArray(parsed)) return parsed;
  return parsed.map((row) =>
    row !== null && typeof row === 'object' && !Array.isArray(row)
      ? Object.fromEntries(Object.entries(row).map(([k, v]) => [labels()[k] ?? k, v]))
      : row,
  );
}

/** Runs a command that must succeed with `-f json`, and returns its parsed output (a list's columns by their 5.0 labels). */
export async function json<T = unknown>(gw: RunningGateway, ...args: string[]): Promise<T> {
  const full = [...args, '-f', 'json'];
  const r = await baremetalRaw(gw, full);
  assert.equal(r.code, 0, describe(full, r));
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.stdout);
  } catch {
    assert.fail(`not JSON: ${describe(full, r)}`);
  }
  return withLabels(parsed) as T;
}

/** Runs a command that must fail, and returns its stderr (the API's error, as the CLI prints it). */
export async function fails(gw: RunningGateway, ...args: string[]): Promise<string> {
  const r = await baremetalRaw(gw, args);
  assert.equal(r.stopped, undefined, describe(args, r));
  assert.notEqual(r.code, 0, `expected failure: ${describe(args, r)}`);
  return r.stderr;
}
