import { test, expect, describe } from "vitest";
import { EventEmitter } from "node:events";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { spawnTs, exited } from "#kit/spawn-ts.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/5-patterns-and-operations/21-graceful-shutdown/challenge.ts");
type Job = import("../../../../lessons/5-patterns-and-operations/21-graceful-shutdown/challenge.ts").Job;
type ClaimQueue = import("../../../../lessons/5-patterns-and-operations/21-graceful-shutdown/challenge.ts").ClaimQueue;
type JobHandler = import("../../../../lessons/5-patterns-and-operations/21-graceful-shutdown/challenge.ts").JobHandler;

const { createWorker, handleSignals } = await loadCandidate<Challenge>(import.meta.url);

// --- an in-memory queue that records everything ------------------------------------

function recordingQueue(ids: string[]) {
  const waiting: Job[] = ids.map((id) => ({ id, payload: { id } }));
  const log = { claimed: [] as string[], completed: [] as string[], failed: [] as string[], released: [] as string[] };
  const queue: ClaimQueue = {
    claim() {
      const job = waiting.shift();
      if (job) log.claimed.push(job.id);
      return job;
    },
    complete: (id) => void log.completed.push(id),
    fail: (id) => void log.failed.push(id),
    release(id) {
      log.released.push(id);
      waiting.unshift({ id, payload: { id } });
    },
  };
  return { queue, log, add: (id: string) => void waiting.push({ id, payload: { id } }) };
}

interface Setup {
  jobs: Record<string, number>; // id -> how long its handler runs (ms)
  concurrency?: number;
  graceMs?: number;
  pollIntervalMs?: number;
  /** Ids whose handler ignores its AbortSignal and keeps running. */
  deaf?: string[];
  /** Ids whose handler rejects (a real failure) when its time is up. */
  failing?: string[];
}

function setup(options: Setup) {
  const clock = new FakeClock();
  const { queue, log, add } = recordingQueue(Object.keys(options.jobs));
  const exits: number[] = [];
  const signals = new Map<string, AbortSignal>();
  let inFlight = 0;
  let maxInFlight = 0;
  const handler: JobHandler = async (job, signal) => {
    signals.set(job.id, signal);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    try {
      const ms = options.jobs[job.id] ?? 100;
      await clock.sleep(ms, options.deaf?.includes(job.id) ? undefined : signal);
      if (options.failing?.includes(job.id)) throw new Error(`${job.id} failed for real`);
    } finally {
      inFlight--;
    }
  };
  const worker = createWorker({
    queue,
    handler,
    clock,
    exit: (code) => void exits.push(code),
    concurrency: options.concurrency ?? 1,
    pollIntervalMs: options.pollIntervalMs ?? 100,
    graceMs: options.graceMs ?? 1000,
  });
  return { clock, worker, log, exits, signals, add, maxInFlight: () => maxInFlight };
}

const sorted = (xs: string[]) => [...xs].sort();

// --- the logic, on a fake clock ------------------------------------------------------

