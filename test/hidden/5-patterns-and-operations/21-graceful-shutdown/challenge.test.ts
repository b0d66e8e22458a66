// queuecraft:hidden-or-solution — never in a student edition
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

/** One ordered record of what the worker did: "claim:a", "complete:a", "fail:a", "release:a", "exit:0". */
type Events = string[];

function recordingQueue(ids: string[], events: Events, signalled: () => boolean) {
  const waiting: Job[] = ids.map((id) => ({ id, payload: { id } }));
  const log = {
    claimed: [] as string[],
    completed: [] as string[],
    failed: [] as string[],
    failures: [] as Array<{ id: string; error: unknown }>,
    released: [] as string[],
    claimsAfterSignal: [] as string[],
    claimAttempts: [] as number[],
  };
  const queue: ClaimQueue = {
    claim() {
      const job = waiting.shift();
      if (job) {
        log.claimed.push(job.id);
        events.push(`claim:${job.id}`);
        if (signalled()) log.claimsAfterSignal.push(job.id);
      }
      return job;
    },
    complete(id) {
      log.completed.push(id);
      events.push(`complete:${id}`);
    },
    fail(id, error) {
      log.failed.push(id);
      log.failures.push({ id, error });
      events.push(`fail:${id}`);
    },
    release(id) {
      log.released.push(id);
      events.push(`release:${id}`);
      waiting.unshift({ id, payload: { id } });
    },
  };
  return { queue, log, waiting, add: (id: string) => void waiting.push({ id, payload: { id } }) };
}

interface Setup {
  jobs: Record<string, number>; // id -> how long its handler runs (ms)
  concurrency?: number;
  graceMs?: number;
  pollIntervalMs?: number;
  /** Leave concurrency, pollIntervalMs and graceMs out of the options (their defaults apply). */
  defaults?: boolean;
  /** How long the handlers of jobs added later with add() run (ms); 100 when not listed. */
  later?: Record<string, number>;
  /** Ids whose handler ignores its AbortSignal and keeps running. */
  deaf?: string[];
  /** Ids whose handler rejects with this value when its time is up (a real failure). */
  rejectWith?: Map<string, unknown>;
  /** Ids whose handler throws this value synchronously, before returning a promise. */
  throwSync?: Map<string, unknown>;
}

function setup(options: Setup) {
  const clock = new FakeClock();
  const events: Events = [];
  let signalled = false;
  const { queue, log, add, waiting } = recordingQueue(Object.keys(options.jobs), events, () => signalled);
  const exits: number[] = [];
  const signals = new Map<string, AbortSignal>();
  const received = new Map<string, Job>();
  let inFlight = 0;
  let maxInFlight = 0;
  const handler: JobHandler = (job, signal) => {
    if (options.throwSync?.has(job.id)) throw options.throwSync.get(job.id);
    return (async () => {
      signals.set(job.id, signal);
      received.set(job.id, job);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        const ms = options.jobs[job.id] ?? options.later?.[job.id] ?? 100;
        await clock.sleep(ms, options.deaf?.includes(job.id) ? undefined : signal);
        if (options.rejectWith?.has(job.id)) throw options.rejectWith.get(job.id);
      } finally {
        inFlight--;
      }
    })();
  };
  const worker = createWorker({
    queue,
    handler,
    clock,
    exit: (code) => {
      exits.push(code);
      events.push(`exit:${code}`);
    },
    ...(options.defaults
      ? {}
      : { concurrency: options.concurrency ?? 1, pollIntervalMs: options.pollIntervalMs ?? 100, graceMs: options.graceMs ?? 1000 }),
  });
  const shutdown = (signal: "SIGTERM" | "SIGINT") => {
    signalled = true;
    worker.shutdown(signal);
  };
  return { clock, worker, shutdown, log, events, exits, signals, received, add, waiting, maxInFlight: () => maxInFlight };
}

const sorted = (xs: string[]) => [...xs].sort();

/** The events that came after the (only) exit: there must be none. */
const afterExit = (events: Events) => events.slice(events.findIndex((e) => e.startsWith("exit:")) + 1);

