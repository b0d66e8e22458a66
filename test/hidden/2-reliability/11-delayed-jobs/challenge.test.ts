// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import { getEventListeners } from "node:events";
import fc from "fast-check";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/11-delayed-jobs/challenge.ts");
const { DelayedQueue } = await loadCandidate<Challenge>(import.meta.url);

/**
 * A FakeClock that refuses to set more than `limit` timers, so a candidate
 * that re-arms a zero-length timer forever fails fast instead of spinning
 * until vitest's timeout.
 */
class GuardedClock extends FakeClock {
  #set = 0;
  constructor(private readonly limit = 2_000) {
    super();
  }
  override setTimeout(callback: () => void, ms: number): number {
    if (++this.#set > this.limit) {
      throw new Error(`more than ${this.limit} timers set: the candidate keeps re-arming a timer without making progress`);
    }
    return super.setTimeout(callback, ms);
  }
  /** How many timers have been set so far. */
  get timersSet(): number {
    return this.#set;
  }
}

/**
 * Starts next() and tracks its outcome so a test can look at it after moving
 * the clock. A synchronous throw counts as a rejection.
 */
function watch<T>(start: () => Promise<T>) {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  let promise: Promise<T>;
  try {
    promise = Promise.resolve(start());
  } catch (error) {
    promise = Promise.reject(error);
  }
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

const names = (jobs: Array<{ data: string } | undefined>) => jobs.map((job) => job?.data);

function drain<T>(queue: { take(): T | undefined }): T[] {
  const out: T[] = [];
  for (let job = queue.take(), i = 0; job !== undefined && i < 1_000; job = queue.take(), i++) out.push(job);
  return out;
}

describe("when a delayed job becomes ready", () => {
  test("[C1][C8] a job is not ready one millisecond before its runAt and is ready exactly at runAt", async () => {
    const clock = new FakeClock();
    const queue = new DelayedQueue<string>(clock);
    const job = queue.add("reminder", { delay: 1_000 });
    expect(job.runAt, "runAt = clock.now() + delay").toBe(1_000);
    await clock.advance(999);
    expect(queue.take(), "at t=999 a job due at t=1000 must not be handed out").toBeUndefined();
    expect(queue.counts(), "at t=999 the job is still delayed").toEqual({ delayed: 1, ready: 0 });
    await clock.advance(1);
    expect(queue.counts(), "at t=1000 the job is ready: runAt <= now, not runAt < now").toEqual({ delayed: 0, ready: 1 });
    expect(queue.take()?.data, "at exactly t=1000 take() must return the job").toBe("reminder");
  });

  test("[C3][C4] a job added with no delay is ready at once (runAt from the injected clock), and runAt in the past is ready at once too", () => {
    const clock = new FakeClock(5_000);
    const queue = new DelayedQueue<string>(clock);
    expect(queue.add("now").runAt, "no delay means runAt = now").toBe(5_000);
    expect(queue.add("overdue", { runAt: 1_000 }).runAt, "an absolute runAt is kept as given").toBe(1_000);
    expect(
      queue.add("epoch", { runAt: 0 }).runAt,
      "runAt: 0 is a real time (the clock's epoch), not 'no runAt': test it with ?? or !== undefined, not ||",
    ).toBe(0);
    expect(queue.add("zero-delay", { delay: 0 }).runAt, "delay: 0 means runAt = now").toBe(5_000);
    expect(queue.counts(), "all four jobs are ready immediately").toEqual({ delayed: 0, ready: 4 });
    expect(names(drain(queue)), "same priority: the earliest runAt goes first, then insertion order").toEqual([
      "epoch",
      "overdue",
      "now",
      "zero-delay",
    ]);
  });

  test("[C9] nextRunAt() is the earliest runAt among jobs that are not ready yet", async () => {
    const clock = new FakeClock();
    const queue = new DelayedQueue<string>(clock);
    expect(queue.nextRunAt(), "an empty queue has no next runAt").toBeUndefined();
    queue.add("b", { delay: 300 });
    queue.add("a", { delay: 100, priority: 9 });
    queue.add("ready", { priority: -1 });
    expect(queue.nextRunAt(), "the earliest delayed job is due at t=100, whatever its priority").toBe(100);
    await clock.advance(100);
    expect(queue.nextRunAt(), "once t=100 has come, the next one not ready yet is due at t=300").toBe(300);
    await clock.advance(200);
    expect(queue.nextRunAt(), "when every job is ready there is no next runAt").toBeUndefined();
  });

  test("[C5] delay and runAt together throw a RangeError even when one of them is 0", () => {
    const queue = new DelayedQueue<string>(new FakeClock(1_000));
    for (const options of [{ delay: 0, runAt: 5_000 }, { delay: 5_000, runAt: 0 }, { delay: 0, runAt: 0 }]) {
      expect(
        () => queue.add("x", options),
        `add(x, ${JSON.stringify(options)}): giving both delay and runAt is a RangeError whatever their values; a delay of 0 is given, not missing (test with !== undefined, not truthiness)`,
      ).toThrow(RangeError);
    }
    expect(queue.counts(), "a rejected add must not leave a job behind").toEqual({ delayed: 0, ready: 0 });
  });

  test("[C5] giving both delay and runAt, or a negative or non-finite delay, throws a RangeError and adds nothing", () => {
    const queue = new DelayedQueue<string>(new FakeClock());
    expect(() => queue.add("x", { delay: 10, runAt: 10 }), "delay and runAt together are ambiguous").toThrow(RangeError);
    expect(() => queue.add("x", { delay: -5 }), "a negative delay is a bug in the caller").toThrow(RangeError);
    expect(() => queue.add("x", { delay: Number.NaN }), "a NaN delay (e.g. from parsing bad input) must throw, not make a job that never runs").toThrow(RangeError);
    expect(() => queue.add("x", { delay: Number.POSITIVE_INFINITY }), "an infinite delay must throw: delay must be finite").toThrow(RangeError);
    expect(queue.counts(), "a rejected add must not leave a job behind").toEqual({ delayed: 0, ready: 0 });
  });

  test("[C5] a priority that is not a safe integer, or a runAt that is not finite, throws a RangeError and adds nothing", () => {
    const queue = new DelayedQueue<string>(new FakeClock());
    for (const priority of [1.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, -(2 ** 53)]) {
      expect(() => queue.add("x", { priority }), `priority ${priority} is not a safe integer: add() must throw a RangeError`).toThrow(RangeError);
    }
    for (const runAt of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => queue.add("x", { runAt }), `runAt ${runAt} is not a clock time: add() must throw a RangeError`).toThrow(RangeError);
    }
    expect(queue.counts(), "the rejected adds must not leave a job behind").toEqual({ delayed: 0, ready: 0 });
    queue.add("max", { priority: Number.MAX_SAFE_INTEGER });
    queue.add("min", { priority: Number.MIN_SAFE_INTEGER });
    queue.add("zero", { priority: 0 });
    expect(names(drain(queue)), "the largest and smallest safe integers are valid priorities, lower first").toEqual(["min", "zero", "max"]);
  });
});

