// What one transaction's row locks look like to the others, and why a Postgres
// queue claims jobs with FOR UPDATE SKIP LOCKED. Everything printed is a fact
// that does not depend on which connection happens to run first.

import pg from "pg";
import { randomBytes } from "node:crypto";
import { databaseUrl } from "#kit/services.ts";

// Our own table (a random suffix, never printed), dropped at the end.
const table = pg.escapeIdentifier(`skip_locked_demo_${randomBytes(4).toString("hex")}`);
const NOW = new Date("2030-01-01T09:00:00Z");

async function connect(): Promise<pg.Client> {
  // synchronous_commit=off: commits do not wait for the disk (a demo loses nothing worth keeping).
  const client = new pg.Client({ connectionString: databaseUrl(), options: "-c synchronous_commit=off" });
  await client.connect();
  return client;
}

const admin = await connect();
const [a, b, c] = [await connect(), await connect(), await connect()];
const pidOf = async (client: pg.Client) => (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
const ids = (result: pg.QueryResult<{ id: number }>) => `[${result.rows.map((r) => r.id).join(", ")}]`;

// The three parts of a claim, as SQL. `$1` is the claim's "now", `$2` the batch size.
const pickReady = `SELECT id FROM ${table} WHERE status = 'ready' AND run_at <= $1 ORDER BY priority, run_at, id LIMIT $2`;
const claimOneStatement = `
  WITH next AS (${pickReady} FOR UPDATE SKIP LOCKED)
  UPDATE ${table} AS j SET status = 'active', attempts = j.attempts + 1, locked_by = $3, locked_at = $1
    FROM next WHERE j.id = next.id
  RETURNING j.id`;

async function resetJobs(jobs: Array<[kind: string, priority: number]>): Promise<void> {
  await admin.query(`TRUNCATE ${table} RESTART IDENTITY`);
  for (const [kind, priority] of jobs) {
    await admin.query(`INSERT INTO ${table} (kind, priority, run_at) VALUES ($1, $2, $3)`, [kind, priority, new Date(NOW.getTime() - 60_000)]);
  }
}

try {
  await admin.query(`
    CREATE TABLE ${table} (
      id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      kind text NOT NULL, priority integer NOT NULL DEFAULT 0, run_at timestamptz NOT NULL,
      status text NOT NULL DEFAULT 'ready', attempts integer NOT NULL DEFAULT 0,
      locked_by text, locked_at timestamptz)`);
  await admin.query(`CREATE INDEX ON ${table} (priority, run_at, id) WHERE status = 'ready'`);

  console.log("== 1. Six ready jobs; lower priority number runs first ==");
  await resetJobs([["email", 1], ["report", 5], ["email", 1], ["invoice", 3], ["report", 5], ["invoice", 3]]);
  const all = await admin.query<{ id: number; kind: string; priority: number }>(`SELECT id, kind, priority FROM ${table} ORDER BY id`);
  console.log(all.rows.map((r) => `${r.id}:${r.kind}/p${r.priority}`).join("  "));
  console.log("claim order (priority, run_at, id):", ids(await admin.query(pickReady, [NOW, 10])));

  console.log("\n== 2. A locks two jobs and keeps its transaction open ==");
  await a.query("BEGIN");
  const ctidBefore = (await admin.query<{ ctid: string }>(`SELECT ctid FROM ${table} WHERE id = 1`)).rows[0]!.ctid;
  console.log("A  SELECT ... FOR UPDATE SKIP LOCKED LIMIT 2 ->", ids(await a.query(`${pickReady} FOR UPDATE SKIP LOCKED`, [NOW, 2])));
  console.log("B  plain SELECT, no lock (MVCC: readers never wait) ->", ids(await b.query(pickReady, [NOW, 10])));
  await b.query("BEGIN");
  console.log("B  SELECT ... FOR UPDATE SKIP LOCKED LIMIT 2 ->", ids(await b.query(`${pickReady} FOR UPDATE SKIP LOCKED`, [NOW, 2])), "(A's rows skipped, no waiting)");
  await b.query("ROLLBACK");
  try {
    await b.query(`SELECT id FROM ${table} WHERE id = 1 FOR UPDATE NOWAIT`);
  } catch (error) {
    const e = error as pg.DatabaseError;
    console.log(`B  SELECT job 1 FOR UPDATE NOWAIT -> error ${e.code}: ${e.message.replace(/ in relation .*/, "")}`);
  }

  console.log("\n== 3. Plain FOR UPDATE waits for A ==");
  const cPid = await pidOf(c);
  await c.query("BEGIN");
  const cClaim = c.query<{ id: number }>(`${pickReady} FOR UPDATE`, [NOW, 2]);
  let waiting: { wait_event_type: string; state: string } | undefined;
  for (let i = 0; i < 500 && waiting?.wait_event_type !== "Lock"; i++) {
    await new Promise((r) => setTimeout(r, 10));
    waiting = (await admin.query(`SELECT wait_event_type, state FROM pg_stat_activity WHERE pid = $1`, [cPid])).rows[0];
  }
  console.log(`C  SELECT ... FOR UPDATE LIMIT 2 -> still running: state=${waiting?.state}, wait_event_type=${waiting?.wait_event_type}`);
  await a.query(`UPDATE ${table} SET status = 'active', attempts = attempts + 1, locked_by = 'A' WHERE id IN (1, 3)`);
  await a.query("COMMIT");
  console.log("A  UPDATE jobs 1, 3 to 'active'; COMMIT");
  console.log("C  woke up, re-checked jobs 1 and 3 (no longer ready) and got", ids(await cClaim), "(after waiting)");
  await c.query("ROLLBACK");
  const ctidAfter = (await admin.query<{ ctid: string }>(`SELECT ctid FROM ${table} WHERE id = 1`)).rows[0]!.ctid;
  console.log(`job 1's row version before the claim: ${ctidBefore}, after: ${ctidAfter} (the old one is dead until VACUUM)`);

  console.log("\n== 4. Taking the lock in a later statement is too late ==");
  await resetJobs([["email", 1], ["email", 1], ["email", 1], ["email", 1]]);
  const stale = await b.query<{ id: number }>(pickReady, [NOW, 2]);
  console.log("B  SELECT without a lock picks", ids(stale));
  console.log("A  claims in one statement meanwhile ->", ids(await a.query(claimOneStatement, [NOW, 2, "A"])));
  await b.query("BEGIN");
  const relocked = await b.query<{ id: number }>(`SELECT id FROM ${table} WHERE id = ANY($1) FOR UPDATE SKIP LOCKED`, [stale.rows.map((r) => r.id)]);
  console.log("B  now locks those ids FOR UPDATE SKIP LOCKED ->", ids(relocked), "(A has committed: nothing is locked)");
  await b.query(`UPDATE ${table} SET status = 'active', attempts = attempts + 1, locked_by = 'B' WHERE id = ANY($1)`, [relocked.rows.map((r) => r.id)]);
  await b.query("COMMIT");
  const twice = await admin.query<{ id: number; attempts: number }>(`SELECT id, attempts FROM ${table} WHERE attempts > 1 ORDER BY id`);
  console.log("claimed twice:", twice.rows.map((r) => `job ${r.id} (attempts ${r.attempts})`).join(", "));

  console.log("\n== 5. Four claimers on separate connections, one statement per claim ==");
  await admin.query(`TRUNCATE ${table} RESTART IDENTITY`);
  await admin.query(`INSERT INTO ${table} (kind, priority, run_at) SELECT 'email', i % 4, $1 FROM generate_series(1, 100) AS i`, [NOW]);
  const workers = [a, b, c, admin];
  const claimed = await Promise.all(
    workers.map(async (client, index) => {
      const mine: number[] = [];
      for (;;) {
        const { rows } = await client.query<{ id: number }>(claimOneStatement, [NOW, 5, `worker-${index}`]);
        if (rows.length === 0) return mine;
        mine.push(...rows.map((r) => r.id));
      }
    }),
  );
  const flat = claimed.flat();
  const left = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE status = 'ready'`)).rows[0]!.n;
  const once = (await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE attempts = 1`)).rows[0]!.n;
  console.log(`4 claimers, 100 jobs, ${flat.length} claimed, ${flat.length - new Set(flat).size} duplicates, ${left} still ready, ${once} with attempts = 1`);
} finally {
  await admin.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {});
  await Promise.all([admin.end(), a.end(), b.end(), c.end()]);
}