// --- the logic, on a fake clock ------------------------------------------------------

describe("draining on the first signal", () => {
  test("[C6][C7] no job is claimed after the first signal, while in-flight jobs finish", async () => {
    const ids = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`job-${i + 1}`, 100]));
    const t = setup({ jobs: ids, concurrency: 2, graceMs: 10_000 });
    t.worker.start();
    await t.clock.advance(30);
    expect(t.log.claimed.length, "with concurrency 2 and ten ready jobs, two should be claimed right after start()").toBe(2);
    t.shutdown("SIGTERM");
    await t.clock.advance(5000);
    expect(t.log.claimed, "no claim() may happen after shutdown started: a job claimed now would be cut off by the deadline").toEqual(["job-1", "job-2"]);
    expect(sorted(t.log.completed), "the two jobs in flight at the signal should be allowed to finish and be completed").toEqual(["job-1", "job-2"]);
  });

  test("[C6] a worker sleeping between polls does not wake up and claim after the signal", async () => {
    const t = setup({ jobs: {}, pollIntervalMs: 500 });
    t.worker.start();
    await t.clock.advance(1200); // two empty polls; now it sleeps
    t.add("late-job");
    t.shutdown("SIGTERM");
    await t.clock.advance(5000);
    expect(t.log.claimed, "a job enqueued just before shutdown must stay in the queue: the sleeping poll must stop, not claim").toEqual([]);
  });

  test("[C6][C13] while another job drains, an idle slot's poll neither claims work that arrives later nor outlives the exit", async () => {
    const t = setup({ jobs: { "job-1": 5000 }, concurrency: 2, pollIntervalMs: 100, graceMs: 10_000 });
    t.worker.start();
    await t.clock.advance(50); // job-1 runs in one slot, the other slot sleeps between polls
    t.shutdown("SIGTERM");
    t.add("late-1");
    await t.clock.advance(1000);
    t.add("late-2");
    await t.clock.advance(3949); // t = 4999
    expect(t.log.claimed, "jobs that reach the queue after the first signal must stay there: no slot may claim during the drain, not even one woken by its poll timer").toEqual(["job-1"]);
    expect(t.exits, "job-1 runs until t=5000: no exit before").toEqual([]);
    await t.clock.advance(1);
    expect(t.exits, "the drain ended when job-1 completed at t=5000: exit(0)").toEqual([0]);
    expect(t.clock.pendingTimers, "after exit() no timer of the worker may stay pending: a sleeping poll must be cancelled, not left to fire").toBe(0);
    expect(t.log.claimed, "no claim after exit() either").toEqual(["job-1"]);
  });

  test("[C8] exit(0) comes only after the last in-flight job settles and is completed, not before", async () => {
    const t = setup({ jobs: { "job-1": 300, "job-2": 600 }, concurrency: 2, graceMs: 1000 });
    t.worker.start();
    await t.clock.advance(100);
    t.shutdown("SIGTERM");
    await t.clock.advance(199);
    expect(t.exits, "exiting while jobs still run (t=299 ms, jobs end at 300 and 600) loses them: wait for the drain").toEqual([]);
    await t.clock.advance(1);
    expect(t.log.completed, "job-1 finished at t=300 during the grace period: it should be completed").toEqual(["job-1"]);
    expect(t.exits, "job-2 is still running at t=300: no exit yet").toEqual([]);
    await t.clock.advance(300);
    expect(sorted(t.log.completed), "both jobs finished within the grace period").toEqual(["job-1", "job-2"]);
    expect(t.exits, "a clean drain must exit exactly once with code 0, as soon as the last job settles").toEqual([0]);
    expect(t.events.at(-1), "complete() of the last job must come before exit(0): in a real process nothing runs after process.exit, so a completion after it is lost").toBe("exit:0");
    expect(t.log.released, "nothing should be released after a clean drain").toEqual([]);
    expect([...t.signals.values()].some((s) => s.aborted), "jobs that finish within the grace period must not be aborted").toBe(false);
  });

  test("[C8][C12][C13] a clean drain leaves no timer behind and exits only once", async () => {
    const t = setup({ jobs: { "job-1": 200 }, graceMs: 1000 });
    t.worker.start();
    await t.clock.advance(50);
    t.shutdown("SIGTERM");
    await t.clock.advance(150);
    expect(t.exits, "the only job finished at t=200: exit(0) then").toEqual([0]);
    expect(t.clock.pendingTimers, "after a clean drain the hard-deadline timer must be cleared (a live timer keeps a real process running for the whole grace period)").toBe(0);
    await t.clock.advance(5000);
    expect(t.exits, "the hard deadline must not fire after a clean drain: exit is called exactly once").toEqual([0]);
  });

  test("[C3][C7][C8] a job that really fails during the drain is failed with its own error, and the drain still exits 0", async () => {
    const boom = new Error("job-1 failed for real");
    const t = setup({ jobs: { "job-1": 100 }, rejectWith: new Map([["job-1", boom]]), graceMs: 1000 });
    t.worker.start();
    await t.clock.advance(10);
    t.shutdown("SIGTERM");
    await t.clock.advance(200);
    expect(t.log.failed, "a handler that rejects on its own is a failed attempt, even during a drain").toEqual(["job-1"]);
    expect(t.log.failures[0]?.error, "fail(id, error) must get the handler's own rejection reason, unchanged").toBe(boom);
    expect(t.log.released, "a job that failed by itself is not released").toEqual([]);
    expect(t.exits, "the drain is over once the job settled, failed or not: exit(0)").toEqual([0]);
    expect(t.events, "fail() must come before exit(0), or a real process never records it").toEqual(["claim:job-1", "fail:job-1", "exit:0"]);
  });

  test("[C8][C12][C13] an idle worker exits 0 at once and leaves no timer behind", async () => {
    const t = setup({ jobs: {}, pollIntervalMs: 1000 });
    t.worker.start();
    await t.clock.advance(2500);
    t.shutdown("SIGINT");
    await flushMicrotasks();
    expect(t.exits, "with nothing in flight there is nothing to drain: exit(0) immediately, without advancing the clock").toEqual([0]);
    expect(t.clock.pendingTimers, "the sleeping poll (and any deadline) must be cancelled when the worker exits").toBe(0);
    t.shutdown("SIGINT");
    await flushMicrotasks();
    expect(t.exits, "signals after exit are ignored: exit must be called exactly once").toEqual([0]);
  });
});

