// Challenge: exponential backoff with a cap and jitter, and a retry policy
// that stops at maxAttempts. Time comes from an injected Clock and randomness
// from an injected random function, so the tests can check exact numbers.
import type { Clock } from "#kit/clock.ts";

export interface BackoffOptions {
  /** Delay before the first retry, in ms (> 0). */
  baseMs: number;
  /** No delay ever exceeds this, in ms (>= baseMs). */
  maxMs: number;
  /**
   * Fraction of the delay that is randomised, from 0 to 1. 0 (the default)
   * means no jitter; 1 means "full jitter" (anywhere from 0 to the ceiling).
   */
  jitter?: number;
  /** Returns a number in [0, 1). Defaults to Math.random; tests inject their own. */
  random?: () => number;
}

export interface RetryPolicy extends BackoffOptions {
  /**
   * Total number of tries INCLUDING the first one (like BullMQ's `attempts`,
   * River's `MaxAttempts`, Oban's `max_attempts`). 1 means "never retry".
   * An integer >= 1.
   */
  maxAttempts: number;
}

/**
 * How long to wait after try number `attempt` has failed, before the next try.
 *
 * - [C1] `attempt` is 1-based: 1 is the first try. Anything that is not an
 *   integer >= 1 (0, negatives, fractions, NaN, Infinity) throws a RangeError.
 * - [C2] The ceiling is exactly `min(maxMs, baseMs * 2^(attempt - 1))`: baseMs
 *   after the first failure, then 2x, 4x ... until it reaches maxMs, then maxMs
 *   forever. This holds for any cap, also caps far above 2^31 ms.
 * - [C3] For every attempt number, however huge (2^31, 2^53 - 1 ...), the delay
 *   is a finite number >= 0 and never above maxMs: never NaN, never negative.
 * - [C4] Without jitter (jitter omitted or 0) the delay IS the ceiling, so
 *   delays never decrease from one attempt to the next.
 * - [C5] With jitter j (0 < j <= 1) the delay lies in [ceiling * (1 - j), ceiling].
 *   Jitter never pushes a delay above the ceiling, so it never exceeds maxMs
 *   either. (BullMQ's jitter works the same way.) The result need not be an integer.
 * - [C6] The jittered delay is spread over that whole band by `random` (the
 *   injected one, Math.random when none is given): random() values near 0 and
 *   near 1 must give delays about j * ceiling apart, also once the cap is reached.
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  throw new Error("TODO: compute min(maxMs, baseMs * 2^(attempt - 1)), then apply jitter inside the band");
}

/**
 * Whether a job whose try number `attemptsMade` just failed gets another try.
 *
 * - [C7] true exactly when attemptsMade < policy.maxAttempts (maxAttempts counts
 *   the first try).
 */
export function shouldRetry(attemptsMade: number, policy: Pick<RetryPolicy, "maxAttempts">): boolean {
  throw new Error("TODO: decide from attemptsMade and maxAttempts");
}

/**
 * Runs `task(attempt)` with attempt = 1, 2, 3 ... until it resolves.
 *
 * - [C8] Resolves with the value of the first try that resolves, whatever that
 *   value is (0, "", false, null and undefined are successes too), and calls
 *   the task no more after it.
 * - [C9] When try n rejects and shouldRetry(n) is true, waits backoffDelay(n)
 *   computed with the whole policy (its jitter and random too) on the injected
 *   clock (clock.sleep or clock.setTimeout), then calls task(n + 1).
 * - [C10] When try n rejects and no try is left, rejects at once (no waiting
 *   after the last failure) with the error of that last try, unchanged, even
 *   when it is not an Error (a task may reject with undefined, 0 or ""). The
 *   task is called exactly maxAttempts times if it always fails.
 * - [C11] Leaves no timer behind, whether it resolves or rejects.
 * - [C12] Runs are independent: several runWithRetries calls may be in
 *   progress on one clock at once, each with its own attempts and waits.
 */
export function runWithRetries<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy, clock: Clock): Promise<T> {
  throw new Error("TODO: loop over attempts, sleeping backoffDelay between failed tries");
}
