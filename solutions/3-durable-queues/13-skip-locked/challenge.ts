// queuecraft:hidden-or-solution — never in a student edition
// Claiming jobs from a PostgreSQL table with FOR UPDATE SKIP LOCKED: the
// reference solution. One statement picks the most urgent ready rows, locks
// them (skipping rows another transaction holds), marks them active and
// returns them, so a claim is atomic even on an autocommit connection.

import { escapeIdentifier, type QueryResult, type QueryResultRow } from "pg";

export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

export interface ClaimedJob {
  id: number;
  kind: string;
  payload: unknown;
  priority: number;
  runAt: Date;
  attempts: number;
  lockedBy: string;
  lockedAt: Date;
}

interface JobRow extends QueryResultRow {
  id: number;
  kind: string;
  payload: unknown;
  priority: number;
  run_at: Date;
  attempts: number;
  locked_by: string;
  locked_at: Date;
}

function claimSql(table: string): string {
  const t = escapeIdentifier(table);
  return `
    WITH next AS (
      SELECT id
        FROM ${t}
       WHERE status = 'ready' AND run_at <= $1
       ORDER BY priority, run_at, id
       LIMIT $2
         FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE ${t} AS j
         SET status = 'active', attempts = j.attempts + 1, locked_by = $3, locked_at = $1
        FROM next
       WHERE j.id = next.id
      RETURNING j.id, j.kind, j.payload, j.priority, j.run_at, j.attempts, j.locked_by, j.locked_at
    )
    SELECT * FROM claimed ORDER BY priority, run_at, id`;
}

export async function claimJobs(db: Queryable, table: string, workerId: string, n: number, now: Date): Promise<ClaimedJob[]> {
  if (n <= 0) return [];
  const { rows } = await db.query<JobRow>(claimSql(table), [now, n, workerId]);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    payload: row.payload,
    priority: row.priority,
    runAt: row.run_at,
    attempts: row.attempts,
    lockedBy: row.locked_by,
    lockedAt: row.locked_at,
  }));
}
