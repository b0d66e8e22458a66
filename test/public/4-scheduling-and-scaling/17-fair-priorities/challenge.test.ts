// Public tests for fair-priorities: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause.
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/17-fair-priorities/challenge.ts");
const { createFairQueue } = await loadCandidate<Challenge>(import.meta.url);

test("[C2] example: weights 3:2:1 give 3, 2 and 1 of every 6 picks while all have work", () => {
  const fair = createFairQueue<number>({ critical: 3, default: 2, low: 1 });
  for (let i = 0; i < 12; i++) for (const queue of ["critical", "default", "low"]) fair.push(queue, i);
  const picks = Array.from({ length: 6 }, () => fair.next()!.queue);
  expect(picks.filter((q) => q === "critical")).toHaveLength(3);
  expect(picks.filter((q) => q === "default")).toHaveLength(2);
  expect(picks.filter((q) => q === "low")).toHaveLength(1);
});

test("[C3, C5, C6] example: empty queues are skipped, jobs leave in order, and null means all empty", () => {
  const fair = createFairQueue<string>({ critical: 3, low: 1 });
  fair.push("low", "first");
  fair.push("low", "second");
  expect(fair.next()).toEqual({ queue: "low", job: "first" });
  expect(fair.next()).toEqual({ queue: "low", job: "second" });
  expect(fair.next()).toBeNull();
});

test("[C1, C8, C10] example: an unknown queue throws; a weight of 0 is a RangeError", () => {
  const fair = createFairQueue<string>({ a: 1 });
  expect(() => fair.push("b", "x")).toThrow();
  expect(fair.size()).toBe(0);
  expect(() => createFairQueue({ a: 0 })).toThrow(RangeError);
});
