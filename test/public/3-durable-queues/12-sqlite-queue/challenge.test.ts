// Public tests for sqlite-queue: worked examples of the contract in the stub's
// doc comments, in one process. The hidden tests add worker processes,
// SIGKILL and other connections acting between your statements.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/12-sqlite-queue/challenge.ts");
const { openQueue } = await loadCandidate<Challenge>(import.meta.url);

const dir = mkdtempSync(path.join(os.tmpdir(), "qc-public-sqlite-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => path.join(dir, `queue-${++files}.db`);

test("[C11, C12] example: claim takes the lowest priority first and leases it", () => {
  let now = 1000;
  const queue = openQueue(newFile(), { now: () => now, leaseMs: 30_000 });
  queue.enqueue("email", { to: "a" }, { priority: 5 });
  const urgent = queue.enqueue("email", { to: "b" }, { priority: 1 });
  const [job] = queue.claim("worker-1");
  expect(job).toMatchObject({ id: urgent, status: "active", attempts: 1, lockedBy: "worker-1", lockedUntil: 31_000, payload: { to: "b" } });
  queue.close();
});

test("[C4, C13] example: a completed job is still completed after the file is reopened", () => {
  const file = newFile();
  const queue = openQueue(file, { now: () => 0 });
  const id = queue.enqueue("report", 0);
  queue.claim("w");
  expect(queue.complete(id, "someone-else"), "only the worker holding the claim").toBe(false);
  expect(queue.complete(id, "w")).toBe(true);
  queue.close();
  const again = openQueue(file, { now: () => 0 });
  expect(again.get(id)?.status).toBe("completed");
  expect(again.counts()).toEqual({ waiting: 0, active: 0, completed: 1, failed: 0 });
  again.close();
});

test("[C14, C15] example: a failed try waits again; a lease that ran out is recovered", () => {
  let now = 0;
  const queue = openQueue(newFile(), { now: () => now, leaseMs: 100 });
  const a = queue.enqueue("a", null);
  const b = queue.enqueue("b", null);
  queue.claim("w", 2);
  expect(queue.fail(a, "w", "timeout", 50)).toBe(true);
  expect(queue.get(a)).toMatchObject({ status: "waiting", runAt: 50, lastError: "timeout", lockedBy: null });
  now = 100;
  expect(queue.recoverExpired()).toBe(1);
  expect(queue.get(b)?.status).toBe("waiting");
  queue.close();
});
