// queuecraft:hidden-or-solution — never in a student edition
// Alternative: no table at all: the idempotency key is derived from the order id alone (the same on every attempt, in every process), as hint 3 allows; ack() inside the transaction that records the charge.

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

export function migrate(_db: Database.Database): void {
  // Nothing to remember: the key follows from the order.
}

export async function processOrder({ db, job, provider, ack }: StepContext): Promise<void> {
  const order = db.prepare("SELECT id, amount_cents, status FROM orders WHERE id = ?").get(job.orderId) as
    | { id: string; amount_cents: number; status: string }
    | undefined;
  if (!order) throw Object.assign(new Error(`order ${job.orderId} not found`), { permanent: true });
  if (order.status !== "paid") {
    const charge = await provider.charge({ idempotencyKey: `order-payment:${order.id}`, orderId: order.id, amountCents: order.amount_cents });
    db.transaction(() => {
      db.prepare("UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ? AND status != 'paid'").run(charge.chargeId, order.id);
      ack();
    })();
    return;
  }
  ack();
}
