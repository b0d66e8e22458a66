// queuecraft:hidden-or-solution — never in a student edition
// Alternative: the "N copies" shape. `concurrency` independent copies of a claim-then-handle loop, each sleeping through clock.sleep(ms, signal) after an empty claim; stop() aborts the sleeps and returns Promise.all over the copies.
import type { Clock } from "#kit/clock.ts";

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
  if (typeof concurrency !== "number" || !Number.isInteger(concurrency) || concurrency <= 0) {
    throw new RangeError(`concurrency: expected a positive integer, got ${String(concurrency)}`);
  }
  if (typeof pollInterval !== "number" || !(pollInterval > 0) || pollInterval === Infinity) {
    throw new RangeError(`pollInterval: expected a positive finite number of ms, got ${String(pollInterval)}`);
  }

  const stopped = new AbortController();

  const tell = (error: unknown, job: J | undefined): void => {
    if (onError === undefined) return;
    try {
      onError(error, job);
    } catch {
      // ignored: reporting must never take a copy down
    }
  };

  const nap = async (): Promise<void> => {
    try {
      await clock.sleep(pollInterval, stopped.signal);
    } catch {
      // aborted by stop(): fall through and let the loop condition end the copy
    }
  };

  const copy = async (): Promise<void> => {
    while (!stopped.signal.aborted) {
      let job: J | null | undefined;
      try {
        job = await claim();
      } catch (error) {
        tell(error, undefined);
        await nap();
        continue;
      }
      if (job === null || job === undefined) {
        await nap();
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
  for (let i = 0; i < concurrency; i++) copies.push(copy());
  const all = Promise.all(copies).then(() => undefined);

  return {
    stop: () => {
      stopped.abort();
      return all;
    },
  };
}
