// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe, afterAll, afterEach } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { FakeClock, flushMicrotasks, type Clock } from "#kit/clock.ts";
import { spawnTs, exited } from "#kit/spawn-ts.ts";
import Database from "better-sqlite3";
import { candidatePath, lessonFolderOf, loadCandidate } from "../../_harness/candidate.ts";
import { injectedFailure, withStatementHook } from "../../_harness/statement-hook.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/14-leases-stalled/challenge.ts");
type LeaseQueue = import("../../../../lessons/3-durable-queues/14-leases-stalled/challenge.ts").LeaseQueue;
type Claim = import("../../../../lessons/3-durable-queues/14-leases-stalled/challenge.ts").Claim;
const { openLeaseQueue, runWithLease, STALLED_REASON } = await loadCandidate<Challenge>(import.meta.url);
// Worker processes cannot see how this test was bound to its candidate, so
// they are told explicitly; their candidatePath() then finds the same file.
const childEnv = { QUEUECRAFT_CANDIDATES: JSON.stringify({ [lessonFolderOf(import.meta.url)]: candidatePath(import.meta.url) }) };

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "queuecraft-leases-"));
let fileCounter = 0;
const freshFile = () => path.join(dir, `leases-${++fileCounter}.db`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LOCK = 1_000;
const opened: LeaseQueue[] = [];
function open(clock: Clock, options: { maxStalledCount?: number; file?: string; busyTimeoutMs?: number } = {}): LeaseQueue {
  const queue = openLeaseQueue(options.file ?? freshFile(), {
    clock,
    lockDurationMs: LOCK,
    maxStalledCount: options.maxStalledCount ?? 1,
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
  });
  opened.push(queue);
  return queue;
}
afterEach(() => {
  for (const queue of opened.splice(0)) {
    try {
      queue.close();
    } catch {
      // already closed
    }
  }
});

/**
 * A clock for the queue alone that the test sets by hand, synchronously, even
 * from inside a statement hook (a FakeClock only moves through advance()).
 */
function handClock(start = 0): { clock: Clock; set(ms: number): void } {
  let t = start;
  const timers = new FakeClock(); // never advanced: the queue has no business with timers
  return {
    clock: {
      now: () => t,
      setTimeout: (callback, ms) => timers.setTimeout(callback, ms),
      clearTimeout: (id) => timers.clearTimeout(id),
      sleep: (ms, signal) => timers.sleep(ms, signal),
    },
    set: (ms) => void (t = ms),
  };
}

/** A view of `queue` that records when extend() is called (the queue may be a class: no spreading). */
function countingExtends(queue: LeaseQueue, clock: Clock): { queue: LeaseQueue; extendsAt: number[] } {
  const extendsAt: number[] = [];
  return {
    extendsAt,
    queue: {
      add: (name, data) => queue.add(name, data),
      claim: () => queue.claim(),
      extend: (id, token) => {
        extendsAt.push(clock.now());
        return queue.extend(id, token);
      },
      complete: (id, token, result) => queue.complete(id, token, result),
      fail: (id, token, reason) => queue.fail(id, token, reason),
      reap: () => queue.reap(),
      get: (id) => queue.get(id),
      close: () => queue.close(),
    },
  };
}

/** Claims and insists that something was claimed. */
function mustClaim(queue: LeaseQueue, what: string): Claim {
  const claim = queue.claim();
  expect(claim, `claim() must return ${what}`).toBeDefined();
  return claim!;
}

describe("leases and lock tokens", () => {
  test("[C1][C6] a claim carries a fresh token and a lease until now + lockDuration; every claim gets a new token", async () => {
    const clock = new FakeClock(10_000);
    const queue = open(clock);
    const id = queue.add("charge", { order: 7 });
    const first = mustClaim(queue, "the waiting job");
    expect(first.id, "the claim is for the added job").toBe(id);
    expect(first.data, "the data round-trips").toEqual({ order: 7 });
    expect(first.lockedUntil, "lockedUntil = now + lockDurationMs").toBe(11_000);
    expect(typeof first.token === "string" && first.token.length > 0, "the token is a non-empty string").toBe(true);
    expect(queue.claim(), "an active job is not claimed twice").toBeUndefined();
    await clock.advance(LOCK);
    queue.reap();
    const second = mustClaim(queue, "the reaped job again");
    expect(second.id, "the same job comes back").toBe(id);
    expect(second.token, "a new claim of the same job must get a different token").not.toBe(first.token);
  });

  test("[C2][C3] a heartbeat with the current token extends the lease to now + lockDuration; a wrong token is refused", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("report", {});
    const claim = mustClaim(queue, "the job");
    await clock.advance(600);
    expect(queue.extend(id, "not-the-token"), "a heartbeat with a token that was never issued is refused").toBe(false);
    expect(queue.get(id)?.lockedUntil, "a refused heartbeat changes nothing").toBe(1_000);
    expect(queue.extend(id, claim.token), "the holder's heartbeat succeeds").toBe(true);
    expect(queue.get(id)?.lockedUntil, "the lease now runs to now + lockDuration").toBe(1_600);
    await clock.advance(999);
    expect(queue.reap(), "the extended lease has not run out at t=1599").toEqual({ requeued: [], failed: [] });
  });

  test("[C2] once the lease has run out, heartbeat and completion are refused even before the reaper runs", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("slow", {});
    const claim = mustClaim(queue, "the job");
    await clock.advance(LOCK);
    expect(queue.extend(id, claim.token), "at lockedUntil the lease has run out: a late heartbeat is refused").toBe(false);
    expect(queue.complete(id, claim.token), "a completion after the lease ran out is refused").toBe(false);
    expect(queue.get(id)?.state, "the job is still active until the reaper handles it").toBe("active");
  });

  test("[C2] a lease ends exactly at lockedUntil: one millisecond earlier the token still extends, completes and fails; at lockedUntil it does none of them", async () => {
    const clock = new FakeClock();
    const queue = open(clock, { maxStalledCount: 5 });
    const ids = Array.from({ length: 6 }, (_, i) => queue.add(`job-${i}`, {}));
    const claims = ids.map((_, i) => mustClaim(queue, `job ${i}`)); // every lease ends at t=1000
    await clock.advance(LOCK - 1);
    expect(queue.complete(ids[0]!, claims[0]!.token, "in time"), "at t=999 the lease still runs: complete() succeeds").toBe(true);
    expect(queue.fail(ids[1]!, claims[1]!.token, "in time"), "at t=999 the lease still runs: fail() succeeds").toBe(true);
    expect(queue.extend(ids[2]!, claims[2]!.token), "at t=999 the lease still runs: extend() succeeds").toBe(true);
    await clock.advance(1);
    expect(queue.complete(ids[3]!, claims[3]!.token, "late"), "at t=1000 = lockedUntil the lease has run out: complete() is refused").toBe(false);
    expect(queue.fail(ids[4]!, claims[4]!.token, "late"), "at t=1000 = lockedUntil the lease has run out: fail() is refused").toBe(false);
    expect(queue.extend(ids[5]!, claims[5]!.token), "at t=1000 = lockedUntil the lease has run out: extend() is refused").toBe(false);
    expect(queue.reap(), "at t=1000 exactly the three untouched leases have stalled (the extended one runs to t=1999)").toEqual({
      requeued: [ids[3], ids[4], ids[5]],
      failed: [],
    });
  });

  test("[C10][C11][C16] data and results 0, \"\", false and null come back as they went in", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const values: unknown[] = [0, "", false, null];
    for (const value of values) {
      const id = queue.add("falsy", value);
      const claim = mustClaim(queue, `the job with data ${JSON.stringify(value)}`);
      expect(claim.data, `add(name, ${JSON.stringify(value)}): the claim's data must be ${JSON.stringify(value)}`).toStrictEqual(value);
      expect(queue.complete(id, claim.token, value), "the holder completes").toBe(true);
      expect(queue.get(id)?.result, `complete(id, token, ${JSON.stringify(value)}) must store ${JSON.stringify(value)} as the result (only a missing result is undefined)`).toStrictEqual(value);
    }
    for (const value of values) {
      const id = queue.add("falsy-run", {});
      const outcome = await runWithLease(queue, mustClaim(queue, "the job"), async () => value, { clock, heartbeatMs: LOCK / 2 });
      expect(outcome, `a handler that resolves ${JSON.stringify(value)} has succeeded`).toBe("completed");
      expect(queue.get(id)?.result, `runWithLease must complete with the handler's result ${JSON.stringify(value)}`).toStrictEqual(value);
    }
    const none = queue.add("no-result", {});
    expect(queue.complete(none, mustClaim(queue, "the job").token), "complete() without a result").toBe(true);
    expect(queue.get(none)?.result, "no result passed: result is undefined").toBeUndefined();
  });

  test("[C2][C12][C13] unknown ids and an empty queue: get() is undefined, extend/complete/fail return false, claim() is undefined, reap() finds nothing", () => {
    const clock = new FakeClock();
    const queue = open(clock);
    expect(queue.claim(), "claim() on an empty queue returns undefined").toBeUndefined();
    expect(queue.reap(), "reap() on an empty queue finds nothing").toEqual({ requeued: [], failed: [] });
    const id = queue.add("job", {});
    const claim = mustClaim(queue, "the job");
    const ghost = id + 1000;
    expect(queue.get(ghost), "get() of an id that does not exist returns undefined").toBeUndefined();
    expect(queue.extend(ghost, claim.token), "extend() of an id that does not exist returns false").toBe(false);
    expect(queue.complete(ghost, claim.token), "complete() of an id that does not exist returns false").toBe(false);
    expect(queue.fail(ghost, claim.token, "x"), "fail() of an id that does not exist returns false").toBe(false);
    const info = queue.get(id)!;
    info.state = "completed";
    expect(queue.get(id)?.state, "get() returns a fresh object: editing it changes nothing stored").toBe("active");
  });

  test("[C2][C11] the holder completes with its token, once; the result is stored", () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("resize", {});
    const claim = mustClaim(queue, "the job");
    expect(queue.complete(id, claim.token, { width: 640 }), "the holder completes its job").toBe(true);
    expect(queue.get(id)?.state, "the job is completed").toBe("completed");
    expect(queue.get(id)?.result, "the result is stored").toEqual({ width: 640 });
    expect(queue.complete(id, claim.token), "a second completion is refused").toBe(false);
    expect(queue.extend(id, claim.token), "a completed job cannot be extended").toBe(false);
  });

  test("[C2] completing or failing with an outdated token is rejected and leaves the new holder's job alone", async () => {
    const clock = new FakeClock();
    const queue = open(clock, { maxStalledCount: 5 });
    const id = queue.add("charge-card", {});
    const zombie = mustClaim(queue, "the job for the first worker");
    await clock.advance(LOCK);
    expect(queue.reap().requeued, "the first worker's lease ran out: the job is requeued").toEqual([id]);
    expect(queue.complete(id, zombie.token), "the old token must not complete a job that was taken back").toBe(false);
    const fresh = mustClaim(queue, "the requeued job for a second worker");
    expect(queue.complete(id, zombie.token, "zombie"), "the old token must not complete the second worker's job").toBe(false);
    expect(queue.fail(id, zombie.token, "zombie"), "the old token must not fail the second worker's job").toBe(false);
    expect(queue.extend(id, zombie.token), "the old token must not extend the second worker's lease").toBe(false);
    expect(queue.get(id)?.state, "the second worker still owns an active job").toBe("active");
    expect(queue.get(id)?.lockedUntil, "the old token must not have moved the new lease").toBe(fresh.lockedUntil);
    expect(queue.complete(id, fresh.token, "fresh"), "the current holder completes").toBe(true);
    expect(queue.get(id)?.result, "the result is the current holder's").toBe("fresh");
  });

  test("[C1][C2] tokens are unique across connections: a worker on another connection that takes the job back gets a token the old holder cannot use", async () => {
    const clock = new FakeClock();
    const file = freshFile();
    const workerA = open(clock, { file });
    const workerB = open(clock, { file });
    const id = workerA.add("report", {});
    const stale = mustClaim(workerA, "the job for worker A");
    await clock.advance(LOCK);
    expect(workerB.reap().requeued, "A's lease ran out: the job is requeued").toEqual([id]);
    const current = mustClaim(workerB, "the job for worker B");
    expect(
      current.token,
      "each worker process has its own connection: a token made from a per-connection counter repeats across workers, use a random token (randomUUID)",
    ).not.toBe(stale.token);
    expect(workerA.complete(id, stale.token, "A"), "worker A's outdated token must not complete worker B's job").toBe(false);
    expect(workerB.get(id)?.state, "worker B still owns an active job").toBe("active");
  });

  test("[C2] fail() with the current token fails the job with its reason", () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("parse", {});
    const claim = mustClaim(queue, "the job");
    expect(queue.fail(id, claim.token, "bad input"), "the holder may fail its job").toBe(true);
    expect(queue.get(id), "failed with the given reason").toMatchObject({ state: "failed", failedReason: "bad input" });
    const blank = queue.add("parse", {});
    expect(queue.fail(blank, mustClaim(queue, "the second job").token, ""), "the holder may fail its job with an empty reason").toBe(true);
    expect(queue.get(blank), "an empty reason is still the reason: failedReason is \"\", not null").toMatchObject({ state: "failed", failedReason: "" });
  });
  test("[C7] close() closes the connection: afterwards another connection alone can take the file out of WAL mode", () => {
    const file = freshFile();
    const queue = open(new FakeClock(), { file });
    queue.add("a", {});
    queue.close();
    const probe = new Database(file);
    try {
      let mode: unknown;
      try {
        mode = probe.pragma("journal_mode = DELETE", { simple: true });
      } catch (error) {
        mode = `an error: ${(error as Error).message}`;
      }
      expect(mode, "after close() the queue must hold no connection to the file (a connection left open keeps it in WAL mode)").toBe("delete");
    } finally {
      probe.close();
    }
  });
});

