// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: delayed jobs the way BullMQ stores them, a "delayed" set
// sorted by run time and a "ready" set sorted by priority, with due jobs
// promoted from one to the other whenever the queue is looked at.

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

type Compare<T> = (a: Job<T>, b: Job<T>) => number;

/** Inserts `job` after every element that sorts before or equal to it. */
function insertSorted<T>(list: Job<T>[], job: Job<T>, compare: Compare<T>): void {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (compare(list[mid]!, job) <= 0) low = mid + 1;
    else high = mid;
  }
  list.splice(low, 0, job);
}

const byRunAt = <T>(a: Job<T>, b: Job<T>) => a.runAt - b.runAt || a.id - b.id;
const byReadyOrder = <T>(a: Job<T>, b: Job<T>) => a.priority - b.priority || a.runAt - b.runAt || a.id - b.id;

export class DelayedQueue<T> {
  readonly #clock: Clock;
  #nextId = 1;
  readonly #delayed: Job<T>[] = [];
  readonly #ready: Job<T>[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  add(data: T, options: AddOptions = {}): Job<T> {
    const { priority = 0, delay, runAt } = options;
    if (delay !== undefined && runAt !== undefined) throw new RangeError("give either delay or runAt, not both");
    if (delay !== undefined && !(Number.isFinite(delay) && delay >= 0)) {
      throw new RangeError(`delay must be a finite number >= 0, got ${delay}`);
    }
    if (runAt !== undefined && !Number.isFinite(runAt)) throw new RangeError(`runAt must be finite, got ${runAt}`);
    if (!Number.isSafeInteger(priority)) throw new RangeError(`priority must be a safe integer, got ${priority}`);

    const job: Job<T> = Object.freeze({
      id: this.#nextId++,
      data,
      priority,
      runAt: runAt ?? this.#clock.now() + (delay ?? 0),
    });
    insertSorted(this.#delayed, job, byRunAt);
    // Whoever is waiting may now have something sooner to wait for.
    for (const wake of [...this.#waiters]) wake();
    return job;
  }

  take(): Job<T> | undefined {
    this.#promote();
    return this.#ready.shift();
  }

  counts(): QueueCounts {
    this.#promote();
    return { delayed: this.#delayed.length, ready: this.#ready.length };
  }

  nextRunAt(): number | undefined {
    this.#promote();
    return this.#delayed[0]?.runAt;
  }

  async next(signal?: AbortSignal): Promise<Job<T>> {
    for (;;) {
      signal?.throwIfAborted();
      const job = this.take();
      if (job) return job;
      await this.#somethingChanged(signal);
    }
  }

  /** Moves every job whose time has come into the ready set, in ready order. */
  #promote(): void {
    const now = this.#clock.now();
    while (this.#delayed.length > 0 && this.#delayed[0]!.runAt <= now) {
      insertSorted(this.#ready, this.#delayed.shift()!, byReadyOrder);
    }
  }

  /** Resolves when the next delayed job falls due or a job is added; rejects on abort. */
  #somethingChanged(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const dueAt = this.nextRunAt();
      let timer: TimerId | undefined;
      const cleanup = () => {
        if (timer !== undefined) this.#clock.clearTimeout(timer);
        this.#waiters.delete(wake);
        signal?.removeEventListener("abort", onAbort);
      };
      const wake = () => {
        cleanup();
        resolve();
      };
      const onAbort = () => {
        cleanup();
        reject(signal!.reason);
      };
      if (dueAt !== undefined) timer = this.#clock.setTimeout(wake, dueAt - this.#clock.now());
      this.#waiters.add(wake);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
