// Challenge: a cron scheduler that fires on slot boundaries (no drift), never
// overlaps a job with itself (a slot that comes while the previous run is still
// going is SKIPPED), and runs each (schedule, slot) once even when two scheduler
// instances share one store.

import { Cron } from "croner";
import type { Clock, TimerId } from "#kit/clock.ts";

/**
 * Shared by every scheduler instance, like a table with a UNIQUE key column
 * (`INSERT … ON CONFLICT DO NOTHING`).
 */
export interface SlotStore {
  /** Records `key`; resolves true for the first caller ever, false for everyone after. Atomic. */
  claim(key: string): Promise<boolean>;
}

/** What a run (or onSkip, or onError) is told about a slot. */
export interface RunContext {
  /** The job's name. */
  schedule: string;
  /** The slot: the exact instant the pattern names, not when the timer fired. */
  slot: Date;
  /** slotKey(schedule, slot). */
  key: string;
}

export interface RecurringJob {
  /** Unique among the jobs; part of every slot key. Any string (see C14). */
  name: string;
  /**
   * A croner pattern: 5 fields ("*\/5 * * * *"), 6 with seconds first ("*\/10 * * * * *"),
   * or 7 with a year last ("0 0 9 * * * 2025").
   */
  pattern: string;
  /** IANA time zone the pattern is read in (default: see C3). */
  timezone?: string;
  run(ctx: RunContext): Promise<void>;
}

export interface SchedulerOptions {
  /** All waiting goes through this clock (tests pass a FakeClock): no Date.now(), no real timers. */
  clock: Clock;
  store: SlotStore;
  jobs: RecurringJob[];
  /** Called for each slot this instance skips (see C7 and C8). Optional. */
  onSkip?: (ctx: RunContext) => void;
  /** Called when run() or store.claim() fails (see C12). Optional. */
  onError?: (ctx: RunContext, error: unknown) => void;
}

export interface Scheduler {
  /** Starts every job (see C4). */
  start(): void;
  /** Stops the scheduler (see C15). */
  stop(): Promise<void>;
}

/** [C1] The unique key of one slot of one schedule: `${schedule}:${slot.toISOString()}`. */
export function slotKey(schedule: string, slot: Date): string {
  throw new Error("TODO: build the slot key");
}

/**
 * Creates a scheduler. Its contract:
 *
 * - [C2] Slots are the instants croner gives for the job's pattern and time zone:
 *   `new Cron(pattern, { timezone, paused: true }).nextRun(after)` is the first slot
 *   strictly after `after`. Use croner only to compute dates; wait with `clock`.
 * - [C3] A job's `timezone` decides its slots, DST included. Without one the pattern is
 *   read in "UTC", never in the machine's local zone (whatever process.env.TZ says).
 * - [C4] start(): the first slot of each job is the first one strictly after clock.now()
 *   (a slot at exactly clock.now() is not run).
 * - [C5] No drift: every run starts at clock.now() === its slot (given timers that fire on
 *   time and a store that answers at once), however long earlier runs took. The next slot
 *   is computed from the previous SLOT, never as "now + interval".
 * - [C6] Far slots: clock.setTimeout, like Node's setTimeout, takes delays of at most
 *   2^31 - 1 ms (about 24.8 days); a longer delay fires at once. Wait for a slot further
 *   away in several shorter timers: nothing may run before its slot.
 * - [C7] No overlap (policy: skip). A job is busy on this instance from the moment it starts
 *   claiming a slot until that claim (and the run, if the claim won) has settled: the store
 *   may answer slowly. A slot that comes while its job is busy is not claimed and not run,
 *   not even late; onSkip(ctx) is called for it. The next run is at the next slot that
 *   finds the job idle. Busy is per job: one job's run never makes another job skip.
 * - [C8] A late timer (the process stalled: the timer fires after one or more later slots
 *   have come too): only the LATEST slot that has come (slot <= clock.now()) is handled, at
 *   once, as in C7 (claimed and run late, or skipped if busy); every earlier missed slot is
 *   reported through onSkip and is neither claimed nor run. No burst of catch-up runs. The
 *   next timer is aimed at the first slot after clock.now().
 * - [C9] onSkip is called only for the slots of C7 and C8, once per slot. A slot that another
 *   instance claimed first is not a skip: it is simply not run here.
 * - [C10] Exactly once per slot across instances: before running a slot, claim
 *   slotKey(name, slot) in the store; run only if the claim returned true.
 * - [C11] run, onSkip and onError get { schedule, slot, key } for the slot (ctx.slot is the
 *   slot's instant, even for a late run). Each call gets its own ctx: a run that changes it
 *   (ctx.slot.setTime(…), say) changes nothing in the scheduler.
 * - [C12] A run that throws or rejects, or a store.claim() that rejects, is reported through
 *   onError(ctx, error) and the schedule carries on; the job is not left busy. Without an
 *   onError the error is dropped: never an unhandled rejection.
 * - [C13] A pattern can run out of slots (a year field: "0 0 9 * * * 2025" ends on
 *   2025-12-31, and one whose years are all past has none at all): that job is simply not
 *   scheduled any more, and the other jobs carry on.
 * - [C14] Job names are arbitrary strings: "constructor", "__proto__", "toString" and
 *   "hasOwnProperty" are names like any other.
 * - [C15] stop(): every pending timer is cleared, no further slot is claimed and no timer
 *   is set again. A slot whose claim is already in flight is finished as usual (run if the
 *   claim won: a claimed slot must not be lost). stop() resolves once every claim and run
 *   in progress has settled. stop() before start() resolves too; called twice, both calls
 *   resolve, and only then.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  throw new Error("TODO: schedule each job's next slot with the injected clock");
}
