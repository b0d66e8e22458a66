// queuecraft:hidden-or-solution — never in a student edition
// Alternative: the key lives in a column added to orders (ALTER TABLE, guarded by table_info) and is set with one UPDATE ... COALESCE, so there is no key table; a class-free step that uses then-callbacks instead of await.

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
  const columns = db.prepare("SELECT name FROM pragma_table_info('orders')").pluck().all() as string[];
  if (!columns.includes("payment_key")) {
    try {
      db.exec("ALTER TABLE orders ADD COLUMN payment_key TEXT");
    } catch (error) {
      // Another worker process added it between our check and our ALTER.
      if (!/duplicate column/i.test((error as Error).message)) throw error;
    }
  }
}

interface OrderState {
  id: string;
  amount_cents: number;
  status: string;
  payment_key: string | null;
}

export function processOrder(ctx: StepContext): Promise<void> {
  const { db, job, provider } = ctx;
  const read = () => db.prepare("SELECT id, amount_cents, status, payment_key FROM orders WHERE id = ?").get(job.orderId) as OrderState | undefined;
  const before = read();
  if (!before) return Promise.reject(Object.assign(new Error(`no order ${job.orderId}`), { permanent: true }));
  if (before.status === "paid") {
    ctx.ack();
    return Promise.resolve();
  }
  // Keep the key an earlier attempt stored; only a row without one takes ours. One statement: no gap.
  db.prepare("UPDATE orders SET payment_key = COALESCE(payment_key, ?) WHERE id = ?").run(ctx.newIdempotencyKey(), job.orderId);
  const order = read()!;
  return provider.charge({ idempotencyKey: order.payment_key!, orderId: order.id, amountCents: order.amount_cents }).then((charge) => {
    const settle = db.transaction(() => {
      db.prepare("UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ?").run(charge.chargeId, order.id);
      return ctx.ack();
    });
    settle.immediate();
  });
}
