// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/05-worker-loop/challenge.ts");
const { startWorkerLoop } = await loadCandidate<Challenge>(import.meta.url);

type Job = { id: number; duration: number; fails?: boolean };

/** More claims than this in one test means the loop spins without waiting. */
const CLAIM_LIMIT = 20_000;

/**
 * A fake queue on a FakeClock that records everything the loop does. claim()
 * stalls forever once CLAIM_LIMIT is passed, so a loop that never sleeps stops
 * spinning (and the test fails with a message) instead of hanging the run.
 */
function fakeQueue(clock: FakeClock, opts: { claimLatency?: number; claimFailures?: number; throwSync?: boolean } = {}) {
  const waiting: Job[] = [];
  const state = {
    claimTimes: [] as number[],
    started: new Map<number, number>(),
    handledCount: new Map<number, number>(),
    finished: new Map<number, number>(),
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
    if (opts.claimLatency) await clock.sleep(opts.claimLatency);
    if (failuresLeft > 0) {
      failuresLeft--;
      throw new Error("connection refused");
    }
    const job = waiting.shift() ?? null;
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
      state.finished.set(job.id, clock.now());
    }
  };
  // With throwSync, a failing job throws before returning a promise, as a
  // plain (non-async) function that validates its input would.
  const handle = (job: Job): Promise<void> => {
    if (opts.throwSync && job.fails) {
      state.handledCount.set(job.id, (state.handledCount.get(job.id) ?? 0) + 1);
      state.started.set(job.id, clock.now());
      state.inFlight--;
      state.finished.set(job.id, clock.now());
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
    `claim() was called ${state.claimTimes.length} times: the loop claims again without waiting pollInterval when the queue is empty`,
  ).toBe(false);

describe("[C1][C5] claiming", () => {
  test("[C5] the first claim happens before any clock time passes", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 10 });
    const loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval: 1000, clock });
    await flushMicrotasks();
    expect(q.state.claimTimes, "startWorkerLoop must claim right away, at t=0, without waiting for a timer").toEqual([0]);
    expect(q.state.started.get(1), "the job claimed at t=0 starts at t=0").toBe(0);
    await settles(clock, loop.stop(), 100);
  });

  test("[C1] a claimed job that is falsy (0, \"\", false, NaN) is a job: it is handled, not taken for an empty queue", async () => {
    const clock = new FakeClock();
    const jobs: unknown[] = [0, "", false, Number.NaN];
    const queue = [...jobs];
    const handled: unknown[] = [];
    const claimTimes: number[] = [];
    const loop = startWorkerLoop<unknown>({
      claim: async () => {
        claimTimes.push(clock.now());
        if (claimTimes.length > 1000) return new Promise<never>(() => {});
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
    expect(await settles(clock, loop.stop(), 1000), "stop() resolves once the falsy jobs are done").toBe(true);
  });
});

describe("[C7] refilling slots", () => {
  test("[C7] a freed slot claims again at once even if an earlier claim found the queue empty", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 100 });
    const loop = startWorkerLoop({ ...q, concurrency: 2, pollInterval: 1000, clock });
    await clock.advance(50);
    q.waiting.push({ id: 2, duration: 100 }); // arrives silently while the other slot sleeps
    await clock.advance(100);
    expect(q.state.started.get(2), "job 2 must start at t=100, the instant job 1 finishes and frees its slot, not at the next poll (t=1000)").toBe(100);
    await settles(clock, loop.stop(), 2000);
  });
  test("[C7] a job that ends while a claim is in progress gets its slot refilled by the end of that claim, even if that claim finds nothing", async () => {
    // A claim here sees the queue as it was when the claim STARTED, as a database query does.
    const clock = new FakeClock();
    const waiting: Job[] = [{ id: 1, duration: 5 }];
    const claimTimes: number[] = [];
    const started = new Map<number, number>();
    const loop = startWorkerLoop<Job>({
      claim: async () => {
        claimTimes.push(clock.now());
        if (claimTimes.length > 1000) return new Promise<never>(() => {});
        const job = waiting.shift() ?? null;
        await clock.sleep(10);
        return job;
      },
      handle: async (job) => {
        started.set(job.id, clock.now());
        await clock.sleep(job.duration);
      },
      concurrency: 2,
      pollInterval: 1000,
      clock,
    });
    await clock.advance(12); // job 1 runs 10..15; the claim for the second slot started at t=10 and sees an empty queue
    waiting.push({ id: 2, duration: 5 }); // t=12: too late for that claim
    await clock.advance(100);
    expect(started.get(1), "job 1 was claimed by the first claim (t=0..10)").toBe(10);
    expect(started.get(2), `claims at ${JSON.stringify(claimTimes)}: job 1 ended at t=15, during a claim that ends empty at t=20; its freed slot must be refilled at once (a claim at t=15, or at t=20 right after the claim in progress), so job 2 starts by t=30, not after a poll interval`).toBeLessThanOrEqual(30);
    await settles(clock, loop.stop(), 100);
  });
});

