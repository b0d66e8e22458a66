// The shop's database: orders, the job queue that pays them, and the dead
// letters. One SQLite file in WAL mode, opened by the HTTP process and by every
// worker process at the same time.

import Database from "better-sqlite3";

export type Db = Database.Database;

export interface Order {
  id: string;
  amountCents: number;
  status: "pending" | "paid" | "failed";
  chargeId: string | null;
}

export interface DeadLetter {
  jobId: number;
  orderId: string;
  reason: string;
  attempts: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS orders (
  id           TEXT PRIMARY KEY,          -- 'ord_1', 'ord_2', ...
  seq          INTEGER NOT NULL UNIQUE,
  amount_cents INTEGER NOT NULL,
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'paid', 'failed')),
  charge_id    TEXT,                      -- the provider's charge id, once recorded
  request_key  TEXT NOT NULL UNIQUE       -- the HTTP Idempotency-Key that created it
);
CREATE TABLE IF NOT EXISTS jobs (
  id           INTEGER PRIMARY KEY,
  order_id     TEXT NOT NULL REFERENCES orders(id),
  status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'active', 'done', 'dead')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  run_at       INTEGER NOT NULL,
  lease_token  TEXT,
  lease_until  INTEGER,
  last_error   TEXT
);
CREATE TABLE IF NOT EXISTS dead_letters (
  job_id   INTEGER PRIMARY KEY,
  order_id TEXT NOT NULL,
  reason   TEXT NOT NULL,
  attempts INTEGER NOT NULL
);
`;

/** Opens (and creates) the shop database: WAL, a busy timeout for the other processes, the schema. */
export function openShop(file: string): Db {
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("busy_timeout = 5000");
  db.pragma("synchronous = NORMAL"); // WAL + NORMAL: a commit survives a process crash (not a power cut)
  db.exec(SCHEMA);
  return db;
}

type OrderRow = { id: string; amount_cents: number; status: Order["status"]; charge_id: string | null };
const toOrder = (r: OrderRow): Order => ({ id: r.id, amountCents: r.amount_cents, status: r.status, chargeId: r.charge_id });

/**
 * Creates an order and the job that pays it, in one transaction, unless the
 * request key was seen before: then it returns the existing order.
 */
export function createOrder(
  db: Db,
  requestKey: string,
  amountCents: number,
  maxAttempts = 5,
): { order: Order; created: boolean; conflict: boolean } {
  return db
    .transaction(() => {
      const existing = db.prepare("SELECT * FROM orders WHERE request_key = ?").get(requestKey) as OrderRow | undefined;
      if (existing) return { order: toOrder(existing), created: false, conflict: existing.amount_cents !== amountCents };
      const { next } = db.prepare("SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM orders").get() as { next: number };
      const id = `ord_${next}`;
      db.prepare("INSERT INTO orders (id, seq, amount_cents, request_key) VALUES (?, ?, ?, ?)").run(id, next, amountCents, requestKey);
      db.prepare("INSERT INTO jobs (order_id, max_attempts, run_at) VALUES (?, ?, ?)").run(id, maxAttempts, Date.now());
      return { order: toOrder(db.prepare("SELECT * FROM orders WHERE id = ?").get(id) as OrderRow), created: true, conflict: false };
    })
    .immediate();
}

export function getOrder(db: Db, id: string): Order | undefined {
  const row = db.prepare("SELECT * FROM orders WHERE id = ?").get(id) as OrderRow | undefined;
  return row && toOrder(row);
}

export function listOrders(db: Db): Order[] {
  return (db.prepare("SELECT * FROM orders ORDER BY seq").all() as OrderRow[]).map(toOrder);
}

export function deadLetters(db: Db): DeadLetter[] {
  return (db.prepare("SELECT job_id, order_id, reason, attempts FROM dead_letters ORDER BY job_id").all() as Array<{
    job_id: number;
    order_id: string;
    reason: string;
    attempts: number;
  }>).map((r) => ({ jobId: r.job_id, orderId: r.order_id, reason: r.reason, attempts: r.attempts }));
}

export function jobsByOrder(db: Db): Map<string, { status: string; attempts: number }> {
  const rows = db.prepare("SELECT order_id, status, attempts FROM jobs ORDER BY id").all() as Array<{ order_id: string; status: string; attempts: number }>;
  return new Map(rows.map((r) => [r.order_id, { status: r.status, attempts: r.attempts }]));
}
