import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/18-rate-limiting/challenge.ts");
const { createTokenBucket, createLimitedWorker, RateLimitedError } = await loadCandidate<Challenge>(import.meta.url);

interface Start {
  id: string;
  at: number;
  attempt: number;
}

/**
 * Returns a message for the first window that lets too many starts through, or null.
 * The worst windows begin and end at start times, so checking every pair is enough.
 */
function windowViolation(times: number[], capacity: number, rate: number): string | null {
  const sorted = [...times].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i; j < sorted.length; j++) {
      const span = sorted[j]! - sorted[i]!;
      const allowed = capacity + (rate * span) / 1000;
      if (j - i + 1 > allowed + 1e-9) {
        return `${j - i + 1} jobs started between ${sorted[i]} ms and ${sorted[j]} ms (a window of ${span} ms), but capacity ${capacity} + ${rate}/s x ${span} ms allows only ${Math.floor(allowed + 1e-9)}`;
      }
    }
  }
  return null;
}

/**
 * Returns a message for the first job that waited although a token was free (or for
 * longer than the next token needed), or null. Replays the bucket over the actual starts:
 * a job may start no later than max(its arrival, the previous start, the next token) + 2 ms.
 */
function lateStart(starts: Start[], arrivals: number[], capacity: number, rate: number): string | null {
  const sorted = [...starts].sort((a, b) => a.at - b.at);
  let tokens = capacity;
  let last = 0;
  let prev = 0;
  for (const s of sorted) {
    const arrival = arrivals[Number(s.id.slice(1))]!;
    const from = Math.max(arrival, prev);
    const atFrom = Math.min(capacity, tokens + ((from - last) * rate) / 1000);
    const earliest = atFrom >= 1 - 1e-9 ? from : from + ((1 - atFrom) * 1000) / rate;
    if (s.at > earliest + 2) {
      return `job ${s.id} (added at ${arrival} ms) could start at ${Math.ceil(earliest)} ms but started at ${s.at} ms`;
    }
    tokens = Math.min(capacity, tokens + ((s.at - last) * rate) / 1000) - 1;
    last = s.at;
    prev = s.at;
  }
  return null;
}

function harness(options: {
  capacity: number;
  rate: number;
  maxAttempts?: number;
  retryDelayMs?: number;
  behave?: (id: string, attempt: number, clock: FakeClock) => Promise<void>;
}) {
  const clock = new FakeClock();
  const limiter = createTokenBucket({ capacity: options.capacity, refillPerSecond: options.rate }, clock);
  const starts: Start[] = [];
  const worker = createLimitedWorker<string>({
    clock,
    limiter,
    maxAttempts: options.maxAttempts,
    retryDelayMs: options.retryDelayMs,
    handler: async (job, attempt) => {
      starts.push({ id: job.id, at: clock.now(), attempt });
      if (options.behave) await options.behave(job.id, attempt, clock);
    },
  });
  return { clock, limiter, worker, starts };
}

/** Runs every timer; fails instead of hanging if the worker reschedules forever. */
async function settle(clock: FakeClock): Promise<void> {
  await clock.runAll(20_000);
}

