// A cron scheduler without drift or overlap: the reference solution.
// Slots come from croner (computed, never its timers), the next timer is aimed
// at the next slot after the current SLOT (not after "now"), a slot that comes
// while the previous run is still going is skipped and reported, and a shared
// store hands each (schedule, slot) key to exactly one scheduler instance.

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

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock, store } = options;
  let stopped = false;
  const states: JobState[] = options.jobs.map((job) => ({
    job,
    // paused, no callback: croner only does the calendar arithmetic, the injected clock does the waiting.
    cron: new Cron(job.pattern, { timezone: job.timezone ?? "UTC", paused: true }),
  }));

  function schedule(state: JobState, slot: Date | null): void {
    if (stopped || slot === null) return;
    state.timer = clock.setTimeout(() => void fire(state, slot), slot.getTime() - clock.now());
  }

  function arm(state: JobState, after: Date): void {
    schedule(state, state.cron.nextRun(after));
  }

  async function execute(state: JobState, ctx: RunContext): Promise<void> {
    try {
      if (await store.claim(ctx.key)) await state.job.run(ctx);
    } catch (error) {
      options.onError?.(ctx, error);
    }
  }

  async function fire(state: JobState, slot: Date): Promise<void> {
    arm(state, slot); // the next slot follows this slot, however long this run takes
    const ctx: RunContext = { schedule: state.job.name, slot, key: slotKey(state.job.name, slot) };
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
