// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe, beforeAll, afterAll } from "vitest";
import fc from "fast-check";
import pg from "pg";
import { randomBytes } from "node:crypto";
import { databaseUrl } from "#kit/services.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/13-skip-locked/challenge.ts");
type Queryable = import("../../../../lessons/3-durable-queues/13-skip-locked/challenge.ts").Queryable;
type ClaimedJob = import("../../../../lessons/3-durable-queues/13-skip-locked/challenge.ts").ClaimedJob;
const { claimJobs } = await loadCandidate<Challenge>(import.meta.url);

// Every run of this file gets its own tables (several runs may share a server).
const runId = randomBytes(4).toString("hex");
let tableCount = 0;
const created = new Set<string>();
const NOW = new Date("2030-01-01T12:00:00.000Z");
const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

interface Claimer {
  client: pg.Client;
  pid: number;
}

let admin: pg.Client;
const claimers: Claimer[] = [];

async function connect(): Promise<Claimer> {
  const client = new pg.Client({ connectionString: databaseUrl() });
  await client.connect();
  // Commits need not wait for the disk here: it makes no difference to locking and keeps the tests fast.
  await client.query("SET synchronous_commit = off");
  const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
  return { client, pid: rows[0]!.pid };
}

beforeAll(async () => {
  admin = (await connect()).client;
  for (let i = 0; i < 4; i++) claimers.push(await connect());
});

afterAll(async () => {
  for (const table of created) await admin?.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(table)}`).catch(() => {});
  await Promise.allSettled([admin?.end(), ...claimers.map((c) => c.client.end())]);
});

interface NewJob {
  kind?: string;
  priority?: number;
  runAt?: Date;
  status?: string;
  attempts?: number;
}

async function createTable(): Promise<string> {
  const table = `qc_skip_${runId}_${++tableCount}`;
  created.add(table);
  const t = pg.escapeIdentifier(table);
  await admin.query(`
    CREATE TABLE ${t} (
      id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind      text        NOT NULL,
      payload   jsonb       NOT NULL DEFAULT '{}',
      priority  integer     NOT NULL DEFAULT 0,
      run_at    timestamptz NOT NULL,
      status    text        NOT NULL DEFAULT 'ready',
      attempts  integer     NOT NULL DEFAULT 0,
      locked_by text,
      locked_at timestamptz
    )`);
  await admin.query(`CREATE INDEX ON ${t} (priority, run_at, id) WHERE status = 'ready'`);
  return table;
}

async function dropTable(table: string): Promise<void> {
  await admin.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(table)}`);
  created.delete(table);
}

/** Inserts the jobs in order (ids 1, 2, 3, ... in a fresh table) and returns their ids. */
async function insertJobs(table: string, jobs: NewJob[]): Promise<number[]> {
  if (jobs.length === 0) return [];
  const result = await admin.query<{ id: number }>(
    `INSERT INTO ${pg.escapeIdentifier(table)} (kind, payload, priority, run_at, status, attempts)
     SELECT k, jsonb_build_object('n', ord), p, r, s, a
       FROM unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::int[]) WITH ORDINALITY AS x(k, p, r, s, a, ord)
      ORDER BY ord
     RETURNING id`,
    [
      jobs.map((j) => j.kind ?? "email"),
      jobs.map((j) => j.priority ?? 0),
      jobs.map((j) => j.runAt ?? minutes(-10)),
      jobs.map((j) => j.status ?? "ready"),
      jobs.map((j) => j.attempts ?? 0),
    ],
  );
  return result.rows.map((r) => r.id).sort((a, b) => a - b);
}

interface Row {
  id: number;
  status: string;
  attempts: number;
  locked_by: string | null;
  locked_at: Date | null;
}

async function rows(table: string): Promise<Row[]> {
  const result = await admin.query<Row>(`SELECT id, status, attempts, locked_by, locked_at FROM ${pg.escapeIdentifier(table)} ORDER BY id`);
  return result.rows;
}

const ids = (jobs: ClaimedJob[]) => jobs.map((j) => j.id);

function duplicates(values: number[]): number[] {
  const seen = new Set<number>();
  const dups = new Set<number>();
  for (const v of values) (seen.has(v) ? dups : seen).add(v);
  return [...dups].sort((a, b) => a - b);
}

/** True once the backend `pid` is waiting for a lock another transaction holds. */
async function isWaitingOnLock(pid: number): Promise<boolean> {
  const { rows: r } = await admin.query<{ wait: string | null }>("SELECT wait_event_type AS wait FROM pg_stat_activity WHERE pid = $1", [pid]);
  return r[0]?.wait === "Lock";
}