describe("the reaper", () => {
  test("[C4][C12] reap() takes back only active jobs whose lease has run out (lockedUntil <= now)", async () => {
    const clock = new FakeClock();
    const queue = open(clock, { maxStalledCount: 3 });
    const a = queue.add("a", {});
    const b = queue.add("b", {});
    const done = queue.add("c", {});
    const waiting = queue.add("d", {});
    mustClaim(queue, "a"); // lease until 1000
    await clock.advance(400);
    mustClaim(queue, "b"); // lease until 1400
    const c = mustClaim(queue, "c");
    queue.complete(done, c.token);
    await clock.advance(599);
    expect(queue.reap(), "at t=999 no lease has run out").toEqual({ requeued: [], failed: [] });
    await clock.advance(1);
    expect(queue.reap(), "at t=1000 the first lease has run out").toEqual({ requeued: [a], failed: [] });
    expect(queue.get(a), "the stalled job waits again with one stall counted").toMatchObject({ state: "waiting", stalledCount: 1 });
    expect(queue.get(b)?.state, "a job whose lease still runs stays active").toBe("active");
    expect(queue.get(done)?.state, "a completed job is never reaped").toBe("completed");
    expect(queue.get(waiting)?.stalledCount, "a waiting job never stalls").toBe(0);
    expect(mustClaim(queue, "the requeued job").id, "the requeued job (smallest id) is claimed next").toBe(a);
  });

  test("[C4][C9] a job that stalls more than maxStalledCount times fails, and not a stall earlier (maxStalledCount 0, 1, 2, 3, 4)", async () => {
    for (let maxStalledCount = 0; maxStalledCount <= 4; maxStalledCount++) {
      const clock = new FakeClock();
      const queue = open(clock, { maxStalledCount });
      const id = queue.add("poison", {});
      for (let stall = 1; stall <= maxStalledCount + 1; stall++) {
        const claim = queue.claim();
        expect(claim?.id, `maxStalledCount ${maxStalledCount}: the job must be claimable before stall ${stall}`).toBe(id);
        expect(claim?.stalledCount, `the claim reports the ${stall - 1} earlier stall(s)`).toBe(stall - 1);
        await clock.advance(LOCK);
        const result = queue.reap();
        if (stall <= maxStalledCount) {
          expect(result, `maxStalledCount ${maxStalledCount}: stall ${stall} requeues the job`).toEqual({ requeued: [id], failed: [] });
        } else {
          expect(
            result,
            `maxStalledCount ${maxStalledCount}: stall ${stall} is one too many and fails the job${maxStalledCount === 0 ? " (0 is a valid setting: read the option with ?? or a default parameter, not ||)" : ""}`,
          ).toEqual({ requeued: [], failed: [id] });
        }
        expect(queue.get(id)?.stalledCount, "the reaper counts every stall").toBe(stall);
      }
      expect(queue.get(id), `maxStalledCount ${maxStalledCount}: the job failed because it stalled too often`).toMatchObject({
        state: "failed",
        failedReason: STALLED_REASON,
      });
      expect(queue.claim(), "a failed job is never claimed again").toBeUndefined();
    }
  });

  test("[C4] a stalled job put back to waiting has no failedReason and no lease end", async () => {
    const clock = new FakeClock();
    const queue = open(clock, { maxStalledCount: 3 });
    const id = queue.add("flaky", {});
    mustClaim(queue, "the job");
    await clock.advance(LOCK);
    expect(queue.reap().requeued, "the lease ran out: the job is requeued").toEqual([id]);
    expect(queue.get(id), "a requeued job is waiting with one stall, no failedReason (it has not failed) and lockedUntil null (nobody holds it)").toMatchObject({
      state: "waiting",
      stalledCount: 1,
      failedReason: null,
      lockedUntil: null,
    });
  });

  test("[C4][C9] with the default maxStalledCount (1) the second stall fails the job", async () => {
    const clock = new FakeClock();
    const queue = openLeaseQueue(freshFile(), { clock, lockDurationMs: LOCK });
    opened.push(queue);
    const id = queue.add("x", {});
    queue.claim();
    await clock.advance(LOCK);
    expect(queue.reap().requeued, "first stall: back to waiting").toEqual([id]);
    queue.claim();
    await clock.advance(LOCK);
    expect(queue.reap().failed, "second stall: more than 1, failed (BullMQ's default maxStalledCount is 1)").toEqual([id]);
  });
  test("[C4][C9] reap() lists the ids ascending, even when the leases ran out in another order; a job that stalled too often has failedReason STALLED_REASON", () => {
    for (const maxStalledCount of [1, 0]) {
      const { clock, set } = handClock();
      const queue = open(clock, { maxStalledCount });
      const ids = [queue.add("a", {}), queue.add("b", {}), queue.add("c", {})];
      const claims = ids.map((id) => mustClaim(queue, `job ${id}`));
      // Leases extended in reverse order: the last job's lease runs out first.
      [...claims].reverse().forEach((claim, i) => {
        set(100 * (i + 1));
        expect(queue.extend(claim.id, claim.token), "the holder's heartbeat is accepted").toBe(true);
      });
      set(3 * LOCK);
      const result = queue.reap();
      const want = maxStalledCount === 0 ? { requeued: [], failed: ids } : { requeued: ids, failed: [] };
      expect(result, `maxStalledCount ${maxStalledCount}: every lease ran out; reap() lists the ids in ascending order, whatever order the leases ran out in`).toEqual(want);
      if (maxStalledCount === 0) {
        expect(queue.get(ids[0]!)?.failedReason, "a job that stalled too often fails with failedReason STALLED_REASON (BullMQ's wording, as the stub gives it)").toBe(
          "job stalled more than allowable limit",
        );
      }
    }
  });
});

