// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a deadline that really aborts (AbortController), reports
// the timeout on time even when the task ignores the signal, and cleans up its
// timer and its parent-signal listener in every outcome.
import type { Clock } from "#kit/clock.ts";

class TimeoutError extends Error {
  override name = "TimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`job timed out after ${timeoutMs} ms`);
  }
}

export function runWithTimeout<T>(
  task: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  clock: Clock,
  parentSignal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (parentSignal?.aborted) return reject(parentSignal.reason);
    const controller = new AbortController();
    let settled = false;

    // The single exit: whichever outcome comes first settles the call and
    // removes everything the call set up; later outcomes are ignored.
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      parentSignal?.removeEventListener("abort", onParentAbort);
      settle();
    };
    const onParentAbort = () => {
      const reason: unknown = parentSignal!.reason;
      controller.abort(reason);
      finish(() => reject(reason));
    };
    const timer = clock.setTimeout(() => {
      const reason = new TimeoutError(timeoutMs);
      controller.abort(reason);
      finish(() => reject(reason));
    }, timeoutMs);
    parentSignal?.addEventListener("abort", onParentAbort, { once: true });

    let running: Promise<T>;
    try {
      running = Promise.resolve(task(controller.signal));
    } catch (error) {
      return finish(() => reject(error));
    }
    running.then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}

export interface TimedJob {
  id: string;
  attempts: number;
  maxAttempts: number;
  state: "waiting" | "completed" | "failed";
  lastError?: string;
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : `Error: ${String(error)}`);

export async function runAttempt(
  job: TimedJob,
  handler: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  clock: Clock,
): Promise<TimedJob["state"]> {
  job.attempts += 1; // counted up front: a timeout is an attempt like any other
  try {
    await runWithTimeout(handler, timeoutMs, clock);
    job.state = "completed";
  } catch (error) {
    job.lastError = describe(error);
    job.state = job.attempts < job.maxAttempts ? "waiting" : "failed";
  }
  return job.state;
}