describe("the hard deadline", () => {
  test("[C9] jobs still running at the deadline are aborted and released, then the worker exits 1; they are never completed or failed", async () => {
    const t = setup({ jobs: { "job-1": 200, "job-2": 5000, "job-3": 8000 }, concurrency: 3, graceMs: 1000, deaf: ["job-3"] });
    t.worker.start();
    await t.clock.advance(10);
    t.shutdown("SIGTERM");
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
    expect(t.events.at(-1), "release() must come before exit(1): in a real process nothing runs after process.exit, so a release after it is lost").toBe("exit:1");
    await t.clock.advance(20_000); // the aborted handler rejects, the deaf one resolves at t=8000
    expect(t.log.failed, "an aborted job was interrupted, not failed: never call fail() for a released job (it would burn an attempt)").toEqual([]);
    expect(t.log.completed, "a released job belongs to the queue again: never complete() it, even if its handler resolves later").toEqual(["job-1"]);
    expect(t.exits.length, "exit is called exactly once").toBe(1);
  });

  test("[C9] a handler that ignores its signal cannot keep the worker alive past the deadline", async () => {
    const t = setup({ jobs: { "job-1": 60_000 }, graceMs: 500, deaf: ["job-1"] });
    t.worker.start();
    await t.clock.advance(1);
    t.shutdown("SIGTERM");
    await t.clock.advance(600);
    expect(t.exits.length, "the hard deadline must end the process even when a handler never stops by itself").toBe(1);
    expect(t.log.released, "the unfinished job must be released at the deadline").toEqual(["job-1"]);
  });

  test("[C9] graceMs: 0 means a deadline at once, not the default grace period", async () => {
    const t = setup({ jobs: { "job-1": 5000 }, graceMs: 0 });
    t.worker.start();
    await t.clock.advance(10);
    t.shutdown("SIGTERM");
    await t.clock.advance(0);
    expect(t.exits, "with graceMs: 0 the deadline is the moment of the signal: release and exit(1) without any time passing (an explicit 0 is not 'use the default')").toEqual([1]);
    expect(t.log.released, "the job still running at a zero grace period must be released").toEqual(["job-1"]);
  });

  test("[C13] after an exit at the deadline no timer of the worker is left, not even an idle slot's poll", async () => {
    const t = setup({ jobs: { "job-1": 60_000 }, concurrency: 3, pollIntervalMs: 100, graceMs: 1000 });
    t.worker.start();
    await t.clock.advance(250); // one slot runs job-1, two slots sleep between polls
    t.shutdown("SIGTERM");
    await t.clock.advance(1000);
    expect(t.exits, "job-1 was still running at the deadline: exit(1)").toEqual([1]);
    expect(t.clock.pendingTimers, "after exit() no timer may stay pending (job-1's handler stopped when aborted): cancel the sleeping polls and the deadline").toBe(0);
  });
});

