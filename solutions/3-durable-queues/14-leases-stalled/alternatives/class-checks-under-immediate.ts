// queuecraft:hidden-or-solution — never in a student edition
// Alternative: a class over its own table (leases); every operation reads the row and decides in TypeScript, made safe by running read and write inside one BEGIN IMMEDIATE transaction (db.transaction(...).immediate()), tokens from randomBytes, a reaper that walks the stalled rows one by one, and a runWithLease built from promise callbacks and a heartbeat chain instead of async/await.
import { randomBytes } from "node:crypto";
import Database from "better-sqlite3";
import type { Clock, TimerId } from "#kit/clock.ts";

export type JobState = "waiting" | "active" | "completed" | "failed";

export interface LeaseQueueOptions {
  clock: Clock;
  lockDurationMs?: number;
  maxStalledCount?: number;
  busyTimeoutMs?: number;
}

export interface Claim {
  id: number;
  name: string;
  data: unknown;
  token: string;
  lockedUntil: number;
  stalledCount: number;
}

export interface JobInfo {
  id: number;
  name: string;
  state: JobState;
  stalledCount: number;
  lockedUntil: number | null;
  failedReason: string | null;
  result: unknown;
}

export interface ReapResult {
  requeued: number[];
  failed: number[];
}

export interface LeaseQueue {
  add(name: string, data: unknown): number;
  claim(): Claim | undefined;
  extend(id: number, token: string): boolean;
  complete(id: number, token: string, result?: unknown): boolean;
  fail(id: number, token: string, reason: string): boolean;
  reap(): ReapResult;
  get(id: number): JobInfo | undefined;
  close(): void;
}

export const STALLED_REASON = "job stalled more than allowable limit";

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS leases (
    job_id   INTEGER PRIMARY KEY AUTOINCREMENT,
    label    TEXT    NOT NULL,
    payload  TEXT    NOT NULL,
    phase    TEXT    NOT NULL,
    holder   TEXT,
    expires  INTEGER,
    stalls   INTEGER NOT NULL DEFAULT 0,
    reason   TEXT,
    outcome  TEXT
  );
