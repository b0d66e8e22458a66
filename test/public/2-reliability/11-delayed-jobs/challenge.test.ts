// Public tests for delayed-jobs: worked examples of the contract in the stub's
// doc comments, on a FakeClock. The hidden tests check every clause.
import { expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/11-delayed-jobs/challenge.ts");
const { DelayedQueue } = await loadCandidate<Challenge>(import.meta.url);

test("[C1, C8] example: a delayed job is ready exactly at its runAt, not a millisecond before", async () => {
  const clock = new FakeClock();
  const queue = new DelayedQueue<string>(clock);
  queue.add("reminder", { delay: 1000 });
  await clock.advance(999);
  expect(queue.take()).toBeUndefined();
  expect(queue.counts()).toEqual({ delayed: 1, ready: 0 });
  await clock.advance(1);
  expect(queue.take()?.data).toBe("reminder");
});

test("[C2, C7] example: ready jobs leave by priority, then runAt, then the order they were added", () => {
  const queue = new DelayedQueue<string>(new FakeClock(100));
  queue.add("low", { priority: 5 });
  queue.add("old-urgent", { priority: 1, runAt: 50 });
  queue.add("urgent", { priority: 1 });
  expect([queue.take()?.data, queue.take()?.data, queue.take()?.data]).toEqual(["old-urgent", "urgent", "low"]);
});

test("[C10] example: next() sleeps until the earliest delayed job is due", async () => {
  const clock = new FakeClock();
  const queue = new DelayedQueue<string>(clock);
  queue.add("later", { delay: 5000 });
  let got: string | undefined;
  const waiting = queue.next().then((job) => (got = `${job.data} at ${clock.now()}`));
  await clock.advance(5000);
  await waiting;
  expect(got).toBe("later at 5000");
});

test("[C5] example: both delay and runAt is a RangeError", () => {
  expect(() => new DelayedQueue<string>(new FakeClock()).add("x", { delay: 1, runAt: 2 })).toThrow(RangeError);
});
