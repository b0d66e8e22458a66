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
  /**
   * How long in-flight jobs may keep running after the first signal. Default
   * 10_000 ms; an explicit 0 is a grace period of zero (deadline at once), not the default.
   */
  graceMs?: number;
}

export interface ShutdownWorker {
  /**
   * Starts claiming.
   *
   * - [C1] Keeps up to `concurrency` jobs in flight (default 1) and claims again
   *   as soon as a slot frees up: each slot claims on its own, it never waits
   *   for the other slots' jobs.
   * - [C2] Sleeps `pollIntervalMs` (default 1000) only when claim() returned
   *   nothing, then claims again.
   * - [C3] Calls `handler(job, signal)` with the job claim() returned. Handler
   *   resolved -> queue.complete(id); handler threw (also synchronously) or
   *   rejected -> queue.fail(id, error) with the thrown value unchanged (even
   *   undefined, 0 or ""). Either way the slot goes on claiming.
   * - [C4] Calling start() again, or after exit(), has no effect (never more
   *   than `concurrency` jobs in flight, never a claim after exit()).
   * - [C5] Job ids are any strings ("", "constructor", "__proto__", "toString"
   *   included): every one of them is completed, failed or released like any other.
   */
  start(): void;
  /**
   * Called for every SIGTERM / SIGINT the process receives.
   *
   * First call (graceful):
   *  - [C6] no claim() happens from this moment on: a sleeping poll must not
   *    wake up and claim, and jobs that reach the queue later stay there;
   *  - [C7] jobs in flight keep running (their signals are not aborted); each
   *    one that settles is completed or failed as usual;
   *  - [C8] when the last one settles -> exit(0) right away, after its
   *    complete() / fail() (no jobs in flight at all -> exit(0) at once);
   *  - [C9] if jobs are still running `graceMs` after this call: abort each one's
   *    signal, call queue.release(id) for each, then exit(1). A released job is
   *    never completed or failed, not even when its handler settles later.
   *  - [C10] a signal before start(), or while start() has not claimed yet, is
   *    not lost: it is the first signal like any other (nothing in flight ->
   *    exit(0)), and no claim() happens after it.
   *
   * - [C11] Second call while jobs are still draining (forced): abort and
   *   release every job still in flight, then exit at once with 128 + the
   *   second signal's number like a shell does: 130 for SIGINT, 143 for SIGTERM.
   *
   * - [C12] exit() is called exactly once: calls after exit() (a third signal,
   *   a signal after the deadline) are ignored.
   * - [C13] After exit() no timer of the worker is left pending on the clock,
   *   whichever way it exited: clear the hard-deadline timer and cancel
   *   sleeping polls.
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
 * - [C14] Forwards EVERY SIGTERM and SIGINT from `source` to
 *   `worker.shutdown(name)` with that signal's name, not only the first one
 *   (the second signal is what forces the exit).
 * - [C15] The listeners are installed before handleSignals returns: a signal
 *   that arrives right after it (while the worker is still starting) must
 *   reach the worker, not Node's default action, which kills the process mid-job.
 * - [C16] Returns a function that removes those listeners again.
 */
export function handleSignals(worker: Pick<ShutdownWorker, "shutdown">, source: SignalSource = process): () => void {
  throw new Error("TODO: handleSignals — listen for SIGTERM and SIGINT and forward each one to worker.shutdown");
}
