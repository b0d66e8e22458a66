// queuecraft:hidden-or-solution — never in a student edition
// Alternative: one unsorted list of jobs (readiness is computed from runAt on every look, no promotion step), waiting next() calls queue up in FIFO order and are handed jobs by a dispatcher, and one shared timer for the whole queue, capped at an hour, replaces a timer per waiting call.
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

interface Waiter<T> {
  resolve(job: Job<T>): void;
  reject(reason: unknown): void;
  detach(): void;
}

const HOUR = 3_600_000;

function before<T>(a: Job<T>, b: Job<T>): boolean {
  if (a.priority !== b.priority) return a.priority < b.priority;
  if (a.runAt !== b.runAt) return a.runAt < b.runAt;
  return a.id < b.id;
}

export class DelayedQueue<T> {
  private readonly clock: Clock;
  private jobs: Job<T>[] = [];
  private waiters: Waiter<T>[] = [];
  private timer: TimerId | undefined;
  private timerAt: number | undefined;
  private lastId = 0;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  add(data: T, options?: AddOptions): Job<T> {
    const priority = options?.priority ?? 0;
    const { delay, runAt } = options ?? {};
    if (delay !== undefined && runAt !== undefined) throw new RangeError("delay and runAt are mutually exclusive");
    if (!Number.isSafeInteger(priority)) throw new RangeError(`bad priority ${priority}`);
    if (delay !== undefined && (!Number.isFinite(delay) || delay < 0)) throw new RangeError(`bad delay ${delay}`);
    if (runAt !== undefined && !Number.isFinite(runAt)) throw new RangeError(`bad runAt ${runAt}`);
    const now = this.clock.now();
    const job: Job<T> = { id: ++this.lastId, data, priority, runAt: runAt !== undefined ? runAt : now + (delay ?? 0) };
    this.jobs.push(job);
    this.dispatch();
    return job;
  }

  take(): Job<T> | undefined {
    const now = this.clock.now();
    let best = -1;
    for (let i = 0; i < this.jobs.length; i++) {
      const job = this.jobs[i]!;
      if (job.runAt <= now && (best === -1 || before(job, this.jobs[best]!))) best = i;
    }
    return best === -1 ? undefined : this.jobs.splice(best, 1)[0];
  }

  counts(): QueueCounts {
    const now = this.clock.now();
    const ready = this.jobs.filter((job) => job.runAt <= now).length;
    return { delayed: this.jobs.length - ready, ready };
  }

  nextRunAt(): number | undefined {
    const now = this.clock.now();
    let next: number | undefined;
    for (const job of this.jobs) if (job.runAt > now && (next === undefined || job.runAt < next)) next = job.runAt;
    return next;
  }

  next(signal?: AbortSignal): Promise<Job<T>> {
    return new Promise<Job<T>>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const ready = this.take();
      if (ready) return resolve(ready);
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        waiter.detach();
        this.arm();
        reject(signal!.reason);
      };
      const waiter: Waiter<T> = {
        resolve,
        reject,
        detach: () => signal?.removeEventListener("abort", onAbort),
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
      this.arm();
    });
  }

  /** Hands ready jobs to waiting next() calls, oldest call first, then re-arms the timer. */
  private dispatch(): void {
    while (this.waiters.length > 0) {
      const job = this.take();
      if (!job) break;
      const waiter = this.waiters.shift()!;
      waiter.detach();
      waiter.resolve(job);
    }
    this.arm();
  }

  /** One timer for the queue: set while someone waits and a job is due later, capped at an hour. */
  private arm(): void {
    const dueAt = this.waiters.length > 0 ? this.nextRunAt() : undefined;
    const wakeAt = dueAt === undefined ? undefined : Math.min(dueAt, this.clock.now() + HOUR);
    if (wakeAt === this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = wakeAt;
    if (wakeAt === undefined) return;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.timerAt = undefined;
      this.dispatch();
    }, wakeAt - this.clock.now());
  }
}
