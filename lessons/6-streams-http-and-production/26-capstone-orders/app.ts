// The HTTP side: POST /orders answers 202 Accepted with a Location to poll, and
// never waits for the payment; GET /orders/:id reports where the order is.

import express from "express";
import { createOrder, deadLetters, getOrder, type Db } from "./shop.ts";

export function createApp(db: Db): express.Express {
  const app = express();
  app.use(express.json());

  app.post("/orders", (req, res) => {
    const key = req.get("Idempotency-Key");
    const amountCents = (req.body as { amountCents?: unknown } | undefined)?.amountCents;
    if (!key) return void res.status(400).json({ error: "the Idempotency-Key header is required" });
    if (!Number.isInteger(amountCents) || (amountCents as number) <= 0) {
      return void res.status(400).json({ error: "amountCents must be a positive integer" });
    }
    const { order, conflict } = createOrder(db, key, amountCents as number);
    if (conflict) return void res.status(422).json({ error: "this Idempotency-Key was used with a different request" });
    // A replay gets the same answer as the original request: same order, same Location.
    res.status(202).location(`/orders/${order.id}`).json({ id: order.id, status: order.status });
  });

  app.get("/orders/:id", (req, res) => {
    const order = getOrder(db, req.params.id);
    if (!order) return void res.status(404).json({ error: "no such order" });
    const dead = order.status === "failed" ? deadLetters(db).find((d) => d.orderId === order.id) : undefined;
    res.json({ id: order.id, amountCents: order.amountCents, status: order.status, ...(dead ? { reason: dead.reason } : {}) });
  });

  return app;
}