describe("[C5][C8] polling when idle", () => {
  test("[C5][C8] with the queue empty it claims at t=0, then once per pollInterval, never more often", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval: 1000, clock });
    await clock.advance(5500);
    noRunaway(q.state);
    expect(q.state.claimTimes, "an idle worker polls at t=0, then every pollInterval (1000 ms)").toEqual([0, 1000, 2000, 3000, 4000, 5000]);
    await settles(clock, loop.stop(), 2000);
  });

  test("[C8] with several slots an idle worker makes between 1 and `concurrency` claims per pollInterval", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const loop = startWorkerLoop({ ...q, concurrency: 3, pollInterval: 1000, clock });
    await clock.advance(9999);
    noRunaway(q.state);
    expect(q.state.claimTimes.length, "10 s idle with pollInterval 1000 and 3 slots: at most 3 claims per interval (30)").toBeLessThanOrEqual(30);
    for (let t = 0; t < 10_000; t += 1000) {
      const inWindow = q.state.claimTimes.filter((at) => at >= t && at < t + 1000).length;
      expect(inWindow, `an idle worker must keep polling: no claim at all in [${t}, ${t + 1000})`).toBeGreaterThanOrEqual(1);
    }
    await settles(clock, loop.stop(), 2000);
  });

  test("[C8] a job that arrives while idle starts within pollInterval", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const loop = startWorkerLoop({ ...q, concurrency: 2, pollInterval: 1000, clock });
    await clock.advance(2500);
    q.waiting.push({ id: 7, duration: 10 });
    await clock.advance(1000);
    noRunaway(q.state);
    const started = q.state.started.get(7);
    expect(started, "a job added at t=2500 must be picked up by the poll within 1000 ms").toBeDefined();
    expect(started!, "a job added at t=2500 must start by t=3500").toBeLessThanOrEqual(3500);
    await settles(clock, loop.stop(), 2000);
  });
});

describe("[C9][C10] failures", () => {
  test("[C9] a job that fails is reported to onError and frees its slot", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    for (let id = 1; id <= 4; id++) q.waiting.push({ id, duration: 50, fails: true });
    for (let id = 5; id <= 8; id++) q.waiting.push({ id, duration: 50 });
    const loop = startWorkerLoop({ ...q, concurrency: 2, pollInterval: 1000, clock });
    await clock.advance(2000);
    noRunaway(q.state);
    expect(q.state.errors.map((e) => e.job?.id).sort(), "onError(error, job) must be called once for each of the 4 failing jobs").toEqual([1, 2, 3, 4]);
    expect(q.state.errors.every((e) => e.error instanceof Error), "onError receives the error handle() rejected with").toBe(true);
    expect([...q.state.handledCount.keys()].sort((a, b) => a - b), "the 4 jobs after the failures must still run: a failed job must free its slot").toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(q.state.started.get(8), "the failures must not slow the loop down: job 8 starts at t=150").toBe(150);
    await settles(clock, loop.stop(), 2000);
  });

  test("[C9] a handle() that throws instead of rejecting is reported and frees its slot too", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { throwSync: true });
    q.waiting.push({ id: 1, duration: 50, fails: true });
    q.waiting.push({ id: 2, duration: 50 });
    q.waiting.push({ id: 3, duration: 50, fails: true });
    q.waiting.push({ id: 4, duration: 50 });
    const loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval: 1000, clock });
    await clock.advance(500);
    noRunaway(q.state);
    expect(q.state.errors.map((e) => e.job?.id), "a handle() that throws synchronously must be reported like a rejection: call it inside try/await, not as handle(job).catch(...)").toEqual([1, 3]);
    expect([...q.state.handledCount.keys()].sort((a, b) => a - b), "the jobs after a synchronous throw must still run: the loop must survive it and free the slot").toEqual([1, 2, 3, 4]);
    await settles(clock, loop.stop(), 2000);
  });

  test("[C10] a claim that rejects is reported and retried after pollInterval", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimFailures: 1 });
    q.waiting.push({ id: 1, duration: 10 });
    const loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval: 1000, clock });
    await clock.advance(1500);
    noRunaway(q.state);
    expect(q.state.errors.length, "a rejected claim() must be reported to onError").toBe(1);
    expect(q.state.errors[0]?.job, "onError's job argument is undefined for a failed claim").toBeUndefined();
    expect(q.state.claimTimes.slice(0, 2), "after a failed claim at t=0 the loop waits pollInterval and claims again at t=1000").toEqual([0, 1000]);
    expect(q.state.started.get(1), "the job is picked up by the retry at t=1000").toBe(1000);
    await settles(clock, loop.stop(), 2000);
  });
});

