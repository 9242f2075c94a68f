/**
 * Metal3's operations through gophercloud, as the baremetal-operator sends them, on the real
 * Ironic 39.0 conductor (issue 15): test/e2e/gophercloud/metal3.go, built in GOPATH mode from
 * Debian's /usr/share/gocode (bookworm's gophercloud 0.12: the installed one; BMO itself uses
 * v2.13, whose requests the program reproduces), run twice on the same conductor:
 *
 * (a) against ironic-api 39.0 itself (test/support/ironic-api.ts): this proves the program and its
 *     expectations, which are 39.0's answers;
 * (b) against the unpinned gateway: the same program, the same expectations.
 *
 * Only on the 39.0 stack: BMO refuses an Ironic below 1.89, and 21.4 serves up to 1.82.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { startIronicApi, type IronicApi } from '../support/ironic-api.ts';
import { stack } from '../support/stack-env.ts';
import { programFailure, runProgram } from '../e2e/support/program.ts';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');
const out = join(root, '.tmp', 'go');
const binary = join(out, 'gophercloud-metal3');

/** Every step of the program, in order: a step left out or failed is a failure. */
const STEPS = [
  'negotiate: GET /v1/ announces 1.115, BMO picks 1.110',
  'drivers',
  "node create with BMO's body (disable_power_off false sent), 1.110 fields shown",
  'node get by uuid and by name',
  'node list ?fields=uuid,name,provision_state,boot_interface',
  'ports: list by address with fields, create with pxe_enabled, list by node',
  'validate',
  'manage and provide',
  'power on, off',
  'disable_power_off (1.95): set, power off refused, rebooting accepted, unset',
  "virtual media attach (1.89): 204, then the conductor's error in last_error",
  'virtual media get (1.93): 400 on fake-hardware, 404 below 1.93',
  'virtual media detach ?device_types=cdrom: 204',
  'health (1.109): null on fake-hardware, absent at 1.108',
  'firmware components (1.86): an empty list',
  'inventory (1.81): 404 without inspection data',
  'deploy to active',
  'abort (1.110) of an active node: 400',
  'service (1.87) to service wait, abort accepted: abort_after on a step that is not abortable',
  'undeploy (from service wait), delete',
];

const SKIP =
  stack.release() === '39.0'
    ? false
    : `Metal3's baremetal-operator needs Ironic ≥ 1.89; the ${stack.release()} stack serves up to 1.82 (only the 39.0 stack runs this)`;

/** The program's time limit: some 20 s on a quiet machine, several times that on a busy one. */
const TIMEOUT_MS = 420_000;

/** A unique six-hex-digit tag per run (the program puts it in a MAC address). */
const tag = (): string =>
  Math.floor(Math.random() * 0x1000000)
    .toString(16)
    .padStart(6, '0');

async function metal3(endpoint: string): Promise<void> {
  const r = await runProgram(binary, ['-endpoint', endpoint, '-tag', tag(), '-conductor-host', stack.conductorHost()], {
    env: { PATH: '/usr/bin:/bin', NO_PROXY: '127.0.0.1,localhost' },
    timeoutMs: TIMEOUT_MS,
  });
  assert.equal(r.code, 0, programFailure('the Metal3 program', r, TIMEOUT_MS));
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.deepEqual(JSON.parse(last), STEPS);
}

describe('Metal3 (baremetal-operator) through gophercloud on the 39.0 conductor', { skip: SKIP }, () => {
  let api: IronicApi | undefined;
  let gateway: Gateway | undefined;
  let gwBase = '';

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
    await run('go', ['build', '-o', binary, join(root, 'test', 'e2e', 'gophercloud', 'metal3.go')], {
      env,
      timeout: 300_000,
    });
    api = await startIronicApi({
      conductorConfig: stack.conductorConfig(),
      dir: join(root, '.tmp', 'metal3-ironic-api'),
      workers: 1,
      timeoutS: 60,
    });
    gateway = await createGateway(
      loadConfig({
        env: {},
        overrides: {
          ...stack.gatewaySettings(),
          pin_release_version: undefined,
          log_level: 'silent',
          host: '127.0.0.1',
          port: 0,
        },
      }),
    );
    await gateway.app.listen({ host: '127.0.0.1', port: 0 });
    gwBase = `http://127.0.0.1:${(gateway.app.server.address() as { port: number }).port}`;
  });

  after(async () => {
    await gateway?.close();
    await api?.stop();
  });

  test("(a) against ironic-api 39.0: the program's expectations are 39.0's answers", {
    timeout: TIMEOUT_MS + 60_000,
  }, async () => {
    await metal3(api!.base);
  });

  test('(b) against the unpinned gateway on the same conductor', { timeout: TIMEOUT_MS + 60_000 }, async () => {
    await metal3(gwBase);
  });
});
