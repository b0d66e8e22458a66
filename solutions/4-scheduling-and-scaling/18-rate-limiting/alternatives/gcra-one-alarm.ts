// queuecraft:hidden-or-solution — never in a student edition
// Alternative: the bucket is GCRA (one "theoretical arrival time" instead of a token count), and the worker is a class with ONE alarm timer for everything it waits for (the next token, the upstream's pause, the earliest retry), retries kept in a list ordered by when they are due.

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
  if (typeof capacity !== "number" || !Number.isInteger(capacity) || capacity < 1) throw new RangeError("capacity must be an integer >= 1");
  if (typeof refillPerSecond !== "number" || !Number.isFinite(refillPerSecond) || refillPerSecond <= 0) throw new RangeError("refillPerSecond must be a finite number > 0");
  const interval = 1000 / refillPerSecond; // ms per token
  const burst = (capacity - 1) * interval; // how far ahead of now the arrival time may run
  let tat = clock.now(); // theoretical arrival time: the bucket is full while tat <= now
  return {
    tryTake() {
      const now = clock.now();
      const start = Math.max(tat, now);
      if (start - now > burst) return false;
      tat = start + interval;
      return true;
    },
    msUntilToken() {
      const now = clock.now();
      const ahead = Math.max(tat, now) - now - burst;
      return ahead <= 0 ? 0 : Math.ceil(ahead);
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

class Worker<T> implements LimitedWorker<T> {
  private readonly all = new Map<string, LimitedJob<T>>();
  private line: LimitedJob<T>[] = [];
  private retries: Array<{ job: LimitedJob<T>; at: number }> = [];
  private pauseEnd = Number.NEGATIVE_INFINITY;
  private alarm: { id: TimerId; at: number } | undefined;
  private closed = false;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: LimitedWorkerOptions<T>) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 0;
  }

  add(id: string, data: T): LimitedJob<T> {
    if (this.all.has(id)) throw new Error(`duplicate job id ${JSON.stringify(id)}`);
    const job: LimitedJob<T> = { id, data, state: "waiting", attemptsMade: 0 };
    this.all.set(id, job);
    this.line.push(job);
    this.tick();
    return job;
  }

  get(id: string): LimitedJob<T> | undefined {
    return this.all.get(id);
  }

  close(): void {
    this.closed = true;
    this.disarm();
    this.retries = [];
  }

  private disarm(): void {
    if (this.alarm) this.options.clock.clearTimeout(this.alarm.id);
    this.alarm = undefined;
  }

  /** Moves due retries to the back of the line, starts what tokens allow, then sets the one alarm. */
  private tick(): void {
    if (this.closed) return;
    const { clock, limiter } = this.options;
    const now = clock.now();
    while (this.retries.length > 0 && this.retries[0]!.at <= now) this.line.push(this.retries.shift()!.job);
    let wakeAt = Number.POSITIVE_INFINITY;
    while (this.line.length > 0) {
      if (now < this.pauseEnd) {
        wakeAt = this.pauseEnd;
        break;
      }
      if (!limiter.tryTake()) {
        wakeAt = now + Math.max(1, limiter.msUntilToken());
        break;
      }
      void this.start(this.line.shift()!);
    }
    if (this.retries.length > 0) wakeAt = Math.min(wakeAt, this.retries[0]!.at);
    if (this.alarm && this.alarm.at === wakeAt) return;
    this.disarm();
    if (wakeAt !== Number.POSITIVE_INFINITY) {
      const id = clock.setTimeout(() => {
        this.alarm = undefined;
        this.tick();
      }, wakeAt - now);
      this.alarm = { id, at: wakeAt };
    }
  }

  private async start(job: LimitedJob<T>): Promise<void> {
    job.state = "active";
    let outcome: { ok: true } | { ok: false; error: unknown };
    try {
      await this.options.handler(job, job.attemptsMade + 1);
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, error };
    }
    if (outcome.ok) {
      job.attemptsMade++;
      job.state = "completed";
    } else if (outcome.error instanceof RateLimitedError) {
      job.state = "waiting";
      this.line.unshift(job);
      this.pauseEnd = Math.max(this.pauseEnd, this.options.clock.now() + outcome.error.retryAfterMs);
    } else {
      job.attemptsMade++;
      if (job.attemptsMade >= this.maxAttempts) {
        job.state = "failed";
        job.failedReason = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      } else {
        job.state = "waiting";
        if (!this.closed) {
          const at = this.options.clock.now() + this.retryDelayMs;
          let i = this.retries.length;
          while (i > 0 && this.retries[i - 1]!.at > at) i--;
          this.retries.splice(i, 0, { job, at });
        }
      }
    }
    this.tick();
  }
}

export function createLimitedWorker<T>(options: LimitedWorkerOptions<T>): LimitedWorker<T> {
  return new Worker(options);
}