describe("token bucket", () => {
  test("a new bucket holds capacity tokens and refuses the next one", () => {
    const clock = new FakeClock();
    const bucket = createTokenBucket({ capacity: 3, refillPerSecond: 2 }, clock);
    const taken = [bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()];
    expect(taken, "a full bucket of capacity 3 grants 3 tokens at once, then refuses").toEqual([true, true, true, false]);
  });

  test("tokens come back at refillPerSecond and never pile up beyond capacity", async () => {
    const clock = new FakeClock();
    const bucket = createTokenBucket({ capacity: 3, refillPerSecond: 2 }, clock);
    while (bucket.tryTake());
    await clock.advance(499);
    expect(bucket.tryTake(), "at 2 tokens/s, no token is back after 499 ms").toBe(false);
    await clock.advance(1);
    expect(bucket.tryTake(), "at 2 tokens/s, one token is back after 500 ms").toBe(true);
    await clock.advance(60_000);
    let burst = 0;
    while (bucket.tryTake() && burst < 100) burst++;
    expect(burst, "after a quiet minute the bucket must hold capacity (3) tokens, not everything it earned").toBe(3);
  });

  test("msUntilToken is 0 exactly when a token is there, and waiting that long is enough", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(0.5, 1, 2, 3, 4, 7, 10),
        fc.array(fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 1500 })), { minLength: 1, maxLength: 30 }),
        async (capacity, rate, steps) => {
          const clock = new FakeClock();
          const bucket = createTokenBucket({ capacity, refillPerSecond: rate }, clock);
          for (const step of steps) {
            if (step === -1) {
              const wait = bucket.msUntilToken();
              expect(wait, "msUntilToken() must not be negative").toBeGreaterThanOrEqual(0);
              expect(wait, `msUntilToken() must not exceed one refill interval (${Math.ceil(1000 / rate)} ms) + 1`).toBeLessThanOrEqual(
                Math.ceil(1000 / rate) + 1,
              );
              if (wait > 0) {
                expect(bucket.tryTake(), "msUntilToken() > 0 means tryTake() must fail now").toBe(false);
                await clock.advance(wait);
              }
              expect(bucket.tryTake(), `after waiting msUntilToken() = ${wait} ms, tryTake() must succeed`).toBe(true);
            } else {
              await clock.advance(step);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("bad options are rejected with a RangeError", () => {
    const clock = new FakeClock();
    for (const bad of [
      { capacity: 0, refillPerSecond: 1 },
      { capacity: 1.5, refillPerSecond: 1 },
      { capacity: 2, refillPerSecond: 0 },
      { capacity: 2, refillPerSecond: -1 },
    ]) {
      expect(() => createTokenBucket(bad, clock), `createTokenBucket(${JSON.stringify(bad)}) must throw a RangeError`).toThrow(RangeError);
    }
  });
});

describe("a queue worker behind the limiter", () => {
  test("in any window of T ms, at most capacity + rate*T jobs start, and every job still runs", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom(0.5, 1, 2, 3, 4, 5, 10),
        fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 1, maxLength: 35 }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 10 }),
        async (capacity, rate, arrivals, durations) => {
          const { clock, worker, starts } = harness({
            capacity,
            rate,
            behave: (id, _attempt, c) => c.sleep(durations[Number(id.slice(1)) % durations.length]!),
          });
          arrivals.forEach((at, i) => clock.setTimeout(() => worker.add(`j${i}`, "data"), at));
          await settle(clock);
          const problem = windowViolation(
            starts.map((s) => s.at),
            capacity,
            rate,
          );
          expect(problem, `rate limit broken: ${problem}`).toBeNull();
          const late = lateStart(starts, arrivals, capacity, rate);
          expect(
            late,
            `a job must start as soon as a token is free, whatever the other jobs are doing (no concurrency limit, no fixed polling): ${late}`,
          ).toBeNull();
          arrivals.forEach((_, i) => {
            const job = worker.get(`j${i}`);
            // expect() only on a mismatch: it costs more than the limiter in this loop.
            if (job?.state !== "completed") expect(job?.state, `job j${i} must wait for a token and then complete, not be dropped or failed`).toBe("completed");
            if (job?.attemptsMade !== 1) expect(job?.attemptsMade, `job j${i} ran once; waiting for a token is not an attempt`).toBe(1);
          });
          worker.close();
        },
      ),
      { numRuns: 80 },
    );
  });

  test("a burst right before and right after a refill boundary is still limited (no fixed window)", async () => {
    const { clock, worker, starts } = harness({ capacity: 5, rate: 5 });
    clock.setTimeout(() => {
      for (let i = 0; i < 5; i++) worker.add(`early${i}`, "x");
    }, 999);
    clock.setTimeout(() => {
      for (let i = 0; i < 5; i++) worker.add(`late${i}`, "x");
    }, 1000);
    await settle(clock);
    const inBurst = starts.filter((s) => s.at >= 999 && s.at <= 1000).length;
    expect(
      inBurst,
      "capacity 5 at 5/s: between 999 ms and 1000 ms at most 5 jobs may start; a fixed 1-second window lets 10 through",
    ).toBeLessThanOrEqual(5);
    expect(starts.length, "all 10 jobs must eventually start").toBe(10);
  });

  test("a job that finds no token waits and starts as soon as one is available, in order", async () => {
    const { clock, worker, starts } = harness({ capacity: 2, rate: 4 });
    const ids = Array.from({ length: 10 }, (_, i) => `j${i}`);
    for (const id of ids) worker.add(id, "x");
    await settle(clock);
    expect(
      starts.map((s) => s.id),
      "jobs waiting for tokens must start in the order they were added",
    ).toEqual(ids);
    starts.forEach((s, k) => {
      const due = Math.max(0, (k - 1) * 250);
      expect(s.at, `capacity 2 at 4/s: job #${k + 1} can start at ${due} ms and must not wait much longer (it started at ${s.at} ms)`).toBeLessThanOrEqual(due + 2);
    });
  });

  test("slow handlers do not hold back the next job: tokens, not running jobs, pace the worker", async () => {
    const { clock, worker, starts } = harness({ capacity: 3, rate: 10, behave: (_id, _attempt, c) => c.sleep(1000) });
    for (let i = 0; i < 4; i++) worker.add(`j${i}`, "x");
    await settle(clock);
    expect(
      starts.map((s) => s.at),
      "capacity 3 at 10/s with 1-second handlers: three jobs start at 0 ms and the fourth at 100 ms; the worker has no concurrency limit of its own",
    ).toEqual([0, 0, 0, 100]);
  });

  test("a retried job rejoins the waiting jobs at the back", async () => {
    const { clock, worker, starts } = harness({
      capacity: 1,
      rate: 10,
      behave: async (id, attempt) => {
        if (id === "a" && attempt === 1) throw new Error("transient");
      },
    });
    for (const id of ["a", "b", "c"]) worker.add(id, "x");
    await settle(clock);
    expect(
      starts.map((s) => s.id),
      "a fails at 0 ms and is waiting again at once, behind b and c that were already waiting",
    ).toEqual(["a", "b", "c", "a"]);
  });

  test("waiting for a token spends no attempt, even with maxAttempts 1", async () => {
    const { clock, worker, starts } = harness({ capacity: 1, rate: 1, maxAttempts: 1 });
    for (let i = 0; i < 5; i++) worker.add(`j${i}`, "x");
    await settle(clock);
    for (let i = 0; i < 5; i++) {
      const job = worker.get(`j${i}`)!;
      expect(job.state, `j${i} waited for the limiter; with maxAttempts 1 it must still complete`).toBe("completed");
      expect(job.attemptsMade, `j${i} ran once, so attemptsMade must be 1`).toBe(1);
    }
    expect(
      starts.map((s) => s.attempt),
      "every job ran on its first attempt: the handler must get attempt 1",
    ).toEqual([1, 1, 1, 1, 1]);
  });

  test("ordinary failures count attempts, retry, and fail the job at maxAttempts", async () => {
    const { clock, worker, starts } = harness({
      capacity: 1,
      rate: 2,
      maxAttempts: 3,
      retryDelayMs: 100,
      behave: async (id, attempt) => {
        if (id === "broken") throw new Error("boom");
        if (id === "flaky" && attempt === 1) throw new Error("transient");
      },
    });
    worker.add("broken", "x");
    worker.add("flaky", "x");
    await settle(clock);
    const broken = worker.get("broken")!;
    const flaky = worker.get("flaky")!;
    expect(broken.state, "a job that always throws must end up failed").toBe("failed");
    expect(broken.attemptsMade, "it must fail after exactly maxAttempts (3) attempts").toBe(3);
    expect(broken.failedReason, "failedReason must carry the error message").toContain("boom");
    expect(
      starts.filter((s) => s.id === "broken").map((s) => s.attempt),
      "the handler must see attempts 1, 2, 3",
    ).toEqual([1, 2, 3]);
    expect(flaky.state, "a job that fails once and then succeeds must complete").toBe("completed");
    expect(flaky.attemptsMade, "one failure + one success = 2 attempts").toBe(2);
    const problem = windowViolation(
      starts.map((s) => s.at),
      1,
      2,
    );
    expect(problem, `retries must take tokens too: ${problem}`).toBeNull();
  });

  test("a RateLimitedError (429) is not an attempt, and nothing starts until Retry-After has passed", async () => {
    const { clock, worker, starts } = harness({
      capacity: 10,
      rate: 10,
      maxAttempts: 1,
      behave: async (id, attempt, c) => {
        await c.sleep(10);
        if (id === "api" && starts.filter((s) => s.id === "api").length === 1) throw new RateLimitedError(2000);
        void attempt;
      },
    });
    worker.add("api", "x");
    clock.setTimeout(() => {
      worker.add("later1", "x");
      worker.add("later2", "x");
    }, 50);
    await settle(clock);
    const api = worker.get("api")!;
    expect(api.state, "a 429 is not a failure: with maxAttempts 1 the job must still complete").toBe("completed");
    expect(api.attemptsMade, "the rate-limited run must not count: attemptsMade must be 1").toBe(1);
    const apiRuns = starts.filter((s) => s.id === "api");
    expect(apiRuns.map((s) => s.attempt), "the rerun after a 429 is still attempt 1").toEqual([1, 1]);
    expect(apiRuns[1]!.at, "the job may run again only after Retry-After (2000 ms after the 429 at 10 ms)").toBeGreaterThanOrEqual(2010);
    for (const id of ["later1", "later2"]) {
      const start = starts.find((s) => s.id === id);
      expect(start, `${id} must eventually run`).toBeDefined();
      expect(start!.at, `${id} must not start while the upstream asked us to back off (until 2010 ms)`).toBeGreaterThanOrEqual(2010);
    }
    expect(
      starts.map((s) => s.id).slice(1),
      "the rate-limited job goes back to the front of the line",
    ).toEqual(["api", "later1", "later2"]);
  });

  test("close() stops starting jobs and leaves no timer behind", async () => {
    const { clock, worker, starts } = harness({ capacity: 1, rate: 1 });
    for (let i = 0; i < 3; i++) worker.add(`j${i}`, "x");
    await clock.advance(0);
    worker.close();
    await clock.advance(10_000);
    expect(starts.length, "after close() no further job may start").toBe(1);
    expect(clock.pendingTimers, "close() must clear the worker's timers").toBe(0);
  });
});
