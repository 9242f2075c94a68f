/**
 * gophercloud's baremetal v1 client (Debian's golang-github-gophercloud-gophercloud-dev), unmodified,
 * against the gateway: test/e2e/gophercloud/lifecycle.go, built in GOPATH mode from Debian's
 * /usr/share/gocode (no network), run on each back end with no auth and with a JWT sent as
 * X-Auth-Token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { programFailure, runProgram, type ProgramResult } from './support/program.ts';
import { backends, gatewayModes, runTag, startGateway, type RunningGateway } from './support/backend.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const out = join(root, '.tmp', 'go');
const binary = join(out, 'gophercloud-lifecycle');

/** Every step of the program, in order: a step left out is a failure, not a pass. */
const STEPS = [
  'drivers',
  'node create (enroll), get by uuid and by name',
  'node list and detail, filtered, limited',
  'node update (JSON patch)',
  'validate',
  'manage and provide',
  'power on / off',
  'boot device',
  'port create, list by node, get, delete',
  'deploy to active, undeploy to available',
  'delete nodes',
];

before(async () => {
  mkdirSync(out, { recursive: true });
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    GO111MODULE: 'off',
    GOPATH: '/usr/share/gocode',
    GOCACHE: join(out, 'cache'),
    GOFLAGS: '',
  };
  await run('go', ['build', '-o', binary, join(import.meta.dirname, 'gophercloud', 'lifecycle.go')], {
    env,
    timeout: 300_000,
  });
});

/** The lifecycle's time limit: it takes 10–30 s on a quiet machine, several times that on a busy one. */
const LIFECYCLE_TIMEOUT_MS = 420_000;

function lifecycle(args: string[]): Promise<ProgramResult> {
  return runProgram(binary, args, {
    env: { PATH: '/usr/bin:/bin', NO_PROXY: '127.0.0.1,localhost' },
    timeoutMs: LIFECYCLE_TIMEOUT_MS,
  });
}

for (const backend of backends()) {
  describe(`gophercloud · ${backend.name}`, () => {
    for (const mode of gatewayModes()) {
      describe(`${backend.name} · ${mode.label}`, () => {
        let gw: RunningGateway;
        before(async () => {
          gw = await startGateway(backend, mode);
        });
        after(async () => {
          await gw?.close();
        });

        // node:test's deadline comes after the program's, so that a hang is reported as the program's timeout
        test('the node lifecycle through gophercloud', { timeout: LIFECYCLE_TIMEOUT_MS + 60_000 }, async () => {
          const args = ['-endpoint', gw.url, '-tag', runTag(), '-conductor-host', backend.expect.conductorHost];
          if (gw.cacert) args.push('-cacert', gw.cacert);
          if (gw.token) args.push('-token', gw.token);
          const r = await lifecycle(args);
          assert.equal(r.code, 0, programFailure('the gophercloud lifecycle', r, LIFECYCLE_TIMEOUT_MS));
          const last = r.stdout.trim().split('\n').at(-1) ?? '';
          assert.deepEqual(JSON.parse(last), STEPS);
        });
      });
    }
  });
}
