// queuecraft:hidden-or-solution — never in a student edition
// Alternative: an async function that combines the parent and the deadline with AbortSignal.any (no listener of its own on the parent), races the task against the combined signal's abort, cleans up in `finally`, uses a DOMException named "TimeoutError", and records attempts with a promise chain instead of try/catch.
import type { Clock } from "#kit/clock.ts";

function abortedPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
  });
  promise.catch(() => {}); // a lost race is not an unhandled rejection
  return { promise, dispose: () => signal.removeEventListener("abort", onAbort) };
}

export async function runWithTimeout<T>(
  task: (signal: AbortSignal) => Promise<T>,
  timeoutMs: number,
  clock: Clock,
  parentSignal?: AbortSignal,
): Promise<T> {
  if (parentSignal?.aborted) throw parentSignal.reason;
  const deadline = new AbortController();
  const signal = parentSignal === undefined ? deadline.signal : AbortSignal.any([parentSignal, deadline.signal]);
  const timer = clock.setTimeout(() => {
    deadline.abort(new DOMException(`no result within ${timeoutMs} ms`, "TimeoutError"));
  }, timeoutMs);
  const aborted = abortedPromise(signal);
  try {
    const running = (async () => task(signal))(); // a synchronous throw becomes a rejection
    return await Promise.race([running, aborted.promise]);
  } finally {
    clock.clearTimeout(timer);
    aborted.dispose();
  }
}

export interface TimedJob {
  id: string;
  attempts: number;
  maxAttempts: number;
  state: "waiting" | "completed" | "failed";
  lastError?: string;
}

export function runAttempt(
  job: TimedJob,
  handler: (signal: AbortSignal) => Promise<void>,
  timeoutMs: number,
  clock: Clock,
): Promise<TimedJob["state"]> {
  job.attempts++;
  return runWithTimeout(handler, timeoutMs, clock).then(
    () => (job.state = "completed"),
    (error: unknown) => {
      job.lastError = error instanceof Error ? `${error.name}: ${error.message}` : `Error: ${String(error)}`;
      return (job.state = job.attempts >= job.maxAttempts ? "failed" : "waiting");
    },
  );
}
