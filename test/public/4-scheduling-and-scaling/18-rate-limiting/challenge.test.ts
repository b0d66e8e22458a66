// Public tests for rate-limiting: worked examples of the contract in the
// stub's doc comments, on a FakeClock. The hidden tests check every clause.
import { expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/18-rate-limiting/challenge.ts");
const { createTokenBucket, createLimitedWorker, RateLimitedError } = await loadCandidate<Challenge>(import.meta.url);

test("[C1, C3] example: a full bucket of 2 gives 2 tokens, then one every 250 ms at 4 per second", async () => {
  const clock = new FakeClock();
  const bucket = createTokenBucket({ capacity: 2, refillPerSecond: 4 }, clock);
  expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
  const wait = bucket.msUntilToken();
  expect(wait).toBeGreaterThan(0);
  await clock.advance(wait);
  expect(bucket.tryTake()).toBe(true);
});

test("[C4] example: a capacity of 0 is a RangeError", () => {
  expect(() => createTokenBucket({ capacity: 0, refillPerSecond: 1 }, new FakeClock())).toThrow(RangeError);
});

test("[C8, C9] example: jobs wait for tokens instead of failing", async () => {
  const clock = new FakeClock();
  const started: Array<[string, number]> = [];
  const worker = createLimitedWorker<number>({
    clock,
    limiter: createTokenBucket({ capacity: 1, refillPerSecond: 1 }, clock),
    handler: async (job) => void started.push([job.id, clock.now()]),
  });
  for (const id of ["a", "b", "c"]) worker.add(id, 0);
  await clock.advance(2100);
  expect(started.map(([id]) => id)).toEqual(["a", "b", "c"]);
  expect(started[2]![1], "one a second").toBeGreaterThanOrEqual(2000);
  expect(worker.get("c")).toMatchObject({ state: "completed", attemptsMade: 1 });
  worker.close();
});

test("[C11] example: a 429 from upstream is not an attempt; the job runs again after the pause", async () => {
  const clock = new FakeClock();
  let calls = 0;
  const worker = createLimitedWorker<null>({
    clock,
    limiter: createTokenBucket({ capacity: 10, refillPerSecond: 10 }, clock),
    handler: async () => {
      if (++calls === 1) throw new RateLimitedError(500);
    },
  });
  const job = worker.add("sync", null);
  await clock.advance(600);
  expect(calls).toBe(2);
  expect(job).toMatchObject({ state: "completed", attemptsMade: 1 });
  worker.close();
});
