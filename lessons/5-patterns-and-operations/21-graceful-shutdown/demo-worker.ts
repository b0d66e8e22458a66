// The worker the experiment runs: every job starts at once (one slot per job),
// and a signal drives the shutdown sequence. Clock, log and exit are injected,
// so the same code runs on a FakeClock in the experiment and on the real clock
// in worker-process.ts, where real signals arrive.
import type { Clock, TimerId } from "#kit/clock.ts";

export interface DemoJob {
  id: string;
  ms: number;
}

export interface DemoOptions {
  jobs: DemoJob[];
  clock: Clock;
  graceMs: number;
  log: (line: string) => void;
  exit: (code: number) => void;
}

export type DemoSignal = "SIGTERM" | "SIGINT";

const SIGNAL_NUMBERS: Record<DemoSignal, number> = { SIGINT: 2, SIGTERM: 15 };

export function startDemoWorker(options: DemoOptions): { signal(name: DemoSignal): void } {
  const { clock, graceMs, log } = options;
  const running = new Map<string, AbortController>();
  let draining = false;
  let exited = false;
  let deadline: TimerId | undefined;

  function exit(code: number): void {
    if (exited) return;
    exited = true;
    if (deadline !== undefined) clock.clearTimeout(deadline);
    log(`exit(${code})`);
    options.exit(code);
  }

  // Abort every job still running and hand it back to the queue.
  function interrupt(why: string): void {
    for (const [id, controller] of running) {
      controller.abort(new Error(why));
      log(`${id}: aborted (${why}), released back to the queue`);
    }
    running.clear();
  }

  for (const job of options.jobs) {
    const controller = new AbortController();
    running.set(job.id, controller);
    log(`claimed ${job.id} (needs ${job.ms} ms)`);
    // The "work": a sleep that honours the job's AbortSignal.
    clock.sleep(job.ms, controller.signal).then(
      () => {
        if (!running.delete(job.id)) return; // already released
        log(`${job.id}: completed`);
        if (draining && running.size === 0) exit(0);
      },
      () => {}, // aborted: interrupt() already released it
    );
  }

  return {
    signal(name) {
      if (exited) return;
      if (draining) {
        log(`${name} again: forcing the exit`);
        interrupt("forced");
        exit(128 + SIGNAL_NUMBERS[name]);
        return;
      }
      draining = true;
      log(`${name}: stop claiming, drain ${running.size} job(s), hard deadline in ${graceMs} ms`);
      if (running.size === 0) return exit(0);
      deadline = clock.setTimeout(() => {
        deadline = undefined;
        log(`deadline: ${running.size} job(s) still running`);
        interrupt("deadline");
        exit(1);
      }, graceMs);
    },
  };
}
