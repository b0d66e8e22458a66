// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { FakeClock, flushMicrotasks, type Clock } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/06-wakeups/challenge.ts");
const { startWakeupWorker } = await loadCandidate<Challenge>(import.meta.url);

type Job = { id: number; duration: number; fails?: boolean };

/** More claims than this in one test means the worker spins without waiting. */
const CLAIM_LIMIT = 20_000;

/**
 * A fake queue on a FakeClock. Like a database query, claim() sees the queue as
 * it was when the call started (a job added during a slow claim is not
 * returned by it). After CLAIM_LIMIT claims it stalls forever, so a worker that
 * spins fails the test instead of hanging the run.
 */
function fakeQueue(clock: FakeClock, opts: { claimLatency?: number; claimFailures?: number; throwSync?: boolean } = {}) {
  const waiting: Job[] = [];
  const state = {
    claimTimes: [] as number[],
    started: new Map<number, number>(),
    handledCount: new Map<number, number>(),
    inFlight: 0,
    maxInFlight: 0,
    runaway: false,
    errors: [] as Array<{ error: unknown; job: Job | undefined }>,
  };
  let failuresLeft = opts.claimFailures ?? 0;
  const claim = async (): Promise<Job | null> => {
    if (state.claimTimes.length >= CLAIM_LIMIT) {
      state.runaway = true;
      return new Promise<never>(() => {});
    }
    state.claimTimes.push(clock.now());
    if (failuresLeft > 0) {
      failuresLeft--;
      if (opts.claimLatency) await clock.sleep(opts.claimLatency);
      throw new Error("connection refused");
    }
    const job = waiting.shift() ?? null; // what the query sees when it starts
    if (opts.claimLatency) await clock.sleep(opts.claimLatency);
    if (job) {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    }
    return job;
  };
  const handleAsync = async (job: Job): Promise<void> => {
    state.handledCount.set(job.id, (state.handledCount.get(job.id) ?? 0) + 1);
    state.started.set(job.id, clock.now());
    try {
      await clock.sleep(job.duration);
      if (job.fails) throw new Error(`job ${job.id} failed`);
    } finally {
      state.inFlight--;
    }
  };
  // With throwSync, a failing job throws before returning a promise.
  const handle = (job: Job): Promise<void> => {
    if (opts.throwSync && job.fails) {
      state.handledCount.set(job.id, (state.handledCount.get(job.id) ?? 0) + 1);
      state.started.set(job.id, clock.now());
      state.inFlight--;
      throw new Error(`job ${job.id} is invalid`);
    }
    return handleAsync(job);
  };
  const onError = (error: unknown, job: Job | undefined) => {
    state.errors.push({ error, job });
  };
  return { waiting, state, claim, handle, onError };
}

/** Advances the clock in steps until `promise` settles or `maxMs` has passed. */
async function settles(clock: FakeClock, promise: Promise<unknown>, maxMs: number, step = 10): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await flushMicrotasks();
  for (let waited = 0; !settled && waited < maxMs; waited += step) await clock.advance(step);
  return settled;
}

const noRunaway = (state: { runaway: boolean; claimTimes: number[] }) =>
  expect(
    state.runaway,
    `claim() was called ${state.claimTimes.length} times: the worker claims in a loop without waiting (is a notification flag never cleared?)`,
  ).toBe(false);

