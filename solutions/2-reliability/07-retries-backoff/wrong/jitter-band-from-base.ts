// queuecraft:hidden-or-solution — never in a student edition
// Sizes the jitter band from baseMs instead of the current ceiling, so once delays have grown the jitter barely moves them and many failed jobs still retry at nearly the same instant.
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

export function backoffDelay(attempt: number, options: BackoffOptions): number {
  if (!Number.isInteger(attempt) || attempt < 1) {
    throw new RangeError(`attempt must be an integer >= 1, got ${attempt}`);
  }
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** (attempt - 1));
  const jitter = options.jitter ?? 0;
  if (jitter <= 0) return ceiling;
  const random = options.random ?? Math.random;
  return ceiling - Math.min(ceiling, options.baseMs) * jitter * random();
}

export function shouldRetry(attemptsMade: number, policy: Pick<RetryPolicy, "maxAttempts">): boolean {
  return attemptsMade < policy.maxAttempts;
}

export function runWithRetries<T>(task: (attempt: number) => Promise<T>, policy: RetryPolicy, clock: Clock): Promise<T> {
  const attemptFrom = async (attempt: number): Promise<T> => {
    try {
      return await task(attempt);
    } catch (error) {
      if (!shouldRetry(attempt, policy)) throw error;
      await clock.sleep(backoffDelay(attempt, policy));
      return attemptFrom(attempt + 1);
    }
  };
  return attemptFrom(1);
}