describe("the second signal", () => {
  test("[C11][C13] a second signal forces an immediate non-zero exit and releases the jobs still running", async () => {
    const t = setup({ jobs: { "job-1": 5000, "job-2": 5000 }, concurrency: 2, graceMs: 10_000 });
    t.worker.start();
    await t.clock.advance(10);
    t.shutdown("SIGTERM");
    await t.clock.advance(100);
    expect(t.exits, "one signal starts a drain; it does not exit while jobs run").toEqual([]);
    t.shutdown("SIGINT");
    await flushMicrotasks();
    expect(t.exits.length, "a second signal (the operator pressing Ctrl+C again) must exit at once, without waiting for the grace period").toBe(1);
    expect(t.exits[0], "a forced exit is not a clean one: exit with 128 + the signal's number, 130 for SIGINT").toBe(130);
    expect(sorted(t.log.released), "jobs interrupted by a forced exit must be released back to the queue, not lost").toEqual(["job-1", "job-2"]);
    expect(t.events.at(-1), "release() must come before the forced exit: nothing runs after process.exit").toBe("exit:130");
    expect(t.signals.get("job-1")?.aborted, "a forced exit aborts the jobs still running").toBe(true);
    expect(t.clock.pendingTimers, "after a forced exit no timer of the worker may stay pending: clear the hard-deadline timer on every way out, not only after a clean drain").toBe(0);
    await t.clock.advance(20_000);
    expect(t.exits.length, "after a forced exit, the deadline timer must not call exit again").toBe(1);
    expect([...t.log.completed, ...t.log.failed], "released jobs are never completed or failed afterwards").toEqual([]);
  });

  test("[C11] the forced exit code is 128 + the number of the second signal (SIGINT 2, SIGTERM 15), whatever the first one was", async () => {
    const numbers = { SIGINT: 2, SIGTERM: 15 } as const;
    for (const first of ["SIGTERM", "SIGINT"] as const) {
      for (const second of ["SIGTERM", "SIGINT"] as const) {
        const t = setup({ jobs: { "job-1": 5000 }, graceMs: 10_000 });
        t.worker.start();
        await t.clock.advance(10);
        t.shutdown(first);
        await t.clock.advance(10);
        t.shutdown(second);
        await flushMicrotasks();
        if (t.exits.length !== 1 || t.exits[0] !== 128 + numbers[second]) {
          expect(t.exits, `${first} then ${second}: the second signal forces exit(128 + ${numbers[second]}) at once, exactly once`).toEqual([128 + numbers[second]]);
        }
      }
    }
  });
});