`;

interface Row {
  job_id: number;
  label: string;
  payload: string;
  phase: JobState;
  holder: string | null;
  expires: number | null;
  stalls: number;
  reason: string | null;
  outcome: string | null;
}

class SqliteLeaseQueue implements LeaseQueue {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #lockMs: number;
  readonly #maxStalls: number;

  constructor(file: string, options: LeaseQueueOptions) {
    this.#clock = options.clock;
    this.#lockMs = options.lockDurationMs === undefined ? 30_000 : options.lockDurationMs;
    this.#maxStalls = options.maxStalledCount === undefined ? 1 : options.maxStalledCount;
    this.#db = new Database(file, { timeout: options.busyTimeoutMs === undefined ? 5_000 : options.busyTimeoutMs });
    this.#db.pragma("journal_mode = WAL");
    this.#db.exec(SCHEMA);
  }

  #row(id: number): Row | undefined {
    return this.#db.prepare("SELECT * FROM leases WHERE job_id = ?").get(id) as Row | undefined;
  }

  /** Runs fn under the write lock, so nothing changes between its reads and its writes. */
  #locked<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** The row, if `token` is valid for it right now. */
  #held(id: number, token: string): Row | undefined {
    const row = this.#row(id);
    if (!row || row.phase !== "active" || row.holder !== token || row.expires === null) return undefined;
    return this.#clock.now() < row.expires ? row : undefined;
  }

  add(name: string, data: unknown): number {
    const info = this.#db.prepare("INSERT INTO leases (label, payload, phase) VALUES (?, ?, 'waiting')").run(name, JSON.stringify(data));
    return Number(info.lastInsertRowid);
  }

  claim(): Claim | undefined {
    return this.#locked(() => {
      const row = this.#db.prepare("SELECT * FROM leases WHERE phase = 'waiting' ORDER BY job_id LIMIT 1").get() as Row | undefined;
      if (!row) return undefined;
      const token = randomBytes(16).toString("hex");
      const lockedUntil = this.#clock.now() + this.#lockMs;
      this.#db.prepare("UPDATE leases SET phase = 'active', holder = ?, expires = ? WHERE job_id = ?").run(token, lockedUntil, row.job_id);
      return { id: row.job_id, name: row.label, data: JSON.parse(row.payload), token, lockedUntil, stalledCount: row.stalls };
    });
  }

  extend(id: number, token: string): boolean {
    return this.#locked(() => {
      if (!this.#held(id, token)) return false;
      this.#db.prepare("UPDATE leases SET expires = ? WHERE job_id = ?").run(this.#clock.now() + this.#lockMs, id);
      return true;
    });
  }

  #finish(id: number, token: string, phase: "completed" | "failed", reason: string | null, outcome: string | null): boolean {
    return this.#locked(() => {
      if (!this.#held(id, token)) return false;
      this.#db
        .prepare("UPDATE leases SET phase = ?, reason = ?, outcome = ?, holder = NULL, expires = NULL WHERE job_id = ?")
        .run(phase, reason, outcome, id);
      return true;
    });
  }

  complete(id: number, token: string, result?: unknown): boolean {
    return this.#finish(id, token, "completed", null, result === undefined ? null : JSON.stringify(result));
  }

  fail(id: number, token: string, reason: string): boolean {
    return this.#finish(id, token, "failed", reason, null);
  }

  reap(): ReapResult {
    return this.#locked(() => {
      const now = this.#clock.now();
      const stalled = this.#db.prepare("SELECT * FROM leases WHERE phase = 'active' AND expires <= ? ORDER BY job_id").all(now) as Row[];
      const result: ReapResult = { requeued: [], failed: [] };
      for (const row of stalled) {
        const stalls = row.stalls + 1;
        if (stalls > this.#maxStalls) {
          this.#db.prepare("UPDATE leases SET phase = 'failed', stalls = ?, reason = ?, holder = NULL, expires = NULL WHERE job_id = ?").run(stalls, STALLED_REASON, row.job_id);
          result.failed.push(row.job_id);
        } else {
          this.#db.prepare("UPDATE leases SET phase = 'waiting', stalls = ?, holder = NULL, expires = NULL WHERE job_id = ?").run(stalls, row.job_id);
          result.requeued.push(row.job_id);
        }
      }
      return result;
    });
  }

  get(id: number): JobInfo | undefined {
    const row = this.#row(id);
    if (!row) return undefined;
    return {
      id: row.job_id,
      name: row.label,
      state: row.phase,
      stalledCount: row.stalls,
      lockedUntil: row.phase === "active" ? row.expires : null,
      failedReason: row.reason,
      result: row.outcome === null ? undefined : JSON.parse(row.outcome),
    };
  }

  close(): void {
    this.#db.close();
  }
}

export function openLeaseQueue(file: string, options: LeaseQueueOptions): LeaseQueue {
  return new SqliteLeaseQueue(file, options);
}

export type Outcome = "completed" | "failed" | "lease-lost";

export interface RunOptions {
  clock: Clock;
  heartbeatMs: number;
}

export class LeaseLostError extends Error {
  override name = "LeaseLostError";
}

export function runWithLease(
  queue: LeaseQueue,
  claim: Claim,
  handler: (data: unknown, signal: AbortSignal) => Promise<unknown>,
  { clock, heartbeatMs }: RunOptions,
): Promise<Outcome> {
  const controller = new AbortController();
  let pending: TimerId | null = null;
  const schedule = () => {
    pending = clock.setTimeout(() => {
      pending = null;
      if (queue.extend(claim.id, claim.token)) schedule();
      else controller.abort(new LeaseLostError(`job ${claim.id}: the lease was lost`));
    }, heartbeatMs);
  };
  const stop = () => {
    if (pending !== null) clock.clearTimeout(pending);
    pending = null;
  };
  schedule();
  // new Promise turns a handler that throws at once into a rejection.
  return new Promise<unknown>((resolve) => resolve(handler(claim.data, controller.signal))).then(
    (result) => {
      stop();
      if (controller.signal.aborted) return "lease-lost";
      return queue.complete(claim.id, claim.token, result) ? "completed" : "lease-lost";
    },
    (error: unknown) => {
      stop();
      if (controller.signal.aborted) return "lease-lost";
      return queue.fail(claim.id, claim.token, error instanceof Error ? error.message : String(error)) ? "failed" : "lease-lost";
    },
  );
}
