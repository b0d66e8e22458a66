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

/** What a run is told about itself. */
export interface RunContext {
  /** The job's name. */
  schedule: string;
  /** The slot this run belongs to: the exact instant the pattern names, not when the timer fired. */
  slot: Date;
  /** slotKey(schedule, slot). */
  key: string;
}

export interface RecurringJob {
  /** Unique among the jobs; part of every slot key. */
  name: string;
  /** A croner pattern: 5 fields ("*\/5 * * * *") or 6 with seconds first ("*\/10 * * * * *"). */
  pattern: string;
  /** IANA time zone the pattern is read in. Default "UTC" (never the machine's local zone). */
  timezone?: string;
  run(ctx: RunContext): Promise<void>;
}

export interface SchedulerOptions {
  /** All waiting goes through this clock (tests pass a FakeClock): no Date.now(), no real timers. */
  clock: Clock;
  store: SlotStore;
  jobs: RecurringJob[];
  /** Called for a slot that was skipped because this instance's previous run of that job was still running. */
  onSkip?: (ctx: RunContext) => void;
  /** Called when run() (or store.claim) rejects; the schedule carries on. */
  onError?: (ctx: RunContext, error: unknown) => void;
}

export interface Scheduler {
  /** Starts every job; the first slot of a job is the first one strictly after clock.now(). */
  start(): void;
  /** No further runs start; every pending timer is cleared; resolves once the runs in progress have finished. */
  stop(): Promise<void>;
}

/** The unique key of one slot of one schedule: `${schedule}:${slot.toISOString()}`. */
export function slotKey(schedule: string, slot: Date): string {
  throw new Error("TODO: build the slot key");
}

/**
 * Creates a scheduler. Its contract:
 *
 * - Slots are the instants croner gives for the job's pattern and timezone:
 *   `new Cron(pattern, { timezone, paused: true }).nextRun(after)` is the first slot
 *   strictly after `after`. Use croner only to compute dates; wait with `clock`.
 * - No drift: every run starts at clock.now() === its slot (given a store that answers at
 *   once), however long earlier runs took.
 *   The next slot is computed from the previous SLOT, never as "now + interval".
 * - No overlap (policy: skip): when a slot comes while this instance's previous run of
 *   the same job is still running, that slot is not claimed and not run; onSkip(ctx) is
 *   called. It is not run late either: the next run is at the next slot that finds the
 *   job idle. Every slot is either run (by this instance or another), or reported via onSkip.
 * - Exactly once per slot across instances: before running a slot, claim
 *   slotKey(name, slot) in the store; run only if the claim returned true.
 * - A run that throws does not stop its schedule (report it through onError).
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  throw new Error("TODO: schedule each job's next slot with the injected clock");
}