describe("after exit", () => {
  test("[C12][C4] signals and start() after any exit (clean, deadline, forced) are ignored", async () => {
    const ways = [
      { how: "a clean drain", jobs: { "job-1": 100 }, second: false, code: 0 },
      { how: "the deadline", jobs: { "job-1": 5000 }, second: false, code: 1 },
      { how: "a forced exit", jobs: { "job-1": 5000 }, second: true, code: 143 },
    ];
    for (const way of ways) {
      const t = setup({ jobs: { ...way.jobs, "job-2": 100, "job-3": 100 }, graceMs: 1000 });
      t.worker.start();
      await t.clock.advance(10);
      t.shutdown("SIGTERM");
      if (way.second) t.shutdown("SIGTERM");
      await t.clock.advance(2000);
      expect(t.exits, `after ${way.how} the worker exits once with ${way.code}`).toEqual([way.code]);
      t.shutdown("SIGTERM");
      t.shutdown("SIGINT");
      t.worker.start();
      await t.clock.advance(5000);
      expect(t.exits, `after ${way.how}, later signals must not call exit() again: exit is called exactly once`).toEqual([way.code]);
      expect(afterExit(t.events), `after ${way.how}, later signals and start() must do nothing: no claim, complete, fail or release after exit()`).toEqual([]);
    }
  });
});

describe("a signal before or during start-up", () => {
  test("[C10][C4] a signal before start() exits 0 at once, and start() afterwards claims nothing", async () => {
    const t = setup({ jobs: { "job-1": 100, "job-2": 100 }, concurrency: 2 });
    t.shutdown("SIGTERM");
    await flushMicrotasks();
    expect(t.exits, "a SIGTERM that arrives before start() must not be lost: nothing is in flight, so exit(0) at once").toEqual([0]);
    t.worker.start();
    await t.clock.advance(5000);
    expect(t.log.claimed, "start() after the first signal must not claim: the process is going away").toEqual([]);
    expect(t.exits, "exit is called exactly once").toEqual([0]);
    expect(t.clock.pendingTimers, "no timer may be left after exit()").toBe(0);
  });

  test("[C10][C6][C8] a signal that arrives while start() is still starting up is not lost and stops all claiming", async () => {
    // The signal lands synchronously after start(), after one microtask, after a macrotask, or after the first timers.
    const moments: Array<[string, ((clock: FakeClock) => Promise<void>) | undefined]> = [
      ["right after start() returns", undefined],
      ["after a microtask", () => Promise.resolve()],
      ["after one turn of the event loop", () => flushMicrotasks()],
      ["after the clock fired its due timers", (clock) => clock.advance(0)],
    ];
    for (const [when, wait] of moments) {
      for (const concurrency of [1, 2, 3]) {
        const t = setup({ jobs: { "job-1": 100, "job-2": 100, "job-3": 100, "job-4": 100 }, concurrency, graceMs: 1000 });
        t.worker.start();
        if (wait) await wait(t.clock);
        t.shutdown("SIGTERM");
        await t.clock.advance(3000);
        const what = `SIGTERM ${when} (concurrency ${concurrency})`;
        if (t.log.claimsAfterSignal.length > 0) expect(t.log.claimsAfterSignal, `${what}: no claim() may happen after the signal`).toEqual([]);
        if (t.exits.length !== 1 || t.exits[0] !== 0) expect(t.exits, `${what}: the signal must not be lost: the worker drains what it claimed (100 ms jobs) and exits 0, exactly once`).toEqual([0]);
        if (sorted(t.log.completed).join() !== sorted(t.log.claimed).join()) expect(sorted(t.log.completed), `${what}: every job claimed before the signal is completed`).toEqual(sorted(t.log.claimed));
        if (afterExit(t.events).length > 0) expect(afterExit(t.events), `${what}: nothing may happen after exit()`).toEqual([]);
        if (t.clock.pendingTimers !== 0) expect(t.clock.pendingTimers, `${what}: no timer may be left after exit()`).toBe(0);
      }
    }
  });
});

