// queuecraft:hidden-or-solution — never in a student edition
// stop() waits only for the jobs already handed to handle(), so a job whose claim was still running when stop() was called is run after stop() has resolved (the process exits under it).
import type { Clock, TimerId } from "#kit/clock.ts";

export interface WorkerLoopOptions<J> {
  claim: () => Promise<J | null | undefined>;
  handle: (job: J) => Promise<void>;
  concurrency: number;
  pollInterval: number;
  clock: Clock;
  onError?: (error: unknown, job: J | undefined) => void;
}

export interface WorkerLoop {
  stop(): Promise<void>;
}

export function startWorkerLoop<J>(options: WorkerLoopOptions<J>): WorkerLoop {
  const { claim, handle, concurrency, pollInterval, clock, onError } = options;
  if (!Number.isInteger(concurrency) || concurrency <= 0) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  if (!Number.isFinite(pollInterval) || pollInterval <= 0) {
    throw new RangeError(`pollInterval must be a positive finite number, got ${pollInterval}`);
  }

  let slotsUsed = 0;
  let stopping = false;
  let jobFinished = false;
  const inFlight = new Set<Promise<void>>();

  let timer: TimerId | undefined;
  let resume: (() => void) | undefined;

  const wake = (): void => {
    if (timer !== undefined) {
      clock.clearTimeout(timer);
      timer = undefined;
    }
    const r = resume;
    resume = undefined;
    r?.();
  };

  const pause = (ms?: number): Promise<void> =>
    new Promise<void>((resolve) => {
      resume = resolve;
      if (ms !== undefined) {
        timer = clock.setTimeout(() => {
          timer = undefined;
          wake();
        }, ms);
      }
    });

  const report = (error: unknown, job: J | undefined): void => {
    try {
      onError?.(error, job);
    } catch {
      // a failing reporter must not stop the loop
    }
  };

  const run = (job: J): void => {
    const done = (async () => {
      try {
        await handle(job);
      } catch (error) {
        report(error, job);
      } finally {
        slotsUsed -= 1;
        jobFinished = true;
        wake();
      }
    })();
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  const dispatch = async (): Promise<void> => {
    while (!stopping) {
      if (slotsUsed >= concurrency) {
        await pause();
        continue;
      }
      slotsUsed += 1;
      jobFinished = false;
      let job: J | null | undefined;
      try {
        job = await claim();
      } catch (error) {
        slotsUsed -= 1;
        report(error, undefined);
        if (!stopping) await pause(pollInterval);
        continue;
      }
      if (job === null || job === undefined) {
        slotsUsed -= 1;
        if (!stopping && !jobFinished) await pause(pollInterval);
        continue;
      }
      run(job);
    }
  };

  const dispatcher = dispatch();
  let stopped: Promise<void> | undefined;

  return {
    stop() {
      stopped ??= (async () => {
        stopping = true;
        wake();
        void dispatcher;
        while (inFlight.size > 0) await Promise.all(inFlight);
      })();
      return stopped;
    },
  };
}
