// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: record the idempotency key before the side effect, use
// it for every attempt, record the charge and acknowledge in one transaction.

import type Database from "better-sqlite3";

export interface OrderJob {
  id: number;
  orderId: string;
  attempt: number;
}

export interface ChargeRequest {
  idempotencyKey: string;
  orderId: string;
  amountCents: number;
}

export interface Charge {
  chargeId: string;
  amountCents: number;
}

export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<Charge>;
}

export interface StepContext {
  db: Database.Database;
  job: OrderJob;
  provider: PaymentProvider;
  newIdempotencyKey(): string;
  ack(): boolean;
}

export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS payment_keys (
    order_id        TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL
  )`);
}

type OrderRow = { id: string; amount_cents: number; status: string };

export async function processOrder({ db, job, provider, newIdempotencyKey, ack }: StepContext): Promise<void> {
  const order = db.prepare("SELECT id, amount_cents, status FROM orders WHERE id = ?").get(job.orderId) as OrderRow | undefined;
  if (!order) throw Object.assign(new Error(`order ${job.orderId} does not exist`), { permanent: true });
  if (order.status === "paid") {
    ack(); // an earlier attempt recorded the charge; only the acknowledgement is missing
    return;
  }

  // 1. The key, durably, before any money moves. INSERT OR IGNORE keeps the
  //    key an earlier attempt (maybe in a process that is dead now) stored.
  db.prepare("INSERT OR IGNORE INTO payment_keys (order_id, idempotency_key) VALUES (?, ?)").run(order.id, newIdempotencyKey());
  const { idempotency_key: key } = db.prepare("SELECT idempotency_key FROM payment_keys WHERE order_id = ?").get(order.id) as {
    idempotency_key: string;
  };

  // 2. The side effect. With the same key, a retry gets the first charge back.
  const charge = await provider.charge({ idempotencyKey: key, orderId: order.id, amountCents: order.amount_cents });

  // 3. Record it and acknowledge, atomically: either both happen or neither.
  db.transaction(() => {
    db.prepare("UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ?").run(charge.chargeId, order.id);
    ack(); // false: another worker owns the job now and records the same charge
  })();
}
