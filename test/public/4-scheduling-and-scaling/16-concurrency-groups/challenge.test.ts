// Public tests for concurrency-groups: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause.
import { expect, test } from "vitest";
import { flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/16-concurrency-groups/challenge.ts");
const { createGroupLimiter } = await loadCandidate<Challenge>(import.meta.url);

/** A task that runs until finish() is called. */
function gate() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { task: () => done, finish };
}

test("[C2, C5] example: a full group waits, and another group's task starts meanwhile", async () => {
  const limiter = createGroupLimiter({ maxActive: 3, maxPerGroup: 1 });
  const [a1, a2, b1] = [gate(), gate(), gate()];
  void limiter.run("acme", a1.task);
  void limiter.run("acme", a2.task);
  void limiter.run("globex", b1.task);
  await flushMicrotasks();
  expect(limiter.stats()).toEqual({ active: 2, waiting: 1, activeByGroup: { acme: 1, globex: 1 } });
  a1.finish();
  await flushMicrotasks();
  expect(limiter.stats().activeByGroup.acme, "acme's second task starts once the first is done").toBe(1);
  a2.finish();
  b1.finish();
  await flushMicrotasks();
  expect(limiter.stats()).toEqual({ active: 0, waiting: 0, activeByGroup: {} });
});

test("[C1] example: run() settles like the task, value or error", async () => {
  const limiter = createGroupLimiter({ maxActive: 1, maxPerGroup: 1 });
  await expect(limiter.run("g", async () => 0)).resolves.toBe(0);
  await expect(limiter.run("g", async () => { throw new Error("nope"); })).rejects.toThrow("nope");
});

test("[C10] example: maxActive 0 is a RangeError", () => {
  expect(() => createGroupLimiter({ maxActive: 0, maxPerGroup: 1 })).toThrow(RangeError);
});
