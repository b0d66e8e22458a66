// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import { getEventListeners } from "node:events";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/10-timeouts-abort/challenge.ts");
type TimedJob = import("../../../../lessons/2-reliability/10-timeouts-abort/challenge.ts").TimedJob;
const { runWithTimeout, runAttempt } = await loadCandidate<Challenge>(import.meta.url);

type Tracked<T> = { state: "pending" } | { state: "fulfilled"; value: T; at: number } | { state: "rejected"; error: unknown; at: number };

/** Watches a promise without ever awaiting it, so a wrong answer that never settles fails instead of hanging. */
function track<T>(clock: FakeClock, promise: Promise<T>): { current: Tracked<T> } {
  const box: { current: Tracked<T> } = { current: { state: "pending" } };
  promise.then(
    (value) => (box.current = { state: "fulfilled", value, at: clock.now() }),
    (error: unknown) => (box.current = { state: "rejected", error, at: clock.now() }),
  );
  return box;
}

/** A task that works in steps of `stepMs` on the clock, honouring its signal, and records what it did. */
function steppingTask(clock: FakeClock, steps: number, stepMs: number) {
  const seen: { signal?: AbortSignal; done: number[] } = { done: [] };
  const task = async (signal: AbortSignal) => {
    seen.signal = signal;
    for (let i = 1; i <= steps; i++) {
      await clock.sleep(stepMs, signal);
      seen.done.push(clock.now());
    }
    return `finished ${steps} steps`;
  };
  return { seen, task };
}

const reasonName = (signal: AbortSignal | undefined) => (signal?.reason as { name?: string } | undefined)?.name;

