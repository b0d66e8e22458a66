// queuecraft:hidden-or-solution — never in a student edition
// Alternative: a class over its own table (queue_jobs); every operation reads first and then writes by id, made safe by hand-written BEGIN IMMEDIATE / COMMIT with ROLLBACK on error (no db.transaction helper, no UPDATE ... RETURNING), and counts() in one SUM(CASE ...) row.
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
  CREATE TABLE IF NOT EXISTS queue_jobs (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind    TEXT    NOT NULL,
    body    TEXT    NOT NULL,
    prio    INTEGER NOT NULL,
    due     INTEGER NOT NULL,
    state   TEXT    NOT NULL,
    tries   INTEGER NOT NULL DEFAULT 0,
    owner   TEXT,
    until   INTEGER,
    error   TEXT
  );
  CREATE INDEX IF NOT EXISTS queue_jobs_due ON queue_jobs (state, prio, due, id);
`;

interface Row {
  id: number;
  kind: string;
  body: string;
  prio: number;
  due: number;
  state: JobStatus;
  tries: number;
  owner: string | null;
  until: number | null;
  error: string | null;
}

class FileQueue implements SqliteQueue {
  readonly #db: Database.Database;
  readonly #now: () => number;
  readonly #leaseMs: number;

  constructor(file: string, options: QueueOptions) {
    this.#now = options.now ?? (() => Date.now());
    this.#leaseMs = options.leaseMs === undefined ? 30_000 : options.leaseMs;
    this.#db = new Database(file, { timeout: options.busyTimeoutMs === undefined ? 5_000 : options.busyTimeoutMs });
    this.#db.pragma("journal_mode = WAL");
    this.#db.exec(SCHEMA);
  }

  /** Runs fn under the write lock; any throw rolls everything back. */
  #locked<T>(fn: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = fn();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.inTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #row(id: number): Row | undefined {
    return this.#db.prepare("SELECT * FROM queue_jobs WHERE id = ?").get(id) as Row | undefined;
  }

  static #job(row: Row): Job {
    return {
      id: row.id,
      type: row.kind,
      payload: JSON.parse(row.body),
      priority: row.prio,
      runAt: row.due,
      status: row.state,
      attempts: row.tries,
      lockedBy: row.owner,
      lockedUntil: row.until,
      lastError: row.error,
    };
  }

  enqueue(type: string, payload: unknown, options: EnqueueOptions = {}): number {
    const info = this.#db
      .prepare("INSERT INTO queue_jobs (kind, body, prio, due, state) VALUES (?, ?, ?, ?, 'waiting')")
      .run(type, JSON.stringify(payload), options.priority ?? 0, this.#now() + (options.delayMs ?? 0));
    return Number(info.lastInsertRowid);
  }

  claim(workerId: string, limit = 1): Job[] {
    if (limit <= 0) return [];
    return this.#locked(() => {
      const at = this.#now();
      const ids = this.#db
        .prepare("SELECT id FROM queue_jobs WHERE state = 'waiting' AND due <= ? ORDER BY prio, due, id LIMIT ?")
        .pluck()
        .all(at, limit) as number[];
      const take = this.#db.prepare("UPDATE queue_jobs SET state = 'active', tries = tries + 1, owner = ?, until = ? WHERE id = ?");
      const jobs: Job[] = [];
      for (const id of ids) {
        take.run(workerId, at + this.#leaseMs, id);
        jobs.push(FileQueue.#job(this.#row(id)!));
      }
      return jobs;
    });
  }

  /** Applies `change` if the job is active and held by workerId, all under the write lock. */
  #asHolder(id: number, workerId: string, change: () => void): boolean {
    return this.#locked(() => {
      const row = this.#row(id);
      if (!row || row.state !== "active" || row.owner !== workerId) return false;
      change();
      return true;
    });
  }

  complete(id: number, workerId: string): boolean {
    return this.#asHolder(id, workerId, () => {
      this.#db.prepare("UPDATE queue_jobs SET state = 'completed', owner = NULL, until = NULL WHERE id = ?").run(id);
    });
  }

  fail(id: number, workerId: string, error: string, retryDelayMs?: number): boolean {
    return this.#asHolder(id, workerId, () => {
      if (retryDelayMs === undefined) {
        this.#db.prepare("UPDATE queue_jobs SET state = 'failed', error = ?, owner = NULL, until = NULL WHERE id = ?").run(error, id);
      } else {
        this.#db
          .prepare("UPDATE queue_jobs SET state = 'waiting', error = ?, due = ?, owner = NULL, until = NULL WHERE id = ?")
          .run(error, this.#now() + retryDelayMs, id);
      }
    });
  }

  recoverExpired(): number {
    return this.#locked(() => {
      const ids = this.#db
        .prepare("SELECT id FROM queue_jobs WHERE state = 'active' AND until <= ?")
        .pluck()
        .all(this.#now()) as number[];
      const put = this.#db.prepare("UPDATE queue_jobs SET state = 'waiting', owner = NULL, until = NULL WHERE id = ?");
      for (const id of ids) put.run(id);
      return ids.length;
    });
  }

  get(id: number): Job | undefined {
    const row = this.#row(id);
    return row && FileQueue.#job(row);
  }

  counts(): Record<JobStatus, number> {
    const row = this.#db
      .prepare(
        `SELECT COALESCE(SUM(state = 'waiting'), 0) AS waiting, COALESCE(SUM(state = 'active'), 0) AS active,
                COALESCE(SUM(state = 'completed'), 0) AS completed, COALESCE(SUM(state = 'failed'), 0) AS failed
           FROM queue_jobs`,
      )
      .get() as Record<JobStatus, number>;
    return { waiting: row.waiting, active: row.active, completed: row.completed, failed: row.failed };
  }

  close(): void {
    this.#db.close();
  }
}

export function openQueue(file: string, options: QueueOptions = {}): SqliteQueue {
  return new FileQueue(file, options);
}
