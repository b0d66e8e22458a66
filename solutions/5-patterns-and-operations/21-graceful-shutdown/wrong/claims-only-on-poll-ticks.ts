// queuecraft:hidden-or-solution — never in a student edition
// Polls on a fixed interval and fills free slots only on a tick, so a slot freed by a finished job sits idle for up to pollIntervalMs even when jobs are waiting.
import type { Clock } from "#kit/clock.ts";

export interface Job { id: string; payload: unknown }
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

const SIGNAL_NUMBER: Record<ShutdownSignal, number> = { SIGINT: 2, SIGTERM: 15 };

export function createWorker(options: WorkerOptions): ShutdownWorker {
  const { queue, handler, clock, exit } = options;
  const concurrency = options.concurrency ?? 1;
  const pollMs = options.pollIntervalMs ?? 1000;
  const graceMs = options.graceMs ?? 10_000;

  let phase: "idle" | "running" | "draining" | "exited" = "idle";
  const inFlight = new Map<string, AbortController>();
  let pollTimer: ReturnType<Clock["setTimeout"]> | undefined;
  let deadline: ReturnType<Clock["setTimeout"]> | undefined;

  function clearTimers(): void {
    if (pollTimer !== undefined) clock.clearTimeout(pollTimer);
    if (deadline !== undefined) clock.clearTimeout(deadline);
    pollTimer = deadline = undefined;
  }

  function finish(code: number): void {
    if (phase === "exited") return;
    phase = "exited";
    clearTimers();
    exit(code);
  }

  function releaseAll(): void {
    const held = [...inFlight];
    inFlight.clear();
    for (const [, controller] of held) controller.abort(new Error("worker shutting down"));
    for (const [id] of held) queue.release(id);
  }

  function settled(id: string, outcome: { ok: true } | { ok: false; error: unknown }): void {
    if (!inFlight.delete(id)) return; // released already
    if (outcome.ok) queue.complete(id);
    else queue.fail(id, outcome.error);
    if (phase === "draining" && inFlight.size === 0) finish(0);
  }

  function run(job: Job): void {
    const controller = new AbortController();
    inFlight.set(job.id, controller);
    let promise: Promise<void>;
    try {
      promise = Promise.resolve(handler(job, controller.signal));
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      () => settled(job.id, { ok: true }),
      (error: unknown) => settled(job.id, { ok: false, error }),
    );
  }

  function fill(): void {
    while (phase === "running" && inFlight.size < concurrency) {
      const job = queue.claim();
      if (job === undefined) break;
      run(job);
    }
    if (phase === "running" && pollTimer === undefined) {
      pollTimer = clock.setTimeout(() => {
        pollTimer = undefined;
        fill();
      }, pollMs);
    }
  }

  return {
    start() {
      if (phase !== "idle") return;
      phase = "running";
      fill();
    },
    shutdown(signal) {
      if (phase === "exited") return;
      if (phase === "draining") {
        releaseAll();
        finish(128 + SIGNAL_NUMBER[signal]);
        return;
      }
      phase = "draining";
      if (pollTimer !== undefined) clock.clearTimeout(pollTimer);
      pollTimer = undefined;
      if (inFlight.size === 0) {
        finish(0);
        return;
      }
      deadline = clock.setTimeout(() => {
        deadline = undefined;
        releaseAll();
        finish(1);
      }, graceMs);
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
