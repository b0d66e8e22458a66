// queuecraft:hidden-or-solution — never in a student edition
// Returns at once from a second stop() call, so a caller that stops twice (a signal handler and a shutdown hook) moves on while a claimed slot is still running.
import { Cron } from "croner";
import type { Clock, TimerId } from "#kit/clock.ts";

export interface SlotStore { claim(key: string): Promise<boolean> }
export interface RunContext { schedule: string; slot: Date; key: string }
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
export interface Scheduler { start(): void; stop(): Promise<void> }

export function slotKey(schedule: string, slot: Date): string {
  return `${schedule}:${slot.toISOString()}`;
}

const MAX_DELAY = 2 ** 31 - 1;

interface JobState {
  job: RecurringJob;
  cron: Cron;
  timer: TimerId | undefined;
  busy: boolean;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock, store, onSkip, onError } = options;
  const states: JobState[] = options.jobs.map((job) => ({
    job,
    cron: new Cron(job.pattern, { timezone: job.timezone ?? "UTC", paused: true }),
    timer: undefined,
    busy: false,
  }));
  const inFlight = new Set<Promise<void>>();
  let started = false;
  let stopped = false;

  const ctxFor = (state: JobState, slotMs: number): RunContext => {
    const slot = new Date(slotMs);
    return { schedule: state.job.name, slot, key: slotKey(state.job.name, slot) };
  };
  const report = (state: JobState, slotMs: number, error: unknown) => {
    try {
      onError?.(ctxFor(state, slotMs), error);
    } catch {
      // a failing onError must not stop the schedule
    }
  };

  function aim(state: JobState, slotMs: number): void {
    if (stopped) return;
    const delay = Math.min(Math.max(0, slotMs - clock.now()), MAX_DELAY);
    state.timer = clock.setTimeout(() => {
      state.timer = undefined;
      if (stopped) return;
      if (clock.now() < slotMs) aim(state, slotMs);
      else due(state, slotMs);
    }, delay);
  }

  function next(state: JobState, afterMs: number): number | undefined {
    const date = state.cron.nextRun(new Date(afterMs));
    return date ? date.getTime() : undefined;
  }

  function due(state: JobState, firstSlotMs: number): void {
    const now = clock.now();
    let slotMs = firstSlotMs;
    for (let following = next(state, slotMs); following !== undefined && following <= now; following = next(state, slotMs)) {
      onSkip?.(ctxFor(state, slotMs));
      slotMs = following;
    }
    const upcoming = next(state, slotMs);
    if (upcoming !== undefined) aim(state, upcoming);
    if (state.busy) {
      onSkip?.(ctxFor(state, slotMs));
      return;
    }
    state.busy = true;
    const work = (async () => {
      try {
        const ctx = ctxFor(state, slotMs);
        if (await store.claim(ctx.key)) await state.job.run(ctx);
      } catch (error) {
        report(state, slotMs, error);
      } finally {
        state.busy = false;
      }
    })();
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  }

  return {
    start() {
      if (started || stopped) return;
      started = true;
      const now = clock.now();
      for (const state of states) {
        const first = next(state, now);
        if (first !== undefined) aim(state, first);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const state of states) {
        if (state.timer !== undefined) clock.clearTimeout(state.timer);
        state.timer = undefined;
      }
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
