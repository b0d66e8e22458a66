// queuecraft:hidden-or-solution — never in a student edition
// Alternative: the ceiling by repeated doubling that stops at the cap (no 2 ** n), jitter measured up from the bottom of the band, and a callback-driven retry loop on clock.setTimeout instead of an async for-loop with sleep.
import type { Clock } from "#kit/clock.ts";

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  jitter?: number;
  random?: () => number;
}

export interface RetryPolicy extends BackoffOptions {
  maxAttempts: number;
}

function ceilingFor(attempt: number, baseMs: number, maxMs: number): number {
  let delay = baseMs;
  for (let n = 1; n < attempt; n++) {
    if (delay >= maxMs) return maxMs;
    delay *= 2;
  }
  return delay < maxMs ? delay : maxMs;
}

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  // NaN and Infinity fail `% 1 === 0` (their remainder is NaN).
  if (!(attempt >= 1 && attempt % 1 === 0)) throw new RangeError(`not a try number: ${attempt}`);
  const ceiling = ceilingFor(attempt, options.baseMs, options.maxMs);
  const jitter = options.jitter ?? 0;
  if (jitter <= 0) return ceiling;
  const random = options.random ?? Math.random;
  const floor = ceiling * (1 - jitter);
  return floor + (ceiling - floor) * random();
}

export function shouldRetry(attemptsMade: number, policy: Pick<RetryPolicy, "maxAttempts">): boolean {
  return policy.maxAttempts - attemptsMade > 0;
}

export function runWithRetries<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy, clock: Clock): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const attemptOnce = (attempt: number): void => {
      let promise: Promise<T>;
      try {
        promise = task(attempt);
      } catch (error) {
        promise = Promise.reject(error);
      }
      promise.then(resolve, (error: unknown) => {
        if (!shouldRetry(attempt, policy)) {
          reject(error);
          return;
        }
        clock.setTimeout(() => attemptOnce(attempt + 1), backoffDelay(attempt, policy));
      });
    };
    attemptOnce(1);
  });
}