describe("the order of ready jobs", () => {
  test("[C2][C7] a promoted delayed job does not jump ahead of a ready job with a lower priority number", async () => {
    const clock = new FakeClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("urgent-ready", { priority: 1 });
    queue.add("bulk-delayed", { priority: 5, delay: 100 });
    await clock.advance(100);
    queue.add("urgent-added-later", { priority: 1 });
    expect(
      names(drain(queue)),
      "the delayed job became ready at t=100, but priority 1 beats priority 5 whenever it was promoted",
    ).toEqual(["urgent-ready", "urgent-added-later", "bulk-delayed"]);
  });

  test("[C2][C7] a promoted job with a lower priority number goes ahead of jobs that were ready before it", async () => {
    const clock = new FakeClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("normal-1", { priority: 3 });
    queue.add("normal-2", { priority: 3 });
    queue.add("urgent-delayed", { priority: 0, delay: 50 });
    expect(queue.take()?.data, "at t=0 only the priority-3 jobs are ready").toBe("normal-1");
    await clock.advance(50);
    expect(names(drain(queue)), "at t=50 the priority-0 job is ready and goes first").toEqual(["urgent-delayed", "normal-2"]);
  });

  test("[C2][C7] equal priorities leave by runAt, and equal runAt by the order they were added", async () => {
    const clock = new FakeClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("due-200", { delay: 200 });
    queue.add("due-100-first", { delay: 100 });
    queue.add("due-100-second", { delay: 100 });
    queue.add("due-50", { runAt: 50 });
    await clock.advance(300);
    expect(names(drain(queue)), "same priority: earlier runAt first, then insertion order").toEqual([
      "due-50",
      "due-100-first",
      "due-100-second",
      "due-200",
    ]);
  });

  test("[C1][C2][C7][C8][C9] take() always returns the ready job with the smallest (priority, runAt, insertion) and never one before its runAt", async () => {
    type Op =
      | { kind: "add"; priority: number; delay: number }
      | { kind: "advance"; ms: number }
      | { kind: "take" };
    const op: fc.Arbitrary<Op> = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), priority: fc.integer({ min: 0, max: 3 }), delay: fc.integer({ min: 0, max: 40 }) }),
      fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 25 }) }),
      fc.record({ kind: fc.constant("take" as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const clock = new FakeClock();
        const queue = new DelayedQueue<string>(clock);
        const model: Array<{ name: string; priority: number; runAt: number; seq: number; taken: boolean }> = [];
        const log: string[] = [];
        for (const step of ops) {
          if (step.kind === "add") {
            const name = `job${model.length}`;
            queue.add(name, { priority: step.priority, delay: step.delay });
            model.push({ name, priority: step.priority, runAt: clock.now() + step.delay, seq: model.length, taken: false });
            log.push(`t=${clock.now()} add ${name} p${step.priority} due ${clock.now() + step.delay}`);
          } else if (step.kind === "advance") {
            await clock.advance(step.ms);
          } else {
            const now = clock.now();
            const expected = model
              .filter((job) => !job.taken && job.runAt <= now)
              .sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || a.seq - b.seq)[0];
            if (expected) expected.taken = true;
            const got = queue.take();
            log.push(`t=${now} take`);
            expect(
              got?.data,
              `${log.join("; ")}: take() must return the ready job with the lowest (priority, runAt, insertion), or undefined if none is ready`,
            ).toBe(expected?.name);
            const counts = {
              delayed: model.filter((job) => !job.taken && job.runAt > now).length,
              ready: model.filter((job) => !job.taken && job.runAt <= now).length,
            };
            expect(queue.counts(), `${log.join("; ")}: counts() after the take`).toEqual(counts);
            const pending = model.filter((job) => !job.taken && job.runAt > now).map((job) => job.runAt);
            const nextRunAt = pending.length === 0 ? undefined : Math.min(...pending);
            const gotNext = queue.nextRunAt();
            if (gotNext !== nextRunAt) expect(gotNext, `${log.join("; ")}: nextRunAt() is the earliest runAt still in the future`).toBe(nextRunAt);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test("[C2][C4] priority 0 is a real priority and negative priorities run before it", () => {
    const queue = new DelayedQueue<string>(new FakeClock());
    queue.add("default");
    queue.add("five", { priority: 5 });
    queue.add("minus-two", { priority: -2 });
    queue.add("zero", { priority: 0 });
    expect(names(drain(queue)), "lower number first; default priority is 0").toEqual(["minus-two", "default", "zero", "five"]);
  });
});

describe("next(): waiting for the next job without polling", () => {
  test("[C10][C14] next() resolves exactly at the runAt of the first due job, not a millisecond earlier", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("later", { delay: 500 });
    queue.add("sooner", { delay: 200 });
    const result = watch(() => queue.next());
    await clock.advance(199);
    expect(result.settled, "next() must still be waiting at t=199 for a job due at t=200").toBe(false);
    await clock.advance(1);
    expect(result.error, "next() must not fail").toBeUndefined();
    expect(result.value?.data, "next() resolves at t=200 with the job due then").toBe("sooner");
    expect(queue.counts(), "next() removed the job it returned").toEqual({ delayed: 1, ready: 0 });
    expect(clock.pendingTimers, "once next() has resolved, no timer of its own may remain").toBe(0);
  });

  test("[C10] next() resolves at once when a job is already ready", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("ready");
    const result = watch(() => queue.next());
    await clock.advance(0);
    expect(result.value?.data, "a ready job is returned without waiting").toBe("ready");
  });

  test("[C6][C10] next() wakes for a job added while it waits, even one due before the job it was waiting for", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("far", { delay: 10_000 });
    const result = watch(() => queue.next());
    await clock.advance(100);
    queue.add("near", { delay: 50 }); // due at t=150
    await clock.advance(49);
    expect(result.settled, "at t=149 nothing is due yet").toBe(false);
    await clock.advance(1);
    expect(result.value?.data, "next() must wake at t=150 for the job added while it slept, not at t=10000").toBe("near");
    expect(clock.pendingTimers, "once next() has resolved, no timer of its own may remain").toBe(0);
  });

  test("[C6][C10] next() on an empty queue resolves when a ready job is added", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    const result = watch(() => queue.next());
    await clock.advance(1_000);
    expect(result.settled, "nothing to return yet").toBe(false);
    queue.add("hello");
    await clock.advance(0);
    expect(result.value?.data, "add() must wake a next() that waits on an empty queue").toBe("hello");
  });

  test("[C12] two pending next() calls get two different jobs", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    const first = watch(() => queue.next());
    const second = watch(() => queue.next());
    queue.add("a", { delay: 10 });
    queue.add("b", { delay: 10 });
    await clock.advance(10);
    expect([first.value?.data, second.value?.data].sort(), "each job goes to exactly one waiter").toEqual(["a", "b"]);
    expect(queue.counts(), "both jobs were taken").toEqual({ delayed: 0, ready: 0 });
  });

  test("[C13][C14] aborting next() rejects with the signal's reason, takes nothing and leaves no timer behind", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("due-later", { delay: 1_000 });
    const controller = new AbortController();
    const result = watch(() => queue.next(controller.signal));
    await clock.advance(10);
    const reason = new Error("worker shutting down");
    controller.abort(reason);
    await clock.advance(0);
    expect(result.error, "next() must reject with exactly signal.reason").toBe(reason);
    expect(clock.pendingTimers, "an aborted next() must clear the timer it set").toBe(0);
    await clock.advance(2_000);
    expect(queue.counts(), "the aborted call must not have taken the job").toEqual({ delayed: 0, ready: 1 });
  });

  test("[C13] next() with an already aborted signal rejects without taking a ready job", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("ready");
    const reason = new Error("already stopped");
    const result = watch(() => queue.next(AbortSignal.abort(reason)));
    await clock.advance(0);
    expect(result.error, "an already aborted signal rejects with its reason").toBe(reason);
    expect(queue.counts(), "the ready job stays in the queue").toEqual({ delayed: 0, ready: 1 });
  });

  test("[C10] a next() woken for a job that another consumer took first keeps waiting instead of resolving without a job", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    const result = watch(() => queue.next());
    await clock.advance(10);
    queue.add("stolen");
    const stolen = queue.take(); // another consumer, before the woken next() runs again
    await clock.advance(0);
    if (stolen === undefined) {
      // The job was handed straight to the waiting next(): nobody could steal it.
      expect(result.value?.data, "take() found nothing, so add() must have handed the job to the waiting next()").toBe("stolen");
      return;
    }
    expect(stolen.data, "the other consumer took the job that was just added").toBe("stolen");
    expect(result.settled, "the job next() was woken for is gone: next() must keep waiting (not resolve with undefined, not reject)").toBe(false);
    queue.add("second", { delay: 20 });
    await clock.advance(20);
    expect(result.error, "next() must not fail").toBeUndefined();
    expect(result.value?.data, "next() resolves with the next job that becomes ready").toBe("second");
    expect(clock.pendingTimers, "no timer of next() may remain once it has resolved").toBe(0);
  });

  test("[C12] one job for two waiters: one gets it and the other keeps waiting for the next job", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    const first = watch(() => queue.next());
    const second = watch(() => queue.next());
    queue.add("only", { delay: 30 });
    await clock.advance(30);
    const settled = [first, second].filter((w) => w.settled);
    expect(settled.map((w) => w.value?.data), "one job, two waiters: exactly one resolves with it, the other keeps waiting").toEqual(["only"]);
    const other = first.settled ? second : first;
    queue.add("next one", { delay: 5 });
    await clock.advance(5);
    expect(other.value?.data, "the waiter that got nothing receives the next job").toBe("next one");
    expect(clock.pendingTimers, "no timer of a settled next() may remain").toBe(0);
  });

  test("[C13] aborting one waiting next() rejects only that one: another waiter keeps waiting and gets the job", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("due", { delay: 100 });
    const controller = new AbortController();
    const aborted = watch(() => queue.next(controller.signal));
    const other = watch(() => queue.next());
    await clock.advance(10);
    const reason = new Error("this consumer stops");
    controller.abort(reason);
    await clock.advance(0);
    expect(aborted.error, "the aborted next() rejects with its signal's reason").toBe(reason);
    expect(other.settled, "the other next(), with no signal, is not affected and keeps waiting").toBe(false);
    await clock.advance(90);
    expect(other.value?.data, "at t=100 the other waiter gets the job").toBe("due");
    expect(clock.pendingTimers, "no timer of a settled next() may remain").toBe(0);
  });

  test("[C11] next() does not poll: an hour of waiting with nothing due sets at most one timer", async () => {
    for (const setup of ["empty queue", "a job due in 30 days"] as const) {
      const clock = new GuardedClock();
      const queue = new DelayedQueue<string>(clock);
      if (setup !== "empty queue") queue.add("far", { delay: 30 * 24 * 3_600_000 });
      const result = watch(() => queue.next());
      const before = clock.timersSet;
      for (let minute = 0; minute < 59; minute++) await clock.advance(60_000);
      expect(clock.timersSet - before, `${setup}: while nothing changes next() must not poll; at most one timer per hour of waiting (it set ${clock.timersSet - before} in 59 minutes)`).toBeLessThanOrEqual(1);
      expect(result.settled, `${setup}: nothing is due yet, so next() is still waiting`).toBe(false);
      queue.add("now");
      await clock.advance(0);
      expect(result.value?.data, `${setup}: add() wakes the waiting next()`).toBe("now");
      expect(clock.pendingTimers, `${setup}: next() has resolved, so no timer of its own may remain`).toBe(0);
    }
  });

  test("[C14] a signal reused for many next() calls carries no listener of theirs once they have settled", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    const worker = new AbortController();
    for (let i = 0; i < 4; i++) {
      queue.add(`job-${i}`, { delay: 10 });
      const result = watch(() => queue.next(worker.signal));
      await clock.advance(10);
      expect(result.value?.data, `job ${i} is delivered after its 10 ms delay`).toBe(`job-${i}`);
    }
    queue.add("ready-now");
    const immediate = watch(() => queue.next(worker.signal));
    await clock.advance(0);
    expect(immediate.value?.data, "a ready job is delivered at once").toBe("ready-now");
    expect(getEventListeners(worker.signal, "abort").length, "after 5 settled next() calls the worker's signal must carry no abort listener of theirs: remove it whenever a wait ends").toBe(0);
  });
});
