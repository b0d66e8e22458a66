// Challenge: a worker loop with a concurrency limit, a poll interval and a
// clean stop, driven entirely by injected functions and an injected clock.
import type { Clock } from "#kit/clock.ts";

export interface WorkerLoopOptions<J> {
  /**
   * Claims the next job from the queue (in a real system: an atomic UPDATE ...
   * RETURNING, or BullMQ's moveToActive). Resolves with the job, or with null
   * (or undefined) when the queue is empty. It may reject (the database is
   * down): see `onError`.
   *
   * - [C1] Only null and undefined mean "empty". Any other value is a job,
   *   falsy ones too (0, "", false, NaN): it was claimed, so it must be handled.
   */
  claim: () => Promise<J | null | undefined>;
  /** Runs one job. It may take any time on the clock, and it may reject. */
  handle: (job: J) => Promise<void>;
  /** Most jobs running at once: a positive integer. */
  concurrency: number;
  /** How long to wait after a claim found the queue empty, in ms (> 0, finite). */
  pollInterval: number;
  /** All waiting goes through this clock (the tests pass a FakeClock). */
  clock: Clock;
  /**
   * Told about every failure; the loop itself never stops because of one.
   * `job` is the job whose handle() rejected, or undefined when claim() rejected.
   * Optional: without it failures are contained all the same. If it throws,
   * that is ignored too.
   */
  onError?: (error: unknown, job: J | undefined) => void;
}

export interface WorkerLoop {
  /**
   * - [C2] Stops the loop: no claim() starts after stop() is called, however
   *   much time passes. The promise resolves (never rejects, even when a job
   *   in flight fails) once every job already claimed has finished (its
   *   handle() settled), including a job whose claim() was still in progress
   *   when stop() was called: it was claimed, so it must run. Does NOT wait
   *   out a pending poll interval, and leaves no timer behind on the clock.
   *   This holds whenever stop() is called, even right after start.
   * - [C3] Calling stop() again returns a promise that resolves at the same
   *   moment as the first.
   */
  stop(): Promise<void>;
}

/**
 * Starts a worker loop right away (the first claim happens without any clock
 * time passing) and returns a handle to stop it.
 *
 * The contract, which the hidden tests check on a FakeClock:
 *
 * - [C4] Throws a RangeError, before claiming anything or setting any timer,
 *   if `concurrency` is not a positive integer (0, -1, 1.5, NaN) or
 *   `pollInterval` is not a positive finite number (0, -5, NaN, Infinity).
 *   Fractions of a millisecond are fine as a pollInterval (0.5, 2.5).
 * - [C5] The first claim happens right away, before any clock time passes.
 * - [C6] **Never more than `concurrency` jobs in flight.** A job is in flight
 *   from the moment claim() resolves with it until its handle() settles. (A
 *   job that has been claimed but not yet handed to handle() counts: in a
 *   real queue it is already locked by this worker.) Each job claimed is
 *   handled exactly once.
 * - [C7] **No sleep while work remains.** While fewer than `concurrency` jobs
 *   are running, the loop claims again at once; when a job finishes, its slot
 *   is refilled in the same instant (no clock time passes), even if an
 *   earlier claim had found the queue empty. If a claim is in progress when
 *   the job finishes, the refill may wait for that claim, but not longer: a
 *   claim can see the queue as it was when it started, so one that then comes
 *   back empty is followed by another claim at once, not by a poll interval.
 * - [C8] **The poll interval is respected when idle.** When claim() returns
 *   nothing, the loop waits `pollInterval` ms before claiming again, unless a
 *   running job finishes first (as above). While the queue stays empty and
 *   nothing runs, it makes at least one and at most `concurrency` claims per
 *   pollInterval, so a job that appears is started within pollInterval.
 * - [C9] **Failed jobs are contained.** A handle() that rejects, or throws
 *   before returning a promise, is reported to onError(error, job) and frees
 *   its slot; the loop goes on (also without an onError, and when onError
 *   itself throws).
 * - [C10] **Failed claims are contained.** A claim() that rejects is reported
 *   to onError(error, undefined) and treated like an empty queue: the loop
 *   waits pollInterval before claiming again, and goes on.
 */
export function startWorkerLoop<J>(options: WorkerLoopOptions<J>): WorkerLoop {
  void options;
  throw new Error("TODO: start claiming and running jobs");
}
