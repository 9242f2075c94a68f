/**
 * openstacksdk's baremetal proxy, unmodified, against the gateway: test/e2e/sdk_lifecycle.py,
 * run by Debian's /usr/bin/python3 on each back end, with no auth and with a JWT passed as a
 * token. The SDK is bookworm's (0.101) on the host, and sid's (4.20) in the 39.0 stack's chroot
 * in front of the 39.0 conductor (RunningGateway.clients).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { programFailure, runProgram, type ProgramResult } from './support/program.ts';
import { backends, clientCommand, gatewayModes, runTag, startGateway, type RunningGateway } from './support/backend.ts';
import { copyFileSync, mkdirSync } from 'node:fs';

const SCRIPT = join(import.meta.dirname, 'sdk_lifecycle.py');
const ROOT = join(import.meta.dirname, '..', '..');

/** Every step of the script, in order: a step left out is a failure, not a pass. */
const STEPS = [
  'microversion negotiation',
  'drivers',
  'chassis create, list, update',
  'node create (enroll), get, find',
  'node list: filters, fields, details, paging',
  'node update and patch',
  'maintenance set / unset',
  'ports and port groups',
  'volume connector and target',
  'manage and provide with wait',
  'validate',
  'power on / reboot / off with wait',
  'volume connector and target delete (powered off)',
  'boot device',
  'traits',
  'vifs',
  'vendor passthru list and call (sync, async)',
  'deploy, wait_for_nodes_provision_state active',
  'undeploy, wait_for_nodes_provision_state available',
  'allocation create, wait, get, list, update, delete',
  'deploy template create, get, list, update; delete refused (501)',
  // issue 15
  'runbooks through the proxy session (1.92, 1.112 traits); delete refused (501)',
  'delete port, port group, nodes, chassis',
];

/** The lifecycle's time limit: it takes 20–40 s on a quiet machine, several times that on a busy one. */
const LIFECYCLE_TIMEOUT_MS = 420_000;

function python(gw: RunningGateway, args: string[]): Promise<ProgramResult> {
  const env = {
    PATH: '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    HOME: process.env.HOME ?? '/tmp',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
  // in the chroot the script must be under the checkout's .tmp, the one directory it shares
  let script = SCRIPT;
  if (gw.clients === 'chroot') {
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    script = join(ROOT, '.tmp', 'sdk_lifecycle.py');
    copyFileSync(SCRIPT, script);
  }
  const [file, argv, extraEnv] = clientCommand(gw, '/usr/bin/python3', [script, ...args]);
  return runProgram(file, argv, { env: { ...env, ...extraEnv }, timeoutMs: LIFECYCLE_TIMEOUT_MS });
}

for (const backend of backends()) {
  describe(`openstacksdk · ${backend.name}`, { concurrency: true }, () => {
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
        test('the node lifecycle through the baremetal proxy', { timeout: LIFECYCLE_TIMEOUT_MS + 60_000 }, async () => {
          const args = [
            '--endpoint',
            gw.url,
            '--tag',
            runTag(),
            '--conductor-host',
            backend.expect.conductorHost,
            '--network-interface',
            backend.expect.networkInterface,
          ];
          if (backend.expect.keepsVifs) args.push('--keeps-vifs');
          if (gw.cacert) args.push('--cacert', gw.cacert);
          if (gw.token) args.push('--token', gw.token);
          args.push('--api-max', gw.apiMax);
          const r = await python(gw, args);
          assert.equal(r.code, 0, programFailure('sdk_lifecycle.py', r, LIFECYCLE_TIMEOUT_MS));
          const last = r.stdout.trim().split('\n').at(-1) ?? '';
          assert.deepEqual(JSON.parse(last), STEPS);
        });
      });
    }
  });
}