const MAX_GAPS = 8;

describe("atomic steps: another connection acts between two of your statements", () => {
  // Two workers meet between two statements only when the scheduler says so.
  // Here, for every gap (after your 1st data statement, after your 2nd, ...),
  // another connection acts right there, on every run.

  for (const op of ["complete", "fail", "extend"] as const) {
    test(`[C2][C5] a lease that runs out between two of ${op}()'s statements, the job reaped and claimed by another worker in that gap: the old holder's ${op}() returns false and leaves the new holder's job alone`, () => {
      for (let gap = 1; gap <= MAX_GAPS; gap++) {
        const time = handClock(0);
        const file = freshFile();
        const a = open(time.clock, { file, maxStalledCount: 5 });
        // Another worker; it gives up at once if A rightly holds the write lock.
        const b = open(time.clock, { file, maxStalledCount: 5, busyTimeoutMs: 0 });
        const id = a.add("charge-card", {});
        const stale = mustClaim(a, "the job for worker A"); // lease until t=1000
        time.set(LOCK - 1); // A's token is still valid when it calls ${op}()
        let fresh: Claim | undefined;
        const run = withStatementHook(
          (n, when) => {
            if (n !== gap + 1 || when !== "before") return; // between statement #gap and the next one
            time.set(LOCK); // A's lease runs out right here
            try {
              if (b.reap().requeued.includes(id)) fresh = b.claim();
            } catch {
              // A holds the write lock: the other worker must wait, which is right
            }
          },
          () => (op === "complete" ? a.complete(id, stale.token, "A") : op === "fail" ? a.fail(id, stale.token, "A") : a.extend(id, stale.token)),
        );
        if (run.threw) {
          expect.fail(
            `${op}() threw when another connection wrote right after its statement #${gap} (${(run.error as Error).message}): check the token and write in one UPDATE ... WHERE id = ? AND state = 'active' AND lock_token = ? AND locked_until > ?, or inside BEGIN IMMEDIATE`,
          );
        }
        if (fresh?.id === id) {
          expect(
            run.value,
            `right after ${op}()'s statement #${gap}, A's lease ran out and worker B reaped and claimed the job: A's ${op}() must return false. Put the whole validity rule in the WHERE of one UPDATE (state, lock_token and locked_until), never check first and write by id after`,
          ).toBe(false);
          expect(b.get(id), `worker B's claim must be untouched by A's late ${op}()`).toMatchObject({
            state: "active",
            lockedUntil: fresh.lockedUntil,
            failedReason: null,
          });
          expect(b.get(id)?.result, `A's late ${op}() must not have stored a result`).toBeUndefined();
          expect(b.complete(id, fresh.token, "B"), "worker B, the holder, can complete the job").toBe(true);
        } else if (run.value) {
          const info = a.get(id);
          if (op === "complete") expect(info, "A's complete() returned true: the job is completed with A's result").toMatchObject({ state: "completed", result: "A" });
          if (op === "fail") expect(info, "A's fail() returned true: the job is failed with A's reason").toMatchObject({ state: "failed", failedReason: "A" });
          if (op === "extend") expect(info?.state, "A's extend() returned true: the job is still A's").toBe("active");
        }
        a.close();
        b.close();
        if (run.statements <= gap) break; // every gap has been tried
      }
    });
  }

  test("[C5][C12] another connection claiming between any two of a claim's statements never gets the same job, and the claim still gets the next one", () => {
    for (let gap = 1; gap <= MAX_GAPS; gap++) {
      const time = handClock(0);
      const file = freshFile();
      const a = open(time.clock, { file });
      const b = open(time.clock, { file, busyTimeoutMs: 0 });
      a.add("first", {});
      a.add("second", {});
      let intruder: Claim | undefined;
      const run = withStatementHook(
        (n, when) => {
          if (n !== gap + 1 || when !== "before") return; // between statement #gap and the next one
          try {
            intruder = b.claim();
          } catch {
            // the first claim holds the write lock: right
          }
        },
        () => a.claim(),
      );
      if (run.threw) {
        expect.fail(`claim() threw when another connection claimed right after its statement #${gap} (${(run.error as Error).message}): take the write lock before reading (db.transaction(...).immediate()) or claim in one UPDATE ... RETURNING`);
      }
      expect(run.value, `another connection claimed right after your claim's statement #${gap}: a job was still waiting, so your claim must return it`).toBeDefined();
      if (intruder) {
        expect(
          run.value?.id,
          `another connection claimed right after your claim's statement #${gap} and got the same job: pick and take the job in one atomic step`,
        ).not.toBe(intruder.id);
      }
      a.close();
      b.close();
      if (run.statements <= gap) break;
    }
  });

  test("[C4][C5] two reapers: a reap (and a new claim) between any two of reap()'s statements never counts one stall twice nor takes back the new claim", () => {
    for (let gap = 1; gap <= MAX_GAPS; gap++) {
      const time = handClock(0);
      const file = freshFile();
      const r1 = open(time.clock, { file, maxStalledCount: 1 });
      const r2 = open(time.clock, { file, maxStalledCount: 1, busyTimeoutMs: 0 });
      const id = r1.add("report", {});
      mustClaim(r1, "the job");
      time.set(LOCK);
      let second: { requeued: number[]; failed: number[] } = { requeued: [], failed: [] };
      let fresh: Claim | undefined;
      const run = withStatementHook(
        (n, when) => {
          if (n !== gap + 1 || when !== "before") return; // between statement #gap and the next one
          try {
            second = r2.reap();
            fresh = r2.claim();
          } catch {
            // the first reaper holds the write lock: right
          }
        },
        () => r1.reap(),
      );
      if (run.threw) expect.fail(`reap() threw when another connection wrote right after its statement #${gap}: ${(run.error as Error).message}`);
      const reported = [...run.value.requeued, ...run.value.failed, ...second.requeued, ...second.failed].filter((x) => x === id).length;
      expect(reported, `another reaper ran right after your reap()'s statement #${gap}: the one stall must be reported by exactly one of them`).toBe(1);
      expect(
        r1.get(id)?.stalledCount,
        `one lease ran out once: stalledCount must be 1 (select and update the stalled jobs in one UPDATE ... WHERE state = 'active' AND locked_until <= ?, or inside BEGIN IMMEDIATE)`,
      ).toBe(1);
      if (fresh?.id === id) {
        expect(r1.get(id), "the job was claimed again after the stall: the new claim must be untouched").toMatchObject({ state: "active", lockedUntil: fresh.lockedUntil });
        expect(r2.extend(id, fresh.token), "the new holder's token must still be valid").toBe(true);
      }
      r1.close();
      r2.close();
      if (run.statements <= gap) break;
    }
  });

  for (const op of ["claim", "reap"] as const) {
    test(`[C8] a ${op}() whose statement fails changes nothing and leaves the connection working: rolled back, no lock held, the next ${op}() succeeds`, () => {
      for (let gap = 1; gap <= MAX_GAPS; gap++) {
        const time = handClock(0);
        const file = freshFile();
        const a = open(time.clock, { file, maxStalledCount: 3 });
        const other = open(time.clock, { file });
        const ids = [a.add("x", {}), a.add("y", {})];
        if (op === "reap") {
          mustClaim(a, "x");
          mustClaim(a, "y");
          time.set(LOCK);
        }
        const run = withStatementHook(
          (n, when) => {
            if (n === gap && when === "before") throw injectedFailure();
          },
          () => (op === "claim" ? a.claim() : a.reap()),
        );
        const probe = new Database(file, { timeout: 0 });
        try {
          probe.exec("BEGIN IMMEDIATE");
          probe.exec("ROLLBACK");
        } catch (error) {
          expect.fail(
            `after your ${op}()'s statement #${gap} failed, the connection still held the write lock (${(error as Error).message}): roll the transaction back when a statement throws (db.transaction(...) does it for you)`,
          );
        } finally {
          probe.close();
        }
        if (run.threw) {
          expect(
            ids.map((id) => ({ state: other.get(id)?.state, stalledCount: other.get(id)?.stalledCount })),
            `your ${op}()'s statement #${gap} failed and ${op}() threw: nothing may have changed (roll back the whole ${op})`,
          ).toEqual(ids.map(() => ({ state: op === "claim" ? "waiting" : "active", stalledCount: 0 })));
          if (op === "claim") {
            expect(a.claim()?.id, "after the failed claim the same queue keeps working: the next claim takes the first job").toBe(ids[0]);
          } else {
            expect(a.reap(), "after the failed reap the same queue keeps working: the next reap handles both stalled jobs").toEqual({ requeued: ids, failed: [] });
          }
        }
        // What the queue did is committed: another connection sees it.
        if (op === "claim") expect(other.get(ids[0]!)?.state, "the claim is committed: another connection sees the job active").toBe("active");
        else expect(ids.map((id) => other.get(id)?.stalledCount), "the reap is committed: another connection sees one stall per job").toEqual([1, 1]);
        a.close();
        other.close();
        if (run.statements <= gap) break;
      }
    });
  }
});