describe("draining on the first signal", () => {
  test("no job is claimed after the first signal, while in-flight jobs finish", async () => {
    const ids = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`job-${i + 1}`, 100]));
    const t = setup({ jobs: ids, concurrency: 2, graceMs: 10_000 });
    t.worker.start();
    await t.clock.advance(30);
    expect(t.log.claimed.length, "with concurrency 2 and ten ready jobs, two should be claimed right after start()").toBe(2);
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(5000);
    expect(t.log.claimed, "no claim() may happen after shutdown started: a job claimed now would be cut off by the deadline").toEqual(["job-1", "job-2"]);
    expect(sorted(t.log.completed), "the two jobs in flight at the signal should be allowed to finish and be completed").toEqual(["job-1", "job-2"]);
  });

  test("a worker sleeping between polls does not wake up and claim after the signal", async () => {
    const t = setup({ jobs: {}, pollIntervalMs: 500 });
    t.worker.start();
    await t.clock.advance(1200); // two empty polls; now it sleeps
    t.add("late-job");
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(5000);
    expect(t.log.claimed, "a job enqueued just before shutdown must stay in the queue: the sleeping poll must stop, not claim").toEqual([]);
  });

  test("exit(0) comes only after the last in-flight job settles, not before", async () => {
    const t = setup({ jobs: { "job-1": 300, "job-2": 600 }, concurrency: 2, graceMs: 1000 });
    t.worker.start();
    await t.clock.advance(100);
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(199);
    expect(t.exits, "exiting while jobs still run (t=299 ms, jobs end at 300 and 600) loses them: wait for the drain").toEqual([]);
    await t.clock.advance(1);
    expect(t.log.completed, "job-1 finished at t=300 during the grace period: it should be completed").toEqual(["job-1"]);
    expect(t.exits, "job-2 is still running at t=300: no exit yet").toEqual([]);
    await t.clock.advance(300);
    expect(sorted(t.log.completed), "both jobs finished within the grace period").toEqual(["job-1", "job-2"]);
    expect(t.exits, "a clean drain must exit exactly once with code 0, as soon as the last job settles").toEqual([0]);
    expect(t.log.released, "nothing should be released after a clean drain").toEqual([]);
    expect([...t.signals.values()].some((s) => s.aborted), "jobs that finish within the grace period must not be aborted").toBe(false);
  });

  test("a clean drain leaves no timer behind and exits only once", async () => {
    const t = setup({ jobs: { "job-1": 200 }, graceMs: 1000 });
    t.worker.start();
    await t.clock.advance(50);
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(150);
    expect(t.exits, "the only job finished at t=200: exit(0) then").toEqual([0]);
    expect(t.clock.pendingTimers, "after a clean drain the hard-deadline timer must be cleared (a live timer keeps a real process running for the whole grace period)").toBe(0);
    await t.clock.advance(5000);
    expect(t.exits, "the hard deadline must not fire after a clean drain: exit is called exactly once").toEqual([0]);
  });

  test("a job that really fails during the drain is failed, and the drain still exits 0", async () => {
    const t = setup({ jobs: { "job-1": 100 }, failing: ["job-1"], graceMs: 1000 });
    t.worker.start();
    await t.clock.advance(10);
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(200);
    expect(t.log.failed, "a handler that rejects on its own is a failed attempt, even during a drain").toEqual(["job-1"]);
    expect(t.log.released, "a job that failed by itself is not released").toEqual([]);
    expect(t.exits, "the drain is over once the job settled, failed or not: exit(0)").toEqual([0]);
  });

  test("an idle worker exits 0 at once and leaves no timer behind", async () => {
    const t = setup({ jobs: {}, pollIntervalMs: 1000 });
    t.worker.start();
    await t.clock.advance(2500);
    t.worker.shutdown("SIGINT");
    await flushMicrotasks();
    expect(t.exits, "with nothing in flight there is nothing to drain: exit(0) immediately, without advancing the clock").toEqual([0]);
    expect(t.clock.pendingTimers, "the sleeping poll (and any deadline) must be cancelled when the worker exits").toBe(0);
    t.worker.shutdown("SIGINT");
    await flushMicrotasks();
    expect(t.exits, "signals after exit are ignored: exit must be called exactly once").toEqual([0]);
  });
});

describe("the hard deadline", () => {
  test("jobs still running at the deadline are aborted and released, never completed or failed", async () => {
    const t = setup({ jobs: { "job-1": 200, "job-2": 5000, "job-3": 8000 }, concurrency: 3, graceMs: 1000, deaf: ["job-3"] });
    t.worker.start();
    await t.clock.advance(10);
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(999); // t = 1009, deadline at 1010
    expect(t.log.completed, "job-1 (200 ms) finished inside the grace period").toEqual(["job-1"]);
    expect(t.exits, "the grace period is 1000 ms from the signal (t=10): no exit before t=1010").toEqual([]);
    expect(t.signals.get("job-2")?.aborted, "a job must not be aborted before the deadline").toBe(false);
    await t.clock.advance(1);
    expect(t.signals.get("job-2")?.aborted, "at the deadline, the AbortSignal of every job still running must fire").toBe(true);
    expect(t.signals.get("job-3")?.aborted, "at the deadline, the AbortSignal of every job still running must fire").toBe(true);
    expect(sorted(t.log.released), "jobs cut off by the deadline must go back to the queue with release(), or they are lost").toEqual(["job-2", "job-3"]);
    expect(t.exits.length, "the worker must exit at the deadline, exactly once").toBe(1);
    expect(t.exits[0], "an exit at the hard deadline is not a clean drain: the contract's code for it is exit(1)").toBe(1);
    await t.clock.advance(20_000); // the aborted handler rejects, the deaf one resolves at t=8000
    expect(t.log.failed, "an aborted job was interrupted, not failed: never call fail() for a released job (it would burn an attempt)").toEqual([]);
    expect(t.log.completed, "a released job belongs to the queue again: never complete() it, even if its handler resolves later").toEqual(["job-1"]);
    expect(t.exits.length, "exit is called exactly once").toBe(1);
  });

  test("a handler that ignores its signal cannot keep the worker alive past the deadline", async () => {
    const t = setup({ jobs: { "job-1": 60_000 }, graceMs: 500, deaf: ["job-1"] });
    t.worker.start();
    await t.clock.advance(1);
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(600);
    expect(t.exits.length, "the hard deadline must end the process even when a handler never stops by itself").toBe(1);
    expect(t.log.released, "the unfinished job must be released at the deadline").toEqual(["job-1"]);
  });
});