describe("runWithTimeout", () => {
  test("[C2][C7] a task that finishes before the deadline resolves with its value and leaves no timer behind", async () => {
    const clock = new FakeClock();
    const { seen, task } = steppingTask(clock, 3, 100);
    const result = track(clock, runWithTimeout(task, 1_000, clock));
    await clock.advance(300);
    expect(result.current, "three 100 ms steps finish at t=300, well before the 1000 ms deadline").toEqual({ state: "fulfilled", value: "finished 3 steps", at: 300 });
    expect(seen.signal?.aborted, "a task that finished in time must not see its signal aborted").toBe(false);
    expect(clock.pendingTimers, "the deadline timer must be cleared when the task succeeds (a leaked timer per job)").toBe(0);
  });

  test("[C2][C7] a task that fails before the deadline rejects with its own error and leaves no timer behind", async () => {
    const clock = new FakeClock();
    const boom = new Error("payment provider said 500");
    const result = track(clock, runWithTimeout(async () => {
      await clock.sleep(50);
      throw boom;
    }, 1_000, clock));
    await clock.advance(50);
    expect(result.current, "the call must reject with the task's own error, unchanged").toEqual({ state: "rejected", error: boom, at: 50 });
    expect(clock.pendingTimers, "the deadline timer must be cleared when the task fails, too").toBe(0);
  });

  test("[C1][C4] at the deadline the task's signal aborts with a TimeoutError reason and the call rejects with that reason", async () => {
    const clock = new FakeClock();
    const { seen, task } = steppingTask(clock, 10, 400);
    const result = track(clock, runWithTimeout(task, 1_000, clock));
    await clock.advance(999);
    expect(seen.signal?.aborted, "1 ms before the deadline the signal must not be aborted yet").toBe(false);
    expect(result.current.state, "1 ms before the deadline the call is still running").toBe("pending");
    await clock.advance(1);
    expect(seen.signal?.aborted, "at the deadline the task's signal must be aborted: rejecting alone (Promise.race) leaves the job running").toBe(true);
    expect(reasonName(seen.signal), "the abort reason must be an error named TimeoutError, so the task can tell a timeout from a shutdown").toBe("TimeoutError");
    expect(result.current.state, "at the deadline the call must reject").toBe("rejected");
    if (result.current.state === "rejected") {
      expect(result.current.error, "the call rejects with the very reason the signal was aborted with").toBe(seen.signal?.reason);
      expect(result.current.at, "the rejection happens at the deadline, t=1000").toBe(1_000);
    }
    await clock.runAll();
    expect(seen.done, "an aborted task stops: only the steps before the deadline (t=400, 800) ran").toEqual([400, 800]);
  });

  test("[C1] timeoutMs 0 is a deadline at once, not \"no deadline\"", async () => {
    const clock = new FakeClock();
    const { seen, task } = steppingTask(clock, 1, 10);
    const result = track(clock, runWithTimeout(task, 0, clock));
    await clock.advance(0);
    expect(result.current.state, "timeoutMs 0: the deadline is the call's own instant, so a task that needs 10 ms is timed out at t=0").toBe("rejected");
    if (result.current.state === "rejected") {
      expect((result.current.error as { name?: string }).name, "the rejection is a TimeoutError").toBe("TimeoutError");
      expect(result.current.at, "rejected at t=0").toBe(0);
    }
    expect(seen.signal?.aborted, "the task's signal is aborted at the deadline t=0").toBe(true);
    await clock.runAll();
    expect(seen.done, "the aborted task did no step").toEqual([]);
  });

  test("[C4] a task that ignores its signal is still reported as timed out at the deadline", async () => {
    const clock = new FakeClock();
    let lateWork = 0;
    const stubborn = async () => {
      await clock.sleep(5_000); // no signal: it will not stop
      lateWork++;
      return "too late";
    };
    const result = track(clock, runWithTimeout(stubborn, 1_000, clock));
    await clock.advance(1_000);
    expect(result.current.state, "a task that ignores the signal must not delay the verdict: reject at the deadline").toBe("rejected");
    if (result.current.state === "rejected") {
      expect((result.current.error as { name?: string }).name, "the rejection is a TimeoutError").toBe("TimeoutError");
      expect(result.current.at, "reported at the deadline, t=1000").toBe(1_000);
    }
    await clock.advance(5_000);
    expect(lateWork, "the stubborn task did finish later (nothing can kill a promise)").toBe(1);
    expect(result.current.state, "its late result must be ignored").toBe("rejected");
  });

  test("[C5][C7] aborting the parent signal aborts the task with the parent's reason and rejects at once", async () => {
    const clock = new FakeClock();
    const parent = new AbortController();
    const { seen, task } = steppingTask(clock, 10, 400);
    const result = track(clock, runWithTimeout(task, 1_000, clock, parent.signal));
    await clock.advance(100);
    const shutdown = new Error("worker shutting down");
    parent.abort(shutdown);
    await flushMicrotasks();
    expect(seen.signal?.aborted, "a parent abort (shutdown) must reach the task's signal").toBe(true);
    expect(seen.signal?.reason, "the task's signal carries the parent's reason, not a TimeoutError").toBe(shutdown);
    expect(result.current, "the call rejects at once with the parent's reason").toEqual({ state: "rejected", error: shutdown, at: 100 });
    expect(clock.pendingTimers, "no deadline timer may survive a parent abort").toBe(0);
    expect(getEventListeners(parent.signal, "abort").length, "no listener may remain on the parent signal").toBe(0);
  });

  test("[C5] a parent abort rejects at once even when the task ignores its signal", async () => {
    const clock = new FakeClock();
    const parent = new AbortController();
    let taskSignal: AbortSignal | undefined;
    const deaf = (signal: AbortSignal) => {
      taskSignal = signal;
      return clock.sleep(5_000).then(() => "too late"); // never looks at its signal
    };
    const result = track(clock, runWithTimeout(deaf, 1_000, clock, parent.signal));
    await clock.advance(100);
    const shutdown = new Error("SIGTERM");
    parent.abort(shutdown);
    await flushMicrotasks();
    expect(taskSignal?.reason, "the deaf task's signal is aborted with the parent's reason all the same").toBe(shutdown);
    expect(result.current, "the call must reject at once with the parent's reason, not wait for a task that does not listen").toEqual({ state: "rejected", error: shutdown, at: 100 });
    expect(getEventListeners(parent.signal, "abort").length, "no listener may remain on the parent signal").toBe(0);
    await clock.runAll();
  });

  test("[C5][C7] two calls sharing one parent signal are both aborted by it, and leave no listener", async () => {
    const clock = new FakeClock();
    const parent = new AbortController();
    const first = steppingTask(clock, 10, 400);
    const second = steppingTask(clock, 10, 300);
    const a = track(clock, runWithTimeout(first.task, 5_000, clock, parent.signal));
    const b = track(clock, runWithTimeout(second.task, 5_000, clock, parent.signal));
    await clock.advance(50);
    const shutdown = new Error("draining the worker");
    parent.abort(shutdown);
    await flushMicrotasks();
    expect([first.seen.signal?.reason, second.seen.signal?.reason], "a parent abort reaches every call that shares the parent signal (an onabort property holds only one handler)").toEqual([shutdown, shutdown]);
    expect([a.current, b.current], "both calls reject at once with the parent's reason").toEqual([
      { state: "rejected", error: shutdown, at: 50 },
      { state: "rejected", error: shutdown, at: 50 },
    ]);
    expect(clock.pendingTimers, "no deadline timer may survive the parent abort").toBe(0);
    expect(getEventListeners(parent.signal, "abort").length, "no listener may remain on the parent signal").toBe(0);
  });

  test("[C3] a task that throws before returning a promise rejects with that error and leaves nothing behind", async () => {
    const clock = new FakeClock();
    const parent = new AbortController();
    const bad = new TypeError("job data is missing");
    const throwsAtOnce = (): Promise<string> => {
      throw bad;
    };
    const result = track(clock, runWithTimeout(throwsAtOnce, 1_000, clock, parent.signal));
    await flushMicrotasks();
    expect(result.current, "a synchronous throw is a failure like a rejection: reject with that error").toEqual({ state: "rejected", error: bad, at: 0 });
    expect(clock.pendingTimers, "the deadline timer must be cleared when the task throws synchronously").toBe(0);
    expect(getEventListeners(parent.signal, "abort").length, "no listener may remain on the parent signal after a synchronous throw").toBe(0);
  });

  test("[C6] a parent signal that is already aborted rejects at once without starting the task, a timer or a listener", async () => {
    const clock = new FakeClock();
    const parent = new AbortController();
    const reason = new Error("already shutting down");
    parent.abort(reason);
    let started = false;
    const result = track(clock, runWithTimeout(async () => {
      started = true;
    }, 1_000, clock, parent.signal));
    await flushMicrotasks();
    expect(started, "do not start a job when the parent signal is already aborted").toBe(false);
    expect(result.current, "reject with the parent's reason").toEqual({ state: "rejected", error: reason, at: 0 });
    expect(clock.pendingTimers, "no timer for a job that never started").toBe(0);
    expect(getEventListeners(parent.signal, "abort").length, "no listener on a parent signal that has already aborted").toBe(0);
  });

  test("[C7] after each call settles, no listener of it remains on the long-lived parent signal", async () => {
    const clock = new FakeClock();
    const shutdown = new AbortController();
    for (let i = 0; i < 5; i++) {
      const { task } = steppingTask(clock, 1, 10);
      const result = track(clock, runWithTimeout(task, 1_000, clock, shutdown.signal));
      await clock.advance(10);
      expect(result.current.state, `job ${i + 1} finishes in time`).toBe("fulfilled");
    }
    const failing = track(clock, runWithTimeout(async () => {
      throw new Error("nope");
    }, 1_000, clock, shutdown.signal));
    await flushMicrotasks();
    expect(failing.current.state, "the failing job rejects").toBe("rejected");
    const timedOut = track(clock, runWithTimeout(() => new Promise<void>(() => {}), 1_000, clock, shutdown.signal));
    await clock.advance(1_000);
    expect(timedOut.current.state, "the hanging job times out").toBe("rejected");
    expect(getEventListeners(shutdown.signal, "abort").length, "after 7 settled jobs the shutdown signal must carry 0 abort listeners from them (remove yours in every outcome)").toBe(0);
  });
});

