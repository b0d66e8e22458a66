// Public tests for monitoring: worked examples of the contract in the stub's
// doc comments. The hidden tests check every clause.
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/5-patterns-and-operations/20-monitoring/challenge.ts");
const { percentile, queueStats } = await loadCandidate<Challenge>(import.meta.url);

test("[C1, C3] example: nearest rank, compared as numbers", () => {
  const durations = [300, 5, 40, 120, 80];
  expect(percentile(durations, 50)).toBe(80);
  expect(percentile(durations, 100)).toBe(300);
  expect(percentile(durations, 1)).toBe(5);
});

test("[C6] example: an empty list or p = 0 is a RangeError", () => {
  expect(() => percentile([], 50)).toThrow(RangeError);
  expect(() => percentile([1], 0)).toThrow(RangeError);
});

test("[C7, C8, C10, C11] example: depth, delayed, stalled and the oldest ready age of a snapshot", () => {
  const now = 10_000;
  const stats = queueStats(
    [
      { id: "a", state: "waiting", enqueuedAt: 1000, runAt: 1000 },
      { id: "b", state: "waiting", enqueuedAt: 2000, runAt: 20_000 },
      { id: "c", state: "waiting", enqueuedAt: 0, runAt: 4000 },
      { id: "d", state: "active", enqueuedAt: 0, runAt: 0, lockExpiresAt: 9000 },
      { id: "e", state: "completed", enqueuedAt: 0, runAt: 0 },
    ],
    now,
  );
  expect(stats).toEqual({ depth: 2, delayed: 1, active: 1, stalled: 1, oldestReadyAgeMs: 9000 });
});
