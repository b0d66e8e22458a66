// queuecraft:hidden-or-solution — never in a student edition
// One unsorted array scanned for the minimum on every take; each next() call registers a waiter whose check() tries take() and otherwise arms one timer for the earliest runAt (capped at an hour); add() re-runs every waiter's check.
import type { Clock, TimerId } from "#kit/clock.ts";

export interface Job<T> {
  readonly id: number;
  readonly data: T;
  readonly priority: number;
  readonly runAt: number;
}

export interface AddOptions {
  priority?: number;
  delay?: number;
  runAt?: number;
}

export interface QueueCounts {
  delayed: number;
  ready: number;
}

const HOUR = 60 * 60 * 1000;

function before<T>(a: Job<T>, b: Job<T>): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  if (a.runAt !== b.runAt) return a.runAt < b.runAt;
  return a.id < b.id;
}

export class DelayedQueue<T> {
  readonly #clock: Clock;
  #jobs: Job<T>[] = [];
  #lastId = 0;
  readonly #waiters = new Set<() => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(data: T, options: AddOptions = {}): Job<T> {
    const priority = options.priority ?? 0;
    if (!Number.isSafeInteger(priority)) throw new RangeError(`priority must be a safe integer, got ${priority}`);
    if (options.delay !== undefined && options.runAt !== undefined) throw new RangeError("give delay or runAt, not both");
    let runAt: number;
    if (options.delay !== undefined) {
      if (typeof options.delay !== "number" || !Number.isFinite(options.delay) || options.delay < 0) {
        throw new RangeError(`delay must be a finite number >= 0, got ${options.delay}`);
      }
      runAt = this.#clock.now() + options.delay;
    } else if (options.runAt !== undefined) {
      if (typeof options.runAt !== "number" || !Number.isFinite(options.runAt)) throw new RangeError(`runAt must be finite, got ${options.runAt}`);
      runAt = options.runAt;
    } else {
      runAt = this.#clock.now();
    }
    this.#lastId += 1;
    const job: Job<T> = Object.freeze({ id: this.#lastId, data, priority, runAt });
    this.#jobs.push(job);
    for (const check of [...this.#waiters]) check();
    return job;
  }

  take(): Job<T> | undefined {
    const now = this.#clock.now();
    let best = -1;
    for (let i = 0; i < this.#jobs.length; i++) {
      const job = this.#jobs[i]!;
      if (job.runAt > now) continue;
      if (best < 0 || before(job, this.#jobs[best]!)) best = i;
    }
    if (best < 0) return undefined;
    return this.#jobs.splice(best, 1)[0];
  }

  counts(): QueueCounts {
    const now = this.#clock.now();
    let ready = 0;
    for (const job of this.#jobs) if (job.runAt <= now) ready += 1;
    return { delayed: this.#jobs.length - ready, ready };
  }

  nextRunAt(): number | undefined {
    const now = this.#clock.now();
    let earliest: number | undefined;
    for (const job of this.#jobs) {
      if (job.runAt > now && (earliest === undefined || job.runAt < earliest)) earliest = job.runAt;
    }
    return earliest;
  }

  next(signal?: AbortSignal): Promise<Job<T>> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Job<T>>((resolve, reject) => {
      let timer: TimerId | undefined;
      const disarm = (): void => {
        if (timer !== undefined) {
          this.#clock.clearTimeout(timer);
          timer = undefined;
        }
      };
      const done = (): void => {
        disarm();
        this.#waiters.delete(check);
        signal?.removeEventListener("abort", onAbort);
      };
      const onAbort = (): void => {
        done();
        reject(signal!.reason);
      };
      const check = (): void => {
        disarm();
        const job = this.take();
        if (job) {
          done();
          resolve(job);
          return;
        }
        const at = this.nextRunAt();
        if (at !== undefined) {
          timer = this.#clock.setTimeout(() => {
            timer = undefined;
            check();
          }, Math.min(at - this.#clock.now(), HOUR));
        }
      };
      this.#waiters.add(check);
      signal?.addEventListener("abort", onAbort);
      check();
    });
  }
}
