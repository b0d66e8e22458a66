// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe, afterAll, afterEach } from "vitest";
import fc from "fast-check";
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { spawnTs, exited } from "#kit/spawn-ts.ts";
import { candidatePath, lessonFolderOf, loadCandidate } from "../../_harness/candidate.ts";
import { injectedFailure, withStatementHook } from "../../_harness/statement-hook.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/12-sqlite-queue/challenge.ts");
type SqliteQueue = import("../../../../lessons/3-durable-queues/12-sqlite-queue/challenge.ts").SqliteQueue;
const { openQueue } = await loadCandidate<Challenge>(import.meta.url);
// Worker processes cannot see how this test was bound to its candidate, so
// they are told explicitly; their candidatePath() then finds the same file.
const childEnv = { QUEUECRAFT_CANDIDATES: JSON.stringify({ [lessonFolderOf(import.meta.url)]: candidatePath(import.meta.url) }) };

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "queuecraft-sqlite-queue-"));
let fileCounter = 0;
const freshFile = () => path.join(dir, `queue-${++fileCounter}.db`);

const openQueues = new Set<SqliteQueue>();

/** Opens the candidate's queue and remembers it so it is closed after the test. */
function open(file: string, options?: Parameters<Challenge["openQueue"]>[1]): SqliteQueue {
  const queue = openQueue(file, options);
  openQueues.add(queue);
  return queue;
}
function close(queue: SqliteQueue): void {
  openQueues.delete(queue);
  queue.close();
}

afterEach(() => {
  for (const queue of openQueues) {
    try {
      queue.close();
    } catch {
      // already closed
    }
  }
  openQueues.clear();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function nextMessage<T>(child: ChildProcess, what: string, ms = 8_000): Promise<T> {
  return within(
    new Promise<T>((resolve, reject) => {
      child.once("message", (message) => resolve(message as T));
      child.once("exit", (code, signal) => reject(new Error(`worker exited (${code ?? signal}) before sending ${what}`)));
    }),
    ms,
    what,
  );
}

/** A clock the test moves by hand. */
function manualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, set: (ms: number) => void (t = ms), advance: (ms: number) => void (t += ms) };
}

interface Started {
  child: ChildProcess;
  /** Resolves on the process's "ready" (the candidate is loaded). */
  ready: Promise<void>;
}

/** Starts a worker process from this folder; it loads the candidate and waits for orders. */
async function start(script: string): Promise<Started> {
  const child = await spawnTs(path.join(here, script), [], { env: childEnv });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const ready = new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code, signal) =>
      reject(new Error(`${script} exited (${code ?? signal}) before it was ready:\n${stderr.slice(-1500)}`)),
    );
  });
  ready.catch(() => {}); // reported by the test that awaits it
  return { child, ready };
}

// Started together on first use, so a candidate that an earlier test rejected
// (verify stops at the first failure) never pays for three processes.
let processes: Promise<{ claimers: Started[]; crasher: Started }> | undefined;
const workerProcesses = () =>
  (processes ??= Promise.all([start("claimer.ts"), start("claimer.ts"), start("crasher.ts")]).then(([a, b, crasher]) => ({ claimers: [a, b], crasher })));
afterAll(async () => {
  const started = await processes?.catch(() => undefined);
  for (const worker of started ? [...started.claimers, started.crasher] : []) worker.child.kill("SIGKILL");
});

