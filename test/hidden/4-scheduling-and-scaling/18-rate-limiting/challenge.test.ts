// queuecraft:hidden-or-solution — never in a student edition
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
  test("[C1][C4] a new bucket holds capacity tokens and refuses the next one", () => {
    const clock = new FakeClock();
    const bucket = createTokenBucket({ capacity: 3, refillPerSecond: 2 }, clock);
    const taken = [bucket.tryTake(), bucket.tryTake(), bucket.tryTake(), bucket.tryTake()];
    expect(taken, "a full bucket of capacity 3 grants 3 tokens at once, then refuses").toEqual([true, true, true, false]);
  });

  test("[C1] tokens come back at refillPerSecond and never pile up beyond capacity", async () => {
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

  test("[C3] msUntilToken is 0 exactly when a token is there, and waiting that long is enough", async () => {
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

  test("[C4] bad options are rejected with a RangeError; a capacity of 2^31 and above is fine", () => {
    const clock = new FakeClock();
    for (const bad of <Array<Record<string, number>>>[
      { capacity: 0, refillPerSecond: 1 },
      { capacity: -1, refillPerSecond: 1 },
      { capacity: 1.5, refillPerSecond: 1 },
      { capacity: Number.NaN, refillPerSecond: 1 },
      { capacity: Number.POSITIVE_INFINITY, refillPerSecond: 1 },
      { capacity: 2, refillPerSecond: 0 },
      { capacity: 2, refillPerSecond: -1 },
      { capacity: 2, refillPerSecond: Number.NaN },
      { capacity: 2, refillPerSecond: Number.POSITIVE_INFINITY },
      { refillPerSecond: 1 },
      { capacity: 2 },
    ]) {
      const shown = `{ ${Object.entries(bad).map(([k, v]) => `${k}: ${v}`).join(", ")} }`;
      expect(() => createTokenBucket(bad as { capacity: number; refillPerSecond: number }, clock), `createTokenBucket(${shown}) must throw a RangeError`).toThrow(RangeError);
    }
    for (const capacity of [2 ** 31, 2 ** 32 + 3]) {
      let bucket: ReturnType<typeof createTokenBucket>;
      try {
        bucket = createTokenBucket({ capacity, refillPerSecond: 1 }, clock);
      } catch (error) {
        expect.fail(`createTokenBucket({ capacity: ${capacity}, refillPerSecond: 1 }) threw ${String(error)}: any integer >= 1 is a valid capacity`);
      }
      let taken = 0;
      for (let i = 0; i < 1_000; i++) if (bucket.tryTake()) taken++;
      expect(taken, `a new bucket of capacity ${capacity} is full: 1000 calls in a row all take a token`).toBe(1_000);
      expect(bucket.msUntilToken(), `a bucket of capacity ${capacity} that still holds tokens has one now`).toBe(0);
    }
  });
});

describe("jobs, ids and attempts", () => {
  test("[C5][C6] ids are any strings; an id added twice throws; get() of an unknown id is undefined", async () => {
    const { clock, worker, starts } = harness({ capacity: 10, rate: 10 });
    const ids = ["", "constructor", "__proto__", "toString", "hasOwnProperty"];
    for (const id of ids) {
      let job: ReturnType<typeof worker.add> | undefined;
      try {
        job = worker.add(id, `data of ${id}`);
      } catch (error) {
        expect.fail(`add(${JSON.stringify(id)}) threw ${String(error)}: an id is any string, and this one was never added before`);
      }
      expect(worker.get(id), `get(${JSON.stringify(id)}) returns the very job add() returned (keep jobs in a Map: a plain object already "has" some of these ids)`).toBe(job);
    }
    expect(() => worker.add("constructor", "again"), 'adding "constructor" a second time must throw: ids are unique').toThrow();
    expect(worker.get("valueOf"), "get() of an id never added is undefined").toBeUndefined();
    await settle(clock);
    expect(starts.map((s) => s.id).sort(), "every job runs once, whatever its id").toEqual([...ids].sort());
    for (const id of ids) expect(worker.get(id)?.state, `job ${JSON.stringify(id)} completes`).toBe("completed");
    worker.close();
  });

  test("[C10] an explicit maxAttempts of 0 or 1 makes the first failure final, and failedReason carries a thrown non-Error too", async () => {
    for (const maxAttempts of [0, 1]) {
      const thrown: unknown[] = ["a plain string", 404, undefined];
      const { clock, worker, starts } = harness({
        capacity: 10,
        rate: 10,
        maxAttempts,
        behave: async (id) => {
          throw thrown[Number(id.slice(1))];
        },
      });
      thrown.forEach((_, i) => worker.add(`j${i}`, "x"));
      await settle(clock);
      expect(starts.length, `maxAttempts ${maxAttempts}: each failing job runs once and is not retried (the default of 3 applies only when the option is absent)`).toBe(thrown.length);
      thrown.forEach((value, i) => {
        const job = worker.get(`j${i}`)!;
        expect([job.state, job.attemptsMade], `maxAttempts ${maxAttempts}: j${i} failed for good after one attempt`).toEqual(["failed", 1]);
        expect(job.failedReason, `j${i} threw ${String(value)} (not an Error): failedReason must be String(value)`).toBe(String(value));
      });
      worker.close();
    }
  });

  test("[C10] a job whose attempt failed waits retryDelayMs, then rejoins the line at the back", async () => {
    const { clock, worker, starts } = harness({
      capacity: 10,
      rate: 10,
      retryDelayMs: 300,
      behave: async (id, attempt) => {
        if (id === "a" && attempt === 1) throw new Error("transient");
      },
    });
    worker.add("a", "x");
    clock.setTimeout(() => worker.add("b", "x"), 100);
    await settle(clock);
    expect(starts.map((s) => `${s.id}#${s.attempt}@${s.at}`), "a fails at 0 ms and runs again 300 ms later (retryDelayMs), not at once; b, added at 100 ms, does not wait for it").toEqual([
      "a#1@0",
      "b#1@100",
      "a#2@300",
    ]);
    worker.close();
  });

  test('[C5][C10][C11] the job shows "active" while its handler runs, and "waiting" during a retry delay and during a Retry-After pause', async () => {
    const clock = new FakeClock();
    const seen: string[] = [];
    let limitedRuns = 0;
    const worker = createLimitedWorker<string>({
      clock,
      limiter: createTokenBucket({ capacity: 10, refillPerSecond: 10 }, clock),
      retryDelayMs: 200,
      handler: async (job, attempt) => {
        seen.push(`${job.id}#${attempt}:${job.state}`);
        if (job.id === "flaky" && attempt === 1) throw new Error("transient");
        if (job.id === "limited" && ++limitedRuns === 1) throw new RateLimitedError(300);
      },
    });
    const flaky = worker.add("flaky", "x");
    const limited = worker.add("limited", "x");
    await clock.advance(100);
    expect(flaky.state, "flaky failed its first attempt at 0 ms and waits out its 200 ms retry delay: its state is \"waiting\"").toBe("waiting");
    expect(limited.state, "limited got a 429 at 0 ms and waits out the 300 ms pause: its state is \"waiting\"").toBe("waiting");
    await settle(clock);
    expect(
      seen,
      'every run sees its job "active" while the handler runs: first attempts, the rerun after a 429 and the retry alike',
    ).toEqual(["flaky#1:active", "limited#1:active", "limited#1:active", "flaky#2:active"]);
    expect([flaky.state, limited.state], "both complete in the end").toEqual(["completed", "completed"]);
    worker.close();
  });
});

describe("when the upstream says 429", () => {
  test("[C8][C11] the rerun after a RateLimitedError takes a token like any other run", async () => {
    const { clock, worker, starts } = harness({
      capacity: 1,
      rate: 1,
      behave: async (id) => {
        if (starts.filter((s) => s.id === id).length === 1) throw new RateLimitedError(100);
      },
    });
    worker.add("api", "x");
    await settle(clock);
    expect(
      starts.map((s) => `${s.id}#${s.attempt}@${s.at}`),
      "capacity 1 at 1/s: the 429 at 0 ms asks for 100 ms, but the bucket's next token comes at 1000 ms; the rerun must wait for it",
    ).toEqual(["api#1@0", "api#1@1000"]);
    worker.close();
  });

  test("[C11] a rate-limited job goes back to the FRONT of the line, ahead of the jobs that waited behind it", async () => {
    const { clock, worker, starts } = harness({
      capacity: 1,
      rate: 10,
      behave: async (id) => {
        if (id === "a" && starts.filter((s) => s.id === "a").length === 1) throw new RateLimitedError(500);
      },
    });
    for (const id of ["a", "b", "c"]) worker.add(id, "x");
    await settle(clock);
    expect(starts.map((s) => `${s.id}@${s.at}`), "a is refused at 0 ms with Retry-After 500: b and c were waiting behind it, so a runs first at 500 ms, then b and c").toEqual([
      "a@0",
      "a@500",
      "b@600",
      "c@700",
    ]);
    worker.close();
  });

  test("[C9][C11] once the Retry-After pause has passed, the waiting jobs start at once", async () => {
    const { clock, worker, starts } = harness({
      capacity: 5,
      rate: 10,
      behave: async (id, _attempt, c) => {
        if (id === "a" && starts.filter((s) => s.id === "a").length === 1) {
          await c.sleep(100);
          throw new RateLimitedError(500); // at 100 ms: pause until 600 ms
        }
      },
    });
    worker.add("a", "x");
    clock.setTimeout(() => worker.add("b", "x"), 200); // added during the pause
    await settle(clock);
    expect(
      starts.map((s) => `${s.id}#${s.attempt}@${s.at}`),
      "a got a 429 at 100 ms with Retry-After 500 ms, and tokens are plenty: a and b (added at 200 ms) start at 600 ms, when the pause ends, not later",
    ).toEqual(["a#1@0", "a#1@600", "b#1@600"]);
    worker.close();
  });

  test("[C11] a second, shorter Retry-After never shortens the pause already in force", async () => {
    const { clock, worker, starts } = harness({
      capacity: 5,
      rate: 10,
      behave: async (id, _attempt, c) => {
        const runs = starts.filter((s) => s.id === id).length;
        if (id === "x" && runs === 1) {
          await c.sleep(10);
          throw new RateLimitedError(2000); // pause until 2010 ms
        }
        if (id === "y" && runs === 1) {
          await c.sleep(20);
          throw new RateLimitedError(500); // would end at 520 ms: earlier than 2010
        }
      },
    });
    worker.add("x", "data");
    worker.add("y", "data");
    clock.setTimeout(() => worker.add("z", "data"), 1_000);
    await settle(clock);
    const reruns = starts.slice(2);
    expect(reruns.map((s) => s.id).sort(), "x, y and z must all run after the pause").toEqual(["x", "y", "z"]);
    for (const s of reruns) {
      expect(s.at, `${s.id} started at ${s.at} ms: the upstream asked at 10 ms to wait 2000 ms, so nothing may start before 2010 ms; a later 500 ms Retry-After does not shorten that`).toBeGreaterThanOrEqual(2010);
    }
    worker.close();
  });
});

describe("close()", () => {
  test("[C7][C12] close() leaves nothing on the clock: no wake-up timer however often it was set, no pending retry delay; a handler that fails after close() sets no timer", async () => {
    const { clock, worker, starts } = harness({
      capacity: 2,
      rate: 1,
      retryDelayMs: 5_000,
      behave: async (id, _attempt, c) => {
        if (id === "slow") {
          await c.sleep(3_000);
          throw new Error("fails after close()");
        }
        if (id === "flaky") throw new Error("retry me later");
      },
    });
    worker.add("flaky", "x"); // fails at once: a 5 s retry delay is pending
    worker.add("slow", "x"); // still running when close() comes
    for (let i = 0; i < 4; i++) clock.setTimeout(() => worker.add(`late${i}`, "x"), 100 + 100 * i); // each add while waiting for a token
    await clock.advance(600);
    worker.close();
    worker.close();
    expect(clock.pendingTimers, "right after close() only the running handler's own sleep may be on the clock: clear the wake-up timer (every one you set) and every retry delay").toBe(1);
    await clock.advance(2_500); // the slow handler fails at 3000 ms, after close()
    expect(clock.pendingTimers, "a handler that fails after close() must not set a retry timer").toBe(0);
    worker.add("after-close", "x");
    await clock.advance(10_000);
    expect(clock.pendingTimers, "add() after close() sets no timer").toBe(0);
    expect(starts.map((s) => s.id), "nothing starts after close(), not even a job added after it").toEqual(["flaky", "slow"]);
    expect(worker.get("after-close")?.state, "a job added after close() stays waiting").toBe("waiting");
  });
});

describe("a queue worker behind the limiter", () => {
  test("[C2][C8][C9] in any window of T ms, at most capacity + rate*T jobs start, each as soon as a token is free, and every job still runs", async () => {
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

  test("[C2][C8] a burst right before and right after a refill boundary is still limited (no fixed window)", async () => {
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

  test("[C9] a job that finds no token waits and starts as soon as one is available, in order", async () => {
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

  test("[C9] slow handlers do not hold back the next job: tokens, not running jobs, pace the worker", async () => {
    const { clock, worker, starts } = harness({ capacity: 3, rate: 10, behave: (_id, _attempt, c) => c.sleep(1000) });
    for (let i = 0; i < 4; i++) worker.add(`j${i}`, "x");
    await settle(clock);
    expect(
      starts.map((s) => s.at),
      "capacity 3 at 10/s with 1-second handlers: three jobs start at 0 ms and the fourth at 100 ms; the worker has no concurrency limit of its own",
    ).toEqual([0, 0, 0, 100]);
  });

  test("[C10] a retried job rejoins the waiting jobs at the back", async () => {
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

  test("[C9][C10] waiting for a token spends no attempt, even with maxAttempts 1", async () => {
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

  test("[C8][C10] ordinary failures count attempts, retry (taking tokens), and fail the job at maxAttempts", async () => {
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

  test("[C11] a RateLimitedError (429) is not an attempt, and nothing starts until Retry-After has passed", async () => {
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

  test("[C7][C12] close() stops starting jobs and leaves no timer behind", async () => {
    const { clock, worker, starts } = harness({ capacity: 1, rate: 1 });
    for (let i = 0; i < 3; i++) worker.add(`j${i}`, "x");
    await clock.advance(0);
    worker.close();
    await clock.advance(10_000);
    expect(starts.length, "after close() no further job may start").toBe(1);
    expect(clock.pendingTimers, "close() must clear the worker's timers").toBe(0);
  });
});
