// queuecraft:hidden-or-solution — never in a student edition
// Keeps jobs in a plain object, so add("constructor") throws "already added" (an inherited entry) and get("toString") returns a function instead of undefined.
import type { Clock } from "#kit/clock.ts";

export interface TokenBucketOptions { capacity: number; refillPerSecond: number }
export interface TokenBucket { tryTake(): boolean; msUntilToken(): number }

export function createTokenBucket(options: TokenBucketOptions, clock: Clock): TokenBucket {
  const { capacity, refillPerSecond: rate } = options;
  if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1) {
    throw new RangeError(`capacity must be an integer >= 1, got ${String(capacity)}`);
  }
  if (typeof rate !== "number" || !Number.isFinite(rate) || rate <= 0) {
    throw new RangeError(`refillPerSecond must be a finite number > 0, got ${String(rate)}`);
  }
  let tokens = capacity;
  let last = clock.now();
  const refill = () => {
    const now = clock.now();
    if (now > last) tokens = Math.min(capacity, tokens + ((now - last) * rate) / 1000);
    last = now;
  };
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
      let ms = Math.ceil(((1 - tokens) * 1000) / rate);
      while (Math.min(capacity, tokens + (ms * rate) / 1000) < 1) ms++;
      return ms;
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

type TimerId = ReturnType<Clock["setTimeout"]>;

export function createLimitedWorker<T>(options: LimitedWorkerOptions<T>): LimitedWorker<T> {
  const { clock, limiter, handler } = options;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 0;
  const jobs: Record<string, LimitedJob<T>> = {};
  const line: LimitedJob<T>[] = [];
  const retryTimers = new Set<TimerId>();
  let wake: TimerId | undefined;
  let pausedUntil = -Infinity;
  let closed = false;

  function disarm(): void {
    if (wake !== undefined) clock.clearTimeout(wake);
    wake = undefined;
  }
  function arm(ms: number): void {
    disarm();
    wake = clock.setTimeout(() => {
      wake = undefined;
      pump();
    }, Math.max(1, ms));
  }

  function pump(): void {
    if (closed) return;
    disarm();
    while (line.length > 0) {
      const now = clock.now();
      if (now < pausedUntil) {
        arm(pausedUntil - now);
        return;
      }
      if (!limiter.tryTake()) {
        arm(limiter.msUntilToken());
        return;
      }
      start(line.shift()!);
    }
  }

  function settle(job: LimitedJob<T>, error: unknown, ok: boolean): void {
    if (ok) {
      job.attemptsMade++;
      job.state = "completed";
    } else if (error instanceof RateLimitedError) {
      job.state = "waiting";
      pausedUntil = Math.max(pausedUntil, clock.now() + error.retryAfterMs);
      line.unshift(job);
    } else {
      job.attemptsMade++;
      if (job.attemptsMade >= maxAttempts) {
        job.state = "failed";
        job.failedReason = error instanceof Error ? error.message : String(error);
      } else {
        job.state = "waiting";
        if (retryDelayMs <= 0 || closed) {
          line.push(job);
        } else {
          const timer = clock.setTimeout(() => {
            retryTimers.delete(timer);
            line.push(job);
            pump();
          }, retryDelayMs);
          retryTimers.add(timer);
        }
      }
    }
    pump();
  }

  function start(job: LimitedJob<T>): void {
    job.state = "active";
    let running: Promise<void>;
    try {
      running = Promise.resolve(handler(job, job.attemptsMade + 1));
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      () => settle(job, undefined, true),
      (error: unknown) => settle(job, error, false),
    );
  }

  return {
    add(id, data) {
      if (jobs[id]) throw new Error(`job ${JSON.stringify(id)} was already added`);
      const job: LimitedJob<T> = { id, data, state: "waiting", attemptsMade: 0 };
      jobs[id] = job;
      line.push(job);
      pump();
      return job;
    },
    get: (id) => jobs[id],
    close() {
      closed = true;
      disarm();
      for (const timer of retryTimers) clock.clearTimeout(timer);
      retryTimers.clear();
    },
  };
}