describe("[C9][C10] failures without a reporter", () => {
  test("[C9][C10] without onError, failed claims and failed jobs are contained all the same", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimFailures: 1, throwSync: true });
    q.waiting.push({ id: 1, duration: 50, fails: true });
    q.waiting.push({ id: 2, duration: 50 });
    q.waiting.push({ id: 3, duration: 50, fails: true });
    q.waiting.push({ id: 4, duration: 50 });
    const bad = { id: 5, duration: 50 };
    const { claim, handle } = q;
    const rejecting = (job: Job) => (job.id === 5 ? Promise.reject(new Error("rejected")) : handle(job));
    q.waiting.push(bad);
    q.waiting.push({ id: 6, duration: 50 });
    const loop = startWorkerLoop({ claim, handle: rejecting, concurrency: 1, pollInterval: 1000, clock });
    await clock.advance(1500);
    noRunaway(q.state);
    expect(q.state.claimTimes.slice(0, 2), "onError is optional: a failed claim without it is still treated like an empty queue (call it as onError?.(...))").toEqual([0, 1000]);
    expect([...q.state.handledCount.keys()].sort((a, b) => a - b), "onError is optional: without it, failing jobs still free their slot and the loop goes on").toEqual([1, 2, 3, 4, 6]);
    expect(await settles(clock, loop.stop(), 1000), "stop() resolves").toBe(true);
  });

  test("[C9][C10] an onError that throws does not stop the loop", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimFailures: 1 });
    q.waiting.push({ id: 1, duration: 50, fails: true });
    q.waiting.push({ id: 2, duration: 50 });
    q.waiting.push({ id: 3, duration: 50, fails: true });
    q.waiting.push({ id: 4, duration: 50 });
    let reported = 0;
    const onError = () => {
      reported++;
      throw new Error("the error reporter is broken too");
    };
    const loop = startWorkerLoop({ claim: q.claim, handle: q.handle, onError, concurrency: 1, pollInterval: 1000, clock });
    await clock.advance(1500);
    noRunaway(q.state);
    expect(reported, "onError is told about the failed claim and the two failed jobs").toBe(3);
    expect([...q.state.handledCount.keys()].sort((a, b) => a - b), "an onError that throws must not stop the loop or leak a slot: every job still runs").toEqual([1, 2, 3, 4]);
    expect(await settles(clock, loop.stop(), 1000), "stop() resolves, even though onError threw").toBe(true);
  });
});

