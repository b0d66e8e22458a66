// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { createRandom } from "#kit/random.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/07-retries-backoff/challenge.ts");
const { backoffDelay, shouldRetry, runWithRetries } = await loadCandidate<Challenge>(import.meta.url);

const ceilingOf = (attempt: number, baseMs: number, maxMs: number) => Math.min(maxMs, baseMs * 2 ** (attempt - 1));

type Outcome<T> = { ok: true; value: T; at: number } | { ok: false; error: unknown; at: number };

/** Runs the fake clock until no timer is left and reports how (and when) the promise settled. */
async function drive<T>(clock: FakeClock, promise: Promise<T>): Promise<Outcome<T> | undefined> {
  let outcome: Outcome<T> | undefined;
  promise.then(
    (value) => (outcome = { ok: true, value, at: clock.now() }),
    (error: unknown) => (outcome = { ok: false, error, at: clock.now() }),
  );
  await clock.runAll(1000);
  await flushMicrotasks();
  return outcome;
}

function failingTask(clock: FakeClock, succeedOn = Infinity) {
  const calls: Array<{ attempt: number; at: number; error?: Error }> = [];
  const task = async (attempt: number) => {
    const call: { attempt: number; at: number; error?: Error } = { attempt, at: clock.now() };
    calls.push(call);
    if (attempt >= succeedOn) return `done on try ${attempt}`;
    call.error = new Error(`failure number ${attempt}`);
    throw call.error;
  };
  return { calls, task };
}

describe("backoffDelay without jitter", () => {
  test("[C2] the first retry waits exactly baseMs and every later one doubles the previous one", () => {
    expect(backoffDelay(1, { baseMs: 1000, maxMs: 1e12 }), "after the first failed try the wait is baseMs (2^0), not 2 * baseMs").toBe(1000);
    const delays = [1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, { baseMs: 1000, maxMs: 1e12 }));
    expect(delays, "base 1000 ms, far-away cap: the waits after tries 1..5 are base * 2^(attempt - 1)").toEqual([1000, 2000, 4000, 8000, 16000]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 1, max: 30 }), (baseMs, attempt) => {
        expect(backoffDelay(attempt, { baseMs, maxMs: 1e15 }), `base ${baseMs}, attempt ${attempt}: below the cap the delay is base * 2^(attempt - 1)`).toBe(baseMs * 2 ** (attempt - 1));
      }),
    );
  });

  test("[C2] the doubling continues up to any cap, also caps far above 2^30 ms (no clamped exponent, no 32-bit arithmetic)", () => {
    const caps: Array<[number, number]> = [
      [1, 2 ** 31], [1, 2 ** 32], [1, 2 ** 40], [3, 1e18], [1000, 2 ** 53], [1, Number.MAX_VALUE],
    ];
    for (const [baseMs, maxMs] of caps) {
      for (let attempt = 1; attempt <= 1100; attempt++) {
        const want = Math.min(maxMs, baseMs * 2 ** (attempt - 1));
        const got = backoffDelay(attempt, { baseMs, maxMs });
        if (got !== want) {
          expect(got, `base ${baseMs}, cap ${maxMs}: after failed try ${attempt} the wait is min(maxMs, baseMs * 2^(attempt - 1)) = ${want}`).toBe(want);
        }
      }
    }
  });

  test("[C3] huge attempt numbers wait exactly maxMs, with and without jitter", () => {
    for (const attempt of [1025, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1]) {
      const plain = backoffDelay(attempt, { baseMs: 250, maxMs: 60_000 });
      expect(plain, `attempt ${attempt}: far past the cap the wait is exactly maxMs (60000), never NaN, negative or Infinity`).toBe(60_000);
      const jittered = backoffDelay(attempt, { baseMs: 250, maxMs: 60_000, jitter: 0.5, random: () => 0.5 });
      expect(Math.abs(jittered - 45_000), `attempt ${attempt}, jitter 0.5, random() = 0.5: the ceiling is maxMs, so the wait is the middle of [30000, 60000], 45000 ms (got ${jittered})`).toBeLessThanOrEqual(1);
    }
  });

  test("[C4] an explicit jitter of 0 means no jitter: the delay is the ceiling whatever random returns", () => {
    for (const attempt of [1, 2, 3, 10]) {
      const ceiling = ceilingOf(attempt, 100, 5000);
      for (const r of [0, 0.5, 0.999]) {
        const delay = backoffDelay(attempt, { baseMs: 100, maxMs: 5000, jitter: 0, random: () => r });
        expect(delay, `attempt ${attempt}, jitter: 0, random() = ${r}: jitter 0 means no jitter, so the delay is the ceiling ${ceiling}`).toBe(ceiling);
      }
    }
  });

  test("[C3][C4] a delay never exceeds maxMs, never decreases and never goes negative, however many tries failed", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 1, max: 1000 }), (baseMs, factor) => {
        const maxMs = baseMs * factor;
        let previous = 0;
        for (let attempt = 1; attempt <= 300; attempt++) {
          const delay = backoffDelay(attempt, { baseMs, maxMs });
          // Plain checks first (fast); expect only when something is wrong, for its message.
          if (!(Number.isFinite(delay) && delay >= 0)) {
            expect.fail(`base ${baseMs}, cap ${maxMs}: attempt ${attempt} gave ${delay}; a delay must be a finite number >= 0 (watch out for 32-bit shifts)`);
          }
          if (delay > maxMs) expect.fail(`base ${baseMs}, cap ${maxMs}: attempt ${attempt} waits ${delay} ms, above the cap`);
          if (delay < previous) expect.fail(`base ${baseMs}, cap ${maxMs}: without jitter delays never decrease, but attempt ${attempt} waits ${delay} ms after ${previous} ms`);
          previous = delay;
        }
        expect(previous, `base ${baseMs}, cap ${maxMs}: after 300 failures the delay should sit at the cap`).toBe(maxMs);
      }),
      { numRuns: 60 },
    );
  });

  test("[C1] attempt numbers start at 1: zero, negative, fractional and infinite attempts throw a RangeError", () => {
    for (const attempt of [0, -1, 1.5, 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => backoffDelay(attempt, { baseMs: 100, maxMs: 1000 }), `attempt ${attempt} is not a try number (they are 1, 2, 3 ...) and must throw a RangeError`).toThrow(RangeError);
    }
  });
});