describe("[C1][C10] claiming", () => {
  test("[C1] a claimed job that is falsy (0, \"\", false, NaN) is a job: it is handled, not taken for an empty queue", async () => {
    const clock = new FakeClock();
    const jobs: unknown[] = [0, "", false, Number.NaN];
    const queue = [...jobs];
    const handled: unknown[] = [];
    let claims = 0;
    const worker = startWakeupWorker<unknown>({
      claim: async () => {
        if (++claims > 1000) return new Promise<never>(() => {});
        return queue.length > 0 ? queue.shift() : null;
      },
      handle: async (job) => {
        handled.push(job);
        await clock.sleep(10);
      },
      concurrency: 2,
      pollInterval: 1000,
      clock,
    });
    await clock.advance(100);
    const counts = jobs.map((job) => handled.filter((h) => Object.is(h, job)).length);
    expect(counts, `handled ${JSON.stringify(handled.map(String))}: only null and undefined mean an empty queue; 0, "", false and NaN were claimed, so each must be handled exactly once (test job == null, not !job)`).toEqual([1, 1, 1, 1]);
    expect(await settles(clock, worker.stop(), 1000), "stop() resolves once the falsy jobs are done").toBe(true);
  });

  test("[C10] without any notification, a backlog keeps every slot busy and a freed slot is refilled at once", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    for (const [id, duration] of [[1, 100], [2, 300], [3, 100], [4, 100]] as const) q.waiting.push({ id, duration });
    const worker = startWakeupWorker({ ...q, concurrency: 2, pollInterval: 60_000, clock });
    await clock.advance(50);
    q.waiting.push({ id: 5, duration: 100 }); // added silently: no notification
    await clock.advance(500);
    noRunaway(q.state);
    expect([1, 2, 3, 4, 5].map((id) => q.state.started.get(id)), "2 slots, durations 100, 300, 100, 100 queued at t=0 and 100 added silently at t=50: each job starts the instant a slot frees (0, 0, 100, 200, 300), not at the next poll").toEqual([0, 0, 100, 200, 300]);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C10] a job that ends while a claim is in progress gets its slot refilled by the end of that claim, even if that claim finds nothing", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimLatency: 10 }); // a claim sees the queue as it was when it started
    q.waiting.push({ id: 1, duration: 5 });
    const worker = startWakeupWorker({ ...q, concurrency: 2, pollInterval: 1000, clock });
    await clock.advance(12); // job 1 runs 10..15; the claim for the second slot started at t=10 and sees an empty queue
    q.waiting.push({ id: 2, duration: 5 }); // t=12, added silently: too late for that claim
    await clock.advance(100);
    noRunaway(q.state);
    expect(q.state.started.get(1), "job 1 was claimed by the first claim (t=0..10)").toBe(10);
    expect(q.state.started.get(2), `claims at ${JSON.stringify(q.state.claimTimes)}: job 1 ended at t=15, during a claim that ends empty at t=20; its freed slot must be refilled at once (a claim at t=15, or at t=20 right after the claim in progress), so job 2 starts by t=30, not after a poll interval`).toBeLessThanOrEqual(30);
    await settles(clock, worker.stop(), 100);
  });

  test("[C10] while every slot is busy the worker waits for the job to end: it does not spin on timers", async () => {
    const fake = new FakeClock();
    // Counts every timer the worker asks for; past the limit they never fire, so a spinning worker fails instead of hanging.
    const TIMER_LIMIT = 1000;
    let timers = 0;
    const clock: Clock = {
      now: () => fake.now(),
      setTimeout: (callback, ms) => (++timers > TIMER_LIMIT ? -1 : fake.setTimeout(callback, ms)),
      clearTimeout: (id) => fake.clearTimeout(id),
      sleep: (ms, signal) => (++timers > TIMER_LIMIT ? new Promise<never>(() => {}) : fake.sleep(ms, signal)),
    };
    let release: (() => void) | undefined;
    let claims = 0;
    const worker = startWakeupWorker<number>({
      claim: async () => (++claims === 1 ? 1 : null),
      handle: () => new Promise<void>((resolve) => (release = resolve)), // ends when the test says, not on the clock
      pollInterval: 100,
      clock,
    });
    await fake.advance(0);
    expect(release, "the first claim returns job 1: it must be running").toBeDefined();
    await fake.advance(1000);
    expect(timers, `the only slot was busy for 10 poll intervals and ${timers} timers were set: a busy worker waits for its job to end (never on a timer of 0 or undefined ms)`).toBeLessThanOrEqual(12);
    release!();
    expect(await settles(fake, worker.stop(), 1000), "stop() resolves once job 1 has ended").toBe(true);
  });
});

