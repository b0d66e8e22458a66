// Public tests for recurring-jobs: worked examples of the contract in the
// stub's doc comments, on a FakeClock. The hidden tests check every clause.
import { expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/15-recurring-jobs/challenge.ts");
const { createScheduler, slotKey } = await loadCandidate<Challenge>(import.meta.url);

const T0 = Date.parse("2025-01-01T00:00:00.000Z");
/** A store in memory: the first claim of a key wins. */
const memoryStore = () => {
  const keys = new Set<string>();
  return { claim: async (key: string) => (keys.has(key) ? false : (keys.add(key), true)) };
};

test("[C1] example: a slot's key is the schedule's name and the slot's instant", () => {
  expect(slotKey("nightly", new Date(T0))).toBe("nightly:2025-01-01T00:00:00.000Z");
});

test("[C4, C5] example: an every-minute job runs on each minute, not at start", async () => {
  const clock = new FakeClock(T0 + 10_000);
  const runs: string[] = [];
  const scheduler = createScheduler({ clock, store: memoryStore(), jobs: [{ name: "tick", pattern: "* * * * *", run: async (ctx) => void runs.push(`${ctx.slot.toISOString()} at ${new Date(clock.now()).toISOString()}`) }] });
  scheduler.start();
  await clock.advance(120_000);
  await scheduler.stop();
  expect(runs).toEqual(["2025-01-01T00:01:00.000Z at 2025-01-01T00:01:00.000Z", "2025-01-01T00:02:00.000Z at 2025-01-01T00:02:00.000Z"]);
});

test("[C10] example: two schedulers sharing a store run each slot once", async () => {
  const clock = new FakeClock(T0);
  const store = memoryStore();
  const runs: string[] = [];
  const job = { name: "report", pattern: "*/10 * * * * *", run: async () => void runs.push(new Date(clock.now()).toISOString()) };
  const schedulers = [createScheduler({ clock, store, jobs: [job] }), createScheduler({ clock, store, jobs: [job] })];
  schedulers.forEach((scheduler) => scheduler.start());
  await clock.advance(30_000);
  await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
  expect(runs).toEqual(["2025-01-01T00:00:10.000Z", "2025-01-01T00:00:20.000Z", "2025-01-01T00:00:30.000Z"]);
});

test("[C7] example: a slot that comes while the job is still running is skipped", async () => {
  const clock = new FakeClock(T0);
  const skipped: string[] = [];
  const scheduler = createScheduler({
    clock,
    store: memoryStore(),
    jobs: [{ name: "slow", pattern: "*/10 * * * * *", run: () => clock.sleep(15_000) }],
    onSkip: (ctx) => void skipped.push(ctx.slot.toISOString()),
  });
  scheduler.start();
  await clock.advance(25_000);
  expect(skipped).toEqual(["2025-01-01T00:00:20.000Z"]);
  await clock.advance(20_000);
  await scheduler.stop();
});
