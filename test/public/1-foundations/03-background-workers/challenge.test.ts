// Public tests for background-workers: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause, edge cases included.
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/03-background-workers/challenge.ts");
const { JobQueue, Worker } = await loadCandidate<Challenge>(import.meta.url);

test("[C1, C9] example: a job is added waiting, and completes with its handler's result", async () => {
  const queue = new JobQueue();
  const id = queue.add("double", 21);
  expect(queue.getJob(id)?.state).toBe("waiting");
  const worker = new Worker(queue, { double: (data) => (data as number) * 2 });
  expect(await worker.processNext()).toBe(true);
  expect(queue.getJob(id)).toMatchObject({ state: "completed", result: 42, attempts: 1 });
  expect(await worker.processNext(), "nothing left").toBe(false);
});

test("[C10] example: a failing job with attempts left waits again, keeping the error", async () => {
  const queue = new JobQueue();
  const id = queue.add("flaky", null, { maxAttempts: 2 });
  const worker = new Worker(queue, { flaky: () => { throw new Error("boom"); } });
  await worker.processNext();
  expect(queue.getJob(id)).toMatchObject({ state: "waiting", attempts: 1, error: "boom" });
  await worker.processNext();
  expect(queue.getJob(id)).toMatchObject({ state: "failed", attempts: 2 });
});

test("[C5, C13] example: the counts add up after a drain", async () => {
  const queue = new JobQueue();
  queue.add("ok", 1);
  queue.add("nope", 2);
  const worker = new Worker(queue, { ok: () => "done" });
  expect(await worker.drain()).toBe(2);
  expect(queue.stats()).toEqual({ enqueued: 2, waiting: 0, active: 0, completed: 1, failed: 1 });
});
