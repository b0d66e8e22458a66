// Public tests for worker-loop: worked examples of the contract in the stub's
// doc comments, on a FakeClock. The hidden tests check every clause.
import { expect, test } from "vitest";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/05-worker-loop/challenge.ts");
const { startWorkerLoop } = await loadCandidate<Challenge>(import.meta.url);

/** A queue of `jobs`, each taking `ms` on the clock; records claims and the most jobs running at once. */
function queueOf(clock: FakeClock, jobs: number[], ms = 100) {
  const seen = { claims: 0, running: 0, most: 0, done: [] as number[] };
  return {
    seen,
    claim: async () => (seen.claims++, jobs.shift() ?? null),
    handle: async (job: number) => {
      seen.most = Math.max(seen.most, ++seen.running);
      await clock.sleep(ms);
      seen.running--;
      seen.done.push(job);
    },
  };
}

test("[C5, C6] example: the first claim is at once, and never more than `concurrency` jobs run", async () => {
  const clock = new FakeClock();
  const queue = queueOf(clock, [1, 2, 3, 4, 5]);
  const loop = startWorkerLoop({ ...queue, concurrency: 2, pollInterval: 1000, clock });
  await flushMicrotasks();
  expect(queue.seen.claims, "claimed before any time passed").toBeGreaterThan(0);
  await clock.advance(300);
  expect(queue.seen.done.sort()).toEqual([1, 2, 3, 4, 5]);
  expect(queue.seen.most).toBe(2);
  await loop.stop();
});

test("[C4] example: concurrency 0 is a RangeError", () => {
  const clock = new FakeClock();
  expect(() => startWorkerLoop({ ...queueOf(clock, []), concurrency: 0, pollInterval: 100, clock })).toThrow(RangeError);
});

test("[C2, C8] example: an idle loop polls once per interval, and stop() leaves no timer behind", async () => {
  const clock = new FakeClock();
  const queue = queueOf(clock, []);
  const loop = startWorkerLoop({ ...queue, concurrency: 1, pollInterval: 1000, clock });
  await clock.advance(3500);
  expect(queue.seen.claims, "at 0, 1000, 2000 and 3000 ms").toBe(4);
  await loop.stop();
  expect(clock.pendingTimers).toBe(0);
});
