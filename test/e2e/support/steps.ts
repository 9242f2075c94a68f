/**
 * Steps of an end-to-end scenario that hold on a busy machine and fail honestly:
 *
 * - each step has its own deadline (generous: a busy 2-core machine runs the CLI 3–5 times
 *   slower than a quiet one), and a step past it fails with "timed out", not with whatever the
 *   next command happened to see;
 * - a step that times out is aborted: its AbortSignal kills the command it is running and makes
 *   the next ones fail at once, so it stops instead of running on in the background;
 * - clean-up (`settled()`) waits for the step it cleans after to have ended, so it never deletes
 *   a node under a step still using it;
 * - after a failed step the rest are skipped, naming it (they build on each other).
 *
 * There is no suite-wide deadline: a scenario takes as long as its steps, each of them bounded.
 */
import { test } from 'node:test';

/** A step's default deadline (E2E_STEP_TIMEOUT_MS overrides it, e.g. to see a timeout reported). */
export const STEP_TIMEOUT_MS = Number(process.env.E2E_STEP_TIMEOUT_MS ?? 240_000);

export class StepTimeout extends Error {
  override name = 'StepTimeout';
}

export interface Steps {
  /** Declares a step (a node:test test) that runs `fn` with the step's abort signal. */
  step(title: string, fn: (signal: AbortSignal) => Promise<void>, timeoutMs?: number): void;
  /** Resolves once the step started last has ended, whether it passed, failed or timed out. */
  settled(): Promise<void>;
  /** The signal of the step running now (aborted once it timed out). */
  readonly signal: AbortSignal;
}

export function steps(): Steps {
  let failed: string | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let controller = new AbortController();
  return {
    get signal() {
      return controller.signal;
    },
    settled: () => running.then(() => undefined),
    step(title, fn, timeoutMs = STEP_TIMEOUT_MS) {
      // node:test's own deadline comes later, so that ours is the one reported
      test(title, { timeout: timeoutMs + 60_000 }, async (t) => {
        if (failed) return t.skip(`an earlier step failed: ${failed}`);
        // the step's signal is in place before its first command reads it
        controller = new AbortController();
        const run = withDeadline(`step "${title}"`, timeoutMs, fn, controller);
        running = run.ended;
        try {
          await run.result;
        } catch (err) {
          failed = err instanceof StepTimeout ? `${title} (timed out)` : title;
          throw err;
        }
      });
    },
  };
}

/**
 * Runs `fn` under a deadline, aborting its signal when it passes: for a single-test scenario,
 * whose clean-up must then wait for `fn` to have ended (the returned `ended`).
 */
export function withDeadline<T>(
  what: string,
  timeoutMs: number,
  fn: (signal: AbortSignal) => Promise<T>,
  controller: AbortController = new AbortController(),
): { result: Promise<T>; ended: Promise<void> } {
  const work = fn(controller.signal);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new StepTimeout(`${what} timed out after ${timeoutMs / 1000} s`);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  const result = Promise.race([work, deadline])
    // a command that failed because the deadline aborted it reports the deadline
    .catch((err: unknown) => {
      throw controller.signal.aborted ? controller.signal.reason : err;
    })
    .finally(() => clearTimeout(timer));
  return {
    result,
    ended: work.then(
      () => undefined,
      () => undefined,
    ),
  };
}
