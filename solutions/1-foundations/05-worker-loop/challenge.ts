// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: one dispatcher loop that fills free slots.
//
// The loop claims while a slot is free, hands each job to run() without
// awaiting it, and parks itself in pause() when it has nothing to do: with no
// timer while every slot is busy, with a pollInterval timer when the queue was
// empty. Anything that changes the picture (a job finishing, stop()) calls
// wake(), so the loop never sleeps through work it could be doing.
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
  const { claim, handle, concurrency, pollInterval, clock } = options;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  if (!Number.isFinite(pollInterval) || pollInterval <= 0) {
    throw new RangeError(`pollInterval must be a positive number of ms, got ${String(pollInterval)}`);
  }

  let running = 0;
  let stopping = false;
  let wake: (() => void) | undefined;

  function report(error: unknown, job: J | undefined): void {
    try {
      options.onError?.(error, job);
    } catch {
      // A broken error reporter must not take the worker down with it.
    }
  }

  /** Waits for wake(), or for `ms` if given; clears its own timer either way. */
  function pause(ms?: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: TimerId | undefined;
      const done = () => {
        if (timer !== undefined) clock.clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      if (ms !== undefined) timer = clock.setTimeout(done, ms);
      wake = done;
    });
  }

  async function run(job: J): Promise<void> {
    try {
      await handle(job);
    } catch (error) {
      report(error, job);
    } finally {
      running--;
      wake?.();
    }
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      if (running >= concurrency) {
        await pause();
        continue;
      }
      let job: J | null | undefined = null;
      // A job that ends during this claim frees a slot the claim was not for,
      // and the claim may have looked at the queue before that: remember it.
      let slotFreed = false;
      wake = () => (slotFreed = true);
      try {
        job = await claim();
      } catch (error) {
        report(error, undefined);
      }
      wake = undefined;
      if (job == null) {
        if (!stopping && !slotFreed) await pause(pollInterval);
        continue;
      }
      // Claimed means locked by us: run it even if stop() arrived meanwhile.
      running++;
      void run(job);
    }
    while (running > 0) await pause();
  }

  const finished = loop();
  return {
    stop() {
      stopping = true;
      wake?.();
      return finished;
    },
  };
}
