// Public tests for request-cycle: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause, edge cases included.
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/1-foundations/01-request-cycle/challenge.ts");
const { createReportHandler } = await loadCandidate<Challenge>(import.meta.url);

/** A queue that keeps what it is given; its jobs never finish. */
function memoryQueue() {
  const jobs: Array<{ type: string; data: unknown }> = [];
  return {
    jobs,
    queue: {
      async enqueue(type: "generate-report", data: unknown) {
        jobs.push({ type, data });
        return { id: `job-${jobs.length}`, waitUntilFinished: () => new Promise<unknown>(() => {}) };
      },
    },
  };
}

test("[C8, C9] example: a valid POST enqueues one job and answers 202 with where to look", async () => {
  const { queue, jobs } = memoryQueue();
  const handle = createReportHandler(queue);
  const res = await handle({ method: "POST", path: "/reports", body: { accountId: "acme", format: "pdf", month: "2024-03", extra: 1 } });
  expect(res.status).toBe(202);
  expect(jobs, "one job, with exactly the three fields").toEqual([{ type: "generate-report", data: { accountId: "acme", format: "pdf", month: "2024-03" } }]);
  expect(res.body).toEqual({ jobId: "job-1", status: "queued", statusUrl: "/jobs/job-1" });
});

test("[C5, C7] example: a format other than csv or pdf is a 400 naming the field, and nothing is enqueued", async () => {
  const { queue, jobs } = memoryQueue();
  const res = await createReportHandler(queue)({ method: "POST", path: "/reports", body: { accountId: "acme", format: "PDF", month: "2024-03" } });
  expect(res.status).toBe(400);
  expect((res.body as { field?: string }).field).toBe("format");
  expect(jobs).toEqual([]);
});

test("[C1, C2] example: another path is a 404, another method a 405", async () => {
  const handle = createReportHandler(memoryQueue().queue);
  expect((await handle({ method: "POST", path: "/reports/1", body: {} })).status).toBe(404);
  expect((await handle({ method: "GET", path: "/reports", body: undefined })).status).toBe(405);
});
