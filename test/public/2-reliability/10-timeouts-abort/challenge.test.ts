// Public tests for timeouts-abort: worked examples of the contract in the
// stub's doc comments, on a FakeClock. The hidden tests check every clause.
import { expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/2-reliability/10-timeouts-abort/challenge.ts");
const { runWithTimeout, runAttempt } = await loadCandidate<Challenge>(import.meta.url);

test("[C2] example: a task that finishes in time gives its value and leaves no timer", async () => {
  const clock = new FakeClock();
  const result = runWithTimeout(async () => "done", 1000, clock);
  await expect(result).resolves.toBe("done");
  expect(clock.pendingTimers).toBe(0);
});

test("[C4] example: at the deadline the task's signal aborts and the call rejects with a TimeoutError", async () => {
  const clock = new FakeClock();
  let seen: AbortSignal | undefined;
  const result = runWithTimeout((signal) => ((seen = signal), new Promise<never>(() => {})), 500, clock);
  result.catch(() => {});
  await clock.advance(500);
  await expect(result).rejects.toMatchObject({ name: "TimeoutError" });
  expect(seen?.aborted).toBe(true);
});

test("[C8, C9] example: an attempt that times out leaves the job waiting with a TimeoutError", async () => {
  const clock = new FakeClock();
  const job = { id: "j1", attempts: 0, maxAttempts: 3, state: "waiting" as const };
  const state = runAttempt(job, () => new Promise<void>(() => {}), 200, clock);
  await clock.advance(200);
  await expect(state).resolves.toBe("waiting");
  expect(job.attempts).toBe(1);
  expect((job as { lastError?: string }).lastError).toMatch(/^TimeoutError/);
});
