/**
 * The e2e suite's deadlines (test/e2e/support/steps.ts): a step past its deadline fails as a
 * timeout, its signal is aborted so that its commands stop, and its clean-up can wait for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StepTimeout, withDeadline } from '../../e2e/support/steps.ts';
import { until } from '../../e2e/support/wait.ts';

test('a step past its deadline fails as a timeout, is aborted, and ends before its clean-up runs', async () => {
  const events: string[] = [];
  const run = withDeadline('step "hangs"', 50, async (signal) => {
    // a step polling for something that never comes, as a wait for a provision state does
    try {
      await until('nothing', async () => undefined, 60_000, 10, signal);
    } finally {
      events.push('step ended');
    }
  });
  await assert.rejects(run.result, (err: Error) => {
    assert.ok(err instanceof StepTimeout);
    assert.equal(err.message, 'step "hangs" timed out after 0.05 s');
    return true;
  });
  await run.ended;
  events.push('clean-up');
  assert.deepEqual(events, ['step ended', 'clean-up']);
});

test('a command that failed because the deadline aborted it reports the deadline, not its own error', async () => {
  const run = withDeadline('step "slow"', 30, async (signal) => {
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    throw new Error('HTTP 404: Node … could not be found'); // what the next command would have seen
  });
  await assert.rejects(run.result, StepTimeout);
});

test('a step within its deadline passes its result and its own failures through', async () => {
  assert.equal(await withDeadline('quick', 5_000, async () => 42).result, 42);
  await assert.rejects(
    withDeadline('failing', 5_000, async () => {
      throw new Error('a wrong answer');
    }).result,
    /a wrong answer/,
  );
});