describe("[C5][C6][C7][C9] waking up", () => {
  test("[C6] a notified job starts at once, without waiting for the poll interval", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, clock });
    await clock.advance(1234);
    q.waiting.push({ id: 1, duration: 10 });
    worker.notify();
    await clock.advance(0);
    expect(q.state.started.get(1), "notify() at t=1234 must start the job at t=1234, not at the next poll (t=60000)").toBe(1234);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C7] a job whose notification was lost is still started by the fallback poll within pollInterval", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, pollInterval: 1000, clock });
    await clock.advance(2200);
    worker.notify(); // a notification with nothing behind it
    await clock.advance(100);
    q.waiting.push({ id: 1, duration: 10 }); // added at t=2300, its notification lost
    await clock.advance(1000);
    noRunaway(q.state);
    const started = q.state.started.get(1);
    expect(started, "a job without a notification must still be found by the fallback poll").toBeDefined();
    expect(started!, "the job added at t=2300 must start within pollInterval (by t=3300)").toBeLessThanOrEqual(3300);
    await settles(clock, worker.stop(), 2000);
  });

  test("[C5][C9] without notifications an idle worker claims at t=0, then once per pollInterval", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, pollInterval: 1000, clock });
    await clock.advance(3500);
    noRunaway(q.state);
    expect(q.state.claimTimes, "an idle worker with concurrency 1 and no notifications claims at t=0, 1000, 2000, 3000").toEqual([0, 1000, 2000, 3000]);
    await settles(clock, worker.stop(), 2000);
  });

  test("[C9] after a notification the worker goes back to polling once per pollInterval", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, pollInterval: 1000, clock });
    await clock.advance(500);
    worker.notify();
    await clock.advance(0);
    noRunaway(q.state);
    expect(q.state.claimTimes.filter((t) => t === 500).length, "one notification at t=500 must cause exactly one claim at t=500").toBe(1);
    await clock.advance(3100);
    noRunaway(q.state);
    for (let from = 600; from < 3600; from += 1000) {
      const inWindow = q.state.claimTimes.filter((t) => t >= from && t < from + 1000).length;
      expect(inWindow, `idle and not notified, the worker must claim exactly once per 1000 ms; got ${inWindow} claims in [${from}, ${from + 1000})`).toBe(1);
    }
    await settles(clock, worker.stop(), 2000);
  });
});

describe("[C8][C9][C10] notifications that arrive while the worker is busy", () => {
  test("[C8] a notification that arrives during a claim is not lost", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimLatency: 20 });
    const worker = startWakeupWorker({ ...q, pollInterval: 10_000, clock });
    await clock.advance(5000);
    worker.notify(); // spurious: the claim it triggers (t=5000..5020) finds nothing
    await clock.advance(10);
    q.waiting.push({ id: 1, duration: 10 }); // t=5010: too late for the running claim
    worker.notify();
    await clock.advance(100);
    noRunaway(q.state);
    const started = q.state.started.get(1);
    expect(started, "the job notified during a claim must start right after that claim, not at the next poll (t=15020)").toBeDefined();
    expect(started!, "the empty claim ends at t=5020 and a new claim takes 20 ms: the job must start by t=5040").toBeLessThanOrEqual(5040);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C8][C10] a notification while a job runs is remembered: the next job starts the moment the slot frees", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 1000 });
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, clock });
    await clock.advance(300);
    q.waiting.push({ id: 2, duration: 10 });
    worker.notify();
    await clock.advance(0);
    expect(q.state.started.get(2), "with concurrency 1 and job 1 still running, the notified job 2 must wait").toBeUndefined();
    await clock.advance(700);
    expect(q.state.started.get(2), "job 2 must start at t=1000, when job 1 frees the slot, not at the next poll").toBe(1000);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C9] a burst of notifications while busy coalesces: no extra job in flight and at most one extra claim", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 1000 });
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, clock });
    await clock.advance(100);
    q.waiting.push({ id: 2, duration: 100 });
    for (let i = 0; i < 50; i++) {
      worker.notify();
      if (i % 10 === 9) await clock.advance(1);
    }
    await clock.advance(5000);
    noRunaway(q.state);
    expect(q.state.maxInFlight, "concurrency 1: notifications while a job runs must not start a second one").toBe(1);
    expect(q.state.handledCount.get(2), "job 2 must run exactly once").toBe(1);
    expect(q.state.claimTimes.length, `50 notifications while busy must coalesce: expected claims for job 1, job 2, one empty claim and at most one extra, got ${q.state.claimTimes.length}`).toBeLessThanOrEqual(4);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C9][C10] one burst of notifications for a batch insert fills every free slot at once and costs only a few claims", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, concurrency: 3, clock });
    await clock.advance(1000);
    const claimsBefore = q.state.claimTimes.length;
    for (let id = 1; id <= 5; id++) q.waiting.push({ id, duration: 100 });
    for (let i = 0; i < 500; i++) worker.notify(); // a batch insert: one NOTIFY per row
    await clock.advance(300);
    noRunaway(q.state);
    expect([...q.state.started.values()], "5 jobs of 100 ms notified at t=1000 on 3 slots: a notification is a reason to keep claiming until the slots are full, so they start at 1000, 1000, 1000, 1100, 1100").toEqual([1000, 1000, 1000, 1100, 1100]);
    expect(q.state.maxInFlight, "500 notifications must never start more jobs than the 3 slots").toBe(3);
    const claims = q.state.claimTimes.length - claimsBefore;
    expect(claims, `500 notifications must coalesce: 5 claims that find jobs plus at most 2 x concurrency empty ones (11), got ${claims}`).toBeLessThanOrEqual(11);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C9] with concurrency 2, notifications while both slots are busy never start a third job", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    for (let id = 1; id <= 6; id++) q.waiting.push({ id, duration: 500 });
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, concurrency: 2, clock });
    for (let t = 0; t < 2000; t += 50) {
      worker.notify();
      await clock.advance(50);
    }
    noRunaway(q.state);
    expect(q.state.maxInFlight, "at most 2 jobs may be in flight, however many notifications arrive").toBe(2);
    expect([...q.state.started.values()], "6 jobs of 500 ms on 2 slots start at 0, 0, 500, 500, 1000, 1000").toEqual([0, 0, 500, 500, 1000, 1000]);
    await settles(clock, worker.stop(), 1000);
  });
});