describe("jitter", () => {
  test("[C5] a jittered delay stays within [ceiling * (1 - jitter), ceiling], so it never exceeds maxMs", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5000 }),
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (baseMs, factor, attempt, jitter, r) => {
          const maxMs = baseMs * factor;
          const ceiling = ceilingOf(attempt, baseMs, maxMs);
          const delay = backoffDelay(attempt, { baseMs, maxMs, jitter, random: () => r });
          expect(delay, `base ${baseMs}, cap ${maxMs}, attempt ${attempt}, jitter ${jitter}, random ${r}: jitter must not push the delay above the ceiling ${ceiling}`).toBeLessThanOrEqual(ceiling);
          expect(delay, `base ${baseMs}, cap ${maxMs}, attempt ${attempt}, jitter ${jitter}, random ${r}: the delay must not drop below ceiling * (1 - jitter) = ${ceiling * (1 - jitter)}`).toBeGreaterThanOrEqual(ceiling * (1 - jitter) - 1);
        },
      ),
    );
  });

  test("[C5] small ceilings: a jittered delay stays inside the band exactly (rounding to whole ms can leave it)", () => {
    for (const baseMs of [1, 3, 5, 7]) {
      for (let attempt = 1; attempt <= 3; attempt++) {
        for (const jitter of [0.1, 0.25, 0.5, 0.9, 1]) {
          for (const r of [0, 0.3, 0.5, 0.999999]) {
            const maxMs = 1_000;
            const ceiling = ceilingOf(attempt, baseMs, maxMs);
            const low = ceiling * (1 - jitter);
            const eps = 1e-9 * ceiling;
            const delay = backoffDelay(attempt, { baseMs, maxMs, jitter, random: () => r });
            if (!(delay >= low - eps && delay <= ceiling + eps)) {
              expect.fail(`base ${baseMs}, attempt ${attempt} (ceiling ${ceiling}), jitter ${jitter}, random ${r}: the delay must lie in [${low}, ${ceiling}], got ${delay} (the result need not be a whole number of ms)`);
            }
          }
        }
      }
    }
  });

  test("[C6] jitter uses the injected random and spreads delays over the whole band, also once the cap is reached", () => {
    const options = { baseMs: 1000, maxMs: 30_000, jitter: 0.5 };
    for (const attempt of [1, 3, 20]) {
      const ceiling = ceilingOf(attempt, options.baseMs, options.maxMs);
      const middle = backoffDelay(attempt, { ...options, random: () => 0.5 });
      expect(Math.abs(middle - ceiling * 0.75), `attempt ${attempt}: with random() = 0.5 and jitter 0.5 the delay is the middle of the band, ${ceiling * 0.75} ms (is the injected random used?)`).toBeLessThanOrEqual(1);
      const low = backoffDelay(attempt, { ...options, random: () => 0 });
      const high = backoffDelay(attempt, { ...options, random: () => 0.999999 });
      expect(Math.abs(high - low), `attempt ${attempt} (ceiling ${ceiling}): random() near 0 and near 1 must give delays about jitter * ceiling apart; got ${low} and ${high}${attempt === 20 ? " (at the cap: apply the jitter after capping, or every client waits exactly maxMs again)" : ""}`).toBeGreaterThanOrEqual(0.99 * 0.5 * ceiling);
    }
  });

  test("[C6] without an injected random, jitter still spreads delays over the band (Math.random is the default)", () => {
    // Math.random is not seeded: 200 draws must not all be equal and must cover more than half of the band.
    const delays = Array.from({ length: 200 }, () => backoffDelay(4, { baseMs: 1000, maxMs: 60_000, jitter: 1 }));
    const outside = delays.find((d) => !(d >= 0 && d <= 8000));
    if (outside !== undefined) expect(outside, "attempt 4, base 1000, jitter 1: every delay lies in [0, 8000]").toBeLessThanOrEqual(8000);
    expect(Math.max(...delays) - Math.min(...delays), "with jitter 1 and no random option, delays must be random (Math.random) and spread over [0, 8000]").toBeGreaterThan(4000);
  });
});

