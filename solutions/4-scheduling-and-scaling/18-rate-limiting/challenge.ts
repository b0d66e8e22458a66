// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a continuous token bucket and a worker that pumps its
// waiting list through it, sleeping on one timer whenever it must wait.

import type { Clock, TimerId } from "#kit/clock.ts";

export interface TokenBucketOptions {
  capacity: number;
  refillPerSecond: number;
}

export interface TokenBucket {
  tryTake(): boolean;
  msUntilToken(): number;
}

export function createTokenBucket(options: TokenBucketOptions, clock: Clock): TokenBucket {
  const { capacity, refillPerSecond } = options;
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  if (!(refillPerSecond > 0) || !Number.isFinite(refillPerSecond)) {
    throw new RangeError(`refillPerSecond must be a positive number, got ${refillPerSecond}`);
  }
  let tokens = capacity;
  let last = clock.now();

  function refill(): void {
    const now = clock.now();
    tokens = Math.min(capacity, tokens + ((now - last) * refillPerSecond) / 1000);
    last = now;
  }

  return {
    tryTake() {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    msUntilToken() {
      refill();
      if (tokens >= 1) return 0;
      return Math.ceil(((1 - tokens) * 1000) / refillPerSecond);
    },
  };
}

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
  attemptsMade: number;
  failedReason?: string;
}

export interface LimitedWorkerOptions<T> {
  clock: Clock;
  limiter: TokenBucket;
  handler: (job: LimitedJob<T>, attempt: number) => Promise<void>;
  maxAttempts?: number;
  retryDelayMs?: number;
}

export interface LimitedWorker<T> {
  add(id: string, data: T): LimitedJob<T>;
  get(id: string): LimitedJob<T> | undefined;
  close(): void;
}

export function createLimitedWorker<T>(options: LimitedWorkerOptions<T>): LimitedWorker<T> {
  const { clock, limiter, handler, maxAttempts = 3, retryDelayMs = 0 } = options;
  const jobs = new Map<string, LimitedJob<T>>();
  const waiting: LimitedJob<T>[] = [];
  const retryTimers = new Set<TimerId>();
  let wakeTimer: TimerId | undefined;
  let pausedUntil = 0;
  let closed = false;

  /** One timer for "try again later"; a new wait replaces the old one. */
  function wakeIn(ms: number): void {
    if (wakeTimer !== undefined) clock.clearTimeout(wakeTimer);
    wakeTimer = clock.setTimeout(() => {
      wakeTimer = undefined;
      pump();
    }, Math.max(1, ms));
  }

  /** Starts waiting jobs while tokens last; otherwise sleeps until the next token. */
  function pump(): void {
    while (!closed && waiting.length > 0) {
      const now = clock.now();
      if (now < pausedUntil) return wakeIn(pausedUntil - now);
      if (!limiter.tryTake()) return wakeIn(limiter.msUntilToken());
      void run(waiting.shift()!);
    }
  }

  async function run(job: LimitedJob<T>): Promise<void> {
    job.state = "active";
    try {
      await handler(job, job.attemptsMade + 1);
      job.attemptsMade += 1;
      job.state = "completed";
    } catch (error) {
      if (error instanceof RateLimitedError) {
        // Not the job's fault: back to the head of the line, no attempt spent,
        // and the whole worker holds off until the upstream is ready again.
        job.state = "waiting";
        waiting.unshift(job);
        pausedUntil = Math.max(pausedUntil, clock.now() + error.retryAfterMs);
      } else {
        job.attemptsMade += 1;
        if (job.attemptsMade >= maxAttempts) {
          job.state = "failed";
          job.failedReason = error instanceof Error ? error.message : String(error);
        } else {
          job.state = "waiting";
          if (closed) return; // a closed worker sets no timer, not even for a retry
          const timer = clock.setTimeout(() => {
            retryTimers.delete(timer);
            waiting.push(job);
            pump();
          }, retryDelayMs);
          retryTimers.add(timer);
        }
      }
    }
    pump();
  }

  return {
    add(id, data) {
      if (jobs.has(id)) throw new Error(`job "${id}" already exists`);
      const job: LimitedJob<T> = { id, data, state: "waiting", attemptsMade: 0 };
      jobs.set(id, job);
      waiting.push(job);
      pump();
      return job;
    },
    get(id) {
      return jobs.get(id);
    },
    close() {
      closed = true;
      if (wakeTimer !== undefined) clock.clearTimeout(wakeTimer);
      wakeTimer = undefined;
      for (const timer of retryTimers) clock.clearTimeout(timer);
      retryTimers.clear();
    },
  };
}