describe("the worker loop", () => {
  test("[C1] keeps up to `concurrency` jobs in flight and claims again as soon as a slot frees up", async () => {
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
    t.shutdown("SIGTERM");
    await flushMicrotasks();
    expect(t.exits, "idle after the work: the signal exits 0 at once").toEqual([0]);
  });

  test("[C1][C2][C9] the defaults: one job at a time, a 1000 ms poll interval, a 10 000 ms grace period", async () => {
    const t = setup({ jobs: { a: 100, b: 100 }, later: { long: 60_000 }, defaults: true });
    t.worker.start();
    await t.clock.advance(150);
    expect(t.maxInFlight(), "without `concurrency` one job runs at a time").toBe(1);
    expect(t.log.completed, "a (100 ms) is done and b runs").toEqual(["a"]);
    await t.clock.advance(100); // t = 250: both done, the queue is empty since t = 200
    t.add("c");
    await t.clock.advance(949); // t = 1199
    expect(t.log.claimed, "the queue was empty at t=200: the next claim comes pollIntervalMs = 1000 ms later (t=1200), not earlier").toEqual(["a", "b"]);
    await t.clock.advance(1); // t = 1200
    expect(t.log.claimed, "the default poll interval is 1000 ms: c is claimed at t=1200").toEqual(["a", "b", "c"]);
    t.add("long");
    await t.clock.advance(100); // c done at 1300, long claimed at once
    expect(t.log.claimed.at(-1), "a slot that just finished a job claims again at once").toBe("long");
    t.shutdown("SIGTERM");
    await t.clock.advance(9999);
    expect(t.exits, "the default grace period is 10 000 ms: no exit before it ends").toEqual([]);
    await t.clock.advance(1);
    expect(t.exits, "the default grace period ended with a job still running: exit(1)").toEqual([1]);
  });

  test("[C3] the handler gets the claimed job; sync throws and any rejection value reach fail(id, error) unchanged, and the slot keeps claiming", async () => {
    const thrown = new Error("thrown before any await");
    const t = setup({
      jobs: { a: 10, b: 10, c: 10, d: 10, e: 10 },
      throwSync: new Map([["a", thrown]]),
      rejectWith: new Map<string, unknown>([["b", undefined], ["c", 0], ["d", ""]]),
    });
    t.worker.start();
    await t.clock.advance(100);
    expect(t.log.failed, "a handler that throws synchronously or rejects is a failed attempt: fail(id, error) for each, in order").toEqual(["a", "b", "c", "d"]);
    expect(t.log.failures.map((f) => f.error), "fail(id, error) gets exactly what the handler threw or rejected with, even undefined, 0 or \"\"").toEqual([thrown, undefined, 0, ""]);
    expect(t.log.failures[0]?.error, "a synchronous throw is passed to fail() as it is").toBe(thrown);
    expect(t.log.completed, "after the failures the slot keeps claiming: e runs and is completed").toEqual(["e"]);
    expect(t.received.get("e")?.payload, "the handler gets the job claim() returned, payload included").toEqual({ id: "e" });
  });

  test("[C4] calling start() twice does not add slots", async () => {
    const t = setup({ jobs: { a: 100, b: 100, c: 100, d: 100, e: 100, f: 100 }, concurrency: 2 });
    t.worker.start();
    t.worker.start();
    await t.clock.advance(1000);
    expect(t.maxInFlight(), "a second start() must not start more runners: never more than `concurrency` (2) jobs in flight").toBe(2);
    expect(t.log.completed.length, "all six jobs run").toBe(6);
  });

  test("[C5] job ids that are also names on Object.prototype, or empty, are completed, released and failed like any other", async () => {
    const ids = ["constructor", "__proto__", "toString", "hasOwnProperty", ""];
    // A clean drain.
    let t = setup({ jobs: Object.fromEntries(ids.map((id) => [id, 100])), concurrency: ids.length });
    t.worker.start();
    await t.clock.advance(10);
    t.shutdown("SIGTERM");
    await t.clock.advance(200);
    expect(sorted(t.log.completed), "every job finished within the grace period and must be completed, whatever its id").toEqual(sorted(ids));
    expect(t.exits, "the drain ends when the last of them settles: exit(0)").toEqual([0]);
    // The deadline.
    t = setup({ jobs: Object.fromEntries(ids.map((id) => [id, 60_000])), concurrency: ids.length, graceMs: 500 });
    t.worker.start();
    await t.clock.advance(10);
    t.shutdown("SIGTERM");
    await t.clock.advance(500);
    expect(sorted(t.log.released), "at the deadline every job still running must be released, whatever its id (a plain-object map loses \"__proto__\")").toEqual(sorted(ids));
    expect(t.exits, "exit(1) at the deadline").toEqual([1]);
    await t.clock.advance(60_000);
    expect([...t.log.completed, ...t.log.failed], "released jobs are never completed or failed afterwards, whatever their id").toEqual([]);
    // Failures.
    t = setup({ jobs: Object.fromEntries(ids.map((id) => [id, 10])), concurrency: 1, rejectWith: new Map(ids.map((id) => [id, new Error(id)])) });
    t.worker.start();
    await t.clock.advance(100);
    expect(t.log.failed, "each failing job is failed once, whatever its id").toEqual(ids);
  });
});

