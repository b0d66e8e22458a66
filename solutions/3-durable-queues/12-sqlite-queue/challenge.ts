// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: a job queue stored in one SQLite file (WAL mode).
//
// The whole claim is a single UPDATE ... WHERE id IN (SELECT ... LIMIT n)
// RETURNING * run inside BEGIN IMMEDIATE: the write lock is taken before
// anything is read, so the rows the SELECT picks cannot be picked by another
// connection until this one commits, and a busy writer makes us wait
// (busy_timeout) instead of failing.

import Database from "better-sqlite3";

export type JobStatus = "waiting" | "active" | "completed" | "failed";

export interface Job {
  id: number;
  type: string;
  payload: unknown;
  priority: number;
  runAt: number;
  status: JobStatus;
  attempts: number;
  lockedBy: string | null;
  lockedUntil: number | null;
  lastError: string | null;
}

export interface QueueOptions {
  now?: () => number;
  leaseMs?: number;
  busyTimeoutMs?: number;
}

export interface EnqueueOptions {
  priority?: number;
  delayMs?: number;
}

export interface SqliteQueue {
  enqueue(type: string, payload: unknown, options?: EnqueueOptions): number;
  claim(workerId: string, limit?: number): Job[];
  complete(id: number, workerId: string): boolean;
  fail(id: number, workerId: string, error: string, retryDelayMs?: number): boolean;
  recoverExpired(): number;
  get(id: number): Job | undefined;
  counts(): Record<JobStatus, number>;
  close(): void;
}

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS jobs (
    id           INTEGER PRIMARY KEY,
    type         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    priority     INTEGER NOT NULL DEFAULT 0,
    run_at       INTEGER NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'waiting'
                 CHECK (status IN ('waiting', 'active', 'completed', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    locked_by    TEXT,
    locked_until INTEGER,
    last_error   TEXT
  );
  CREATE INDEX IF NOT EXISTS jobs_ready ON jobs (priority, run_at, id) WHERE status = 'waiting';
  CREATE INDEX IF NOT EXISTS jobs_leases ON jobs (locked_until) WHERE status = 'active';
`;

interface Row {
  id: number;
  type: string;
  payload: string;
  priority: number;
  run_at: number;
  status: JobStatus;
  attempts: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
}

function toJob(row: Row): Job {
  return {
    id: row.id,
    type: row.type,
    payload: JSON.parse(row.payload) as unknown,
    priority: row.priority,
    runAt: row.run_at,
    status: row.status,
    attempts: row.attempts,
    lockedBy: row.locked_by,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
  };
}

/** RETURNING gives rows in no particular order; hand them out in claim order. */
function claimOrder(a: Job, b: Job): number {
  return a.priority - b.priority || a.runAt - b.runAt || a.id - b.id;
}

export function openQueue(file: string, options: QueueOptions = {}): SqliteQueue {
  const now = options.now ?? Date.now;
  const leaseMs = options.leaseMs ?? 30_000;

  const db = new Database(file);
  // busy_timeout first: switching to WAL and creating the table both need the
  // write lock, and another process may be holding it right now.
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(SCHEMA);

  const insert = db.prepare<[string, string, number, number], Row>(
    "INSERT INTO jobs (type, payload, priority, run_at) VALUES (?, ?, ?, ?) RETURNING *",
  );
  const claimRows = db.prepare<{ workerId: string; now: number; lockedUntil: number; limit: number }, Row>(`
    UPDATE jobs
       SET status = 'active', attempts = attempts + 1,
           locked_by = @workerId, locked_until = @lockedUntil
     WHERE id IN (SELECT id FROM jobs
                   WHERE status = 'waiting' AND run_at <= @now
                   ORDER BY priority, run_at, id
                   LIMIT @limit)
    RETURNING *`);
  const completeRow = db.prepare<[number, string]>(
    `UPDATE jobs SET status = 'completed', locked_by = NULL, locked_until = NULL
      WHERE id = ? AND status = 'active' AND locked_by = ?`,
  );
  const retryRow = db.prepare<[string, number, number, string]>(
    `UPDATE jobs SET status = 'waiting', last_error = ?, run_at = ?, locked_by = NULL, locked_until = NULL
      WHERE id = ? AND status = 'active' AND locked_by = ?`,
  );
  const failRow = db.prepare<[string, number, string]>(
    `UPDATE jobs SET status = 'failed', last_error = ?, locked_by = NULL, locked_until = NULL
      WHERE id = ? AND status = 'active' AND locked_by = ?`,
  );
  const recoverRows = db.prepare<[number]>(
    `UPDATE jobs SET status = 'waiting', locked_by = NULL, locked_until = NULL
      WHERE status = 'active' AND locked_until <= ?`,
  );
  const getRow = db.prepare<[number], Row>("SELECT * FROM jobs WHERE id = ?");
  const countRows = db.prepare<[], { status: JobStatus; n: number }>(
    "SELECT status, count(*) AS n FROM jobs GROUP BY status",
  );

  const claimTx = db.transaction((workerId: string, limit: number): Job[] => {
    const at = now();
    return claimRows.all({ workerId, now: at, lockedUntil: at + leaseMs, limit }).map(toJob);
  });

  return {
    enqueue(type, payload, { priority = 0, delayMs = 0 } = {}) {
      const row = insert.get(type, JSON.stringify(payload), priority, now() + delayMs);
      return row!.id;
    },

    claim(workerId, limit = 1) {
      return claimTx.immediate(workerId, limit).sort(claimOrder);
    },

    complete(id, workerId) {
      return completeRow.run(id, workerId).changes === 1;
    },

    fail(id, workerId, error, retryDelayMs) {
      const result =
        retryDelayMs === undefined
          ? failRow.run(error, id, workerId)
          : retryRow.run(error, now() + retryDelayMs, id, workerId);
      return result.changes === 1;
    },

    recoverExpired() {
      return recoverRows.run(now()).changes;
    },

    get(id) {
      const row = getRow.get(id);
      return row ? toJob(row) : undefined;
    },

    counts() {
      const counts: Record<JobStatus, number> = { waiting: 0, active: 0, completed: 0, failed: 0 };
      for (const { status, n } of countRows.all()) counts[status] = n;
      return counts;
    },

    close() {
      db.close();
    },
  };
}
