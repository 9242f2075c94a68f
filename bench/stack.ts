/**
 * The test stack (RabbitMQ and the real ironic-conductor, test/support/stack.sh) for the
 * benchmarks: TEST_TRANSPORT_URL when set, else the running stack of .tmp/stack-<release>.env, else one
 * started here (then `stop` stops it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestStack {
  url: string;
  /** the real conductor's host name, when there is one */
  host?: string;
  /** its ironic.conf, when the stack was started by stack.sh */
  conductorConfig?: string;
  stop?: () => void;
}

const root = join(import.meta.dirname, '..');

export function testStack(): TestStack {
  if (process.env.TEST_TRANSPORT_URL) {
    return {
      url: process.env.TEST_TRANSPORT_URL,
      host: process.env.TEST_CONDUCTOR_HOST,
      conductorConfig: process.env.TEST_CONDUCTOR_CONFIG,
    };
  }
  // the release is stack.sh's STACK_RELEASE (21.4 by default), inherited by the commands below
  const envFile = join(root, '.tmp', `stack-${process.env.STACK_RELEASE ?? '21.4'}.env`);
  const script = join(root, 'test', 'support', 'stack.sh');
  const read = (): TestStack => {
    const env = Object.fromEntries(
      readFileSync(envFile, 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    return { url: env.TEST_TRANSPORT_URL!, host: env.TEST_CONDUCTOR_HOST, conductorConfig: env.TEST_CONDUCTOR_CONFIG };
  };
  if (existsSync(envFile) && execFileSync('bash', [script, 'status'], { encoding: 'utf8' }).includes('rabbitmq: up'))
    return read();
  console.log('starting the test stack (test/support/stack.sh start)…');
  execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  return { ...read(), stop: () => execFileSync('bash', [script, 'stop'], { stdio: 'inherit' }) };
}
