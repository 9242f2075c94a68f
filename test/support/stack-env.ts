/** What test/support/stack.sh started (via .tmp/stack-<release>.env, sourced by test/run.sh). */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Config } from '../../src/config.ts';
import type { RabbitOptions } from '../../src/rpc/rabbit.ts';
import { RPC_API_VERSION } from '../../src/conductor/rpc-methods.ts';
import { MINOR_MAX_VERSION } from '../../src/http/versions.ts';
import { RELEASE_MAPPING } from '../../src/releases.ts';

const run = promisify(execFile);

/** The newest Ironic release the gateway implements: the one its unpinned profile matches. */
const NEWEST_RELEASE = Object.entries(RELEASE_MAPPING)
  .filter(([, m]) => m.api === `1.${MINOR_MAX_VERSION}` && m.rpc === RPC_API_VERSION)
  .at(-1)?.[0];

function required(name: string): string {
  const v = process.env[name];
  if (!v)
    throw new Error(
      `${name} is not set: run the integration tests through test/run.sh (or source .tmp/stack-21.4.env after test/support/stack.sh start)`,
    );
  return v;
}

export const stack = {
  /** the Ironic release of the stack: 21.4 (Debian bookworm, on the host) or 39.0 (sid, in a chroot) */
  release: (): string => process.env.TEST_RELEASE ?? '21.4',
  transportUrl: (): string => required('TEST_TRANSPORT_URL'),
  /** the stack's conductor uses oslo.messaging's rabbit_quorum_queue and rabbit_transient_quorum_queue (39.0) */
  quorumQueues: (): boolean => process.env.TEST_RABBIT_QUORUM_QUEUES === 'true',
  /**
   * The pin a gateway in front of this stack's conductor needs: none for the newest release the
   * gateway implements (it answers as that release unpinned), the stack's release otherwise
   * (an unpinned gateway would speak RPC and objects newer than an older conductor knows).
   */
  pin: (): string | undefined => (stack.release() === NEWEST_RELEASE ? undefined : stack.release()),
  /** the gateway's settings for the stack: its transport URL, its conductor's queue options, the pin */
  gatewaySettings: (): Pick<
    Config,
    'transport_url' | 'rabbit_quorum_queue' | 'rabbit_transient_quorum_queue' | 'pin_release_version'
  > => ({
    pin_release_version: stack.pin(),
    transport_url: stack.transportUrl(),
    rabbit_quorum_queue: stack.quorumQueues(),
    rabbit_transient_quorum_queue: stack.quorumQueues(),
  }),
  /** the same queue options, for a RabbitTransport of the test's own */
  rabbitOptions: (): Pick<RabbitOptions, 'quorumQueues' | 'transientQuorumQueues'> => ({
    quorumQueues: stack.quorumQueues(),
    transientQuorumQueues: stack.quorumQueues(),
  }),
  conductorHost: (): string => required('TEST_CONDUCTOR_HOST'),
  /** the conductor's ironic.conf (database, broker), for starting ironic-api beside it */
  conductorConfig: (): string =>
    process.env.TEST_CONDUCTOR_CONFIG ??
    join(import.meta.dirname, '..', '..', '.tmp', 'stack', 'ironic', 'ironic.conf'),
  conductorLog: (): string =>
    process.env.TEST_CONDUCTOR_LOG ??
    join(import.meta.dirname, '..', '..', '.tmp', 'stack', 'ironic', 'log', 'ironic-conductor.log'),
  script: (): string => process.env.TEST_STACK_SCRIPT ?? join(import.meta.dirname, 'stack.sh'),
  /** Runs `stack.sh <args>` and returns its stdout. */
  async sh(...args: string[]): Promise<string> {
    const { stdout } = await run('bash', [stack.script(), ...args], {
      maxBuffer: 16 << 20,
      env: { ...process.env, STACK_RELEASE: stack.release() },
    });
    return stdout;
  },
};