describe("[C2][C3] stop()", () => {
  test("[C2] stop() resolves only after the jobs in flight have finished, and claims nothing more", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    for (let id = 1; id <= 5; id++) q.waiting.push({ id, duration: 500 });
    const loop = startWorkerLoop({ ...q, concurrency: 2, pollInterval: 1000, clock });
    await clock.advance(100);
    const claimsBefore = q.state.claimTimes.length;
    let stopped = false;
    void loop.stop().then(() => (stopped = true));
    await clock.advance(399);
    expect(stopped, "at t=499 two jobs are still running: stop() must not resolve yet").toBe(false);
    await clock.advance(1);
    await flushMicrotasks();
    expect(stopped, "both running jobs finished at t=500: stop() must resolve then").toBe(true);
    expect(q.state.claimTimes.length, "no claim() may start after stop() was called").toBe(claimsBefore);
    expect([...q.state.finished.keys()].sort(), "the two jobs in flight must have finished, the other three never started").toEqual([1, 2]);
  });

  test("[C2] stop() on an idle worker resolves without waiting out the poll interval and leaves no timer", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const loop = startWorkerLoop({ ...q, concurrency: 2, pollInterval: 60_000, clock });
    await clock.advance(100);
    let stopped = false;
    void loop.stop().then(() => (stopped = true));
    await clock.advance(0);
    await flushMicrotasks();
    expect(stopped, "an idle worker sleeping for 60 s must stop at once: make the sleep wakeable").toBe(true);
    expect(clock.pendingTimers, "a stopped worker must not leave its poll timer on the clock").toBe(0);
  });

  test("[C2] a job whose claim was in progress when stop() was called still runs, and stop() waits for it", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock, { claimLatency: 10 });
    q.waiting.push({ id: 1, duration: 100 });
    const loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval: 1000, clock });
    await clock.advance(5); // the claim is still running (it takes 10 ms)
    let stopped = false;
    void loop.stop().then(() => (stopped = true));
    await clock.advance(50);
    expect(q.state.started.get(1), "the claim returned job 1 at t=10 after stop(): it is locked by this worker and must still run").toBe(10);
    expect(stopped, "job 1 is still running at t=55: stop() must wait").toBe(false);
    await clock.advance(60);
    await flushMicrotasks();
    expect(stopped, "job 1 finished at t=110: stop() must have resolved").toBe(true);
  });

  test("[C2] stop() resolves, never rejects, when a job in flight fails after stop() was called", async () => {
    const clock = new FakeClock();
    for (const throwSync of [false, true]) {
      const q = fakeQueue(clock, { throwSync });
      q.waiting.push({ id: 1, duration: 100, fails: true });
      q.waiting.push({ id: 2, duration: 100, fails: true });
      const loop = startWorkerLoop({ ...q, concurrency: 2, pollInterval: 1000, clock });
      await clock.advance(10);
      let outcome: string | undefined;
      loop.stop().then(
        () => (outcome = "resolved"),
        (error: unknown) => (outcome = `rejected with ${String(error)}`),
      );
      await clock.advance(200);
      await flushMicrotasks();
      expect(outcome, "the jobs in flight failed, and that is onError's business: stop() must still resolve").toBe("resolved");
      expect(clock.pendingTimers, "a stopped worker leaves no timer behind").toBe(0);
    }
  });

  test("[C2] stop() called right after start: the claim already started still runs its job, then nothing more, and no timer is left", async () => {
    for (const claimLatency of [0, 10]) {
      const clock = new FakeClock();
      const q = fakeQueue(clock, { claimLatency });
      q.waiting.push({ id: 1, duration: 100 });
      q.waiting.push({ id: 2, duration: 100 });
      const loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval: 1000, clock });
      let stoppedAt: number | undefined;
      void loop.stop().then(() => (stoppedAt = clock.now()));
      await clock.advance(10_000);
      await flushMicrotasks();
      // The first claim may start synchronously in startWorkerLoop (then its job must run) or
      // a moment later (then stop() came first and no claim may start at all).
      const claimed = q.state.claimTimes.length;
      expect(q.state.claimTimes, `claims taking ${claimLatency} ms: at most the claim started before stop() (at t=0); none may start after stop()`).toEqual(claimed === 0 ? [] : [0]);
      expect([...q.state.handledCount.keys()], "the job the claim started before stop() returned is locked by this worker: it must run").toEqual(claimed === 0 ? [] : [1]);
      expect(stoppedAt, "stop() resolves when that job has finished (at once if nothing was claimed)").toBe(claimed === 0 ? 0 : claimLatency + 100);
      expect(clock.pendingTimers, "a stopped worker leaves no timer behind").toBe(0);
    }
  });

  test("[C2] an idle worker stopped right after start resolves at once and never claims again", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    const loop = startWorkerLoop({ ...q, concurrency: 3, pollInterval: 1000, clock });
    let stopped = false;
    void loop.stop().then(() => (stopped = true));
    await clock.advance(0);
    await flushMicrotasks();
    expect(stopped, "nothing was claimed, so stop() resolves without any clock time passing").toBe(true);
    expect(clock.pendingTimers, "no poll timer may be left behind").toBe(0);
    const claims = q.state.claimTimes.length;
    await clock.advance(10_000);
    expect(q.state.claimTimes.length, "no claim() may start after stop(), however much time passes").toBe(claims);
  });

  test("[C3] calling stop() twice resolves both calls at the same moment", async () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    q.waiting.push({ id: 1, duration: 200 });
    const loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval: 1000, clock });
    await clock.advance(10);
    const resolvedAt: number[] = [];
    const both = Promise.all([loop.stop(), loop.stop()].map((p) => p.then(() => resolvedAt.push(clock.now()))));
    expect(await settles(clock, both, 500), "both stop() promises must resolve once the running job is done").toBe(true);
    expect(resolvedAt, "job 1 runs until t=200: the second stop() must not resolve earlier than the first (return the same promise)").toEqual([200, 200]);
  });
});