describe("runAttempt", () => {
  test("[C10] runAttempt never rejects because of the handler, whatever it throws: lastError still names the value", async () => {
    for (const value of [null, undefined, "disk on fire", 0, false]) {
      const clock = new FakeClock();
      const job: TimedJob = { id: "odd-1", attempts: 0, maxAttempts: 2, state: "waiting" };
      const result = track(clock, runAttempt(job, () => Promise.reject(value), 500, clock));
      await flushMicrotasks();
      expect(result.current, `a handler that rejects with ${JSON.stringify(value) ?? "undefined"}: runAttempt must resolve with the new state, not reject`).toMatchObject({ state: "fulfilled", value: "waiting" });
      expect(job.attempts, "the failed attempt counts").toBe(1);
      expect(typeof job.lastError === "string" && job.lastError.includes(String(value)), `a handler that rejects with ${JSON.stringify(value) ?? "undefined"}: lastError must be a string containing ${JSON.stringify(String(value))}, got ${JSON.stringify(job.lastError)}`).toBe(true);
      expect(clock.pendingTimers, "no timer left behind").toBe(0);
    }
  });

  test("[C8][C9] a handler that always throws: waiting while attempts < maxAttempts, failed at maxAttempts (1, 2, 3)", async () => {
    for (const maxAttempts of [1, 2, 3]) {
      const clock = new FakeClock();
      const job: TimedJob = { id: `flaky-${maxAttempts}`, attempts: 0, maxAttempts, state: "waiting" };
      const states: string[] = [];
      for (let i = 0; i < 5 && job.state === "waiting"; i++) {
        const result = track(clock, runAttempt(job, async () => {
          throw new RangeError(`bad page ${i + 1}`);
        }, 500, clock));
        await flushMicrotasks();
        if (result.current.state !== "fulfilled") expect(result.current.state, "runAttempt resolves when the handler throws").toBe("fulfilled");
        states.push(job.state);
      }
      const want = [...Array.from({ length: maxAttempts - 1 }, () => "waiting"), "failed"];
      expect(states, `maxAttempts ${maxAttempts}: the job waits for a retry after each failed attempt but the last, then fails`).toEqual(want);
      expect(job, `maxAttempts ${maxAttempts}: every attempt counted, the latest error recorded as name: message`).toMatchObject({ attempts: maxAttempts, lastError: `RangeError: bad page ${maxAttempts}` });
    }
  });

  test("[C9] lastError is exactly `${name}: ${message}`, also for an empty message and for an Error with its own toString()", async () => {
    class QuotaError extends Error {
      override name = "QuotaError";
      override toString() {
        return "quota!";
      }
    }
    const cases: Array<[Error, string]> = [
      [new Error(""), "Error: "],
      [new QuotaError("over quota"), "QuotaError: over quota"],
    ];
    for (const [error, want] of cases) {
      const clock = new FakeClock();
      const job: TimedJob = { id: "named-1", attempts: 0, maxAttempts: 3, state: "waiting" };
      const result = track(clock, runAttempt(job, () => Promise.reject(error), 500, clock));
      await flushMicrotasks();
      expect(result.current.state, "runAttempt resolves when the handler rejects").toBe("fulfilled");
      expect(job.lastError, `a handler failing with ${error.name}(${JSON.stringify(error.message)}): lastError must be \`\${error.name}: \${error.message}\`, not String(error)`).toBe(want);
    }
  });

  test("[C9] the handler gets the attempt's signal, which aborts with a TimeoutError at the deadline", async () => {
    const clock = new FakeClock();
    const job: TimedJob = { id: "slow-1", attempts: 0, maxAttempts: 3, state: "waiting" };
    let handlerSignal: AbortSignal | undefined;
    const result = track(clock, runAttempt(job, (signal) => {
      handlerSignal = signal;
      return clock.sleep(10_000, signal);
    }, 700, clock));
    await clock.advance(700);
    expect(handlerSignal?.aborted, "the handler must receive the signal of runWithTimeout, aborted at the 700 ms deadline").toBe(true);
    expect(reasonName(handlerSignal), "its reason is a TimeoutError").toBe("TimeoutError");
    expect(result.current, "the timed-out attempt leaves the job waiting").toMatchObject({ state: "fulfilled", value: "waiting" });
    expect(clock.pendingTimers, "the aborted sleep and the deadline leave no timer").toBe(0);
  });

  test("[C8][C9] every attempt counts, timeouts included: a job that always hangs fails after maxAttempts", async () => {
    const clock = new FakeClock();
    const job: TimedJob = { id: "report-9", attempts: 0, maxAttempts: 2, state: "waiting" };
    const hang = () => new Promise<void>(() => {});
    const states: string[] = [];
    for (let i = 0; i < 3 && job.state === "waiting"; i++) {
      const result = track(clock, runAttempt(job, hang, 500, clock));
      await clock.advance(500);
      expect(result.current.state, `attempt ${i + 1} must settle at its deadline`).toBe("fulfilled");
      states.push(job.state);
      expect(job.attempts, `a timed-out attempt counts as an attempt: after attempt ${i + 1}, attempts is ${i + 1}`).toBe(i + 1);
      expect(job.lastError, "lastError names the TimeoutError").toMatch(/^TimeoutError/);
    }
    expect(states, "maxAttempts 2: the first timeout leaves the job waiting for a retry, the second fails it").toEqual(["waiting", "failed"]);
    expect(clock.pendingTimers, "no timers left after the attempts").toBe(0);
  });

  test("[C8][C9] an attempt that succeeds completes the job, and one that throws leaves it waiting with its error", async () => {
    const clock = new FakeClock();
    const good: TimedJob = { id: "ok-1", attempts: 0, maxAttempts: 3, state: "waiting" };
    const done = track(clock, runAttempt(good, async (signal) => clock.sleep(100, signal), 500, clock));
    await clock.advance(100);
    expect(done.current, "runAttempt resolves with the new state").toMatchObject({ state: "fulfilled", value: "completed" });
    expect(good, "a successful attempt completes the job and counts once").toMatchObject({ attempts: 1, state: "completed" });
    const bad: TimedJob = { id: "bad-1", attempts: 0, maxAttempts: 3, state: "waiting" };
    const failed = track(clock, runAttempt(bad, async () => {
      throw new TypeError("amount must be a number");
    }, 500, clock));
    await flushMicrotasks();
    expect(failed.current, "runAttempt does not reject when the handler throws").toMatchObject({ state: "fulfilled", value: "waiting" });
    expect(bad, "a failed attempt counts, records `${name}: ${message}` and leaves the job waiting for a retry").toMatchObject({
      attempts: 1,
      state: "waiting",
      lastError: "TypeError: amount must be a number",
    });
    expect(clock.pendingTimers, "no timers left behind").toBe(0);
  });
});
