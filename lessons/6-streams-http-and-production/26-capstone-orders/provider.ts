// A fake payment provider with its own database file, so its memory of charges
// survives the crash of the worker that called it, just as a real provider's
// does. It honours idempotency keys the way Stripe does: a second request with
// a key it has seen returns the first charge and moves no money.

import Database from "better-sqlite3";

export interface ChargeRequest {
  idempotencyKey: string;
  orderId: string;
  amountCents: number;
}

export interface Charge {
  chargeId: string;
  amountCents: number;
}

/** Thrown by the provider. `permanent`: retrying cannot help (a declined card). */
export class PaymentError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = "PaymentError";
  }
}

export interface ProviderHooks {
  /** Runs before the provider looks at the request (the tests crash or stall here). */
  beforeCharge?(request: ChargeRequest): void | Promise<void>;
  /** Runs once a new charge is committed, before the response leaves (a crash here loses the response). */
  afterCharge?(request: ChargeRequest): void | Promise<void>;
}

export interface ProviderOptions {
  /** Amounts above this are declined, permanently. */
  cardLimitCents?: number;
  /** For these orders the first charge succeeds but its response is lost: the caller sees a timeout. */
  loseFirstResponseFor?: string[];
  hooks?: ProviderHooks;
}

export class FakePaymentProvider {
  readonly #db: Database.Database;
  readonly #options: ProviderOptions;

  constructor(file: string, options: ProviderOptions = {}) {
    this.#db = new Database(file);
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("busy_timeout = 5000");
    this.#db.exec(`CREATE TABLE IF NOT EXISTS charges (
      id              INTEGER PRIMARY KEY,
      idempotency_key TEXT NOT NULL UNIQUE,
      order_id        TEXT NOT NULL,
      amount_cents    INTEGER NOT NULL
    )`);
    this.#options = options;
  }

  async charge(request: ChargeRequest): Promise<Charge> {
    await this.#options.hooks?.beforeCharge?.(request);
    const db = this.#db;
    const outcome = db
      .transaction(() => {
        const seen = db.prepare("SELECT id, amount_cents FROM charges WHERE idempotency_key = ?").get(request.idempotencyKey) as
          | { id: number; amount_cents: number }
          | undefined;
        if (seen) {
          if (seen.amount_cents !== request.amountCents) {
            throw new PaymentError("idempotency_key_reused: same key, different amount", true);
          }
          return { charge: { chargeId: `ch_${seen.id}`, amountCents: seen.amount_cents }, fresh: false, first: false };
        }
        if (request.amountCents > (this.#options.cardLimitCents ?? 100_000)) {
          throw new PaymentError("card_declined: amount over the card limit", true);
        }
        const { n } = db.prepare("SELECT COUNT(*) AS n FROM charges WHERE order_id = ?").get(request.orderId) as { n: number };
        const { lastInsertRowid } = db
          .prepare("INSERT INTO charges (idempotency_key, order_id, amount_cents) VALUES (?, ?, ?)")
          .run(request.idempotencyKey, request.orderId, request.amountCents);
        return { charge: { chargeId: `ch_${lastInsertRowid}`, amountCents: request.amountCents }, fresh: true, first: n === 0 };
      })
      .immediate();
    if (outcome.fresh) await this.#options.hooks?.afterCharge?.(request);
    if (outcome.first && this.#options.loseFirstResponseFor?.includes(request.orderId)) {
      throw new PaymentError("provider_timeout: no response (the charge went through)", false);
    }
    return outcome.charge;
  }

  close(): void {
    this.#db.close();
  }
}

/** What the provider's books say: the charges made for each order. */
export function chargesByOrder(file: string): Map<string, string[]> {
  const db = new Database(file, { fileMustExist: true });
  try {
    const rows = db.prepare("SELECT id, order_id FROM charges ORDER BY id").all() as Array<{ id: number; order_id: string }>;
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.order_id, [...(out.get(r.order_id) ?? []), `ch_${r.id}`]);
    return out;
  } finally {
    db.close();
  }
}