describe("signal handlers", () => {
  test("[C14][C16] every SIGTERM and SIGINT reaches the worker, and the returned function removes the listeners", () => {
    const source = new EventEmitter();
    const received: string[] = [];
    const dispose = handleSignals({ shutdown: (signal) => void received.push(signal) }, source);
    source.emit("SIGTERM", "SIGTERM");
    source.emit("SIGTERM", "SIGTERM");
    source.emit("SIGINT", "SIGINT");
    expect(received, "each signal must be forwarded with its name, the second one too (use on(), not once(): the second signal forces the exit)").toEqual(["SIGTERM", "SIGTERM", "SIGINT"]);
    dispose();
    expect(source.listenerCount("SIGTERM") + source.listenerCount("SIGINT"), "the function handleSignals returns must remove the listeners it added").toBe(0);
    source.emit("SIGTERM", "SIGTERM");
    expect(received.length, "after the listeners are removed, no signal reaches the worker").toBe(3);
  });

  test("[C15] the listeners are in place when handleSignals returns", () => {
    const source = new EventEmitter();
    const received: string[] = [];
    handleSignals({ shutdown: (signal) => void received.push(signal) }, source);
    expect(source.listenerCount("SIGTERM") > 0 && source.listenerCount("SIGINT") > 0, "both listeners must be installed before handleSignals returns: a signal that arrives during start-up would otherwise get Node's default action").toBe(true);
    source.emit("SIGINT", "SIGINT");
    expect(received, "a signal right after handleSignals returns reaches the worker").toEqual(["SIGINT"]);
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
  config: ChildConfig,
  body: (worker: WorkerProcess) => Promise<void>,
): Promise<void> {
  const worker = await startWorkerProcess(config);
  try {
    await body(worker);
  } finally {
    if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill("SIGKILL");
  }
}

interface ChildConfig {
  jobs: number;
  jobMs: number;
  concurrency: number;
  graceMs: number;
  /** The child sends itself a real SIGTERM right after handleSignals() returns, and calls start() once it reached the worker. */
  selfSignal?: "before-start";
}

async function startWorkerProcess(config: ChildConfig) {
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
  test("[C6][C8][C14] a real SIGTERM drains the jobs in flight and the process exits 0", async () => {
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

  test("[C9][C14] a real SIGTERM with jobs longer than the grace period: they are released and the exit code is non-zero", async () => {
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

  test("[C11][C14] a second real signal forces an immediate non-zero exit with 143", async () => {
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
  test("[C10][C15] a real SIGTERM that arrives before start() is not lost: the process exits 0 and claims nothing", async () => {
    await withWorkerProcess({ jobs: 4, jobMs: 30_000, concurrency: 2, graceMs: 30_000, selfSignal: "before-start" }, async (worker) => {
      await worker.waitFor("signal", 1, STARTUP_MS, "a SIGTERM sent right after handleSignals() returned to reach the worker (were the listeners installed before it returned?)");
      const { code, summary } = await worker.exitWithin(3000, "a SIGTERM before start(), with 30 s jobs waiting");
      expect(code, "a signal before start() is not lost: nothing is in flight, so the worker ends the process with exit(0)").toBe(0);
      expect(summary?.claimed, "start() after the first signal must not claim").toEqual([]);
    });
  }, REAL_PROCESS_TEST_MS);

});