describe("runWithLease", () => {
  test("[C14][C16][C18] heartbeats keep a job that runs five lease lengths from being reaped; no timer is left afterwards", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("video", { seconds: 5 });
    const claim = mustClaim(queue, "the job");
    const reaped: number[] = [];
    // The reaper runs every 250 ms of fake time while the job works for 4900 ms.
    let reaperTimer = clock.setTimeout(function reap() {
      const result = queue.reap();
      reaped.push(...result.requeued, ...result.failed);
      reaperTimer = clock.setTimeout(reap, 250);
    }, 250);
    const outcome = runWithLease(queue, claim, (_data, signal) => clock.sleep(5 * LOCK - 100, signal).then(() => "encoded"), {
      clock,
      heartbeatMs: LOCK / 2,
    });
    await clock.advance(5 * LOCK - 100);
    clock.clearTimeout(reaperTimer);
    expect(await outcome, "the job finishes with its lease intact").toBe("completed");
    expect(reaped, "a job whose worker heartbeats must never be reaped").toEqual([]);
    expect(queue.get(id), "completed with the handler's result, never stalled").toMatchObject({
      state: "completed",
      result: "encoded",
      stalledCount: 0,
    });
    expect(clock.pendingTimers, "runWithLease must clear its heartbeat timer when the job ends").toBe(0);
  });

  test("[C15][C18] a lost lease aborts the handler's signal with a LeaseLostError at the failed heartbeat", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("import", {});
    const claim = mustClaim(queue, "the job");
    let abortedAt: number | undefined;
    let reason: unknown;
    // Heartbeats every 1500 ms with a 1000 ms lease: the first heartbeat comes too late.
    const outcome = runWithLease(
      queue,
      claim,
      (_data, signal) => {
        signal.addEventListener("abort", () => {
          abortedAt = clock.now();
          reason = signal.reason;
        });
        return clock.sleep(10_000, signal);
      },
      { clock, heartbeatMs: 1_500 },
    );
    await clock.advance(1_499);
    expect(abortedAt, "nothing is aborted before the failed heartbeat").toBeUndefined();
    await clock.advance(1);
    expect(abortedAt, "the signal aborts at t=1500, when the heartbeat is refused").toBe(1_500);
    expect((reason as Error | undefined)?.name, "the abort reason is a LeaseLostError").toBe("LeaseLostError");
    expect(await outcome, "the outcome is lease-lost").toBe("lease-lost");
    expect(queue.get(id)?.state, "a lost lease is not completed or failed by the old holder").toBe("active");
    expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
  });

  test("[C15][C16] when the reaper gives the job to another worker, the old holder is aborted and only the new one completes", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("sync", {});
    const first = mustClaim(queue, "the job for worker A");
    let aAborted = false;
    // A's heartbeats are too slow (every 2000 ms): the lease lapses at 1000.
    const a = runWithLease(
      queue,
      first,
      (_data, signal) => {
        signal.addEventListener("abort", () => (aAborted = true));
        return clock.sleep(60_000, signal).then(() => "A");
      },
      { clock, heartbeatMs: 2_000 },
    );
    await clock.advance(LOCK);
    expect(queue.reap().requeued, "A's lease ran out at t=1000").toEqual([id]);
    const second = mustClaim(queue, "the job for worker B");
    const b = runWithLease(queue, second, (_data, signal) => clock.sleep(1_500, signal).then(() => "B"), {
      clock,
      heartbeatMs: LOCK / 2,
    });
    await clock.advance(1_000); // t=2000: A's heartbeat is refused
    expect(aAborted, "A must be aborted when its heartbeat is refused").toBe(true);
    expect(await a, "A's outcome is lease-lost").toBe("lease-lost");
    await clock.advance(500);
    expect(await b, "B completes").toBe("completed");
    expect(queue.get(id)?.result, "the result is B's").toBe("B");
    expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
  });

  test("[C16] a handler that ignores its signal and finishes after the lease ran out is lease-lost, not completed", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("resize", {});
    const claim = mustClaim(queue, "the job");
    // Heartbeats every 2000 ms with a 1000 ms lease: the lease runs out at
    // t=1000 and the handler (which never looks at its signal) finishes at
    // t=1500, before any heartbeat has noticed.
    const outcome = runWithLease(queue, claim, () => clock.sleep(1_500).then(() => "done"), {
      clock,
      heartbeatMs: 2_000,
    });
    await clock.advance(1_500);
    expect(
      await outcome,
      "complete() refuses a lease that has run out: runWithLease must look at what complete() returns and report lease-lost",
    ).toBe("lease-lost");
    expect(queue.get(id)?.state, "the job is not completed by a holder whose lease ran out").toBe("active");
    expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
  });

  test("[C15] after a refused heartbeat the job is neither completed nor failed, even when the handler then settles and the queue would accept it", async () => {
    for (const settles of ["resolves", "rejects"] as const) {
      const clock = new FakeClock();
      const queue = open(clock);
      const id = queue.add("sync", {});
      const claim = mustClaim(queue, "the job");
      // A queue whose heartbeat is refused (say, the database was busy) while
      // complete() and fail() would still accept the token.
      const refusing: LeaseQueue = { ...countingExtends(queue, clock).queue, extend: () => false };
      const outcome = runWithLease(
        refusing,
        claim,
        async () => {
          await clock.sleep(300); // ignores its signal
          if (settles === "rejects") throw new Error("late failure");
          return "late result";
        },
        { clock, heartbeatMs: 200 },
      );
      await clock.advance(300);
      expect(await outcome, `the heartbeat at t=200 was refused: the lease is lost, so a handler that then ${settles} gives lease-lost`).toBe("lease-lost");
      expect(queue.get(id)?.state, `after a lost lease runWithLease must neither complete nor fail the job (the handler ${settles} after the loss)`).toBe("active");
      expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
    }
  });

  test("[C17] a handler that throws after the lease ran out (before a heartbeat noticed) is lease-lost: fail() refused", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("import", {});
    const claim = mustClaim(queue, "the job");
    const outcome = runWithLease(
      queue,
      claim,
      async () => {
        await clock.sleep(1_500); // the lease ran out at t=1000; the first heartbeat would come at t=2000
        throw new Error("too late");
      },
      { clock, heartbeatMs: 2_000 },
    );
    await clock.advance(1_500);
    expect(await outcome, "fail() refuses a lease that has run out: runWithLease must look at what fail() returns and report lease-lost").toBe("lease-lost");
    expect(queue.get(id)?.state, "the job is not failed by a holder whose lease ran out").toBe("active");
    expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
  });

  test("[C17][C18] a handler that throws fails the job with the error's message", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("parse", {});
    const claim = mustClaim(queue, "the job");
    const outcome = runWithLease(
      queue,
      claim,
      async () => {
        await clock.sleep(700);
        throw new Error("malformed CSV");
      },
      { clock, heartbeatMs: LOCK / 2 },
    );
    await clock.advance(700);
    expect(await outcome, "a rejected handler gives the outcome failed").toBe("failed");
    expect(queue.get(id), "the job failed with the error's message").toMatchObject({ state: "failed", failedReason: "malformed CSV" });
    expect(clock.pendingTimers, "no heartbeat timer may remain after a failure").toBe(0);
  });
  test("[C14][C15] the first heartbeat comes heartbeatMs after the start, and after a refused heartbeat there is no other", async () => {
    const clock = new FakeClock();
    const inner = open(clock);
    const id = inner.add("import", {});
    const claim = mustClaim(inner, "the job");
    const { queue, extendsAt } = countingExtends(inner, clock);
    // Heartbeats every 1500 ms with a 1000 ms lease: the first one is refused.
    // The handler ignores its signal and works on until t=9000.
    const outcome = runWithLease(queue, claim, () => clock.sleep(9_000).then(() => "late"), { clock, heartbeatMs: 1_500 });
    await clock.advance(1_499);
    expect(extendsAt, "no heartbeat before heartbeatMs has passed").toEqual([]);
    await clock.advance(1);
    expect(extendsAt, "the first heartbeat at t=heartbeatMs=1500").toEqual([1_500]);
    await clock.advance(7_500);
    expect(
      extendsAt,
      "the heartbeat at t=1500 was refused: the lease is lost, so runWithLease must stop heartbeating (no extend() after a refusal), even while the handler runs on",
    ).toEqual([1_500]);
    expect(await outcome, "the outcome is lease-lost").toBe("lease-lost");
    expect(inner.get(id)?.state, "the old holder neither completes nor fails the job").toBe("active");
    expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
  });

  test("[C15] after a lost lease, runWithLease resolves only once the handler has settled, and then lease-lost", async () => {
    for (const settle of ["resolves", "rejects"] as const) {
      const clock = new FakeClock();
      const queue = open(clock);
      queue.add("slow", {});
      const claim = mustClaim(queue, "the job");
      let finish!: () => void;
      const handlerDone = new Promise<void>((resolve) => (finish = resolve));
      let aborted = false;
      // The handler sees the abort but needs a moment to wind down (say, to roll back its own work).
      const outcome = runWithLease(
        queue,
        claim,
        async (_data, signal) => {
          signal.addEventListener("abort", () => (aborted = true));
          await handlerDone;
          if (settle === "rejects") throw new Error("stopped");
          return "partial";
        },
        { clock, heartbeatMs: 1_500 },
      );
      let handlerSettled = false;
      let resolvedEarly = false;
      void outcome.then(
        () => (resolvedEarly = !handlerSettled),
        () => (resolvedEarly = !handlerSettled),
      );
      await clock.advance(1_500);
      await flushMicrotasks();
      expect(aborted, "the refused heartbeat at t=1500 aborts the handler's signal").toBe(true);
      expect(
        resolvedEarly,
        "runWithLease resolved while the handler was still running: after a lost lease it must wait for the handler to settle, so the caller never moves on (and claims the next job) while the old handler runs",
      ).toBe(false);
      handlerSettled = true;
      finish();
      expect(await outcome, `the handler ${settle} after the lost lease: the outcome is lease-lost`).toBe("lease-lost");
      expect(resolvedEarly, "runWithLease must not resolve before the handler settles").toBe(false);
      expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
    }
  });

  test("[C17][C18] a handler that throws before returning a promise fails the job like a rejection", async () => {
    const clock = new FakeClock();
    const queue = open(clock);
    const id = queue.add("parse", {});
    const claim = mustClaim(queue, "the job");
    const throwsAtOnce = ((): Promise<unknown> => {
      throw new Error("bad header");
    }) as (data: unknown, signal: AbortSignal) => Promise<unknown>;
    const outcome = await runWithLease(queue, claim, throwsAtOnce, { clock, heartbeatMs: LOCK / 2 }).catch(
      (error: unknown) => `runWithLease rejected (${String(error)})`,
    );
    expect(outcome, "a handler that throws synchronously has failed: runWithLease resolves \"failed\" (call it inside your try)").toBe("failed");
    expect(queue.get(id), "the job failed with the error's message").toMatchObject({ state: "failed", failedReason: "bad header" });
    expect(clock.pendingTimers, "no heartbeat timer may remain").toBe(0);
  });
});

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

