// Challenge: job timeouts with real AbortController / AbortSignal semantics,
// driven by an injected clock so the tests can reach any deadline instantly.
import type { Clock } from "#kit/clock.ts";

/**
 * Runs `task(signal)` with a deadline `timeoutMs` after the call, measured on
 * the injected clock (use clock.setTimeout / clock.clearTimeout, not the global
 * timers and not AbortSignal.timeout, which run on the real clock).
 *
 * - If the task settles before the deadline, the call settles the same way
 *   (same value, or the very same error) and the deadline timer is cleared:
 *   no timer is left behind, on success or on failure. A task that throws
 *   synchronously, before returning a promise, fails the same way.
 * - At the deadline, the signal given to the task is aborted with a reason
 *   that is an Error named "TimeoutError" (a `DOMException` with that name, as
 *   `AbortSignal.timeout` uses, qualifies too), and the call rejects with that
 *   same reason object, at the deadline, even if the task ignores the signal
 *   and never settles. Whatever the task does later is ignored.
 * - `parentSignal` (say, the worker's shutdown signal): if it aborts before the
 *   call settles, the task's signal aborts with the parent's reason and the
 *   call rejects at once with that reason (and clears its timer). If it is
 *   already aborted, the call rejects with its reason without calling `task`.
 *   Once the call has settled, no listener of the call remains on
 *   `parentSignal` (a worker's one shutdown signal outlives millions of jobs).
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
 * Runs one attempt of `job` through runWithTimeout and updates the job in
 * place. Every attempt counts (attempts + 1), whether it succeeds, throws or
 * times out. Success makes the job "completed". A failure or a timeout sets
 * lastError and makes the job "waiting" (it will be retried) while
 * attempts < maxAttempts, "failed" otherwise. Resolves with the new state;
 * never rejects because of the handler.
 */
export function runAttempt(
  job: TimedJob,
  handler: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  clock: Clock,
): Promise<TimedJob["state"]> {
  throw new Error("TODO: count the attempt, run it with a deadline, record the outcome");
}
