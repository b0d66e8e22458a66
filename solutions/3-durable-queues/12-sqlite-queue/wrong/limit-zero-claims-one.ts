// queuecraft:hidden-or-solution — never in a student edition
// Defaults the limit with ||, so claim(workerId, 0), which must claim nothing, claims one job.
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

function byClaimOrder(a: Job, b: Job): number {
  return a.priority - b.priority || a.runAt - b.runAt || a.id - b.id;
}

export function openQueue(file: string, options: QueueOptions = {}): SqliteQueue {
  const now = options.now ?? Date.now;
  const leaseMs = options.leaseMs ?? 30_000;
  const busyTimeoutMs = options.busyTimeoutMs ?? 5_000;

  const db = new Database(file);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(SCHEMA);

  const insert = db.prepare<[string, string, number, number]>(
    "INSERT INTO jobs (type, payload, priority, run_at) VALUES (?, ?, ?, ?)",
  );
  const claimRows = db.prepare<[string, number, number, number], Row>(`
    UPDATE jobs SET status = 'active', attempts = attempts + 1, locked_by = ?, locked_until = ?
     WHERE id IN (SELECT id FROM jobs WHERE status = 'waiting' AND run_at <= ?
                   ORDER BY priority, run_at, id LIMIT ?)
    RETURNING *`);
  const completeRow = db.prepare<[number, string], { id: number }>(`
    UPDATE jobs SET status = 'completed', locked_by = NULL, locked_until = NULL
     WHERE id = ? AND status = 'active' AND locked_by = ? RETURNING id`);
  const retryRow = db.prepare<[string, number, number, string], { id: number }>(`
    UPDATE jobs SET status = 'waiting', last_error = ?, run_at = ?, locked_by = NULL, locked_until = NULL
     WHERE id = ? AND status = 'active' AND locked_by = ? RETURNING id`);
  const failRow = db.prepare<[string, number, string], { id: number }>(`
    UPDATE jobs SET status = 'failed', last_error = ?, locked_by = NULL, locked_until = NULL
     WHERE id = ? AND status = 'active' AND locked_by = ? RETURNING id`);
  const recoverRows = db.prepare<[number], { id: number }>(`
    UPDATE jobs SET status = 'waiting', locked_by = NULL, locked_until = NULL
     WHERE status = 'active' AND locked_until <= ? RETURNING id`);
  const selectOne = db.prepare<[number], Row>("SELECT * FROM jobs WHERE id = ?");
  const countRows = db.prepare<[], { status: JobStatus; n: number }>(
    "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status",
  );

  const claimTx = db.transaction((workerId: string, limit: number): Job[] => {
    const t = now();
    return claimRows.all(workerId, t + leaseMs, t, limit).map(toJob).sort(byClaimOrder);
  });
  const completeTx = db.transaction((id: number, workerId: string) => completeRow.all(id, workerId).length > 0);
  const failTx = db.transaction((id: number, workerId: string, error: string, retryDelayMs: number | undefined) => {
    if (retryDelayMs === undefined) return failRow.all(error, id, workerId).length > 0;
    return retryRow.all(error, now() + retryDelayMs, id, workerId).length > 0;
  });
  const recoverTx = db.transaction(() => recoverRows.all(now()).length);

  return {
    enqueue(type, payload, opts = {}) {
      const info = insert.run(type, JSON.stringify(payload), opts.priority ?? 0, now() + (opts.delayMs ?? 0));
      return Number(info.lastInsertRowid);
    },
    claim(workerId, limit) {
      return claimTx.immediate(workerId, limit || 1);
    },
    complete(id, workerId) {
      return completeTx.immediate(id, workerId);
    },
    fail(id, workerId, error, retryDelayMs) {
      return failTx.immediate(id, workerId, error, retryDelayMs);
    },
    recoverExpired() {
      return recoverTx.immediate();
    },
    get(id) {
      const row = selectOne.get(id);
      return row === undefined ? undefined : toJob(row);
    },
    counts() {
      const result: Record<JobStatus, number> = { waiting: 0, active: 0, completed: 0, failed: 0 };
      for (const row of countRows.all()) result[row.status] = row.n;
      return result;
    },
    close() {
      db.close();
    },
  };
}
