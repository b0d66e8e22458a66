// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: the worker-loop dispatcher plus a `pending` flag.
//
// notify() only sets `pending` and wakes the loop if it is parked. The loop
// clears `pending` just before each claim, because that claim will see every
// job that was notified so far. If a claim comes back empty while `pending`
// was set again in the meantime, a notification arrived during the claim (its
// job was not visible to the query yet), so the loop claims again instead of
// sleeping. The flag turns notifications (events that can be missed) into
// state that cannot be: that is also why BullMQ's wake-up is a Redis key, not
// a message.
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
  const { claim, handle, pollInterval, clock } = options;
  const concurrency = options.concurrency ?? 1;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${String(concurrency)}`);
  }
  if (!Number.isFinite(pollInterval) || pollInterval <= 0) {
    throw new RangeError(`pollInterval must be a positive number of ms, got ${String(pollInterval)}`);
  }

  let running = 0;
  let stopping = false;
  let pending = false;
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
      // A job that ends during this claim frees a slot the claim was not for,
      // and the claim only sees the queue as it was when it started: treat
      // that like a notification, so an empty result is followed by a claim.
      wake = () => (pending = true);
      pending = false;
      let job: J | null | undefined = null;
      try {
        job = await claim();
      } catch (error) {
        report(error, undefined);
      }
      wake = undefined;
      if (job == null) {
        // A notification that arrived during the claim means a job the claim
        // could not see yet: claim again instead of sleeping.
        if (!stopping && !pending) await pause(pollInterval);
        continue;
      }
      running++;
      void run(job);
    }
    while (running > 0) await pause();
  }

  const finished = loop();
  return {
    notify() {
      if (stopping) return;
      pending = true;
      wake?.();
    },
    stop() {
      stopping = true;
      wake?.();
      return finished;
    },
  };
}