describe("claiming in one process", () => {
  // First: cheap, and a file without WAL makes every later commit wait for the disk.
  test("[C18] openQueue switches the file to WAL mode, so readers and the one writer do not block each other", () => {
    const file = freshFile();
    close(open(file));
    const probe = new Database(file, { readonly: true });
    try {
      expect(
        probe.pragma("journal_mode", { simple: true }),
        "openQueue must run PRAGMA journal_mode = WAL (it is stored in the file, so a new connection sees it)",
      ).toBe("wal");
    } finally {
      probe.close();
    }
  });

  test("[C18] the queue's connection waits busyTimeoutMs for a lock: 0 stays 0 (give up at once), 1234 is 1234, the default is 5000", () => {
    for (const [busyTimeoutMs, want] of [[0, 0], [1_234, 1_234], [undefined, 5_000]] as const) {
      const queue = open(freshFile(), busyTimeoutMs === undefined ? {} : { busyTimeoutMs });
      const connections = new Set<Database.Database>();
      withStatementHook(
        (_n, when, statement) => void (when === "after" && connections.add(statement.database)),
        () => {
          const id = queue.enqueue("job", {});
          queue.claim("w1");
          queue.complete(id, "w1");
          queue.get(id);
        },
      );
      for (const connection of connections) {
        expect(
          connection.pragma("busy_timeout", { simple: true }),
          `openQueue(file, { busyTimeoutMs: ${busyTimeoutMs} }): the connection's busy_timeout must be ${want} ms (read the option with ??, not ||: 0 is a valid value)`,
        ).toBe(want);
      }
    }
  });

  test("[C8][C11] claim hands out ready jobs by priority, then run_at, then id, never before run_at", () => {
    // One file for every generated case: each case starts with no ready job
    // (the previous one is drained in finally) and a clock that only moves on.
    const clock = manualClock();
    const queue = open(freshFile(), { now: clock.now, leaseMs: 1_000_000 });
    fc.assert(
      fc.property(
        fc.array(fc.record({ priority: fc.integer({ min: -2, max: 2 }), delayMs: fc.integer({ min: 0, max: 40 }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.record({ advance: fc.integer({ min: 0, max: 15 }), limit: fc.integer({ min: 1, max: 4 }) }), {
          minLength: 1,
          maxLength: 8,
        }),
        (specs, rounds) => {
          const start = clock.now();
          try {
            const model = specs.map((spec, index) => ({
              id: queue.enqueue("job", { index }, spec),
              priority: spec.priority,
              runAt: start + spec.delayMs,
              claimed: false,
            }));
            for (const { advance, limit } of rounds) {
              clock.advance(advance);
              const expected = model
                .filter((job) => !job.claimed && job.runAt <= clock.now())
                .sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || a.id - b.id)
                .slice(0, limit);
              for (const job of expected) job.claimed = true;
              const got = queue.claim("w1", limit);
              expect(
                got.map((job) => job.id),
                `jobs enqueued at t=0 with ${JSON.stringify(specs)}; at t=${clock.now() - start} claim(limit ${limit}) must return the ready jobs ordered by (priority, run_at, id), lower first, and never a job whose run_at is still in the future`,
              ).toEqual(expected.map((job) => job.id));
            }
          } finally {
            clock.advance(1_000);
            for (let i = 0; i < 20 && queue.claim("drain", 1_000).length > 0; i++);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  test("[C10][C11] a delayed job is not claimable one millisecond early and is claimable exactly at run_at", () => {
    const clock = manualClock();
    const queue = open(freshFile(), { now: clock.now });
    const id = queue.enqueue("later", {}, { delayMs: 500 });
    clock.advance(499);
    expect(queue.claim("w1", 5), "a job enqueued with delayMs 500 must not be claimed after 499 ms").toEqual([]);
    clock.advance(1);
    expect(
      queue.claim("w1", 5).map((job) => job.id),
      "run_at <= now: the job is ready exactly at its run_at",
    ).toEqual([id]);
  });

  test("[C9][C12] a claimed job comes back active, with its payload, attempts 1, the worker and the lease end", () => {
    const clock = manualClock();
    const queue = open(freshFile(), { now: clock.now, leaseMs: 7_000 });
    const id = queue.enqueue("email", { to: "ada@example.com", tags: ["a", "b"] }, { priority: 3 });
    const [job] = queue.claim("worker-7");
    expect(job, "claim must return the waiting job").toBeDefined();
    expect(job!.id, "the claimed job's id must be the id enqueue returned").toBe(id);
    expect(job!.type, "type must round-trip").toBe("email");
    expect(job!.payload, "the payload must round-trip through the database as JSON").toEqual({
      to: "ada@example.com",
      tags: ["a", "b"],
    });
    expect(job!.status, "a claimed job is active").toBe("active");
    expect(job!.attempts, "the first claim makes attempts 1").toBe(1);
    expect(job!.lockedBy, "lockedBy is the claiming worker").toBe("worker-7");
    expect(job!.lockedUntil, "lockedUntil is now + leaseMs").toBe(clock.now() + 7_000);
    expect(queue.claim("worker-8"), "an active job must not be claimed again").toEqual([]);
    expect(queue.get(id)?.status, "get() reads the row back").toBe("active");
  });

  test("[C9] payloads 0, \"\", false, null and [] come back equal, and a payload changed after enqueue() is stored as it was", () => {
    const queue = open(freshFile());
    const payloads: unknown[] = [0, "", false, null, [], { nested: { list: [0, "", null] } }];
    const ids = payloads.map((payload) => queue.enqueue("falsy", payload));
    const later = { step: 1 };
    const changed = queue.enqueue("changed", later);
    later.step = 2;
    const claimed = new Map(queue.claim("w1", 10).map((job) => [job.id, job.payload]));
    ids.forEach((id, i) => {
      const want = payloads[i];
      expect(claimed.has(id), `the job with payload ${JSON.stringify(want)} must be claimed like any other`).toBe(true);
      expect(claimed.get(id), `the payload ${JSON.stringify(want)} must come back from claim() unchanged (store it with JSON.stringify, read it with JSON.parse; never replace a falsy payload)`).toStrictEqual(want);
      expect(queue.get(id)?.payload, `get() must return the payload ${JSON.stringify(want)} unchanged`).toStrictEqual(want);
    });
    expect(queue.get(changed)?.payload, "the payload is stored when enqueue() is called: changing the caller's object afterwards changes nothing").toEqual({ step: 1 });
  });

  test("[C11][C17] an empty queue: claim returns [], counts() reports all four statuses as 0, and limit 0 claims nothing", () => {
    const queue = open(freshFile());
    expect(queue.counts(), "counts() on an empty queue reports every status with 0").toEqual({ waiting: 0, active: 0, completed: 0, failed: 0 });
    expect(queue.claim("w1"), "claim() on an empty queue returns []").toEqual([]);
    const id = queue.enqueue("job", {});
    expect(queue.claim("w1", 0), "claim(workerId, 0) claims up to 0 jobs: nothing").toEqual([]);
    expect(queue.get(id)?.status, "after claim(workerId, 0) the job is still waiting").toBe("waiting");
    expect(queue.claim("w1").map((job) => job.id), "the default limit is 1").toEqual([id]);
  });

  test("[C12][C15] an explicit leaseMs of 0 is a lease that ends at the claim's own instant", () => {
    const clock = manualClock();
    const queue = open(freshFile(), { now: clock.now, leaseMs: 0 });
    const id = queue.enqueue("job", {});
    const [job] = queue.claim("w1");
    expect(job?.lockedUntil, "leaseMs 0 means lockedUntil = now + 0 (0 is a valid lease length, not a missing option)").toBe(clock.now());
    expect(queue.recoverExpired(), "a lease that ends now has run out (lockedUntil <= now)").toBe(1);
    expect(queue.get(id)?.status, "the job is waiting again").toBe("waiting");
  });

  test("[C3][C14] attempts rise exactly once per claim, not on fail, retry or recovery", () => {
    const clock = manualClock();
    const queue = open(freshFile(), { now: clock.now, leaseMs: 1_000 });
    const id = queue.enqueue("flaky", {});
    expect(queue.claim("w1")[0]?.attempts, "first claim: attempts 1").toBe(1);
    expect(queue.fail(id, "w1", "boom", 0), "the holder may fail its job with a retry").toBe(true);
    expect(queue.get(id)?.status, "fail with retryDelayMs puts the job back to waiting").toBe("waiting");
    expect(queue.get(id)?.attempts, "failing must not change attempts; only a claim does").toBe(1);
    expect(queue.get(id)?.lastError, "fail records the error").toBe("boom");
    expect(queue.claim("w2")[0]?.attempts, "second claim: attempts 2").toBe(2);
    clock.advance(1_000);
    expect(queue.recoverExpired(), "the expired lease is recovered").toBe(1);
    expect(queue.get(id)?.attempts, "recovering must not change attempts; only a claim does").toBe(2);
    expect(queue.claim("w3")[0]?.attempts, "third claim: attempts 3").toBe(3);
  });

  test("[C14][C17] fail with a retry delay requeues at now + delay; without one the job is failed for good", () => {
    const clock = manualClock();
    const queue = open(freshFile(), { now: clock.now });
    const retried = queue.enqueue("a", {});
    const dead = queue.enqueue("b", {});
    queue.claim("w1", 2);
    expect(queue.fail(retried, "w1", "timeout", 250), "fail() by the holder succeeds").toBe(true);
    expect(queue.fail(dead, "w1", "bad input"), "fail() without a delay by the holder succeeds").toBe(true);
    expect(queue.get(dead)?.status, "fail without retryDelayMs is final").toBe("failed");
    expect(queue.get(dead)?.lastError, "fail() records its error as lastError also when the job fails for good").toBe("bad input");
    expect(queue.get(retried)?.runAt, "the retry runs at now + retryDelayMs").toBe(clock.now() + 250);
    for (const id of [retried, dead]) {
      expect(
        { lockedBy: queue.get(id)?.lockedBy, lockedUntil: queue.get(id)?.lockedUntil },
        "fail() clears the claim: lockedBy and lockedUntil go back to null",
      ).toEqual({ lockedBy: null, lockedUntil: null });
    }
    clock.advance(249);
    expect(queue.claim("w1"), "the retry must wait for its delay").toEqual([]);
    clock.advance(1);
    expect(queue.claim("w1").map((job) => job.id), "the retry is claimable at now + retryDelayMs").toEqual([retried]);
    expect(queue.counts(), "counts() reports every status").toEqual({ waiting: 0, active: 1, completed: 0, failed: 1 });
    const blank = queue.enqueue("c", {});
    queue.claim("w2", 5);
    expect(queue.fail(blank, "w2", "", 0), "fail() with an empty error and a retry").toBe(true);
    expect(queue.get(blank)?.lastError, "an empty error message is still the error: lastError is \"\", not null").toBe("");
  });

  test("[C13][C14] only the worker holding a claim can complete or fail it, and only once", () => {
    const queue = open(freshFile());
    const id = queue.enqueue("charge", {});
    queue.claim("alice");
    expect(queue.complete(id, "bob"), "a worker that does not hold the claim must not complete the job").toBe(false);
    expect(queue.fail(id, "bob", "nope"), "a worker that does not hold the claim must not fail the job").toBe(false);
    expect(queue.complete(id, "alice"), "the holder completes its job").toBe(true);
    expect(queue.complete(id, "alice"), "completing twice must return false the second time").toBe(false);
    expect(queue.get(id)?.status, "the job is completed").toBe("completed");
  });

  test("[C13][C14][C16] an id that does not exist: get() is undefined, complete() and fail() return false", () => {
    const queue = open(freshFile());
    const id = queue.enqueue("job", {});
    queue.claim("w1");
    expect(queue.get(id + 1000), "get() of an id that does not exist returns undefined").toBeUndefined();
    expect(queue.complete(id + 1000, "w1"), "complete() of an id that does not exist returns false").toBe(false);
    expect(queue.fail(id + 1000, "w1", "nope"), "fail() of an id that does not exist returns false").toBe(false);
    expect(queue.fail(id + 1000, "w1", "nope", 0), "fail() with a retry of an id that does not exist returns false").toBe(false);
    expect(queue.counts(), "nothing changed").toEqual({ waiting: 0, active: 1, completed: 0, failed: 0 });
  });

  test("[C13][C14] a worker whose job was recovered, and then claimed by another worker, can no longer complete or fail it", () => {
    const clock = manualClock(0);
    const queue = open(freshFile(), { now: clock.now, leaseMs: 1_000 });
    const id = queue.enqueue("charge", {});
    queue.claim("A");
    clock.set(1_000);
    expect(queue.recoverExpired(), "A's lease ran out").toBe(1);
    expect(queue.complete(id, "A"), "A's job was recovered (waiting again): A's complete() must return false").toBe(false);
    expect(queue.fail(id, "A", "late", 0), "A's job was recovered: A's fail() must return false").toBe(false);
    expect(queue.get(id)?.status, "the recovered job stays waiting").toBe("waiting");
    const [again] = queue.claim("B");
    expect(again?.id, "B claims the recovered job").toBe(id);
    expect(queue.complete(id, "A"), "B holds the claim now: A's complete() must return false").toBe(false);
    expect(queue.fail(id, "A", "late"), "B holds the claim now: A's fail() must return false").toBe(false);
    expect(queue.get(id), "B's claim is untouched").toMatchObject({ status: "active", lockedBy: "B", lockedUntil: 2_000, attempts: 2, lastError: null });
    expect(queue.complete(id, "B"), "B, the holder, completes").toBe(true);
  });

  test("[C16] get() returns a snapshot: changing the returned job or its payload changes nothing stored", () => {
    const queue = open(freshFile());
    const id = queue.enqueue("job", { items: [1, 2] });
    const job = queue.get(id)!;
    job.status = "completed";
    (job.payload as { items: number[] }).items.push(3);
    const [claimed] = queue.claim("w1");
    (claimed!.payload as { items: number[] }).items.push(4);
    claimed!.lockedBy = "someone-else";
    expect(queue.get(id), "the stored job is unaffected by edits to objects get() and claim() returned").toMatchObject({
      status: "active",
      lockedBy: "w1",
      payload: { items: [1, 2] },
    });
  });

  test("[C5][C15] recoverExpired requeues only active jobs whose lease has run out (locked_until <= now)", () => {
    const clock = manualClock(0);
    const queue = open(freshFile(), { now: clock.now, leaseMs: 1_000 });
    const first = queue.enqueue("a", {});
    const second = queue.enqueue("b", {});
    const done = queue.enqueue("c", {});
    queue.enqueue("d", {}, { delayMs: 100_000 });
    queue.claim("w1", 1); // first: lease until 1000
    clock.set(500);
    queue.claim("w2", 1); // second: lease until 1500
    queue.claim("w3", 1);
    queue.complete(done, "w3");
    clock.set(999);
    expect(queue.recoverExpired(), "no lease has expired at t=999").toBe(0);
    clock.set(1_000);
    expect(queue.recoverExpired(), "the first lease expires at exactly t=1000").toBe(1);
    expect(queue.get(first)?.status, "the expired job is waiting again").toBe("waiting");
    expect(
      { lockedBy: queue.get(first)?.lockedBy, lockedUntil: queue.get(first)?.lockedUntil },
      "recoverExpired() clears the dead worker's claim: lockedBy and lockedUntil go back to null",
    ).toEqual({ lockedBy: null, lockedUntil: null });
    expect(queue.get(second)?.status, "a job whose lease is still running must stay active").toBe("active");
    expect(queue.get(done)?.status, "completed jobs are never recovered").toBe("completed");
    clock.set(1_500);
    expect(queue.recoverExpired(), "the second lease expires at t=1500").toBe(1);
    expect(queue.counts(), "after recovery two jobs wait, one is done, one is delayed").toEqual({
      waiting: 3,
      active: 0,
      completed: 1,
      failed: 0,
    });
  });

  test("[C4] a restart loses nothing: jobs survive closing and reopening the file", () => {
    const file = freshFile();
    const clock = manualClock();
    let queue = open(file, { now: clock.now });
    const ids = [queue.enqueue("a", { n: 1 }, { priority: 2 }), queue.enqueue("b", { n: 2 }), queue.enqueue("c", { n: 3 }, { delayMs: 10 })];
    queue.claim("w1", 1); // b, now active
    close(queue);
    queue = open(file, { now: clock.now });
    expect(queue.counts(), "after reopening, the waiting and active jobs are all still there").toEqual({
      waiting: 2,
      active: 1,
      completed: 0,
      failed: 0,
    });
    clock.advance(10);
    expect(
      queue.claim("w2", 5).map((job) => [job.id, job.payload]),
      "after reopening, the remaining jobs come out in order with their payloads",
    ).toEqual([
      [ids[2], { n: 3 }],
      [ids[0], { n: 1 }],
    ]);
  });

  test("[C1] two connections to the same file never claim the same job", () => {
    const file = freshFile();
    const a = open(file);
    const b = open(file);
    for (let i = 0; i < 10; i++) a.enqueue("job", { i });
    const seen: number[] = [];
    for (let round = 0; round < 6; round++) {
      seen.push(...a.claim("A", 1).map((job) => job.id));
      seen.push(...b.claim("B", 2).map((job) => job.id));
    }
    expect(new Set(seen).size, "no job may be handed to both connections").toBe(seen.length);
    expect(seen.length, "together the two connections claim all ten jobs").toBe(10);
  });
});

interface ClaimerReport {
  claimed: number[];
  attempts: number[];
  rejectedCompletes: number;
  errors: string[];
}

const MAX_GAPS = 8;

describe("atomic steps: another connection acts between two of your statements", () => {
  // Real processes meet between two statements only when the scheduler says
  // so. Here, for every gap (after your 1st data statement, after your 2nd,
  // ...), another connection acts right there, on every run.

  test("[C1][C2] another connection claiming between any two of a claim's statements never gets the same job, and the first claim still succeeds", () => {
    for (let gap = 1; gap <= MAX_GAPS; gap++) {
      const file = freshFile();
      const a = open(file);
      // A first claim that rightly holds the write lock makes the intruder fail at once, not after a timeout.
      const b = open(file, { busyTimeoutMs: 0 });
      for (let i = 0; i < 4; i++) a.enqueue("job", { i });
      let intruded: number[] | string = [];
      const run = withStatementHook(
        (n, when) => {
          if (n !== gap + 1 || when !== "before") return; // between statement #gap and the next one
          try {
            intruded = b.claim("B", 1).map((job) => job.id);
          } catch (error) {
            intruded = `refused: ${(error as Error).message}`; // the first claim holds the write lock: right
          }
        },
        () => a.claim("A", 1).map((job) => job.id),
      );
      if (run.threw) {
        expect.fail(
          `claim() threw when another connection had claimed right after its statement #${gap} (${(run.error as Error).message}): take the write lock before reading (BEGIN IMMEDIATE, db.transaction(...).immediate()), or claim in one UPDATE ... RETURNING`,
        );
      }
      const claimed = run.value;
      expect(claimed.length, `another connection claimed right after your claim's statement #${gap}: your claim must still get a job (a lost race means "try the next one", not "queue empty")`).toBe(1);
      if (Array.isArray(intruded)) {
        expect(
          intruded.filter((id) => claimed.includes(id)),
          `another connection claimed right after your claim's statement #${gap} and got the same job: reading the next job and marking it active must be one atomic step (one write transaction, BEGIN IMMEDIATE, or a single UPDATE ... RETURNING)`,
        ).toEqual([]);
      }
      close(a);
      close(b);
      if (run.statements <= gap) break; // every gap has been tried
    }
  });

  for (const op of ["complete", "fail", "fail with a retry"] as const) {
    test(`[C6][C13][C14] another connection recovering and re-claiming the job between any two of ${op}()'s statements: never do both workers win`, () => {
      for (let gap = 1; gap <= MAX_GAPS; gap++) {
        const clock = manualClock(0);
        const file = freshFile();
        const a = open(file, { now: clock.now, leaseMs: 1_000 });
        const b = open(file, { now: clock.now, leaseMs: 1_000, busyTimeoutMs: 0 });
        const id = a.enqueue("charge", {});
        a.claim("A");
        clock.set(1_000); // A's lease has run out; nobody has recovered the job yet, so A may still finish it
        let takenOver = false;
        const run = withStatementHook(
          (n, when) => {
            if (n !== gap + 1 || when !== "before") return; // between statement #gap and the next one
            try {
              // Another worker's reaper takes back A's job and that worker claims it.
              takenOver = b.recoverExpired() > 0 && b.claim("B").some((job) => job.id === id);
            } catch {
              // A holds the write lock: the other worker must wait, which is right
            }
          },
          () => (op === "complete" ? a.complete(id, "A") : op === "fail" ? a.fail(id, "A", "late") : a.fail(id, "A", "late", 0)),
        );
        if (run.threw) {
          expect.fail(
            `${op}() threw when another connection wrote right after its statement #${gap} (${(run.error as Error).message}): check and change the job in one UPDATE whose WHERE states the condition (status = 'active' AND locked_by = ?), or inside BEGIN IMMEDIATE`,
          );
        }
        const job = b.get(id);
        if (takenOver) {
          expect(
            run.value,
            `right after ${op}()'s statement #${gap}, another worker recovered A's expired job and claimed it: A's ${op}() must then return false (check and write in one step, e.g. UPDATE ... WHERE id = ? AND status = 'active' AND locked_by = ?)`,
          ).toBe(false);
          expect(
            { status: job?.status, lockedBy: job?.lockedBy },
            `the job now belongs to the worker that re-claimed it: A's late ${op}() must not overwrite that claim`,
          ).toEqual({ status: "active", lockedBy: "B" });
          expect(b.complete(id, "B"), "the worker that re-claimed the job must be able to complete it").toBe(true);
        } else if (run.value) {
          const want = op === "complete" ? "completed" : op === "fail" ? "failed" : "waiting";
          expect(job?.status, `A's ${op}() returned true, so the job must be ${want}`).toBe(want);
        }
        close(a);
        close(b);
        if (run.statements <= gap) break;
      }
    });
  }

  test("[C6][C15] the holder completing its job between any two of recoverExpired()'s statements: the job is completed or recovered, never both", () => {
    for (let gap = 1; gap <= MAX_GAPS; gap++) {
      const clock = manualClock(0);
      const file = freshFile();
      const reaper = open(file, { now: clock.now, leaseMs: 1_000 });
      const holder = open(file, { now: clock.now, leaseMs: 1_000, busyTimeoutMs: 0 });
      const id = holder.enqueue("charge", {});
      holder.claim("H");
      clock.set(1_000); // H's lease has just run out, but H is alive and finishing
      let holderCompleted = false;
      const run = withStatementHook(
        (n, when) => {
          if (n !== gap + 1 || when !== "before") return; // between statement #gap and the next one
          try {
            holderCompleted = holder.complete(id, "H");
          } catch {
            // the reaper holds the write lock: H must wait, which is right
          }
        },
        () => reaper.recoverExpired(),
      );
      if (run.threw) {
        expect.fail(`recoverExpired() threw when another connection wrote right after its statement #${gap}: ${(run.error as Error).message}`);
      }
      const status = reaper.get(id)?.status;
      if (holderCompleted) {
        expect(
          { recovered: run.value, status },
          `the holder completed its job right after recoverExpired()'s statement #${gap}: recoverExpired() must then leave the completed job alone (select and update the expired jobs in one UPDATE ... WHERE status = 'active' AND locked_until <= ?, or inside BEGIN IMMEDIATE)`,
        ).toEqual({ recovered: 0, status: "completed" });
      } else {
        expect({ recovered: run.value, status }, "the expired job is recovered once").toEqual({ recovered: 1, status: "waiting" });
      }
      close(reaper);
      close(holder);
      if (run.statements <= gap) break;
    }
  });

  test("[C7] a claim whose statement fails changes nothing and leaves the connection working: rolled back, no lock held, the next claim succeeds", () => {
    for (let gap = 1; gap <= MAX_GAPS; gap++) {
      const file = freshFile();
      const a = open(file);
      const b = open(file);
      const ids = [a.enqueue("job", { i: 0 }), a.enqueue("job", { i: 1 }), a.enqueue("job", { i: 2 })];
      const run = withStatementHook(
        (n, when) => {
          if (n === gap && when === "before") throw injectedFailure();
        },
        () => a.claim("A", 2),
      );
      // Another connection must be able to take the write lock at once.
      const probe = new Database(file, { timeout: 0 });
      try {
        probe.exec("BEGIN IMMEDIATE");
        probe.exec("ROLLBACK");
      } catch (error) {
        expect.fail(
          `after your claim's statement #${gap} failed, the connection still held the write lock (${(error as Error).message}): roll the transaction back when a statement throws (db.transaction(...) does it for you)`,
        );
      } finally {
        probe.close();
      }
      const got = run.threw ? [] : run.value.map((job) => job.id);
      if (run.threw) {
        expect(
          ids.map((id) => ({ status: b.get(id)?.status, attempts: b.get(id)?.attempts })),
          `your claim's statement #${gap} failed and claim() threw: nothing may have been claimed (roll back the whole claim)`,
        ).toEqual(ids.map(() => ({ status: "waiting", attempts: 0 })));
      }
      const next = a.claim("A", 3).map((job) => job.id);
      expect(
        [...got, ...next].sort((x, y) => x - y),
        `after a claim whose statement #${gap} failed, the same queue must keep working: the next claim gets the remaining jobs`,
      ).toEqual(ids);
      expect(b.counts(), "and what it claimed is committed: another connection sees every job active").toEqual({ waiting: 0, active: 3, completed: 0, failed: 0 });
      close(a);
      close(b);
      if (run.statements <= gap) break;
    }
  });
});

// Starting processes on a machine busy with other work can take seconds: these
// limits only matter then, and no assertion depends on how long anything took.
const PROCESS_TEST_TIMEOUT_MS = 30_000;
const START_LIMIT_MS = 20_000;

describe("real processes", () => {
  test("[C1][C2][C3] two worker processes claiming from one file at once never claim the same job and together claim all", async () => {
    const file = freshFile();
    const setup = open(file);
    const total = 240;
    for (let i = 0; i < total; i++) setup.enqueue("job", { i }, { priority: i % 3 });
    close(setup);

    const { claimers } = await workerProcesses();
    await within(Promise.all(claimers.map((worker) => worker.ready)), START_LIMIT_MS, "the worker processes to start");
    const reports = claimers.map((worker) => nextMessage<ClaimerReport>(worker.child, "the claim report", START_LIMIT_MS));
    const startAt = Date.now() + 100;
    claimers.forEach((worker, i) => worker.child.send({ file, workerId: `worker-${i}`, startAt }));
    const results = await Promise.all(reports);
    await within(Promise.all(claimers.map((worker) => exited(worker.child))), START_LIMIT_MS, "the workers to exit");

    const errors = results.flatMap((r) => r.errors);
    expect(
      errors.slice(0, 3),
      "claim()/complete() must not throw under contention (SQLITE_BUSY): take the write lock with BEGIN IMMEDIATE before reading, and set busy_timeout",
    ).toEqual([]);
    const all = results.flatMap((r) => r.claimed);
    const duplicates = all.length - new Set(all).size;
    expect(duplicates, "no job may be claimed by two processes: the claim must be one atomic write").toBe(0);
    expect(new Set(all).size, "together the workers must claim every job").toBe(total);
    expect(
      results.flatMap((r) => r.attempts).filter((n) => n !== 1).length,
      "each job was claimed once, so every claim must report attempts 1",
    ).toBe(0);
    expect(results.reduce((n, r) => n + r.rejectedCompletes, 0), "each worker can complete what it claimed").toBe(0);
    expect(open(file).counts(), "every job ends completed").toEqual({ waiting: 0, active: 0, completed: total, failed: 0 });
  }, PROCESS_TEST_TIMEOUT_MS);

  test("[C4][C5] a worker killed with SIGKILL mid-job loses nothing: what it completed stays completed, its job comes back after the lease", async () => {
    const file = freshFile();
    const setup = open(file);
    const ids = Array.from({ length: 25 }, (_, i) => setup.enqueue("job", { i }));
    close(setup);

    const { crasher } = await workerProcesses();
    await within(crasher.ready, START_LIMIT_MS, "the worker process to start");
    const report = nextMessage<{ completed: number[]; claimed: number | null }>(crasher.child, "the worker's report", START_LIMIT_MS);
    crasher.child.send({ file, workerId: "doomed", warmup: 20 });
    const { completed, claimed } = await report;
    crasher.child.kill("SIGKILL");
    expect(await within(exited(crasher.child), START_LIMIT_MS, "the killed worker"), "the worker was killed").toBe("SIGKILL");
    expect(completed, "the doomed worker claimed and completed the first 20 jobs in order").toEqual(ids.slice(0, 20));
    expect(claimed, "then it claimed the 21st job and died working on it").toBe(ids[20]);

    const queue = open(file); // real clock: the 60 s lease is still running
    for (const id of completed) {
      expect(queue.get(id)?.status, `job ${id}'s complete() returned true before the crash, so it must stay completed`).toBe("completed");
    }
    expect(queue.get(claimed!)?.status, "the killed worker's job is still active after the crash").toBe("active");
    expect(queue.recoverExpired(), "a lease that has not expired must not be recovered").toBe(0);
    const rest = queue.claim("survivor", 10).map((job) => job.id);
    expect(rest, "while the lease runs, the crashed job is not handed out again; the others are").toEqual(ids.slice(21));
    for (const id of rest) queue.complete(id, "survivor");

    const later = open(file, { now: () => Date.now() + 61_000 });
    expect(later.recoverExpired(), "once the lease has run out the crashed job is recovered").toBe(1);
    const [again] = later.claim("survivor");
    expect(again?.id, "the recovered job is claimed again").toBe(claimed);
    expect(again?.attempts, "the second claim of the crashed job is attempt 2").toBe(2);
    expect(later.complete(claimed!, "survivor"), "and it completes").toBe(true);
    expect(later.counts(), "nothing was lost").toEqual({ waiting: 0, active: 0, completed: 25, failed: 0 });
  }, PROCESS_TEST_TIMEOUT_MS);
});