interface ReportedClaim {
  id: number;
  token: string;
  lockedUntil: number;
}

interface Worker {
  child: ChildProcess;
  /** Resolves on the process's "ready" (the candidate is loaded). */
  ready: Promise<void>;
}

/** Starts a worker process; it loads the candidate and waits for claimIn(). */
async function startWorker(): Promise<Worker> {
  const child = await spawnTs(path.join(here, "crash-worker.ts"), [], { env: childEnv });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code, signal) =>
      reject(new Error(`the worker process exited (${code ?? signal}) before it was ready:\n${stderr.slice(-1500)}`)),
    );
  });
  ready.catch(() => {}); // reported by the test that awaits it
  return { child, ready };
}

/**
 * Lets the worker open `file` at fake time `now` and claim one job under
 * runWithLease; resolves with what it claimed (it then hangs in the handler).
 */
// Starting processes on a machine busy with other work can take seconds: these
// limits only matter then, and no assertion depends on how long anything took.
const PROCESS_TEST_TIMEOUT_MS = 30_000;
const START_LIMIT_MS = 20_000;

async function claimIn(worker: Worker, file: string, now: number, effects: string): Promise<ReportedClaim | null> {
  await within(worker.ready, START_LIMIT_MS, "the worker process to start");
  const claimed = within(
    new Promise<{ claim: ReportedClaim | null }>((resolve, reject) => {
      worker.child.once("message", (m) => resolve(m as { claim: ReportedClaim | null }));
      worker.child.once("exit", (code) => reject(new Error(`the worker process exited (${code}) before claiming`)));
    }),
    START_LIMIT_MS,
    "the worker process to claim a job",
  );
  worker.child.send({ go: now, file, lockDurationMs: LOCK, maxStalledCount: 1, effects });
  return (await claimed).claim;
}

