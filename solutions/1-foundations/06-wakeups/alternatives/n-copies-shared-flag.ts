// queuecraft:hidden-or-solution — never in a student edition
// Alternative: `concurrency` independent copies of a claim-then-handle loop (no dispatcher). A shared `notified` flag is cleared before every claim; notify() sets it and wakes every sleeping copy; each copy sleeps on its own timer, which it clears when woken.
import type { Clock, TimerId } from "#kit/clock.ts";

export interface WakeupWorkerOptions<J> {
  claim: () => Promise<J | null | undefined>;
  handle: (job: J) => Promise<void>;
  pollInterval: number;
  clock: Clock;
  concurrency?: number;
  onError?: (error: unknown, job: J | undefined) => void;
}

export interface WakeupWorker {
  notify(): void;
  stop(): Promise<void>;
}

export function startWakeupWorker<J>(options: WakeupWorkerOptions<J>): WakeupWorker {
  const { claim, handle, pollInterval, clock, onError } = options;
  const slots = options.concurrency === undefined ? 1 : options.concurrency;
  if (typeof slots !== "number" || !Number.isInteger(slots) || slots < 1) {
    throw new RangeError(`concurrency must be an integer >= 1, got ${String(slots)}`);
  }
  if (typeof pollInterval !== "number" || !Number.isFinite(pollInterval) || pollInterval <= 0) {
    throw new RangeError(`pollInterval must be a finite number of ms > 0, got ${String(pollInterval)}`);
  }

  let halted = false;
  let notified = false;
  /** Wake-up functions of the copies that are asleep right now. */
  const sleepers = new Set<() => void>();

  const tell = (error: unknown, job: J | undefined): void => {
    try {
      if (onError) onError(error, job);
    } catch {
      // a reporter that throws is ignored
    }
  };

  const sleep = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let timer: TimerId | undefined = undefined;
      const wakeUp = (): void => {
        if (!sleepers.delete(wakeUp)) return;
        if (timer !== undefined) clock.clearTimeout(timer);
        resolve();
      };
      sleepers.add(wakeUp);
      timer = clock.setTimeout(wakeUp, pollInterval);
    });

  const wakeAll = (): void => {
    for (const wakeUp of [...sleepers]) wakeUp();
  };

  const copy = async (): Promise<void> => {
    while (!halted) {
      notified = false;
      let job: J | null | undefined = undefined;
      try {
        job = await claim();
      } catch (error) {
        tell(error, undefined);
      }
      if (job === null || job === undefined) {
        if (!halted && !notified) await sleep();
        continue;
      }
      try {
        await handle(job);
      } catch (error) {
        tell(error, job);
      }
    }
  };

  const copies: Array<Promise<void>> = [];
  for (let i = 0; i < slots; i++) copies.push(copy());
  const done = Promise.all(copies).then(() => undefined);

  return {
    notify(): void {
      if (halted) return;
      notified = true;
      wakeAll();
    },
    stop(): Promise<void> {
      halted = true;
      wakeAll();
      return done;
    },
  };
}
