// Challenge: claim jobs from a PostgreSQL table so that concurrent workers on
// separate connections never get the same job and never wait for each other.
//
// The jobs table (the tests create it; `table` is its name, a plain lowercase
// identifier such as "jobs_3f9a1c"):
//
//   CREATE TABLE <table> (
//     id        integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
//     kind      text        NOT NULL,
//     payload   jsonb       NOT NULL DEFAULT '{}',
//     priority  integer     NOT NULL DEFAULT 0,       -- lower runs first
//     run_at    timestamptz NOT NULL,                 -- not before this instant
//     status    text        NOT NULL DEFAULT 'ready', -- ready | active | done | failed
//     attempts  integer     NOT NULL DEFAULT 0,
//     locked_by text,
//     locked_at timestamptz
//   );
//   CREATE INDEX ON <table> (priority, run_at, id) WHERE status = 'ready';

import type { QueryResult, QueryResultRow } from "pg";

/**
 * Anything with pg's `query(text, values)`: a `pg.Client`, a `PoolClient` or a
 * `pg.Pool`. The tests hand you one `pg.Client` per claimer, each on its own
 * connection (and sometimes a thin wrapper around one that only has `query`).
 */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** One claimed job: the row as it is after your claim, in camelCase. */
export interface ClaimedJob {
  id: number;
  kind: string;
  /** The row's payload as stored (any JSON value: 0, "", false and null come back as they are). */
  payload: unknown;
  priority: number;
  runAt: Date;
  /** The row's attempts after this claim (one more than before it). */
  attempts: number;
  /** The `workerId` that claimed it. */
  lockedBy: string;
  /** The `now` of the claim. */
  lockedAt: Date;
}

/**
 * Claims up to `n` jobs for `workerId` and returns them.
 *
 * - [C1] Eligible: `status = 'ready'` and `run_at <= now`. Nothing else is ever
 *   claimed; with nothing eligible the claim returns [].
 * - [C2] Most urgent first: lowest `priority`, then earliest `run_at`, then
 *   lowest `id`; the returned array is in that order.
 * - [C3] Each claimed row becomes `status = 'active'`, `attempts = attempts + 1`,
 *   `locked_by = workerId`, `locked_at = now`, and the change is committed when
 *   the promise resolves. Each returned job is that row after the claim, in
 *   camelCase, its payload as stored.
 * - [C4] Concurrent claimers on separate connections get disjoint jobs, and
 *   together, claiming until they get an empty array, they get every eligible
 *   job. This holds even when another claimer runs a whole claim between any
 *   two of your statements. Use only `db.query` on the connection you are given.
 * - [C5] A claim never waits for another transaction's row locks: rows that
 *   another transaction has locked are skipped, and the claim takes the next
 *   eligible ones instead. It returns fewer than `n` jobs only when fewer
 *   eligible jobs are unlocked.
 * - [C6] `n <= 0` returns [] (with or without asking the database); an `n`
 *   larger than the number of eligible jobs (even beyond 2^31) claims them all.
 * - [C7] `now` is passed in (do not use SQL `now()`), so tests can choose the time.
 * - [C8] If one of your statements fails, the connection is left usable: no
 *   transaction left open or aborted (ROLLBACK what you began), no row locks
 *   held. A claim that rejects has claimed nothing (no change of an earlier
 *   statement stays committed).
 *
 * Hint: the reference does it in ONE statement (a CTE with
 * `ORDER BY … LIMIT … FOR UPDATE SKIP LOCKED`, then `UPDATE … FROM … RETURNING`).
 * Quote the table name with `escapeIdentifier` from "pg".
 */
export async function claimJobs(db: Queryable, table: string, workerId: string, n: number, now: Date): Promise<ClaimedJob[]> {
  throw new Error("TODO: claim up to n ready jobs in one statement with FOR UPDATE SKIP LOCKED");
}