// Started together on first use, so a candidate that an earlier test rejected
// (verify stops at the first failure) never pays for three processes.
let workers: Promise<Worker[]> | undefined;
const worker = async (index: number): Promise<Worker> => (await (workers ??= Promise.all([startWorker(), startWorker(), startWorker()])))[index]!;
afterAll(async () => {
  for (const started of (await workers?.catch(() => undefined)) ?? []) started.child.kill("SIGKILL");
});

async function kill(child: ChildProcess): Promise<void> {
  child.kill("SIGKILL");
  await within(exited(child), START_LIMIT_MS, "the killed worker to exit");
}

describe("a real worker process killed with SIGKILL", () => {
  test("[C7][C2][C4] its job stays leased until the lease runs out, then the reaper requeues it and another worker completes it; the dead worker's token is rejected", async ({ expect }) => {
    const queues: LeaseQueue[] = [];
    try {
      const file = freshFile();
      const effects = `${file}.effects`;
      writeFileSync(effects, "");
      const start = 1_700_000_000_000;
      const clock = new FakeClock(start);
      const setup = openLeaseQueue(file, { clock, lockDurationMs: LOCK });
      queues.push(setup);
      const id = setup.add("charge-order", { order: 42 });
      setup.close();

      const claim = await claimIn(await worker(0), file, clock.now(), effects);
      await kill((await worker(0)).child);
      expect(claim?.id, "the worker process claimed the job").toBe(id);

      const queue = openLeaseQueue(file, { clock, lockDurationMs: LOCK });
      queues.push(queue);
      expect(queue.get(id)?.state, "the dead worker's job is still active").toBe("active");
      expect(queue.get(id)?.lockedUntil, "its lease, committed before the crash, survived").toBe(start + LOCK);
      await clock.advance(LOCK - 1);
      expect(queue.reap(), "one millisecond before the lease ends nothing is reaped").toEqual({ requeued: [], failed: [] });
      expect(queue.claim(), "while the lease runs, nobody else gets the job").toBeUndefined();
      await clock.advance(1);
      expect(queue.reap(), "when the lease ends the reaper requeues the job").toEqual({ requeued: [id], failed: [] });
      expect(queue.get(id)?.stalledCount, "one stall is counted").toBe(1);
      expect(queue.complete(id, claim!.token), "the dead worker's token must be rejected").toBe(false);

      const again = queue.claim();
      expect(again?.id, "another worker claims the requeued job").toBe(id);
      expect(again?.token, "with a new token").not.toBe(claim!.token);
      const outcome = runWithLease(queue, again!, async () => "charged", { clock, heartbeatMs: LOCK / 2 });
      expect(await outcome, "the second worker completes the job").toBe("completed");
      expect(queue.get(id), "completed, with one stall on record").toMatchObject({ state: "completed", stalledCount: 1 });
      expect(
        readFileSync(effects, "utf8").trim().split("\n"),
        "the dead worker had started the job before it died: at-least-once delivery",
      ).toEqual([`started ${id}`]);
    } finally {
      for (const queue of queues) {
        try {
          queue.close();
        } catch {
          // already closed
        }
      }
    }
  }, PROCESS_TEST_TIMEOUT_MS);

  test("[C7][C4][C9] a job that kills its worker every time fails after more than maxStalledCount stalls", async ({ expect }) => {
    const queues: LeaseQueue[] = [];
    try {
      const file = freshFile();
      const effects = `${file}.effects`;
      writeFileSync(effects, "");
      const start = 1_800_000_000_000;
      const clock = new FakeClock(start);
      const queue = openLeaseQueue(file, { clock, lockDurationMs: LOCK, maxStalledCount: 1 });
      queues.push(queue);
      const id = queue.add("poison", {});

      expect(await claimIn(await worker(1), file, clock.now(), effects).then((c) => c?.id), "the first worker process claims the job").toBe(id);
      await kill((await worker(1)).child);
      await clock.advance(LOCK);
      expect(queue.reap(), "first crash: one stall, requeued").toEqual({ requeued: [id], failed: [] });

      expect(await claimIn(await worker(2), file, clock.now(), effects).then((c) => c?.id), "the second worker process claims the same job").toBe(id);
      await kill((await worker(2)).child);
      await clock.advance(LOCK);
      expect(queue.reap(), "second crash: two stalls > maxStalledCount 1, the job fails").toEqual({ requeued: [], failed: [id] });
      expect(queue.get(id), "failed as stalled too often").toMatchObject({ state: "failed", stalledCount: 2, failedReason: STALLED_REASON });
    } finally {
      for (const queue of queues) {
        try {
          queue.close();
        } catch {
          // already closed
        }
      }
    }
  }, PROCESS_TEST_TIMEOUT_MS);
});
