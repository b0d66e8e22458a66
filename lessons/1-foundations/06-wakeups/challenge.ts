// Challenge: a worker that wakes up on notifications (like Postgres
// LISTEN/NOTIFY or BullMQ's marker key) and still polls as a fallback, because
// notifications get lost.
import type { Clock } from "#kit/clock.ts";

export interface WakeupWorkerOptions<J> {
  /**
   * Claims the next job, or resolves null (or undefined) when the queue is
   * empty. Like a database query, it sees the queue as it was when the call
   * STARTED: a job added while a claim is in progress is not returned by that
   * claim.
   *
   * - [C1] Only null and undefined mean "empty". Any other value is a job,
   *   falsy ones too (0, "", false, NaN): it was claimed, so it must be handled.
   */
  claim: () => Promise<J | null | undefined>;
  /** Runs one job; may take clock time and may reject. */
  handle: (job: J) => Promise<void>;
  /**
   * The fallback poll, in ms (> 0, finite): after a claim finds nothing, the
   * worker claims again after at most this long even if no notification
   * arrives.
   */
  pollInterval: number;
  /** All waiting goes through this clock (the tests pass a FakeClock). */
  clock: Clock;
  /** Most jobs running at once (a positive integer). Defaults to 1 when omitted or undefined. */
  concurrency?: number;
  /**
   * Told about failures: (error, job) when handle() rejects, (error, undefined)
   * when claim() rejects. Optional: without it failures are contained all the
   * same. If it throws, that is ignored too.
   */
  onError?: (error: unknown, job: J | undefined) => void;
}

export interface WakeupWorker {
  /**
   * - [C2] "A job was probably added": what a LISTEN handler or a marker
   *   wake-up calls. Carries no job, only a hint to claim. Cheap, synchronous,
   *   never throws, safe to call any number of times at any moment (right
   *   after start, idle, claiming, busy, stopping, stopped). Once stop() has
   *   been called it causes no claim at all.
   */
  notify(): void;
  /**
   * - [C3] No claim starts after stop(), whatever notify() calls follow. The
   *   promise resolves (never rejects, even when a job in flight fails) once
   *   every claimed job has finished, including a job whose claim was still
   *   in progress when stop() was called (it is claimed, so it runs), however
   *   many jobs are in flight. Does not wait out the poll interval and leaves
   *   no timer behind. Calling stop() again returns a promise that resolves at
   *   the same moment as the first.
   */
  stop(): Promise<void>;
}

/**
 * Starts the worker and returns { notify, stop }. The contract, checked on a
 * FakeClock:
 *
 * - [C4] Throws a RangeError, before claiming anything or setting any timer,
 *   if `concurrency` is not a positive integer (0, -1, 2.5, NaN, Infinity) or
 *   `pollInterval` is not a positive finite number (0, -5, NaN, Infinity).
 *   Fractions of a millisecond are fine as a pollInterval.
 * - [C5] The first claim happens at once, without clock time passing.
 * - [C6] **A notification wakes an idle worker at once.** A job added and
 *   notified while the worker sleeps is claimed and started without any
 *   clock time passing: it does not wait for the poll interval.
 * - [C7] **A lost notification is caught by the fallback poll.** A job added
 *   without any notification starts within `pollInterval` ms.
 * - [C8] **Notifications are never lost.** A notification that arrives while
 *   the worker cannot act on it (every slot busy, or a claim in progress) is
 *   remembered: the worker claims again as soon as it can, instead of going
 *   to sleep for `pollInterval`. In particular, a claim that returns nothing
 *   is followed by another claim at once if a notification arrived during it.
 * - [C9] **Notifications never cause extra work.** They coalesce: any number
 *   of notify() calls before the worker's next claim cost at most
 *   `concurrency` extra claims, never start more than `concurrency` jobs at
 *   once, and never make a job run twice. After the notified work is done
 *   the worker goes back to polling once per pollInterval (at most
 *   `concurrency` claims per interval while idle and not notified).
 * - [C10] **No sleep while work remains**, as in the worker-loop lesson:
 *   when a job finishes, its slot is refilled in the same instant (a claim at
 *   once), notified or not, so a backlog keeps every slot busy. If a claim is
 *   in progress when the job finishes, the refill may wait for that claim,
 *   but if that claim comes back empty (it saw the queue as it was when it
 *   started) another claim follows at once, not a poll interval. While
 *   every slot is busy the worker waits for a job to end: it does not wake up
 *   on timers more often than once per pollInterval (no busy-waiting).
 * - [C11] **Failures are contained**, as in the worker-loop lesson: a
 *   handle() that rejects, or throws before returning a promise, is reported
 *   to onError(error, job) and frees its slot; a rejected claim() is
 *   reported to onError(error, undefined) and treated like an empty queue (no
 *   new claim before pollInterval unless a notification or a finished job
 *   calls for one: a database outage must not become a tight loop).
 */
export function startWakeupWorker<J>(options: WakeupWorkerOptions<J>): WakeupWorker {
  void options;
  throw new Error("TODO: a worker loop that sleeps until notified or until the poll interval passes");
}
