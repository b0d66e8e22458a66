// Challenge: a worker that shuts down gracefully.
//
// Build a worker that claims jobs from a queue with up to `concurrency` jobs in
// flight, and that reacts to SIGTERM / SIGINT like a good citizen of a
// Kubernetes pod, a systemd unit or a terminal:
//
//   first signal  -> stop claiming, let in-flight jobs finish (the grace period)
//   deadline      -> abort what is still running, release it back to the queue, exit 1
//   second signal -> release what is still running and exit at once, non-zero
//   all drained   -> exit 0
//
// Time comes from the injected `clock` and the process ends through the
// injected `exit`, so the hidden tests can drive everything on a FakeClock and
// also run your worker in a real child process that receives real signals.

import type { Clock } from "#kit/clock.ts";

export interface Job {
  id: string;
  payload: unknown;
}

/**
 * The queue the worker claims from. Synchronous, like the better-sqlite3 queue
 * of lesson 12: each method is one short transaction.
 */
export interface ClaimQueue {
  /** Marks the next ready job active and returns it, or undefined when none is ready. */
  claim(): Job | undefined;
  /** The handler finished: the job is done. */
  complete(id: string): void;
  /** The handler threw or rejected: counts as a failed attempt (retry or dead-letter is the queue's business). */
  fail(id: string, error: unknown): void;
  /**
   * Puts an active job back to waiting, untouched, for another worker: used
   * for jobs interrupted by a shutdown. Not a failure, not a completion.
   */
  release(id: string): void;
}

/**
 * Runs one job. `signal` aborts when the job is interrupted by a shutdown (at
 * the hard deadline or on a forced exit); a well-behaved handler passes it to
 * whatever it awaits (fetch, clock.sleep, a database query) and stops early.
 */
export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

export type ShutdownSignal = "SIGTERM" | "SIGINT";

export interface WorkerOptions {
  queue: ClaimQueue;
  handler: JobHandler;
  /** All waiting (poll interval, grace period) goes through this clock. */
  clock: Clock;
  /**
   * Ends the process: `process.exit` in production, a recorder in tests.
   * Called exactly once over the worker's lifetime.
   */
  exit: (code: number) => void;
  /** Maximum number of jobs in flight at once. Default 1. */
  concurrency?: number;
  /** How long to sleep after claim() found nothing, before claiming again. Default 1000 ms. */
  pollIntervalMs?: number;
  /** How long in-flight jobs may keep running after the first signal. Default 10_000 ms. */
  graceMs?: number;
}

export interface ShutdownWorker {
  /**
   * Starts claiming: keeps up to `concurrency` jobs in flight, claims again as
   * soon as a slot frees up, and sleeps `pollIntervalMs` only when claim()
   * returned nothing. For each job: handler resolved -> queue.complete(id);
   * handler threw or rejected -> queue.fail(id, error).
   */
  start(): void;
  /**
   * Called for every SIGTERM / SIGINT the process receives.
   *
   * First call (graceful):
   *  - no claim() happens from this moment on (a sleeping poll must not wake up and claim);
   *  - jobs in flight keep running; each one that settles is completed or failed as usual;
   *  - when the last one settles -> exit(0) right away (no jobs in flight at all -> exit(0) at once);
   *  - if jobs are still running `graceMs` after this call: abort each one's signal, call
   *    queue.release(id) for each (never complete or fail them, not even when their handler
   *    settles later), then exit(1).
   *
   * Second call while jobs are still draining (forced): abort and release every job still
   * in flight, then exit at once with a non-zero code; use 128 + the signal's number like a
   * shell does: 130 for SIGINT, 143 for SIGTERM.
   *
   * Calls after exit() are ignored. After exit() no timer of the worker is left pending
   * on the clock (clear the hard-deadline timer when the drain finishes in time).
   */
  shutdown(signal: ShutdownSignal): void;
}

export function createWorker(options: WorkerOptions): ShutdownWorker {
  throw new Error("TODO: createWorker — claim loop with concurrency, drain on the first signal, hard deadline, forced exit on the second");
}

/** What handleSignals listens on: `process` in production, an EventEmitter in tests. */
export interface SignalSource {
  on(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * Forwards EVERY SIGTERM and SIGINT from `source` to `worker.shutdown(name)`,
 * not only the first one (the second signal is what forces the exit). Installing a
 * listener also replaces Node's default action, which would kill the process
 * mid-job. Returns a function that removes the listeners again.
 */
export function handleSignals(worker: Pick<ShutdownWorker, "shutdown">, source: SignalSource = process): () => void {
  throw new Error("TODO: handleSignals — listen for SIGTERM and SIGINT and forward each one to worker.shutdown");
}
