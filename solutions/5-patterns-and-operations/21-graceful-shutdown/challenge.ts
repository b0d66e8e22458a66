// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a worker that shuts down gracefully.
//
// `concurrency` independent runner loops share one queue. The first signal
// flips the state to "draining" (runners stop after their current job and a
// sleeping poll is woken up and told to stop) and arms the hard deadline. The
// last job to settle exits 0; the deadline or a second signal aborts and
// releases whatever is still running.

import type { Clock, TimerId } from "#kit/clock.ts";

export interface Job {
  id: string;
  payload: unknown;
}

export interface ClaimQueue {
  claim(): Job | undefined;
  complete(id: string): void;
  fail(id: string, error: unknown): void;
  release(id: string): void;
}

export type JobHandler = (job: Job, signal: AbortSignal) => Promise<void>;

export type ShutdownSignal = "SIGTERM" | "SIGINT";

export interface WorkerOptions {
  queue: ClaimQueue;
  handler: JobHandler;
  clock: Clock;
  exit: (code: number) => void;
  concurrency?: number;
  pollIntervalMs?: number;
  graceMs?: number;
}

export interface ShutdownWorker {
  start(): void;
  shutdown(signal: ShutdownSignal): void;
}

const SIGNAL_NUMBERS: Record<ShutdownSignal, number> = { SIGINT: 2, SIGTERM: 15 };

type State = "idle" | "running" | "draining" | "exited";

export function createWorker(options: WorkerOptions): ShutdownWorker {
  const { queue, handler, clock, exit } = options;
  const concurrency = options.concurrency ?? 1;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const graceMs = options.graceMs ?? 10_000;

  let state: State = "idle";
  // Wakes runners that sleep between polls, so they stop instead of claiming.
  const stopPolling = new AbortController();
  // Jobs whose outcome is still ours to report. A job leaves this map exactly
  // once: completed, failed, or released by a shutdown.
  const inFlight = new Map<string, AbortController>();
  let deadline: TimerId | undefined;

  function finish(code: number): void {
    if (state === "exited") return;
    state = "exited";
    if (deadline !== undefined) clock.clearTimeout(deadline);
    deadline = undefined;
    exit(code);
  }

  function releaseAll(reason: Error): void {
    for (const [id, controller] of inFlight) {
      controller.abort(reason);
      queue.release(id);
    }
    inFlight.clear();
  }

  async function runJob(job: Job): Promise<void> {
    const controller = new AbortController();
    inFlight.set(job.id, controller);
    try {
      await handler(job, controller.signal);
      // Released by a shutdown while we awaited? Then the outcome is not ours any more.
      if (inFlight.delete(job.id)) queue.complete(job.id);
    } catch (error) {
      if (inFlight.delete(job.id)) queue.fail(job.id, error);
    }
    if (state === "draining" && inFlight.size === 0) finish(0);
  }

  async function runner(): Promise<void> {
    while (state === "running") {
      const job = queue.claim();
      if (job) {
        await runJob(job);
        continue;
      }
      try {
        await clock.sleep(pollIntervalMs, stopPolling.signal);
      } catch {
        return; // woken up by shutdown
      }
    }
  }

  function onDeadline(): void {
    deadline = undefined;
    releaseAll(new Error(`shutdown: still running after the ${graceMs} ms grace period`));
    finish(1);
  }

  return {
    start() {
      if (state !== "idle") return;
      state = "running";
      for (let i = 0; i < concurrency; i++) void runner();
    },

    shutdown(signal) {
      if (state === "exited") return;
      if (state === "draining") {
        releaseAll(new Error(`shutdown forced by a second signal (${signal})`));
        finish(128 + SIGNAL_NUMBERS[signal]);
        return;
      }
      state = "draining";
      stopPolling.abort();
      if (inFlight.size === 0) return finish(0);
      deadline = clock.setTimeout(onDeadline, graceMs);
    },
  };
}

export interface SignalSource {
  on(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: ShutdownSignal, listener: (signal: NodeJS.Signals) => void): unknown;
}

export function handleSignals(worker: Pick<ShutdownWorker, "shutdown">, source: SignalSource = process): () => void {
  const onTerm = () => worker.shutdown("SIGTERM");
  const onInt = () => worker.shutdown("SIGINT");
  source.on("SIGTERM", onTerm);
  source.on("SIGINT", onInt);
  return () => {
    source.off("SIGTERM", onTerm);
    source.off("SIGINT", onInt);
  };
}
