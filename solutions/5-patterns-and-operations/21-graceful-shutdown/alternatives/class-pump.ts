// queuecraft:hidden-or-solution — never in a student edition
// Alternative: a class with one pump() that fills free slots and one poll timer (clock.setTimeout), instead of N runner loops that sleep; in-flight jobs are records in an array, not a Map.
import type { Clock, TimerId } from "#kit/clock.ts";

export interface Job {
  id: string;
  payload: unknown;
}

export interface ClaimQueue {
  claim(): Job | undefined;
  complete(id: string): void;
  fail(id: string, error: unknown): void;
  release(id: string): void;
}

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

export type ShutdownSignal = "SIGTERM" | "SIGINT";

export interface WorkerOptions {
  queue: ClaimQueue;
  handler: JobHandler;
  clock: Clock;
  exit: (code: number) => void;
  concurrency?: number;
  pollIntervalMs?: number;
  graceMs?: number;
}

export interface ShutdownWorker {
  start(): void;
  shutdown(signal: ShutdownSignal): void;
}

interface Running {
  job: Job;
  controller: AbortController;
  settled: boolean; // true once completed, failed or released
}

class PumpWorker implements ShutdownWorker {
  private started = false;
  private signalled = false;
  private done = false;
  private running: Running[] = [];
  private pollTimer: TimerId | null = null;
  private deadlineTimer: TimerId | null = null;
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly graceMs: number;

  constructor(private readonly options: WorkerOptions) {
    this.concurrency = options.concurrency === undefined ? 1 : options.concurrency;
    this.pollIntervalMs = options.pollIntervalMs === undefined ? 1000 : options.pollIntervalMs;
    this.graceMs = options.graceMs === undefined ? 10_000 : options.graceMs;
  }

  start(): void {
    if (this.started || this.signalled) return;
    this.started = true;
    this.pump();
  }

  shutdown(signal: ShutdownSignal): void {
    if (this.done) return;
    if (this.signalled) {
      this.releaseEverything();
      this.end(signal === "SIGINT" ? 130 : 143);
      return;
    }
    this.signalled = true;
    this.cancelPoll();
    if (this.running.length === 0) {
      this.end(0);
      return;
    }
    this.deadlineTimer = this.options.clock.setTimeout(() => {
      this.deadlineTimer = null;
      this.releaseEverything();
      this.end(1);
    }, this.graceMs);
  }

  /** Claims until every slot is busy or the queue is empty; arms the poll timer when it found nothing. */
  private pump(): void {
    while (!this.signalled && !this.done && this.running.length < this.concurrency) {
      const job = this.options.queue.claim();
      if (job === undefined) {
        if (this.pollTimer === null) {
          this.pollTimer = this.options.clock.setTimeout(() => {
            this.pollTimer = null;
            this.pump();
          }, this.pollIntervalMs);
        }
        return;
      }
      this.launch(job);
    }
  }

  private launch(job: Job): void {
    const entry: Running = { job, controller: new AbortController(), settled: false };
    this.running.push(entry);
    let promise: Promise<void>;
    try {
      promise = this.options.handler(job, entry.controller.signal);
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      () => this.settle(entry, () => this.options.queue.complete(job.id)),
      (error: unknown) => this.settle(entry, () => this.options.queue.fail(job.id, error)),
    );
  }

  private settle(entry: Running, report: () => void): void {
    if (entry.settled) return; // released by the deadline or a forced exit
    entry.settled = true;
    this.running = this.running.filter((r) => r !== entry);
    report();
    if (this.signalled) {
      if (this.running.length === 0) this.end(0);
    } else {
      this.pump();
    }
  }

  private releaseEverything(): void {
    const left = this.running;
    this.running = [];
    for (const entry of left) {
      entry.settled = true;
      entry.controller.abort(new Error("shutdown: job interrupted"));
      this.options.queue.release(entry.job.id);
    }
  }

  private cancelPoll(): void {
    if (this.pollTimer !== null) this.options.clock.clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  private end(code: number): void {
    if (this.done) return;
    this.done = true;
    this.cancelPoll();
    if (this.deadlineTimer !== null) this.options.clock.clearTimeout(this.deadlineTimer);
    this.deadlineTimer = null;
    this.options.exit(code);
  }
}

export function createWorker(options: WorkerOptions): ShutdownWorker {
  return new PumpWorker(options);
}

export interface SignalSource {
  on(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
}

export function handleSignals(worker: Pick<ShutdownWorker, "shutdown">, source: SignalSource = process): () => void {
  const listeners = (["SIGTERM", "SIGINT"] as const).map((name) => {
    const listener = () => worker.shutdown(name);
    source.on(name, listener);
    return [name, listener] as const;
  });
  return () => {
    for (const [name, listener] of listeners) source.off(name, listener);
  };
}
