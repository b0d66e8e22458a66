// queuecraft:hidden-or-solution — never in a student edition
// Locks and updates in a BEGIN/COMMIT pair with no ROLLBACK on error, so after a statement fails the connection is left inside an aborted transaction (holding its row locks) and every later claim on it fails.
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

interface Row {
  id: number;
  kind: string;
  payload: unknown;
  priority: number;
  run_at: Date;
  attempts: number;
  locked_by: string;
  locked_at: Date;
}

function urgency(a: ClaimedJob, b: ClaimedJob): number {
  return a.priority - b.priority || a.runAt.getTime() - b.runAt.getTime() || a.id - b.id;
}

export async function claimJobs(db: Queryable, table: string, workerId: string, n: number, now: Date): Promise<ClaimedJob[]> {
  if (!(n > 0)) return [];
  const t = escapeIdentifier(table);
  await db.query("BEGIN");
  const picked = await db.query<{ id: number }>(
    `SELECT id FROM ${t}
      WHERE status = 'ready' AND run_at <= $1
      ORDER BY priority, run_at, id
      LIMIT $2
      FOR UPDATE SKIP LOCKED`,
    [now, Math.floor(n)],
  );
  const result = await db.query<Row>(
    `UPDATE ${t}
        SET status = 'active', attempts = attempts + 1, locked_by = $2, locked_at = $1
      WHERE id = ANY($3::int[])
      RETURNING id, kind, payload, priority, run_at, attempts, locked_by, locked_at`,
    [now, workerId, picked.rows.map((row) => row.id)],
  );
  await db.query("COMMIT");
  return result.rows
    .map((row) => ({
      id: row.id,
      kind: row.kind,
      payload: row.payload,
      priority: row.priority,
      runAt: row.run_at,
      attempts: row.attempts,
      lockedBy: row.locked_by,
      lockedAt: row.locked_at,
    }))
    .sort(urgency);
}
