// Public tests for retries-backoff: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause, edge cases included.
import { expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/07-retries-backoff/challenge.ts");
const { backoffDelay, shouldRetry, runWithRetries } = await loadCandidate<Challenge>(import.meta.url);

test("[C2, C4] example: without jitter the delay doubles from baseMs up to maxMs", () => {
  const options = { baseMs: 100, maxMs: 1000 };
  expect([1, 2, 3, 4, 5, 6].map((attempt) => backoffDelay(attempt, options))).toEqual([100, 200, 400, 800, 1000, 1000]);
});

test("[C5] example: full jitter puts the delay between 0 and the ceiling", () => {
  expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, jitter: 1, random: () => 0.5 })).toBeGreaterThanOrEqual(0);
  expect(backoffDelay(3, { baseMs: 100, maxMs: 1000, jitter: 1, random: () => 0.999 })).toBeLessThanOrEqual(400);
});

test("[C1, C7] example: attempt 0 is a RangeError; maxAttempts counts the first try", () => {
  expect(() => backoffDelay(0, { baseMs: 100, maxMs: 1000 })).toThrow(RangeError);
  expect(shouldRetry(2, { maxAttempts: 3 })).toBe(true);
  expect(shouldRetry(3, { maxAttempts: 3 })).toBe(false);
});

test("[C8, C9] example: a task that fails twice then succeeds waits 100 then 200 ms", async () => {
  const clock = new FakeClock();
  const tries: number[] = [];
  const run = runWithRetries(async (attempt) => {
    tries.push(clock.now());
    if (attempt < 3) throw new Error(`try ${attempt} failed`);
    return "sent";
  }, { baseMs: 100, maxMs: 1000, maxAttempts: 5 }, clock);
  await clock.advance(1000);
  await expect(run).resolves.toBe("sent");
  expect(tries).toEqual([0, 100, 300]);
});