describe("retry policy and loop", () => {
  test("[C7] maxAttempts counts the first try: shouldRetry(n) is true exactly when n < maxAttempts", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 60 }), (maxAttempts, attemptsMade) => {
        expect(shouldRetry(attemptsMade, { maxAttempts }), `maxAttempts ${maxAttempts} includes the first try, so after failed try ${attemptsMade} another try is ${attemptsMade < maxAttempts ? "due" : "not allowed"}`).toBe(attemptsMade < maxAttempts);
      }),
    );
  });

  test("[C10] a task that always fails is tried exactly maxAttempts times, then rejects with the error of its last try", async () => {
    for (const maxAttempts of [1, 2, 3, 4, 5, 6]) {
      const clock = new FakeClock();
      const { calls, task } = failingTask(clock);
      const outcome = await drive(clock, runWithRetries(task, { baseMs: 100, maxMs: 1000, maxAttempts }, clock));
      expect(outcome, `maxAttempts ${maxAttempts}: runWithRetries never settled once the clock had no timers left`).toBeDefined();
      expect(calls.map((c) => c.attempt), `maxAttempts ${maxAttempts}: the task must be called with attempt 1, 2, ... and exactly maxAttempts times (the first try counts)`).toEqual(Array.from({ length: maxAttempts }, (_, i) => i + 1));
      expect(outcome!.ok, `maxAttempts ${maxAttempts}: a task that always fails must make runWithRetries reject`).toBe(false);
      if (!outcome!.ok) expect(outcome!.error, "the rejection must be the very error thrown by the last try").toBe(calls.at(-1)!.error);
    }
  });

  test("[C9][C10][C11] between tries the loop waits backoffDelay(attempt) on the injected clock, and not at all after the last failure", async () => {
    const clock = new FakeClock();
    const { calls, task } = failingTask(clock);
    const outcome = await drive(clock, runWithRetries(task, { baseMs: 100, maxMs: 1000, maxAttempts: 6 }, clock));
    expect(calls.map((c) => c.at), "base 100, cap 1000: tries start at t = 0, 100, 300, 700, 1500, 2500 (waits of 100, 200, 400, 800, 1000)").toEqual([0, 100, 300, 700, 1500, 2500]);
    expect(outcome?.at, "after the last try fails there is nothing to wait for: reject at the time of that try (t = 2500)").toBe(2500);
    expect(clock.pendingTimers, "no timer may be left behind").toBe(0);
  });

  test("[C8][C11] a task that succeeds on try k resolves with its value after exactly k tries", async () => {
    const clock = new FakeClock();
    const { calls, task } = failingTask(clock, 3);
    const outcome = await drive(clock, runWithRetries(task, { baseMs: 100, maxMs: 1000, maxAttempts: 5 }, clock));
    expect(outcome, "runWithRetries must resolve when the task succeeds").toMatchObject({ ok: true, value: "done on try 3" });
    expect(calls.map((c) => c.at), "two failures, then success: tries at t = 0, 100, 300 and no fourth try").toEqual([0, 100, 300]);
    expect(clock.pendingTimers, "no timer may be left behind after success").toBe(0);
  });

  test("[C8] a try that resolves with a falsy value (0, \"\", false, null, undefined) is a success", async () => {
    for (const value of [0, "", false, null, undefined, Number.NaN]) {
      for (const succeedOn of [1, 2]) {
        const clock = new FakeClock();
        const attempts: number[] = [];
        const task = async (attempt: number) => {
          attempts.push(attempt);
          if (attempt < succeedOn) throw new Error(`failure number ${attempt}`);
          return value;
        };
        const outcome = await drive(clock, runWithRetries(task, { baseMs: 100, maxMs: 1000, maxAttempts: 4 }, clock));
        expect(outcome, `a task resolving with ${String(value)} on try ${succeedOn}: runWithRetries must resolve with that value`).toMatchObject({ ok: true });
        expect(Object.is(outcome!.ok ? outcome!.value : "rejected", value), `a task resolving with ${String(value)}: runWithRetries must resolve with exactly that value`).toBe(true);
        expect(attempts, `a task resolving with ${String(value)} on try ${succeedOn} is a success: no further try`).toEqual(Array.from({ length: succeedOn }, (_, i) => i + 1));
      }
    }
  });

  test("[C10] the last try's rejection reaches the caller unchanged, even when it is not an Error (undefined, null, 0, \"\", false)", async () => {
    for (const reason of [undefined, null, 0, "", false]) {
      for (const maxAttempts of [1, 3]) {
        const clock = new FakeClock();
        let calls = 0;
        const task = async (attempt: number): Promise<string> => {
          calls++;
          // Earlier tries reject with a real Error: only the last one's reason counts.
          if (attempt < maxAttempts) throw new Error(`failure number ${attempt}`);
          throw reason;
        };
        const outcome = await drive(clock, runWithRetries(task, { baseMs: 100, maxMs: 1000, maxAttempts }, clock));
        expect(outcome?.ok, `maxAttempts ${maxAttempts}, last try rejects with ${String(reason)}: runWithRetries must reject`).toBe(false);
        expect(calls, `maxAttempts ${maxAttempts}: the task is tried exactly maxAttempts times`).toBe(maxAttempts);
        const error = outcome && !outcome.ok ? outcome.error : "(resolved)";
        expect(Object.is(error, reason), `maxAttempts ${maxAttempts}: the last try rejected with ${String(reason)}; runWithRetries must reject with exactly that, not ${String(error)}`).toBe(true);
      }
    }
  });

  test("[C12] two runs on one clock keep their own attempts and waits", async () => {
    const clock = new FakeClock();
    const a = failingTask(clock);
    const b = failingTask(clock, 3);
    const runA = runWithRetries(a.task, { baseMs: 100, maxMs: 1000, maxAttempts: 4 }, clock);
    await clock.advance(50);
    const runB = runWithRetries(b.task, { baseMs: 30, maxMs: 1000, maxAttempts: 5 }, clock);
    const both = Promise.allSettled([runA, runB]);
    await clock.runAll(1000);
    await flushMicrotasks();
    const [outA, outB] = await both;
    expect(a.calls.map((c) => [c.attempt, c.at]), "run A (base 100, maxAttempts 4) started at t = 0: tries 1..4 at t = 0, 100, 300, 700").toEqual([[1, 0], [2, 100], [3, 300], [4, 700]]);
    expect(b.calls.map((c) => [c.attempt, c.at]), "run B (base 30) started at t = 50 and succeeds on try 3: tries 1..3 at t = 50, 80, 140").toEqual([[1, 50], [2, 80], [3, 140]]);
    expect(outA.status, "run A always fails and must reject").toBe("rejected");
    expect(outB, "run B must resolve with its own value").toMatchObject({ status: "fulfilled", value: "done on try 3" });
    expect(clock.pendingTimers, "no timer may be left behind").toBe(0);
  });

  test("[C9] the loop applies the policy's jitter and random to its waits", async () => {
    const clock = new FakeClock();
    const { calls, task } = failingTask(clock);
    const policy = { baseMs: 1000, maxMs: 8000, jitter: 0.5, random: () => 0.5, maxAttempts: 6 };
    await drive(clock, runWithRetries(task, policy, clock));
    const gaps = calls.slice(1).map((call, i) => call.at - calls[i]!.at);
    const expected = gaps.map((_, i) => ceilingOf(i + 1, 1000, 8000) * 0.75);
    const off = gaps.findIndex((gap, i) => Math.abs(gap - expected[i]!) > 1);
    expect(off, `jitter 0.5 and random() = 0.5 put every wait in the middle of its band (${expected.join(", ")} ms), but the waits were ${gaps.join(", ")} ms: pass the whole policy (jitter, random) to backoffDelay`).toBe(-1);
  });

  test("[C9] with jitter, every wait between tries stays within the band", async () => {
    const clock = new FakeClock();
    const { calls, task } = failingTask(clock);
    const policy = { baseMs: 1000, maxMs: 8000, jitter: 0.3, random: createRandom(7), maxAttempts: 7 };
    await drive(clock, runWithRetries(task, policy, clock));
    expect(calls.length, "a task that always fails is tried maxAttempts times").toBe(7);
    for (let i = 1; i < calls.length; i++) {
      const gap = calls[i]!.at - calls[i - 1]!.at;
      const ceiling = ceilingOf(i, 1000, 8000);
      expect(gap <= ceiling && gap >= ceiling * 0.7 - 1, `the wait after try ${i} was ${gap} ms; with jitter 0.3 it must lie in [${ceiling * 0.7}, ${ceiling}]`).toBe(true);
    }
  });
});
