// The order step as it is usually first written. It even sends an idempotency
// key, a fresh one per try, and that is the bug: a try that charged and then
// died (or whose response got lost) is followed by a try with a new key, and
// the provider, seeing a new key, charges again. The challenge fixes this.

import type { StepContext } from "./worker.ts";

export function migrate(): void {}

export async function processOrder({ db, job, provider, newIdempotencyKey, ack }: StepContext): Promise<void> {
  const order = db.prepare("SELECT id, amount_cents FROM orders WHERE id = ?").get(job.orderId) as { id: string; amount_cents: number };
  const charge = await provider.charge({ idempotencyKey: newIdempotencyKey(), orderId: order.id, amountCents: order.amount_cents });
  db.prepare("UPDATE orders SET status = 'paid', charge_id = ? WHERE id = ?").run(charge.chargeId, order.id);
  ack();
}