describe("the second signal", () => {
  test("a second signal forces an immediate non-zero exit and releases the jobs still running", async () => {
    const t = setup({ jobs: { "job-1": 5000, "job-2": 5000 }, concurrency: 2, graceMs: 10_000 });
    t.worker.start();
    await t.clock.advance(10);
    t.worker.shutdown("SIGTERM");
    await t.clock.advance(100);
    expect(t.exits, "one signal starts a drain; it does not exit while jobs run").toEqual([]);
    t.worker.shutdown("SIGINT");
    await flushMicrotasks();
    expect(t.exits.length, "a second signal (the operator pressing Ctrl+C again) must exit at once, without waiting for the grace period").toBe(1);
    expect(t.exits[0], "a forced exit is not a clean one: exit with 128 + the signal's number, 130 for SIGINT").toBe(130);
    expect(sorted(t.log.released), "jobs interrupted by a forced exit must be released back to the queue, not lost").toEqual(["job-1", "job-2"]);
    expect(t.signals.get("job-1")?.aborted, "a forced exit aborts the jobs still running").toBe(true);
    expect(t.clock.pendingTimers, "after a forced exit no timer of the worker may stay pending: clear the hard-deadline timer on every way out, not only after a clean drain").toBe(0);
    await t.clock.advance(20_000);
    expect(t.exits.length, "after a forced exit, the deadline timer must not call exit again").toBe(1);
    expect([...t.log.completed, ...t.log.failed], "released jobs are never completed or failed afterwards").toEqual([]);
  });
});

describe("the worker loop", () => {
  test("keeps up to `concurrency` jobs in flight and claims again as soon as a slot frees up", async () => {
    const t = setup({ jobs: { a: 100, b: 300, c: 100, d: 100, e: 100 }, concurrency: 2, pollIntervalMs: 10_000 });
    t.worker.start();
    await t.clock.advance(0);
    expect(t.log.claimed.length, "two slots: two claims at start").toBe(2);
    await t.clock.advance(100);
    expect(t.log.claimed.length, "when job a ends at t=100 its slot claims at once, without waiting for the poll interval and without waiting for b (300 ms) to end: slots are independent, not a batch awaited with Promise.all").toBe(3);
    await t.clock.advance(100);
    expect(t.log.claimed.length, "c ended at t=200 while b still runs: its slot claims d at once").toBe(4);
    await t.clock.advance(300);
    expect(t.log.completed.length, "every job should have run").toBe(5);
    expect(t.maxInFlight(), "never more than `concurrency` jobs in flight").toBe(2);
    t.worker.shutdown("SIGTERM");
    await flushMicrotasks();
    expect(t.exits, "idle after the work: the signal exits 0 at once").toEqual([0]);
  });
});

describe("signal handlers", () => {
  test("every SIGTERM and SIGINT reaches the worker, and the returned function removes the listeners", () => {
    const source = new EventEmitter();
    const received: string[] = [];
    const dispose = handleSignals({ shutdown: (signal) => void received.push(signal) }, source);
    source.emit("SIGTERM", "SIGTERM");
    source.emit("SIGTERM", "SIGTERM");
    source.emit("SIGINT", "SIGINT");
    expect(received, "each signal must be forwarded, the second one too (use on(), not once(): the second signal forces the exit)").toEqual(["SIGTERM", "SIGTERM", "SIGINT"]);
    dispose();
    expect(source.listenerCount("SIGTERM") + source.listenerCount("SIGINT"), "the function handleSignals returns must remove the listeners it added").toBe(0);
  });
});

// --- a real process, real signals ------------------------------------------------------

const childFile = fileURLToPath(new URL("./shutdown-child.ts", import.meta.url));

interface Summary {
  code: number;
  claimed: string[];
  completed: string[];
  failed: string[];
  released: string[];
}

type WorkerProcess = Awaited<ReturnType<typeof startWorkerProcess>>;

/** Runs `body` against a fresh worker process and always kills the process afterwards. */
async function withWorkerProcess(
  config: { jobs: number; jobMs: number; concurrency: number; graceMs: number },
  body: (worker: WorkerProcess) => Promise<void>,
): Promise<void> {
  const worker = await startWorkerProcess(config);
  try {
    await body(worker);
  } finally {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  }
}

