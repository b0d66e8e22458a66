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
  /** Most jobs running at once (a positive integer). Defaults to 1. */
  concurrency?: number;
  /** Told about failures: (error, job) when handle() rejects, (error, undefined) when claim() rejects. */
  onError?: (error: unknown, job: J | undefined) => void;
}

export interface WakeupWorker {
  /**
   * "A job was probably added": what a LISTEN handler or a marker wake-up
   * calls. Carries no job, only a hint to claim. Cheap, synchronous, safe to
   * call any number of times at any moment (idle, claiming, busy, stopping).
   */
  notify(): void;
  /**
   * No claim starts after stop(); resolves once every claimed job has
   * finished, including a job whose claim was still in progress when stop()
   * was called (it is claimed, so it runs). Does not wait out the poll
   * interval and leaves no timer behind.
   */
  stop(): Promise<void>;
}

/**
 * Starts the worker at once (its first claim happens without clock time
 * passing) and returns { notify, stop }. The contract, checked on a FakeClock:
 *
 * 1. **A notification wakes an idle worker at once.** A job added and
 *    notified while the worker sleeps is claimed and started without any
 *    clock time passing: it does not wait for the poll interval.
 * 2. **A lost notification is caught by the fallback poll.** A job added
 *    without any notification starts within `pollInterval` ms.
 * 3. **Notifications are never lost.** A notification that arrives while the
 *    worker cannot act on it (every slot busy, or a claim in progress) is
 *    remembered: the worker claims again as soon as it can, instead of going
 *    to sleep for `pollInterval`. In particular, a claim that returns nothing
 *    is followed by another claim at once if a notification arrived during it.
 * 4. **Notifications never cause extra work.** They coalesce: any number of
 *    notify() calls before the worker's next claim cost at most `concurrency`
 *    extra claims, never start more than `concurrency` jobs at once, and never
 *    make a job run twice. After the notified work is done the worker goes
 *    back to polling once per pollInterval (at most `concurrency` claims per
 *    interval while idle and not notified).
 * 5. **Failures are contained**, as in the worker-loop lesson: a rejected
 *    handle() is reported to onError and frees its slot; a rejected claim() is
 *    reported and treated like an empty queue.
 *
 * Throws a RangeError (before starting) if `concurrency` is not a positive
 * integer or `pollInterval` is not a positive finite number.
 */
export function startWakeupWorker<J>(options: WakeupWorkerOptions<J>): WakeupWorker {
  void options;
  throw new Error("TODO: a worker loop that sleeps until notified or until the poll interval passes");
}
