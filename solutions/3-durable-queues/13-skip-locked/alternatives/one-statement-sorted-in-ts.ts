// queuecraft:hidden-or-solution — never in a student edition
// One statement (a MATERIALIZED CTE with FOR UPDATE SKIP LOCKED, then UPDATE ... FROM ... RETURNING), ordering and camelCase mapping done in TypeScript after RETURNING rather than in a second CTE.
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
  const result = await db.query<Row>(
    `WITH next AS MATERIALIZED (
       SELECT id FROM ${t}
        WHERE status = 'ready' AND run_at <= $1
        ORDER BY priority, run_at, id
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
     UPDATE ${t} AS j
        SET status = 'active', attempts = j.attempts + 1, locked_by = $3, locked_at = $1
       FROM next
      WHERE j.id = next.id
      RETURNING j.id, j.kind, j.payload, j.priority, j.run_at, j.attempts, j.locked_by, j.locked_at`,
    [now, Math.floor(n), workerId],
  );
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