describe("[C2][C3][C4][C11] failures, stop() and options", () => {
  test("[C11] a failing job is reported to onError and the worker keeps going", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, clock });
    await clock.advance(100);
    q.waiting.push({ id: 1, duration: 10, fails: true }, { id: 2, duration: 10 });
    worker.notify();
    await clock.advance(100);
    expect(q.state.errors.map((e) => e.job?.id), "onError(error, job) must be called for the failed job").toEqual([1]);
    expect(q.state.errors[0]?.error, "onError receives the error handle() rejected with").toBeInstanceOf(Error);
    expect(q.state.started.get(2), "job 1 failed at t=110: job 2 must start at once, at t=110").toBe(110);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C2][C3] stop() on an idle worker resolves at once, leaves no timer, and later notifications claim nothing", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, clock });
    await clock.advance(100);
    let stopped = false;
    void worker.stop().then(() => (stopped = true));
    await clock.advance(0);
    await flushMicrotasks();
    expect(stopped, "an idle worker must stop without waiting out its 60 s poll").toBe(true);
    expect(clock.pendingTimers, "a stopped worker must not leave its poll timer on the clock").toBe(0);
    const claims = q.state.claimTimes.length;
    q.waiting.push({ id: 1, duration: 10 });
    worker.notify();
    await clock.advance(100);
    expect(q.state.claimTimes.length, "notify() after stop() must not claim anything").toBe(claims);
  });

  test("[C3] a job whose claim was in progress when stop() was called still runs, and stop() waits for it", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimLatency: 10 });
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, clock });
    await clock.advance(100);
    q.waiting.push({ id: 1, duration: 100 });
    worker.notify(); // claim runs t=100..110
    await clock.advance(5);
    const stopping = worker.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await clock.advance(50);
    expect(q.state.started.get(1), "the claim returned job 1 at t=110, after stop(): it is locked by this worker and must still run").toBe(110);
    expect(stopped, "job 1 runs until t=210: stop() must wait for it").toBe(false);
    expect(await settles(clock, stopping, 200), "stop() must resolve once job 1 has finished").toBe(true);
  });

  test("[C3] stop() waits for the job in flight", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 500 });
    const worker = startWakeupWorker({ ...q, pollInterval: 1000, clock });
    await clock.advance(100);
    let stopped = false;
    void worker.stop().then(() => (stopped = true));
    await clock.advance(399);
    expect(stopped, "job 1 runs until t=500: stop() must not resolve at t=499").toBe(false);
    await clock.advance(1);
    await flushMicrotasks();
    expect(stopped, "job 1 finished at t=500: stop() must resolve").toBe(true);
  });

  test("[C11] a claim that keeps rejecting is reported each time and retried once per pollInterval, not in a tight loop", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimFailures: 4 });
    q.waiting.push({ id: 1, duration: 10 });
    const worker = startWakeupWorker({ ...q, pollInterval: 1000, clock });
    await clock.advance(4500);
    noRunaway(q.state);
    expect(q.state.claimTimes.slice(0, 5), "a failed claim is treated like an empty queue: the next claim comes pollInterval later (t=0, 1000, 2000, 3000, then 4000 succeeds)").toEqual([0, 1000, 2000, 3000, 4000]);
    expect(q.state.errors.map((e) => e.job), "each failed claim is reported to onError(error, undefined)").toEqual([undefined, undefined, undefined, undefined]);
    expect(q.state.started.get(1), "the job is started by the claim that works, at t=4000").toBe(4000);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C11] a handle() that throws before returning a promise is reported and frees its slot", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { throwSync: true });
    q.waiting.push({ id: 1, duration: 50, fails: true }, { id: 2, duration: 50 }, { id: 3, duration: 50, fails: true }, { id: 4, duration: 50 });
    const worker = startWakeupWorker({ ...q, pollInterval: 60_000, clock });
    await clock.advance(200);
    noRunaway(q.state);
    expect(q.state.errors.map((e) => e.job?.id), "a handle() that throws synchronously is reported like a rejection: call it inside try/await").toEqual([1, 3]);
    expect([...q.state.handledCount.keys()].sort((a, b) => a - b), "the jobs after a synchronous throw still run, at once").toEqual([1, 2, 3, 4]);
    expect(q.state.started.get(4), "job 2 ran 0-50, so job 4 starts at t=50").toBe(50);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C11] without onError, or with an onError that throws, failures are contained all the same", async () => {
    for (const reporter of ["none", "throws"] as const) {
      const clock = new FakeClock();
      const q = fakeQueue(clock, { claimFailures: 1 });
      q.waiting.push({ id: 1, duration: 50, fails: true }, { id: 2, duration: 50 });
      const onError = reporter === "none" ? undefined : () => {
        throw new Error("the reporter is broken too");
      };
      const worker = startWakeupWorker({ claim: q.claim, handle: q.handle, onError, pollInterval: 1000, clock });
      await clock.advance(1200);
      noRunaway(q.state);
      const what = reporter === "none" ? "without an onError (it is optional: call it as onError?.(...))" : "when onError itself throws";
      expect(q.state.claimTimes.slice(0, 2), `${what}, a failed claim at t=0 is still followed by a claim at t=1000`).toEqual([0, 1000]);
      expect([...q.state.handledCount.keys()].sort((a, b) => a - b), `${what}, a failing job still frees its slot and the next job runs`).toEqual([1, 2]);
      expect(await settles(clock, worker.stop(), 1000), `${what}, stop() still resolves`).toBe(true);
    }
  });

  test("[C3] stop() with every slot busy resolves when the last job ends, and leaves no timer", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 100 }, { id: 2, duration: 300 }, { id: 3, duration: 100 });
    const worker = startWakeupWorker({ ...q, concurrency: 2, pollInterval: 60_000, clock });
    await clock.advance(50);
    let stoppedAt: number | undefined;
    void worker.stop().then(() => (stoppedAt = clock.now()));
    await clock.advance(100);
    expect(stoppedAt, "job 2 runs until t=300: stop() must wait for it").toBeUndefined();
    await clock.advance(200);
    await flushMicrotasks();
    expect(stoppedAt, "the last job in flight ended at t=300: stop() resolves then (every finishing job must be able to wake a stopping worker)").toBe(300);
    expect(q.state.started.has(3), "job 3 was never claimed: no claim after stop()").toBe(false);
    expect(clock.pendingTimers, "a stopped worker leaves no timer behind").toBe(0);
  });

  test("[C2][C3] notify() while stopping or after stop() claims nothing; stop() twice resolves both at the same moment, even when a job fails", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 200, fails: true });
    const worker = startWakeupWorker({ ...q, concurrency: 2, pollInterval: 60_000, clock });
    await clock.advance(10);
    const claims = q.state.claimTimes.length;
    const settledAt: string[] = [];
    const first = worker.stop();
    q.waiting.push({ id: 2, duration: 10 });
    worker.notify();
    const second = worker.stop();
    for (const p of [first, second]) {
      p.then(
        () => settledAt.push(`resolved at ${clock.now()}`),
        () => settledAt.push(`rejected at ${clock.now()}`),
      );
    }
    for (let t = 0; t < 300; t += 50) {
      worker.notify();
      await clock.advance(50);
    }
    await flushMicrotasks();
    expect(settledAt, "job 1 fails at t=200; both stop() promises resolve then (never reject: the failure is onError's business)").toEqual(["resolved at 200", "resolved at 200"]);
    expect(q.state.claimTimes.length, "notify() while stopping or stopped must not start a claim").toBe(claims);
    expect(() => worker.notify(), "notify() after stop() is safe").not.toThrow();
    expect(clock.pendingTimers, "a stopped worker leaves no timer behind").toBe(0);
  });

  test("[C2][C9] notifications right after start coalesce with the first claim", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const worker = startWakeupWorker({ ...q, concurrency: 2, pollInterval: 1000, clock });
    for (let i = 0; i < 20; i++) worker.notify();
    await clock.advance(0);
    noRunaway(q.state);
    expect(q.state.claimTimes.length, `20 notifications right after start, nothing queued: at most 1 + 2 x concurrency claims at t=0, got ${q.state.claimTimes.length}`).toBeLessThanOrEqual(5);
    expect(q.state.claimTimes.length, "the worker claims at t=0").toBeGreaterThanOrEqual(1);
    await clock.advance(2500);
    const later = q.state.claimTimes.filter((t) => t > 0);
    expect(later.length, `idle and not notified, at most concurrency (2) claims per 1000 ms; got ${later.length} in (0, 2500]`).toBeLessThanOrEqual(6);
    await settles(clock, worker.stop(), 1000);
  });

  test("[C4] rejects a concurrency or pollInterval that cannot work, with a RangeError", () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    for (const concurrency of [0, -1, 2.5, Number.NaN, Infinity]) {
      expect(() => startWakeupWorker({ ...q, concurrency, pollInterval: 1000, clock }), `concurrency ${concurrency} must throw a RangeError`).toThrow(RangeError);
    }
    for (const pollInterval of [0, -5, Number.NaN, Infinity]) {
      expect(() => startWakeupWorker({ ...q, pollInterval, clock }), `pollInterval ${pollInterval} must throw a RangeError`).toThrow(RangeError);
    }
    expect(q.state.claimTimes.length, "an invalid configuration must be rejected before anything is claimed").toBe(0);
    expect(clock.pendingTimers, "an invalid configuration must be rejected before any timer is set").toBe(0);
  });

  test("[C4] concurrency omitted or undefined means 1; a fractional pollInterval is fine", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    for (let id = 1; id <= 3; id++) q.waiting.push({ id, duration: 100 });
    const worker = startWakeupWorker({ ...q, concurrency: undefined, pollInterval: 2.5, clock });
    await clock.advance(350);
    noRunaway(q.state);
    expect(q.state.maxInFlight, "concurrency undefined means the default, 1").toBe(1);
    expect([...q.state.started.values()], "one slot: the jobs start at 0, 100, 200").toEqual([0, 100, 200]);
    expect(q.state.claimTimes.filter((t) => t > 300), "idle after t=300, a pollInterval of 2.5 ms polls at 302.5, 305, ...").toEqual(Array.from({ length: 20 }, (_, i) => 302.5 + 2.5 * i));
    expect(await settles(clock, worker.stop(), 10, 1), "stop() resolves").toBe(true);
  });
});

