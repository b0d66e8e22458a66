// Public tests for skip-locked: worked examples of the contract in the stub's
// doc comments, on the PostgreSQL the runner provides (DATABASE_URL). The
// hidden tests add concurrent claimers, locked rows and failing statements.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, test } from "vitest";
import { databaseUrl } from "#kit/services.ts";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/3-durable-queues/13-skip-locked/challenge.ts");
const { claimJobs } = await loadCandidate<Challenge>(import.meta.url);

const NOW = new Date("2030-01-01T12:00:00.000Z");
const table = `qc_public_skip_${randomBytes(4).toString("hex")}`;
let db: pg.Client;

beforeAll(async () => {
  db = new pg.Client({ connectionString: databaseUrl() });
  await db.connect();
  await db.query(`CREATE TABLE ${pg.escapeIdentifier(table)} (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL, payload jsonb NOT NULL DEFAULT '{}',
    priority integer NOT NULL DEFAULT 0, run_at timestamptz NOT NULL, status text NOT NULL DEFAULT 'ready',
    attempts integer NOT NULL DEFAULT 0, locked_by text, locked_at timestamptz)`);
  const insert = `INSERT INTO ${pg.escapeIdentifier(table)} (kind, payload, priority, run_at) VALUES ($1, $2, $3, $4)`;
  await db.query(insert, ["later", JSON.stringify({ n: 1 }), 0, new Date(NOW.getTime() + 60_000)]);
  await db.query(insert, ["normal", JSON.stringify({ n: 2 }), 5, NOW]);
  await db.query(insert, ["urgent", JSON.stringify({ n: 3 }), 1, NOW]);
});

afterAll(async () => {
  await db?.query(`DROP TABLE IF EXISTS ${pg.escapeIdentifier(table)}`).catch(() => {});
  await db?.end();
});

test("[C1, C2, C3] example: claims what is due, most urgent first, and marks it active", async () => {
  const jobs = await claimJobs(db, table, "worker-1", 10, NOW);
  expect(jobs.map((job) => job.kind), "the job due in a minute is not claimed").toEqual(["urgent", "normal"]);
  expect(jobs[0]).toMatchObject({ payload: { n: 3 }, priority: 1, attempts: 1, lockedBy: "worker-1" });
  expect(jobs[0]!.lockedAt.getTime()).toBe(NOW.getTime());
  const { rows } = await db.query(`SELECT status FROM ${pg.escapeIdentifier(table)} WHERE kind = 'urgent'`);
  expect(rows[0].status).toBe("active");
});

test("[C1, C6] example: nothing left to claim gives [], and so does n = 0", async () => {
  expect(await claimJobs(db, table, "worker-2", 10, NOW)).toEqual([]);
  expect(await claimJobs(db, table, "worker-2", 0, new Date(NOW.getTime() + 120_000))).toEqual([]);
});
