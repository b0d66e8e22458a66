// Rate limiting: a token bucket on an injected clock, and a queue worker that
// waits for tokens instead of failing, dropping or burning attempts.

import type { Clock } from "#kit/clock.ts";

export interface TokenBucketOptions {
  /** Most tokens the bucket can hold; it is full when created (see C4). */
  capacity: number;
  /** Tokens added per second, continuously (rate 4 means one token every 250 ms); see C4. */
  refillPerSecond: number;
}

export interface TokenBucket {
  /**
   * - [C1] Adds the tokens earned since the last call (never more than `capacity` in the
   *   bucket), then takes one token if at least one whole token is there. Returns true if it
   *   took one.
   * - [C2] The guarantee: over ANY stretch of time of length T ms (its first and last
   *   millisecond included), at most `capacity + refillPerSecond * T / 1000` calls return true.
   */
  tryTake(): boolean;

  /**
   * - [C3] Milliseconds from now until tryTake() will succeed: 0 exactly when it would succeed
   *   now. Waiting exactly this long (on the same clock) must be enough, and it is never more
   *   than one token's refill time (rounded up) plus 1.
   */
  msUntilToken(): number;
}

/**
 * [C4] Creates a full token bucket that reads time only from `clock`. `capacity` is any
 * integer >= 1 (2^31 and above included); `refillPerSecond` any finite number > 0. Anything
 * else (0, -1, 1.5 tokens, NaN, Infinity) throws a RangeError.
 */
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
  /** Why the job failed for good (see C10). */
  failedReason?: string;
}

export interface LimitedWorkerOptions<T> {
  clock: Clock;
  /** Every handler run takes one token from this bucket first (it may be shared by several workers). */
  limiter: TokenBucket;
  /** Processes one job; `attempt` is described in C11. */
  handler: (job: LimitedJob<T>, attempt: number) => Promise<void>;
  /** Counted attempts before a job fails for good (see C10). */
  maxAttempts?: number;
  /** Delay before a job whose attempt failed is waiting again (see C10). */
  retryDelayMs?: number;
}

export interface LimitedWorker<T> {
  /**
   * [C5] Adds a waiting job and returns it; the same object is updated as it runs (its state
   * is "active" while its handler runs). Ids are any strings ("", "constructor" and
   * "__proto__" included); adding an id that was already added throws an Error. After
   * close(), an added job stays waiting and never starts.
   */
  add(id: string, data: T): LimitedJob<T>;
  /** [C6] The job added under `id` (the same object add() returned), or undefined for an unknown id. */
  get(id: string): LimitedJob<T> | undefined;
  /**
   * [C7] Stops starting jobs and clears every timer the worker set (its wake-up timer and every
   * pending retry delay): nothing of the worker stays on the clock. Running handlers are left to
   * finish; one that ends after close() starts nothing and sets no timer. Calling close() again,
   * or before any job was added, is harmless.
   */
  close(): void;
}

/**
 * A worker with no concurrency limit of its own: the limiter is what paces it.
 *
 * - [C8] Every handler run starts only after `limiter.tryTake()` returned true for it: first
 *   attempts, retries and the rerun after a RateLimitedError alike (the rerun takes a new
 *   token). So handler calls obey the bucket's guarantee (C2).
 * - [C9] When no token is available, waiting jobs WAIT: the worker sets one timer for
 *   `limiter.msUntilToken()` and tries again then. Waiting is not an attempt, never fails or
 *   drops a job, and a job starts as soon as a token is available (within a millisecond or
 *   two), whatever the other jobs are doing. Jobs start in the order they were added, except
 *   as C10 and C11 say.
 * - [C10] If the handler throws anything but a RateLimitedError: attemptsMade + 1; once
 *   attemptsMade reaches maxAttempts the job fails for good (state "failed", failedReason set
 *   to the error's message, or to String(value) for a thrown non-Error). Otherwise the job is
 *   "waiting" again at once, and after retryDelayMs it rejoins the line at the BACK, behind
 *   every job waiting by then. maxAttempts defaults to 3 and retryDelayMs to 0, but only
 *   when the option is absent: an explicit maxAttempts of 0 or 1 makes the first failure
 *   final. If the handler resolves: attemptsMade + 1 and state "completed".
 * - [C11] If the handler throws RateLimitedError(ms): the job is "waiting" again, at the FRONT
 *   of the waiting jobs, attemptsMade does not change (the rerun gets the same `attempt` number),
 *   and no job of this worker starts until `ms` have passed (counted from the throw); then they
 *   start again as C9 says, as soon as a token is available. A later RateLimitedError never
 *   shortens a pause already in force: the worker waits until the latest end it was given.
 *   `attempt` is attemptsMade + 1: 1 on the first attempt, 2 on the first retry, and so on.
 * - [C12] Event-driven: with nothing to wait for, the worker leaves no timer behind.
 */
export function createLimitedWorker<T>(options: LimitedWorkerOptions<T>): LimitedWorker<T> {
  throw new Error("TODO: createLimitedWorker — take a token before each run, wait when there is none");
}
