// Public tests for http-jobs-api: worked examples of the contract in the
// stub's doc comments, over real HTTP on a loopback port. The hidden tests
// check every clause, streams and shutdown included.
import type { AddressInfo } from "node:net";
import { afterAll, expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts");
type JobQueue = import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts").JobQueue;
type JobSnapshot = import("../../../../lessons/6-streams-http-and-production/24-http-jobs-api/challenge.ts").JobSnapshot;
const { createJobsApi } = await loadCandidate<Challenge>(import.meta.url);

/** A queue in memory whose jobs stay queued (no worker runs them). */
const jobs = new Map<string, JobSnapshot>();
const queue: JobQueue = {
  async enqueue(request) {
    const job: JobSnapshot = { id: `job-${jobs.size + 1}`, status: "queued", done: 0, total: request.items.length, results: [] };
    jobs.set(job.id, job);
    return job;
  },
  get: (id) => jobs.get(id),
  subscribe: () => () => {},
};

/** The API on a loopback port, started by the first test that needs it (so a stub fails the test, not the file). */
let started: Promise<string> | undefined;
let close = () => {};
afterAll(() => close());
function base(): Promise<string> {
  started ??= (async () => {
    const server = createJobsApi({ queue, clock: new FakeClock() }).app.listen(0, "127.0.0.1");
    close = () => server.close();
    await new Promise((resolve) => server.once("listening", resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  })();
  return started;
}

const post = async (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${await base()}/jobs`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

test("[C1, C14] example: POST answers 202 with a Location, and GET shows the job", async () => {
  const res = await post({ items: ["a", "b"] });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  expect(res.headers.get("location")).toBe(`/jobs/${id}`);
  const status = await fetch(`${await base()}/jobs/${id}`);
  expect(await status.json()).toEqual({ id, status: "queued", progress: { done: 0, total: 2 } });
});

test("[C2] example: a body without items is a 400", async () => {
  expect((await post({ things: [] })).status).toBe(400);
});

test("[C7, C8] example: the same Idempotency-Key replays the job; other items with it are a 422", async () => {
  const first = await post({ items: ["x"] }, { "idempotency-key": "order-1" });
  const again = await post({ items: ["x"] }, { "idempotency-key": "order-1" });
  expect(again.status).toBe(202);
  expect(((await again.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
  expect((await post({ items: ["y"] }, { "idempotency-key": "order-1" })).status).toBe(422);
});
