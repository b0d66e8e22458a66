// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: exponential backoff with a cap and proportional jitter,
// and a retry loop whose maxAttempts counts the first try.
import type { Clock } from "#kit/clock.ts";

export interface BackoffOptions {
  /** Delay before the first retry, in ms (> 0). */
  baseMs: number;
  /** No delay ever exceeds this, in ms (>= baseMs). */
  maxMs: number;
  /** Fraction of the delay that is randomised, from 0 to 1 (default 0). */
  jitter?: number;
  /** Returns a number in [0, 1). Defaults to Math.random. */
  random?: () => number;
}

export interface RetryPolicy extends BackoffOptions {
  /** Total number of tries including the first one; an integer >= 1. */
  maxAttempts: number;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt is 1-based and must be an integer >= 1, got ${attempt}`);
  }
  const { baseMs, maxMs, jitter = 0, random = Math.random } = options;
  if (!(jitter >= 0 && jitter <= 1)) throw new RangeError(`jitter must be between 0 and 1, got ${jitter}`);

  // 2 ** n is exact for integers and becomes Infinity (not negative, not NaN)
  // for huge n, which Math.min then turns into the cap.
  const ceiling = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
  if (jitter === 0) return ceiling;
  // Jitter only ever shortens the wait: the band is [ceiling * (1 - jitter), ceiling].
  return ceiling - ceiling * jitter * random();
}

export function shouldRetry(attemptsMade: number, policy: Pick<RetryPolicy, "maxAttempts">): boolean {
  return attemptsMade < policy.maxAttempts;
}

export async function runWithRetries<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy, clock: Clock): Promise<T> {
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be an integer >= 1, got ${policy.maxAttempts}`);
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (!shouldRetry(attempt, policy)) throw error;
      await clock.sleep(backoffDelay(attempt, policy));
    }
  }
}
