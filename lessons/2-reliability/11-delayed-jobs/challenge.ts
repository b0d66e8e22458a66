// Challenge: a queue of delayed jobs with priorities, and a worker-side next()
// that sleeps until the next job is due instead of polling.
//
// The rules, exactly:
//   [C1] A job is READY when runAt <= clock.now(): never a millisecond before
//      its runAt, and exactly at its runAt.
//   [C2] Ready jobs leave in the order (priority, runAt, id): lower priority
//      number first; among equal priorities the earlier runAt first; among
//      equal runAt the job added first. A delayed job that becomes ready is
//      placed by that same order: it must NOT jump ahead of a ready job with a
//      lower priority number just because it was promoted more recently.
//   [C3] Time comes only from the clock passed to the constructor: read it with
//      clock.now(), wait with clock.setTimeout / clock.clearTimeout (or
//      clock.sleep). The tests use a FakeClock and move time by hand.
//
// Efficiency is not graded: a BullMQ-style pair of sorted lists (delayed by
// runAt, ready by priority) is what the lesson explains, but any structure that
// produces the right order passes.

import type { Clock } from "#kit/clock.ts";

export interface Job<T> {
  /** 1, 2, 3, ... in the order add() was called. */
  readonly id: number;
  readonly data: T;
  /** Lower number runs first. */
  readonly priority: number;
  /** The clock time (ms) from which the job may run. */
  readonly runAt: number;
}

export interface AddOptions {
  /** Lower runs first. Default 0. Must be a safe integer (not 1.5, NaN, Infinity or 2^53), else RangeError. */
  priority?: number;
  /** Run `delay` ms from now: runAt = clock.now() + delay. Must be finite and >= 0, else RangeError. */
  delay?: number;
  /** Run at this absolute clock time (may be in the past, or 0: then it is ready at once). Must be finite, else RangeError. */
  runAt?: number;
}

export interface QueueCounts {
  /** Jobs not taken yet whose runAt is still in the future (runAt > now). */
  delayed: number;
  /** Jobs not taken yet whose runAt has come (runAt <= now). */
  ready: number;
}

export class DelayedQueue<T> {
  /** @param clock where every timestamp comes from and every wait is scheduled. */
  constructor(clock: Clock) {
    void clock;
    throw new Error("TODO: keep the clock and set up the delayed and ready jobs");
  }

  /**
   * Adds a job and returns it.
   *
   * - [C4] runAt is clock.now() + delay, or `runAt` exactly as given (0
   *   included), or clock.now() when neither is given (ready now). Ids are
   *   1, 2, 3 ... in the order add() was called.
   * - [C5] Giving both `delay` and `runAt` (whatever their values: a
   *   `delay` of 0 or a `runAt` of 0 is given too), or an option outside its
   *   range (see AddOptions), throws a RangeError and adds nothing.
   * - [C6] Wakes every pending next() call, because the new job may be due
   *   sooner than what it was waiting for.
   */
  add(data: T, options?: AddOptions): Job<T> {
    void data;
    void options;
    throw new Error("TODO: add");
  }

  /**
   * [C7] Removes and returns the first ready job in (priority, runAt, id)
   * order, or undefined if no job is ready at clock.now().
   */
  take(): Job<T> | undefined {
    throw new Error("TODO: take");
  }

  /** [C8] How many jobs (not yet taken) are delayed and ready at clock.now(). */
  counts(): QueueCounts {
    throw new Error("TODO: counts");
  }

  /**
   * [C9] The runAt of the earliest job that is not ready yet (runAt > now), or
   * undefined if every remaining job is ready or the queue is empty. A worker
   * with nothing ready sleeps until this time.
   */
  nextRunAt(): number | undefined {
    throw new Error("TODO: nextRunAt");
  }

  /**
   * Waits for the next job, without polling.
   *
   * - [C10] Resolves with the next job (removing it, as take() does) as soon as
   *   one is ready: at once if one is ready now, else exactly at the moment the
   *   earliest delayed job falls due, or when add() brings a job that is ready
   *   sooner. It never resolves without a job: if another consumer took the
   *   job it woke up for, it keeps waiting.
   * - [C11] No polling: while nothing changes it sets no new timers, apart
   *   from at most one per hour of waiting (capping very long sleeps is fine);
   *   with nothing delayed it needs no timer at all, since add() wakes it.
   * - [C12] Several next() calls may wait at once; each job goes to only one
   *   of them, and the others keep waiting.
   * - [C13] If `signal` aborts first (or is already aborted), rejects with
   *   signal.reason and takes no job; other waiting calls are not affected.
   * - [C14] Once next() has settled either way, none of the timers it set
   *   remain on the clock and none of its listeners remain on `signal` (a
   *   worker passes the same signal to every next() call it makes).
   */
  next(signal?: AbortSignal): Promise<Job<T>> {
    void signal;
    throw new Error("TODO: next");
  }
}