describe("[C7][C8][C9] any mix of jobs and notifications", () => {
  test("[C7][C8][C9] whatever the mix of notified, lost and spurious notifications, every job runs exactly once and within the concurrency limit", async () => {
    type Event = { at: number; kind: "job-notified" | "job-lost" | "spurious"; duration: number };
    const eventArb = fc.record({
      at: fc.integer({ min: 0, max: 3000 }),
      kind: fc.constantFrom<Event["kind"]>("job-notified", "job-lost", "spurious"),
      duration: fc.integer({ min: 1, max: 200 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.constantFrom(300, 1000),
        fc.constantFrom(0, 7),
        fc.array(eventArb, { minLength: 1, maxLength: 15 }),
        async (concurrency, pollInterval, claimLatency, events) => {
          const clock = new FakeClock();
          const q = fakeQueue(clock, { claimLatency });
          const worker = startWakeupWorker({ ...q, concurrency, pollInterval, clock });
          let jobs = 0;
          for (const e of events) {
            const id = e.kind === "spurious" ? -1 : jobs++;
            clock.setTimeout(() => {
              if (id >= 0) q.waiting.push({ id, duration: e.duration });
              if (e.kind !== "job-lost") worker.notify();
            }, e.at);
          }
          const totalWork = events.reduce((sum, e) => sum + e.duration + claimLatency, 0);
          await clock.advance(3000 + totalWork + 2 * (pollInterval + claimLatency));
          noRunaway(q.state);
          expect(q.state.maxInFlight, `concurrency ${concurrency} must never be exceeded`).toBeLessThanOrEqual(concurrency);
          expect(q.state.handledCount.size, "every job added must eventually run, notified or not").toBe(jobs);
          for (const [id, count] of q.state.handledCount) expect(count, `job ${id} must run exactly once`).toBe(1);
          await settles(clock, worker.stop(), 2 * pollInterval);
        },
      ),
      { numRuns: 60 },
    );
  });
});