type Outcome<T> = { kind: "done"; value: T } | { kind: "failed"; error: unknown } | { kind: "blocked" } | { kind: "timeout" };

/**
 * Waits for `promise`, but reports "blocked" as soon as the backend `pid` is seen
 * waiting on a row lock, so a claim that waits fails fast instead of hanging.
 */
async function settleOrBlocked<T>(promise: Promise<T>, pid: number, timeoutMs = 3000): Promise<Outcome<T>> {
  let outcome: Outcome<T> | undefined;
  promise.then(
    (value) => (outcome ??= { kind: "done", value }),
    (error: unknown) => (outcome ??= { kind: "failed", error }),
  );
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
    if (outcome) return outcome;
    if (await isWaitingOnLock(pid)) return outcome ?? { kind: "blocked" };
  }
  return outcome ?? { kind: "timeout" };
}

function describeFailure(outcome: Outcome<unknown>): string {
  if (outcome.kind === "failed") return `it threw: ${String((outcome.error as Error)?.message ?? outcome.error)}`;
  if (outcome.kind === "blocked") return "it WAITED for the other transaction's row locks (use SKIP LOCKED so locked rows are skipped, not waited for)";
  if (outcome.kind === "timeout") return "it neither finished nor returned within 3 s";
  return "it finished";
}

