// Challenge: job timeouts with real AbortController / AbortSignal semantics,
// driven by an injected clock so the tests can reach any deadline instantly.
import type { Clock } from "#kit/clock.ts";

/**
 * Runs `task(signal)` with a deadline.
 *
 * - [C1] The deadline is `timeoutMs` after the call, measured on the injected
 *   clock (use clock.setTimeout / clock.clearTimeout, not the global timers and
 *   not AbortSignal.timeout, which run on the real clock). timeoutMs 0 is a
 *   deadline at the call's own instant, not "no deadline".
 * - [C2] If the task settles before the deadline, the call settles the same way
 *   (same value, or the very same error), the deadline timer is cleared (no
 *   timer is left behind, on success or on failure) and the task's signal is
 *   not aborted.
 * - [C3] A task that throws synchronously, before returning a promise, fails
 *   the same way, and leaves no timer and no parent listener behind.
 * - [C4] At the deadline, the signal given to the task is aborted with a reason
 *   that is an Error named "TimeoutError" (a `DOMException` with that name, as
 *   `AbortSignal.timeout` uses, qualifies too), and the call rejects with that
 *   same reason object, at the deadline, even if the task ignores the signal
 *   and never settles. Whatever the task does later is ignored.
 * - [C5] `parentSignal` (say, the worker's shutdown signal): if it aborts
 *   before the call settles, the task's signal aborts with the parent's reason
 *   and the call rejects at once with that reason, even if the task ignores
 *   its signal, and clears its timer. Several calls may share one parent
 *   signal at the same time: its abort reaches every one of them.
 * - [C6] If `parentSignal` is already aborted, the call rejects with its
 *   reason without calling `task`, and sets no timer and no listener.
 * - [C7] Once the call has settled, however it settled, no listener of the
 *   call remains on `parentSignal` (a worker's one shutdown signal outlives
 *   millions of jobs) and no timer of the call remains on the clock.
 */
export function runWithTimeout<T>(
  task: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  clock: Clock,
  parentSignal?: AbortSignal,
): Promise<T> {
  throw new Error("TODO: an AbortController, a deadline timer on the clock, and cleanup in every outcome");
}

export interface TimedJob {
  id: string;
  /** Attempts made so far, timeouts included. */
  attempts: number;
  /** Total attempts allowed, including the first. */
  maxAttempts: number;
  state: "waiting" | "completed" | "failed";
  /** `${error.name}: ${error.message}` of the latest failed attempt, e.g. "TimeoutError: ...". */
  lastError?: string;
}

/**
 * Runs one attempt of `job` through runWithTimeout (the handler gets the
 * signal that aborts at the deadline) and updates the job object in place.
 *
 * - [C8] Every attempt counts (attempts + 1), whether it succeeds, throws or
 *   times out.
 * - [C9] Success makes the job "completed". A failure or a timeout sets
 *   lastError to `${error.name}: ${error.message}` and makes the job "waiting"
 *   (it will be retried) while attempts < maxAttempts, "failed" otherwise.
 *   Resolves with the new state. Leaves no timer behind.
 * - [C10] Never rejects because of the handler, whatever it throws or rejects
 *   with: for a value that is not an Error (null, undefined, a string, 0),
 *   lastError is still a string, one that contains String(value).
 */
export function runAttempt(
  job: TimedJob,
  handler: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  clock: Clock,
): Promise<TimedJob["state"]> {
  throw new Error("TODO: count the attempt, run it with a deadline, record the outcome");
}
