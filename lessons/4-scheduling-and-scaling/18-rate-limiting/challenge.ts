// Rate limiting: a token bucket on an injected clock, and a queue worker that
// waits for tokens instead of failing, dropping or burning attempts.

import type { Clock } from "#kit/clock.ts";

export interface TokenBucketOptions {
  /** Most tokens the bucket can hold; it is full when created. A positive integer. */
  capacity: number;
  /** Tokens added per second, continuously (rate 4 means one token every 250 ms). Positive. */
  refillPerSecond: number;
}

export interface TokenBucket {
  /**
   * Adds the tokens earned since the last call (never more than `capacity` in the
   * bucket), then takes one token if at least one is there. Returns true if it took one.
   *
   * The guarantee: over ANY stretch of time of length T ms, at most
   * `capacity + refillPerSecond * T / 1000` calls return true.
   */
  tryTake(): boolean;

  /**
   * Milliseconds from now until tryTake() will succeed (0 if it would succeed now).
   * Waiting exactly this long (on the same clock) must be enough.
   */
  msUntilToken(): number;
}

/** Creates a full token bucket that reads time only from `clock`. Throws a RangeError on bad options. */
export function createTokenBucket(options: TokenBucketOptions, clock: Clock): TokenBucket {
  throw new Error("TODO: createTokenBucket — refill by elapsed time, cap at capacity, take one token");
}

/**
 * Thrown by a handler when the upstream said "slow down" (HTTP 429 with Retry-After).
 * It is not a failure of the job.
 */
export class RateLimitedError extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`rate limited upstream, retry after ${retryAfterMs} ms`);
    this.name = "RateLimitedError";
  }
}

export type LimitedJobState = "waiting" | "active" | "completed" | "failed";

export interface LimitedJob<T> {
  readonly id: string;
  readonly data: T;
  state: LimitedJobState;
  /** Attempts that counted: handler runs that completed or threw an ordinary error. */
  attemptsMade: number;
  /** The last error message once the job has failed for good. */
  failedReason?: string;
}

export interface LimitedWorkerOptions<T> {
  clock: Clock;
  /** Every handler run takes one token from this bucket first (it may be shared by several workers). */
  limiter: TokenBucket;
  /**
   * Processes one job. `attempt` is 1 on the first attempt, 2 on the first retry, and so on.
   * A run that ended in RateLimitedError did not count, so the rerun gets the same number.
   */
  handler: (job: LimitedJob<T>, attempt: number) => Promise<void>;
  /** Counted attempts before a job fails for good. Default 3. */
  maxAttempts?: number;
  /** Delay before a job whose attempt failed is waiting again. Default 0. */
  retryDelayMs?: number;
}

export interface LimitedWorker<T> {
  /** Adds a waiting job (ids are unique) and returns it; the same object is updated as it runs. */
  add(id: string, data: T): LimitedJob<T>;
  get(id: string): LimitedJob<T> | undefined;
  /** Stops starting jobs and clears the worker's timers (running handlers are left to finish). */
  close(): void;
}

/**
 * A worker with no concurrency limit of its own: the limiter is what paces it.
 *
 * - A job starts (its handler is called) only after `limiter.tryTake()` returned true for it.
 *   So handler calls obey the bucket's guarantee: in any window of T ms, at most
 *   capacity + refillPerSecond * T / 1000 calls.
 * - When no token is available, waiting jobs WAIT: the worker sets one timer for
 *   `limiter.msUntilToken()` and tries again then. Waiting is not an attempt, never fails or
 *   drops a job, and a job starts as soon as a token is available (within a millisecond or two).
 *   Jobs start in the order they were added, except that retries rejoin at the back.
 * - If the handler throws RateLimitedError(ms): the job goes back to the FRONT of the waiting
 *   jobs, attemptsMade does not change, and no job of this worker starts until `ms` have passed.
 * - If the handler throws anything else: attemptsMade + 1; the job fails for good (state "failed",
 *   failedReason set) once attemptsMade reaches maxAttempts, otherwise it is waiting again after
 *   retryDelayMs. If the handler resolves: attemptsMade + 1 and state "completed".
 * - Event-driven: with nothing to wait for, the worker leaves no timer behind.
 */
export function createLimitedWorker<T>(options: LimitedWorkerOptions<T>): LimitedWorker<T> {
  throw new Error("TODO: createLimitedWorker — take a token before each run, wait when there is none");
}