/** Resolves a promise within `ms` or gives up (to clean up after a wrong candidate). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)));
  try {
    return await Promise.race([promise.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe("claimJobs", () => {
  test("[C3][C7] a claim marks each job active, raises attempts by one and records the worker and the time", async () => {
    const table = await createTable();
    try {
      await insertJobs(table, [{ kind: "email" }, { kind: "report", attempts: 2 }, { kind: "invoice" }]);
      const claimed = await claimJobs(claimers[0]!.client, table, "worker-a", 3, NOW);
      expect(ids(claimed).sort(), "claiming 3 of 3 ready jobs must return all three").toEqual([1, 2, 3]);
      const second = claimed.find((j) => j.id === 2);
      expect(second?.attempts, "a job with attempts = 2 must come back with attempts = 3 (one more per claim)").toBe(3);
      expect(second?.kind, "return the row's kind").toBe("report");
      expect(second?.payload, "return the row's payload (jsonb arrives as an object)").toEqual({ n: 2 });
      expect(second?.lockedBy, "lockedBy must be the workerId that claimed it").toBe("worker-a");
      expect(second?.lockedAt?.getTime(), "lockedAt must be the `now` passed to claimJobs, not the database's clock").toBe(NOW.getTime());
      expect(second?.runAt?.getTime(), "runAt must be the row's run_at as a Date").toBe(minutes(-10).getTime());
      const after = await rows(table);
      for (const row of after) {
        expect(row.status, `job ${row.id} must be 'active' in the table after the claim (and committed)`).toBe("active");
        expect(row.locked_by, `job ${row.id}: locked_by must be stored`).toBe("worker-a");
        expect(row.locked_at?.getTime(), `job ${row.id}: locked_at must be stored as the given now`).toBe(NOW.getTime());
      }
      expect(after.map((r) => r.attempts), "attempts in the table must rise by exactly one per claim").toEqual([1, 3, 1]);
    } finally {
      await dropTable(table);
    }
  });

  test("[C3] a payload of 0, \"\", false or null comes back exactly as stored", async () => {
    const table = await createTable();
    try {
      const values = [0, "", false, null];
      await admin.query(
        `INSERT INTO ${pg.escapeIdentifier(table)} (kind, payload, run_at) SELECT 'falsy', p, $2 FROM unnest($1::jsonb[]) WITH ORDINALITY AS x(p, ord) ORDER BY ord`,
        [values.map((v) => JSON.stringify(v)), minutes(-10)],
      );
      const claimed = await claimJobs(claimers[0]!.client, table, "worker-a", 10, NOW);
      expect(claimed.map((j) => j.payload), "each job's payload must come back as stored (jsonb 0, \"\", false, null): do not replace a falsy payload").toStrictEqual(values);
    } finally {
      await dropTable(table);
    }
  });

  test("[C6] an n far beyond the number of jobs (2^31 + 5) claims every eligible job", async () => {
    const table = await createTable();
    try {
      await insertJobs(table, [{}, {}, { runAt: minutes(5) }]);
      const outcome = await claimJobs(claimers[0]!.client, table, "worker-a", 2 ** 31 + 5, NOW).then(
        (value) => ({ ids: ids(value) }),
        (error: unknown) => ({ error: String((error as Error)?.message ?? error) }),
      );
      expect(outcome, "n = 2^31 + 5 must claim both eligible jobs (LIMIT takes a bigint; do not cast n to a 32-bit integer)").toEqual({ ids: [1, 2] });
    } finally {
      await dropTable(table);
    }
  });

  test("[C1][C6][C7] claims only ready jobs whose run_at has come, and returns [] when none is eligible", async () => {
    const table = await createTable();
    try {
      await insertJobs(table, [
        { kind: "due" },
        { kind: "future", runAt: minutes(5) },
        { kind: "active", status: "active" },
        { kind: "done", status: "done" },
        { kind: "failed", status: "failed" },
        { kind: "exactly-now", runAt: NOW },
      ]);
      const claimed = await claimJobs(claimers[0]!.client, table, "worker-a", 10, NOW);
      expect(claimed.map((j) => j.kind).sort(), "only ready jobs with run_at <= now may be claimed (run_at exactly now counts)").toEqual(["due", "exactly-now"]);
      expect(await claimJobs(claimers[0]!.client, table, "worker-a", 10, NOW), "with nothing eligible left, a claim must return []").toEqual([]);
      const later = await claimJobs(claimers[0]!.client, table, "worker-a", 10, minutes(5));
      expect(later.map((j) => j.kind), "once `now` reaches its run_at, the future job becomes claimable").toEqual(["future"]);
      await insertJobs(table, [{ kind: "spare" }]);
      expect(await claimJobs(claimers[0]!.client, table, "worker-a", 0, minutes(5)), "n = 0 must claim nothing, even with a job ready (0 is not a missing n)").toEqual([]);
      expect((await rows(table)).find((r) => r.id === 7)?.status, "after claimJobs(n = 0) the ready job is still ready").toBe("ready");
      const negative = await claimJobs(claimers[0]!.client, table, "worker-a", -1, minutes(5)).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      expect(negative, "n = -1 must return [] (no LIMIT -1 sent to PostgreSQL, which rejects it)").toEqual({ value: [] });
    } finally {
      await dropTable(table);
    }
  });

  test("[C2] claims at most n jobs, the most urgent first: lowest priority, then earliest run_at, then lowest id", async () => {
    const table = await createTable();
    const t = pg.escapeIdentifier(table);
    // RETURNING has no defined order. Steer the planner to a merge join (which sorts by id),
    // so a claim that relies on the order RETURNING happens to produce is caught. And no
    // index scans: the rows come in the order they were inserted, so a LIMIT without its
    // own ORDER BY picks whatever comes first, not the most urgent jobs.
    await claimers[1]!.client.query("SET enable_hashjoin = off");
    await claimers[1]!.client.query("SET enable_nestloop = off");
    await claimers[1]!.client.query("SET enable_indexscan = off");
    await claimers[1]!.client.query("SET enable_bitmapscan = off");
    await claimers[1]!.client.query("SET enable_indexonlyscan = off");
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ priority: fc.integer({ min: -2, max: 3 }), ago: fc.integer({ min: 0, max: 4 }) }), { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 1, max: 14 }),
          async (jobs, n) => {
            await admin.query(`DELETE FROM ${t}`);
            const inserted = await insertJobs(table, jobs.map((j) => ({ priority: j.priority, runAt: minutes(-j.ago) })));
            const expected = jobs
              .map((j, i) => ({ id: inserted[i]!, priority: j.priority, runAt: -j.ago }))
              .sort((a, b) => a.priority - b.priority || a.runAt - b.runAt || a.id - b.id)
              .slice(0, n)
              .map((j) => j.id);
            const claimed = await claimJobs(claimers[1]!.client, table, "worker-b", n, NOW);
            expect(
              ids(claimed),
              `jobs ${JSON.stringify(jobs.map((j, i) => ({ id: inserted[i], priority: j.priority, runAt: `-${j.ago}m` })))}, n = ${n}: ` +
                "expected the n most urgent (ORDER BY priority, run_at, id; lower priority number first), in that order " +
                "(RETURNING comes back in no particular order: sort in an outer SELECT or in TypeScript)",
            ).toEqual(expected);
          },
        ),
        { numRuns: 40 },
      );
    } finally {
      for (const setting of ["enable_hashjoin", "enable_nestloop", "enable_indexscan", "enable_bitmapscan", "enable_indexonlyscan"]) {
        await claimers[1]!.client.query(`RESET ${setting}`).catch(() => {});
      }
      await dropTable(table);
    }
  });

  test("[C5] a claimer does not wait for another transaction's locked rows: it skips them and takes the next eligible jobs", async () => {
    const holder = claimers[0]!;
    const claimer = claimers[1]!;
    // FOR UPDATE: another claimer mid-claim. FOR SHARE: any transaction reading the rows with a
    // share lock; a claim that only takes a share lock itself would get them and then wait to update.
    for (const lock of ["FOR UPDATE", "FOR SHARE"]) {
      const table = await createTable();
      try {
        await insertJobs(table, [{ priority: 0 }, { priority: 0 }, { priority: 0 }, { priority: 1 }, { priority: 1 }, { priority: 1 }]);
        await holder.client.query("BEGIN");
        await holder.client.query(`SELECT id FROM ${pg.escapeIdentifier(table)} WHERE id IN (1, 2, 3) ${lock}`);
        const pending = claimJobs(claimer.client, table, "worker-b", 3, NOW);
        const outcome = await settleOrBlocked(pending, claimer.pid);
        await holder.client.query("ROLLBACK");
        if (outcome.kind !== "done") await within(pending, 3000);
        expect(outcome.kind, `while another transaction held jobs 1-3 (${lock}), claimJobs(n = 3) must return at once; instead ${describeFailure(outcome)}. Lock the rows you pick with FOR UPDATE SKIP LOCKED (a FOR SHARE lock does not keep other readers out, and then your UPDATE waits)`).toBe("done");
        const got = outcome.kind === "done" ? ids(outcome.value) : [];
        expect(got, `with jobs 1-3 locked by another transaction (${lock}), the claim must skip them and take jobs 4, 5, 6 (the next eligible ones, not fewer)`).toEqual([4, 5, 6]);
        const after = await rows(table);
        expect(after.filter((r) => r.status === "active").map((r) => r.id), "only jobs 4-6 may be active: the locked jobs stay ready for their holder").toEqual([4, 5, 6]);
      } finally {
        await holder.client.query("ROLLBACK").catch(() => {});
        await claimer.client.query("ROLLBACK").catch(() => {});
        await dropTable(table);
      }
    }
  });

  test("[C4] claims stay disjoint when another claimer runs a whole claim between any two of your statements", async () => {
    // Your claim may be one statement (then there is no gap) or several. For every gap
    // between two of your statements, a second claimer runs a complete claim in it.
    const [a, b] = [claimers[2]!, claimers[3]!];
    for (let gap = 1; gap <= 8; gap++) {
      const table = await createTable();
      let openGate!: () => void;
      const gate = new Promise<void>((r) => (openGate = r));
      let reachedGate!: () => void;
      const atGate = new Promise<"gate">((r) => (reachedGate = () => r("gate")));
      let statements = 0;
      let claimA: Promise<ClaimedJob[]> | undefined;
      const gated: Queryable = {
        query: async (text, values) => {
          if (statements++ >= gap) {
            reachedGate();
            await gate;
          }
          return b.client.query(text, values);
        },
      } as Queryable;
      try {
        await insertJobs(table, [{}, {}, {}, {}, {}, {}]);
        const claimB = claimJobs(gated, table, "worker-b", 3, NOW);
        const first = await Promise.race([atGate, claimB.then(() => "done" as const, () => "done" as const)]);
        if (first === "done") {
          // B needed no more than `gap` statements: every gap has been tried.
          const got = await claimB;
          expect(ids(got).length, "a claim of 3 from 6 ready jobs must return 3 jobs").toBe(3);
          break;
        }
        // B is paused after `gap` statements; A claims in full meanwhile.
        claimA = claimJobs(a.client, table, "worker-a", 3, NOW);
        const outcomeA = await settleOrBlocked(claimA, a.pid);
        openGate();
        const gotB = await within(claimB, 3000);
        if (outcomeA.kind !== "done") {
          expect.fail(`another claimer paused after ${gap} of its statements; a complete claim meanwhile must finish without waiting, but ${describeFailure(outcomeA)}`);
        }
        expect(gotB, `after the pause after statement ${gap}, your claim must still finish`).toBeDefined();
        const gotA = ids(outcomeA.value);
        const all = [...gotA, ...ids(gotB ?? [])];
        expect(
          duplicates(all),
          `claimer B paused after statement ${gap} while claimer A claimed ${JSON.stringify(gotA)}; B then returned ${JSON.stringify(ids(gotB ?? []))}: ` +
            "the same job was claimed twice. Take the lock in the same statement that picks the rows (FOR UPDATE SKIP LOCKED), or re-check status under the lock",
        ).toEqual([]);
        const attempts = (await rows(table)).filter((r) => r.attempts > 1).map((r) => r.id);
        expect(attempts, `jobs claimed twice in the table (attempts > 1) with a pause after statement ${gap}`).toEqual([]);
      } finally {
        openGate();
        if (claimA) await within(claimA, 3000);
        await a.client.query("ROLLBACK").catch(() => {});
        await b.client.query("ROLLBACK").catch(() => {});
        await dropTable(table);
      }
    }
  });

  test("[C8] when one of your statements fails, the connection stays usable (no open or aborted transaction) and a rejected claim has claimed nothing", async () => {
    // For every statement of your claim in turn, the database runs a failing
    // statement (division by zero) in its place.
    const b = claimers[3]!;
    for (let gap = 1; gap <= 8; gap++) {
      const table = await createTable();
      let statements = 0;
      const failing: Queryable = {
        query: async (text, values) => {
          if (/^\s*ROLLBACK\b/i.test(text)) return b.client.query(text, values);
          if (++statements === gap) return b.client.query("SELECT 1/0 AS failing_statement");
          return b.client.query(text, values);
        },
      } as Queryable;
      try {
        await insertJobs(table, [{}, {}, {}]);
        const outcome = await claimJobs(failing, table, "worker-b", 2, NOW).then(
          (value) => ({ kind: "done" as const, value }),
          (error: unknown) => ({ kind: "failed" as const, error }),
        );
        if (statements < gap) break; // your claim has fewer statements: every one has failed once
        const usable = await b.client.query("SELECT 1 AS ok").then(
          () => "ok",
          (error: unknown) => String((error as Error)?.message ?? error),
        );
        expect(
          usable,
          `your claim's statement #${gap} failed; afterwards the connection must still run queries. If you BEGIN a transaction, ROLLBACK when a statement fails`,
        ).toBe("ok");
        const { rows: state } = await admin.query<{ state: string }>("SELECT state FROM pg_stat_activity WHERE pid = $1", [b.pid]);
        expect(
          state[0]?.state,
          `your claim's statement #${gap} failed; afterwards no transaction may be left open on the connection (it would keep its row locks): ROLLBACK what you began`,
        ).toBe("idle");
        const after = await rows(table);
        if (outcome.kind === "failed") {
          expect(
            after.map((r) => ({ id: r.id, status: r.status, attempts: r.attempts })),
            `your claim's statement #${gap} failed and the claim rejected: it must claim nothing (an earlier statement's change must be rolled back)`,
          ).toEqual([1, 2, 3].map((id) => ({ id, status: "ready", attempts: 0 })));
        } else {
          expect(after.filter((r) => r.status === "active").map((r) => r.id), "the claim resolved: the jobs it returned are the active ones").toEqual(ids(outcome.value).sort((x, y) => x - y));
        }
        const next = await claimJobs(b.client, table, "worker-b", 3, NOW);
        expect(next.length + after.filter((r) => r.status === "active").length, "the connection keeps working: the next claim gets the remaining jobs").toBe(3);
      } finally {
        await b.client.query("ROLLBACK").catch(() => {});
        await dropTable(table);
      }
    }
  });

  test("[C4] four claimers on separate connections, claiming in parallel until empty, together get every job exactly once", async () => {
    const table = await createTable();
    try {
      const total = 400;
      await insertJobs(
        table,
        Array.from({ length: total }, (_, i) => ({ priority: i % 3, runAt: minutes(-(i % 7)) })),
      );
      const claimedBy = claimers.map(() => [] as number[]);
      await Promise.all(
        claimers.map(async (c, index) => {
          for (let round = 0; round < 200; round++) {
            const got = await claimJobs(c.client, table, `worker-${index}`, 7, NOW);
            if (got.length === 0) return;
            claimedBy[index]!.push(...ids(got));
          }
        }),
      );
      const all = claimedBy.flat();
      expect(duplicates(all), "no job may be returned to two claimers (or twice to one)").toEqual([]);
      expect(all.length, `4 claimers looping until they get [] must together claim all ${total} jobs`).toBe(total);
      const after = await rows(table);
      expect(after.filter((r) => r.status !== "active").length, "every job must be active in the table at the end").toBe(0);
      expect(after.filter((r) => r.attempts !== 1).map((r) => r.id), "every job must have been claimed exactly once (attempts = 1)").toEqual([]);
      const owner = new Map<number, string>();
      claimedBy.forEach((list, index) => list.forEach((id) => owner.set(id, `worker-${index}`)));
      const mismatched = after.filter((r) => r.locked_by !== owner.get(r.id)).map((r) => r.id);
      expect(mismatched, "each row's locked_by must be the claimer that got it back").toEqual([]);
    } finally {
      await dropTable(table);
    }
  });
});