async function startWorkerProcess(config: { jobs: number; jobMs: number; concurrency: number; graceMs: number }) {
  const child: ChildProcess = await spawnTs(childFile, [JSON.stringify(config)]);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const messages: Array<{ type: string; signal?: string }> = [];
  const wake = new EventEmitter();
  child.on("message", (message: { type: string }) => {
    messages.push(message);
    wake.emit("message");
  });
  const exit = exited(child);
  const tail = () => stderr.trim().split("\n").slice(-6).join("\n");

  async function waitFor(type: string, count: number, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (messages.filter((m) => m.type === type).length < count) {
      if (child.exitCode !== null || child.signalCode !== null) expect.fail(`the worker process exited before ${what}:\n${tail()}`);
      if (Date.now() > deadline) expect.fail(`timed out waiting for ${what}:\n${tail()}`);
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wake.off("message", done);
          resolve();
        };
        const timer = setTimeout(done, 25);
        wake.on("message", done);
      });
    }
  }

  async function exitWithin(ms: number, what: string): Promise<{ code: number | NodeJS.Signals; summary?: Summary }> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([exit, new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)))]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      child.kill("SIGKILL");
      expect.fail(`${what}: the worker process was still running ${ms} ms later`);
    }
    const line = stdout.trim().split("\n").pop();
    let summary: Summary | undefined;
    try {
      summary = line ? (JSON.parse(line) as Summary) : undefined;
    } catch {
      summary = undefined;
    }
    return { code: outcome, summary };
  }

  return { child, waitFor, exitWithin };
}

// Starting a child process can take seconds on a loaded machine: the start-up wait is generous, and each
// real-process test gets its own time limit above vitest's default. A wrong worker still fails fast
// (every wait after start-up is bounded by exitWithin / waitFor).
const STARTUP_MS = 15_000;
const REAL_PROCESS_TEST_MS = 30_000;

describe.concurrent("a real worker process", () => {
  test("a real SIGTERM drains the jobs in flight and the process exits 0", async () => {
    await withWorkerProcess({ jobs: 8, jobMs: 1000, concurrency: 2, graceMs: 6000 }, async (worker) => {
      await worker.waitFor("busy", 1, STARTUP_MS, "two jobs to start");
      worker.child.kill("SIGTERM");
      const { code, summary } = await worker.exitWithin(6000, "after SIGTERM with 1 s jobs and a 6 s grace period");
      expect(code, "after a SIGTERM whose jobs all finish in time, the process must exit by itself with code 0").toBe(0);
      expect(summary, "the worker must exit through the injected exit() function").toBeDefined();
      expect(sorted(summary!.completed), "every job claimed before SIGTERM should be completed during the drain").toEqual(sorted(summary!.claimed));
      expect(summary!.claimed.length, "claiming must stop at SIGTERM: most of the 8 jobs should still be waiting").toBeLessThan(8);
      expect(summary!.released, "nothing needs releasing after a clean drain").toEqual([]);
    });
  }, REAL_PROCESS_TEST_MS);

  test("a real SIGTERM with jobs longer than the grace period: they are released and the exit code is non-zero", async () => {
    await withWorkerProcess({ jobs: 4, jobMs: 30_000, concurrency: 2, graceMs: 300 }, async (worker) => {
      await worker.waitFor("busy", 1, STARTUP_MS, "two jobs to start");
      worker.child.kill("SIGTERM");
      const { code, summary } = await worker.exitWithin(5000, "SIGTERM with 30 s jobs and a 300 ms grace period");
      expect(typeof code, "the worker must exit by itself at the hard deadline, not be killed by the signal").toBe("number");
      expect(code, "jobs had to be cut off at the deadline: the exit code must be non-zero").not.toBe(0);
      expect(sorted(summary?.released ?? []), "both jobs cut off at the deadline must be released back to the queue").toEqual(["job-1", "job-2"]);
      expect(summary?.completed, "no job could finish in 300 ms").toEqual([]);
    });
  }, REAL_PROCESS_TEST_MS);

  test("a second real signal forces an immediate non-zero exit", async () => {
    await withWorkerProcess({ jobs: 4, jobMs: 30_000, concurrency: 2, graceMs: 30_000 }, async (worker) => {
      await worker.waitFor("busy", 1, STARTUP_MS, "two jobs to start");
      worker.child.kill("SIGTERM");
      await worker.waitFor("signal", 1, 3000, "the first SIGTERM to reach the worker");
      worker.child.kill("SIGTERM");
      const { code, summary } = await worker.exitWithin(3000, "a second SIGTERM while 30 s jobs drain");
      expect(typeof code, `the second signal must be handled and exit with a code (the process was killed by ${String(code)}: is the listener still installed after the first signal?)`).toBe("number");
      expect(code, "a forced exit by a second SIGTERM must exit with 128 + 15 = 143").toBe(143);
      expect(sorted(summary?.released ?? []), "a forced exit releases the jobs still running").toEqual(["job-1", "job-2"]);
    });
  }, REAL_PROCESS_TEST_MS);
});