describe("[C4] options", () => {
  test("[C4] rejects a concurrency or pollInterval that cannot work, with a RangeError", () => {
    const clock = new FakeClock();
    const q = fakeQueue(clock);
    for (const concurrency of [0, -1, 1.5, Number.NaN]) {
      expect(() => startWorkerLoop({ ...q, concurrency, pollInterval: 1000, clock }), `concurrency ${concurrency} must throw a RangeError`).toThrow(RangeError);
    }
    for (const pollInterval of [0, -5, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => startWorkerLoop({ ...q, concurrency: 1, pollInterval, clock }), `pollInterval ${pollInterval} must throw a RangeError (0 would poll in a tight loop)`).toThrow(RangeError);
    }
    expect(q.state.claimTimes.length, "an invalid configuration must be rejected before anything is claimed").toBe(0);
    expect(clock.pendingTimers, "an invalid configuration must be rejected before any timer is set").toBe(0);
  });

  test("[C4] a pollInterval that is a fraction of a millisecond is a valid positive finite number", async () => {
    for (const pollInterval of [0.5, 2.5]) {
      const clock = new FakeClock();
      const q = fakeQueue(clock);
      let loop: { stop(): Promise<void> } | undefined;
      let error: unknown;
      try {
        loop = startWorkerLoop({ ...q, concurrency: 1, pollInterval, clock });
      } catch (e) {
        error = e;
      }
      expect(error, `pollInterval ${pollInterval} is positive and finite: it must be accepted (it need not be an integer)`).toBeUndefined();
      await clock.advance(pollInterval * 4);
      noRunaway(q.state);
      expect(q.state.claimTimes, `an idle worker polls at t=0, then every ${pollInterval} ms`).toEqual([0, 1, 2, 3, 4].map((n) => n * pollInterval));
      await settles(clock, loop!.stop(), 10, 1);
    }
  });
});

describe("[C6][C7] concurrency, over random workloads", () => {
  test("[C6] never has more than `concurrency` jobs in flight, and handles every job exactly once", async () => {
    const jobArb = fc.record({ at: fc.integer({ min: 0, max: 1500 }), duration: fc.integer({ min: 1, max: 300 }) });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom(100, 250, 1000),
        fc.constantFrom(0, 0, 7, 30),
        fc.array(jobArb, { minLength: 1, maxLength: 14 }),
        async (concurrency, pollInterval, claimLatency, specs) => {
          const clock = new FakeClock();
          const q = fakeQueue(clock, { claimLatency });
          specs.forEach((spec, id) => {
            const job = { id, duration: spec.duration };
            if (spec.at === 0) q.waiting.push(job);
            else clock.setTimeout(() => q.waiting.push(job), spec.at);
          });
          const loop = startWorkerLoop({ ...q, concurrency, pollInterval, clock });
          const horizon = 1500 + specs.reduce((sum, s) => sum + s.duration + claimLatency, 0) + 2 * (pollInterval + claimLatency);
          await clock.advance(horizon);
          noRunaway(q.state);
          expect(q.state.maxInFlight, `concurrency ${concurrency}, claims taking ${claimLatency} ms: a job counts from claim() until handle() settles, and two claims started for one free slot can both return a job`).toBeLessThanOrEqual(concurrency);
          expect(q.state.handledCount.size, "every job that was enqueued must be handled").toBe(specs.length);
          for (const [id, count] of q.state.handledCount) {
            expect(count, `job ${id} must be handled exactly once`).toBe(1);
          }
          await settles(clock, loop.stop(), 2 * pollInterval);
        },
      ),
      { numRuns: 60 },
    );
  });

  test("[C7] fills every slot and refills a freed slot at once while the queue has work", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 12 }),
        async (concurrency, durations) => {
          const clock = new FakeClock();
          const q = fakeQueue(clock);
          durations.forEach((duration, id) => q.waiting.push({ id, duration }));
          // What "no sleep while work remains" means: each job starts the moment
          // the earliest slot frees up, in queue order.
          const slotFreeAt: number[] = Array.from({ length: concurrency }, () => 0);
          const expectedStart = durations.map((duration) => {
            const earliest = Math.min(...slotFreeAt);
            slotFreeAt[slotFreeAt.indexOf(earliest)] = earliest + duration;
            return earliest;
          });
          const loop = startWorkerLoop({ ...q, concurrency, pollInterval: 5000, clock });
          await clock.advance(Math.max(...slotFreeAt));
          noRunaway(q.state);
          const actual = durations.map((_, id) => q.state.started.get(id));
          expect(actual, `concurrency ${concurrency}, job durations ${durations.join(",")}: each job must start as soon as a slot frees (no sleeping while jobs are waiting)`).toEqual(expectedStart);
          await settles(clock, loop.stop(), 10_000, 100);
        },
      ),
      { numRuns: 60 },
    );
  });
});
