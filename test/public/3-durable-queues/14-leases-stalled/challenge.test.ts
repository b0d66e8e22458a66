// Public tests for leases-stalled: worked examples of the contract in the
// stub's doc comments, in one process on a FakeClock. The hidden tests add
// worker processes and other connections acting between your statements.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { FakeClock } from "#kit/clock.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/14-leases-stalled/challenge.ts");
const { openLeaseQueue, runWithLease, STALLED_REASON } = await loadCandidate<Challenge>(import.meta.url);

const dir = mkdtempSync(path.join(os.tmpdir(), "qc-public-leases-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const newFile = () => path.join(dir, `leases-${++files}.db`);

test("[C1, C2] example: a claim's token completes the job; a second completion is refused", () => {
  const clock = new FakeClock(1000);
  const queue = openLeaseQueue(newFile(), { clock, lockDurationMs: 5000 });
  const id = queue.add("resize", { image: 7 });
  const claim = queue.claim()!;
  expect(claim).toMatchObject({ id, name: "resize", data: { image: 7 }, lockedUntil: 6000, stalledCount: 0 });
  expect(queue.complete(id, claim.token, "ok")).toBe(true);
  expect(queue.complete(id, claim.token, "again")).toBe(false);
  expect(queue.get(id)).toMatchObject({ state: "completed", result: "ok" });
  queue.close();
});

test("[C4, C9] example: a lease that ran out is reaped back to waiting, then failed on the next stall", async () => {
  const clock = new FakeClock();
  const queue = openLeaseQueue(newFile(), { clock, lockDurationMs: 1000, maxStalledCount: 1 });
  const id = queue.add("import", null);
  const first = queue.claim()!;
  await clock.advance(1000);
  expect(queue.extend(id, first.token), "at lockedUntil the token is no longer valid").toBe(false);
  expect(queue.reap()).toEqual({ requeued: [id], failed: [] });
  queue.claim();
  await clock.advance(1000);
  expect(queue.reap()).toEqual({ requeued: [], failed: [id] });
  expect(queue.get(id)?.failedReason).toBe(STALLED_REASON);
  queue.close();
});

test("[C14, C16] example: runWithLease heartbeats while the handler works, then completes", async () => {
  const clock = new FakeClock();
  const queue = openLeaseQueue(newFile(), { clock, lockDurationMs: 1000 });
  const id = queue.add("long", 3);
  const claim = queue.claim()!;
  const outcome = runWithLease(queue, claim, async (data) => (await clock.sleep(2500), (data as number) * 2), { clock, heartbeatMs: 500 });
  await clock.advance(2500);
  expect(await outcome).toBe("completed");
  expect(queue.get(id)).toMatchObject({ state: "completed", result: 6 });
  expect(clock.pendingTimers).toBe(0);
  queue.close();
});
