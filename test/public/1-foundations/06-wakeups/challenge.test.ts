// Public tests for wakeups: worked examples of the contract in the stub's doc
// comments, on a FakeClock. The hidden tests check every clause.
import { expect, test } from "vitest";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/06-wakeups/challenge.ts");
const { startWakeupWorker } = await loadCandidate<Challenge>(import.meta.url);

function queueOf() {
  const jobs: string[] = [];
  const started: Array<{ job: string; at: number }> = [];
  return { jobs, started };
}

test("[C6] example: a notified job starts at once, without waiting for the poll", async () => {
  const clock = new FakeClock();
  const { jobs, started } = queueOf();
  const worker = startWakeupWorker<string>({ claim: async () => jobs.shift() ?? null, handle: async (job) => void started.push({ job, at: clock.now() }), pollInterval: 60_000, clock });
  await clock.advance(10);
  jobs.push("welcome-email");
  worker.notify();
  await flushMicrotasks();
  expect(started).toEqual([{ job: "welcome-email", at: 10 }]);
  await worker.stop();
});

test("[C7] example: a job added without a notification starts within the poll interval", async () => {
  const clock = new FakeClock();
  const { jobs, started } = queueOf();
  const worker = startWakeupWorker<string>({ claim: async () => jobs.shift() ?? null, handle: async (job) => void started.push({ job, at: clock.now() }), pollInterval: 1000, clock });
  await clock.advance(10);
  jobs.push("report");
  await clock.advance(1000);
  expect(started.map((s) => s.job)).toEqual(["report"]);
  expect(started[0]!.at).toBeLessThanOrEqual(1010);
  await worker.stop();
});

test("[C3, C4] example: a pollInterval of 0 is a RangeError; stop() leaves no timer", async () => {
  const clock = new FakeClock();
  expect(() => startWakeupWorker({ claim: async () => null, handle: async () => {}, pollInterval: 0, clock })).toThrow(RangeError);
  const worker = startWakeupWorker({ claim: async () => null, handle: async () => {}, pollInterval: 500, clock });
  await clock.advance(1200);
  await worker.stop();
  expect(clock.pendingTimers).toBe(0);
});
