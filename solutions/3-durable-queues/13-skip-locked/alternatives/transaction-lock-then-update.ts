// queuecraft:hidden-or-solution — never in a student edition
// Alternative: an explicit transaction of three statements (BEGIN; SELECT ... FOR UPDATE SKIP LOCKED; UPDATE ... WHERE id = ANY(...) RETURNING; COMMIT, ROLLBACK on any error) instead of one CTE, with the urgency order applied in TypeScript.
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

type Row = {
  id: number;
  kind: string;
  payload: unknown;
  priority: number;
  run_at: Date;
  attempts: number;
  locked_by: string;
  locked_at: Date;
};

const byUrgency = (a: ClaimedJob, b: ClaimedJob) => a.priority - b.priority || a.runAt.getTime() - b.runAt.getTime() || a.id - b.id;

export async function claimJobs(db: Queryable, table: string, workerId: string, n: number, now: Date): Promise<ClaimedJob[]> {
  if (!(n > 0)) return [];
  const t = escapeIdentifier(table);
  await db.query("BEGIN");
  try {
    // The rows are locked by the statement that picks them; rows other claimers hold are skipped.
    const picked = await db.query<{ id: number }>(
      `SELECT id FROM ${t} WHERE status = 'ready' AND run_at <= $1 ORDER BY priority, run_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, n],
    );
    const ids = picked.rows.map((r) => r.id);
    let claimed: ClaimedJob[] = [];
    if (ids.length > 0) {
      const updated = await db.query<Row>(
        `UPDATE ${t} SET status = 'active', attempts = attempts + 1, locked_by = $2, locked_at = $3
          WHERE id = ANY($1::int[])
         RETURNING id, kind, payload, priority, run_at, attempts, locked_by, locked_at`,
        [ids, workerId, now],
      );
      claimed = updated.rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        payload: r.payload,
        priority: r.priority,
        runAt: r.run_at,
        attempts: r.attempts,
        lockedBy: r.locked_by,
        lockedAt: r.locked_at,
      }));
    }
    await db.query("COMMIT");
    return claimed.sort(byUrgency);
  } catch (error) {
    await db.query("ROLLBACK").catch(() => {});
    throw error;
  }
}
