// queuecraft:hidden-or-solution — never in a student edition
// A hand-built Promise with a settle-once finish() that runs one cleanup (clear the timer, remove the parent listener) for every outcome; the parent's abort is forwarded by an explicit listener, not AbortSignal.any.
import type { Clock, TimerId } from "#kit/clock.ts";

export function runWithTimeout<T>(
  task: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  clock: Clock,
  parentSignal?: AbortSignal,
): Promise<T> {
  if (parentSignal?.aborted) return Promise.reject(parentSignal.reason);
  return new Promise<T>((resolve, reject) => {
    const controller = new AbortController();
    let settled = false;
    let timer: TimerId | undefined;

    const onParentAbort = (): void => {
      const reason: unknown = parentSignal!.reason;
      controller.abort(reason);
      finish(() => reject(reason));
    };

    function finish(settle: () => void): void {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      parentSignal?.removeEventListener("abort", onParentAbort);
      settle();
    }

    timer = clock.setTimeout(() => {
      timer = undefined;
      const reason = new DOMException(`the task did not finish within ${timeoutMs} ms`, "TimeoutError");
      controller.abort(reason);
      finish(() => reject(reason));
    }, timeoutMs);
    parentSignal?.addEventListener("abort", onParentAbort);

    let running: Promise<T>;
    try {
      running = task(controller.signal);
    } catch (error) {
      finish(() => reject(error));
      return;
    }
    Promise.resolve(running).then(
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

function describeFailure(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  try {
    return `non-Error thrown: ${String(error)}`;
  } catch {
    return "non-Error thrown (cannot be shown as a string)";
  }
}

export async function runAttempt(
  job: TimedJob,
  handler: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  clock: Clock,
): Promise<TimedJob["state"]> {
  job.attempts += 1;
  try {
    await runWithTimeout(handler, timeoutMs, clock);
    job.state = "completed";
  } catch (error) {
    job.lastError = describeFailure(error);
    job.state = job.attempts < job.maxAttempts ? "waiting" : "failed";
  }
  return job.state;
}
