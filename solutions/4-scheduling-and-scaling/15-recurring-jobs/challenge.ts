// queuecraft:hidden-or-solution — never in a student edition
// A cron scheduler without drift or overlap: the reference solution.
// Slots come from croner (computed, never its timers), the next timer is aimed
// at the next slot after the current SLOT (not after "now"), a slot that comes
// while the previous run (or its claim) is still going is skipped and reported,
// a timer that fires late runs only the latest slot that has come (the missed
// ones are reported, never run in a burst), far slots are waited for in steps
// a Node timer accepts, and a shared store hands each (schedule, slot) key to
// exactly one scheduler instance.

import { Cron } from "croner";
import type { Clock, TimerId } from "#kit/clock.ts";

export interface SlotStore {
  claim(key: string): Promise<boolean>;
}

export interface RunContext {
  schedule: string;
  slot: Date;
  key: string;
}

export interface RecurringJob {
  name: string;
  pattern: string;
  timezone?: string;
  run(ctx: RunContext): Promise<void>;
}

export interface SchedulerOptions {
  clock: Clock;
  store: SlotStore;
  jobs: RecurringJob[];
  onSkip?: (ctx: RunContext) => void;
  onError?: (ctx: RunContext, error: unknown) => void;
}

export interface Scheduler {
  start(): void;
  stop(): Promise<void>;
}

export function slotKey(schedule: string, slot: Date): string {
  return `${schedule}:${slot.toISOString()}`;
}

interface JobState {
  job: RecurringJob;
  cron: Cron;
  timer?: TimerId;
  current?: Promise<void>;
}

/** Node's setTimeout (and so clock.setTimeout) takes at most 2^31 - 1 ms; a longer delay fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock, store } = options;
  let stopped = false;
  const states: JobState[] = options.jobs.map((job) => ({
    job,
    // paused, no callback: croner only does the calendar arithmetic, the injected clock does the waiting.
    cron: new Cron(job.pattern, { timezone: job.timezone ?? "UTC", paused: true }),
  }));

  /** Each call gets its own ctx (and its own Date), so a run that edits it changes nothing here. */
  function context(state: JobState, slot: Date): RunContext {
    return { schedule: state.job.name, slot: new Date(slot.getTime()), key: slotKey(state.job.name, slot) };
  }

  /** Waits for `slot`, in steps of at most MAX_TIMER_MS when it is far away. */
  function schedule(state: JobState, slot: Date | null): void {
    if (stopped || slot === null) return;
    state.timer = clock.setTimeout(() => {
      state.timer = undefined;
      if (clock.now() < slot.getTime()) schedule(state, slot);
      else void fire(state, slot);
    }, Math.min(slot.getTime() - clock.now(), MAX_TIMER_MS));
  }

  function arm(state: JobState, after: Date): void {
    schedule(state, state.cron.nextRun(after));
  }

  async function execute(state: JobState, ctx: RunContext): Promise<void> {
    const slot = new Date(ctx.slot.getTime()); // onError gets its own ctx, whatever the run did to this one
    try {
      if (await store.claim(ctx.key)) await state.job.run(ctx);
    } catch (error) {
      options.onError?.(context(state, slot), error);
    }
  }

  async function fire(state: JobState, slot: Date): Promise<void> {
    // A timer that fires late (the process stalled) finds later slots due as well:
    // only the latest one is handled, the ones before it are reported as missed.
    const missed: Date[] = [];
    let next = state.cron.nextRun(slot);
    while (next !== null && next.getTime() <= clock.now()) {
      missed.push(slot);
      slot = next;
      next = state.cron.nextRun(slot);
    }
    schedule(state, next); // the next slot follows this slot, however long this run takes
    for (const late of missed) options.onSkip?.(context(state, late));
    const ctx = context(state, slot);
    if (state.current) {
      options.onSkip?.(ctx);
      return;
    }
    const run = execute(state, ctx);
    state.current = run;
    await run;
    state.current = undefined;
  }

  return {
    start() {
      stopped = false;
      for (const state of states) arm(state, new Date(clock.now()));
    },
    async stop() {
      stopped = true;
      for (const state of states) {
        if (state.timer !== undefined) clock.clearTimeout(state.timer);
        state.timer = undefined;
      }
      await Promise.all(states.map((state) => state.current));
    },
  };
}
