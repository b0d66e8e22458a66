// queuecraft:hidden-or-solution — never in a student edition
// Never looks at the order status and relies on the stored key alone, so a retry after the provider forgot the key (days later) charges a paid order a second time.
import type Database from "better-sqlite3";

interface OrderJob { id: number; orderId: string; attempt: number }
interface Charge { chargeId: string; amountCents: number }
interface PaymentProvider {
  charge(request: { idempotencyKey: string; orderId: string; amountCents: number }): Promise<Charge>;
}
interface StepContext {
  db: Database.Database;
  job: OrderJob;
  provider: PaymentProvider;
  newIdempotencyKey(): string;
  ack(): boolean;
}

export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS charge_ledger (
    order_id TEXT PRIMARY KEY,
    idem_key TEXT NOT NULL
  )`);
}

export async function processOrder(ctx: StepContext): Promise<void> {
  const { db, job, provider } = ctx;
  const order = db
    .prepare("SELECT amount_cents AS amount, status FROM orders WHERE id = ?")
    .get(job.orderId) as { amount: number; status: string } | undefined;
  if (!order) throw new Error(`order ${job.orderId} does not exist`);
  const { idem_key: key } = db
    .prepare(
      `INSERT INTO charge_ledger (order_id, idem_key) VALUES (?, ?)
       ON CONFLICT(order_id) DO UPDATE SET idem_key = charge_ledger.idem_key
       RETURNING idem_key`,
    )
    .get(job.orderId, ctx.newIdempotencyKey()) as { idem_key: string };

  const charge = await provider.charge({ idempotencyKey: key, orderId: job.orderId, amountCents: order.amount });

  db.transaction(() => {
    db.prepare("UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ?").run(charge.chargeId, job.orderId);
    ctx.ack();
  })();
}
