// queuecraft:hidden-or-solution — never in a student edition
// Alternative: one class instance per job holding its next slot, a busy flag and a set of in-flight work; far slots are waited for in one-day steps; the claim starts a microtask after the slot fires.
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

const STEP_MS = 86_400_000;

class JobLoop {
  private readonly cron: Cron;
  private next: Date | null = null;
  private timer: TimerId | undefined;
  private busy = false;
  private halted = false;
  readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly job: RecurringJob,
    private readonly options: SchedulerOptions,
  ) {
    this.cron = new Cron(job.pattern, { timezone: job.timezone ?? "UTC", paused: true });
  }

  begin(): void {
    this.halted = false;
    this.next = this.cron.nextRun(new Date(this.options.clock.now()));
    this.wait();
  }

  halt(): void {
    this.halted = true;
    if (this.timer !== undefined) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private ctx(at: number): RunContext {
    return { schedule: this.job.name, slot: new Date(at), key: slotKey(this.job.name, new Date(at)) };
  }

  private wait(): void {
    if (this.halted || this.next === null) return;
    const { clock } = this.options;
    const due = this.next.getTime();
    this.timer = clock.setTimeout(() => {
      this.timer = undefined;
      if (clock.now() >= due) this.wake();
      else this.wait();
    }, Math.min(due - clock.now(), STEP_MS));
  }

  private wake(): void {
    const now = this.options.clock.now();
    const due: number[] = [];
    while (this.next !== null && this.next.getTime() <= now) {
      due.push(this.next.getTime());
      this.next = this.cron.nextRun(this.next);
    }
    this.wait();
    const latest = due.pop()!;
    for (const missed of due) this.options.onSkip?.(this.ctx(missed));
    if (this.busy) {
      this.options.onSkip?.(this.ctx(latest));
      return;
    }
    this.busy = true;
    const work = Promise.resolve()
      .then(async () => {
        const ctx = this.ctx(latest);
        try {
          if (!(await this.options.store.claim(ctx.key))) return;
          await this.job.run(ctx);
        } catch (error) {
          try {
            this.options.onError?.(this.ctx(latest), error);
          } catch {
            // a throwing onError must not leave the job busy
          }
        }
      })
      .finally(() => {
        this.busy = false;
        this.inFlight.delete(work);
      });
    this.inFlight.add(work);
  }
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const loops = new Map<string, JobLoop>();
  options.jobs.forEach((job, i) => loops.set(`${i}`, new JobLoop(job, options)));
  return {
    start() {
      for (const loop of loops.values()) loop.begin();
    },
    async stop() {
      for (const loop of loops.values()) loop.halt();
      for (;;) {
        const pending = [...loops.values()].flatMap((loop) => [...loop.inFlight]);
        if (pending.length === 0) return;
        await Promise.allSettled(pending);
      }
    },
  };
}
