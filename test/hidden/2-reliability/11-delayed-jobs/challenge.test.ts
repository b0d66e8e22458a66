import { test, expect, describe } from "vitest";
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
  test("a job is not ready one millisecond before its runAt and is ready exactly at runAt", async () => {
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

  test("a job added with no delay is ready at once, and runAt in the past is ready at once too", () => {
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

  test("nextRunAt() is the earliest runAt among jobs that are not ready yet", async () => {
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

  test("giving both delay and runAt, or a negative or non-finite delay, throws a RangeError and adds nothing", () => {
    const queue = new DelayedQueue<string>(new FakeClock());
    expect(() => queue.add("x", { delay: 10, runAt: 10 }), "delay and runAt together are ambiguous").toThrow(RangeError);
    expect(() => queue.add("x", { delay: -5 }), "a negative delay is a bug in the caller").toThrow(RangeError);
    expect(() => queue.add("x", { delay: Number.NaN }), "a NaN delay (e.g. from parsing bad input) must throw, not make a job that never runs").toThrow(RangeError);
    expect(() => queue.add("x", { delay: Number.POSITIVE_INFINITY }), "an infinite delay must throw: delay must be finite").toThrow(RangeError);
    expect(queue.counts(), "a rejected add must not leave a job behind").toEqual({ delayed: 0, ready: 0 });
  });
});

describe("the order of ready jobs", () => {
  test("a promoted delayed job does not jump ahead of a ready job with a lower priority number", async () => {
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

  test("a promoted job with a lower priority number goes ahead of jobs that were ready before it", async () => {
    const clock = new FakeClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("normal-1", { priority: 3 });
    queue.add("normal-2", { priority: 3 });
    queue.add("urgent-delayed", { priority: 0, delay: 50 });
    expect(queue.take()?.data, "at t=0 only the priority-3 jobs are ready").toBe("normal-1");
    await clock.advance(50);
    expect(names(drain(queue)), "at t=50 the priority-0 job is ready and goes first").toEqual(["urgent-delayed", "normal-2"]);
  });

  test("equal priorities leave by runAt, and equal runAt by the order they were added", async () => {
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

  test("take() always returns the ready job with the smallest (priority, runAt, insertion) and never one before its runAt", async () => {
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
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  test("priority 0 is a real priority and negative priorities run before it", () => {
    const queue = new DelayedQueue<string>(new FakeClock());
    queue.add("default");
    queue.add("five", { priority: 5 });
    queue.add("minus-two", { priority: -2 });
    queue.add("zero", { priority: 0 });
    expect(names(drain(queue)), "lower number first; default priority is 0").toEqual(["minus-two", "default", "zero", "five"]);
  });
});

describe("next(): waiting for the next job without polling", () => {
  test("next() resolves exactly at the runAt of the first due job, not a millisecond earlier", async () => {
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

  test("next() resolves at once when a job is already ready", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("ready");
    const result = watch(() => queue.next());
    await clock.advance(0);
    expect(result.value?.data, "a ready job is returned without waiting").toBe("ready");
  });

  test("next() wakes for a job added while it waits, even one due before the job it was waiting for", async () => {
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

  test("next() on an empty queue resolves when a ready job is added", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    const result = watch(() => queue.next());
    await clock.advance(1_000);
    expect(result.settled, "nothing to return yet").toBe(false);
    queue.add("hello");
    await clock.advance(0);
    expect(result.value?.data, "add() must wake a next() that waits on an empty queue").toBe("hello");
  });

  test("two pending next() calls get two different jobs", async () => {
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

  test("aborting next() rejects with the signal's reason, takes nothing and leaves no timer behind", async () => {
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

  test("next() with an already aborted signal rejects without taking a ready job", async () => {
    const clock = new GuardedClock();
    const queue = new DelayedQueue<string>(clock);
    queue.add("ready");
    const reason = new Error("already stopped");
    const result = watch(() => queue.next(AbortSignal.abort(reason)));
    await clock.advance(0);
    expect(result.error, "an already aborted signal rejects with its reason").toBe(reason);
    expect(queue.counts(), "the ready job stays in the queue").toEqual({ delayed: 0, ready: 1 });
  });
});
