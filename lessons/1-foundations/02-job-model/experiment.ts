// What happens to a job payload on its way through a queue.
//
// BullMQ stores job.data with JSON.stringify; Sidekiq stores args as JSON;
// pg-boss, Oban and River keep payloads in jsonb columns, graphile-worker in a
// json column. So "what survives JSON" is what survives your queue.

/** How a value looks, type included: Date(...), "a string", 42, Set([...]). */
function show(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (value instanceof Set) return `Set(${JSON.stringify([...value])})`;
  if (value instanceof Map) return `Map(${JSON.stringify([...value])})`;
  if (typeof value === "function") return "a function";
  if (typeof value === "number") return String(value);
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "undefined" : JSON.stringify(item))).join(",")}]`;
  return JSON.stringify(value);
}

const firstLine = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error));

// --- 1. A payload through JSON ---------------------------------------------------
console.log("== 1. an order payload through JSON.stringify / JSON.parse ==");
const sent: Record<string, unknown> = {
  orderId: 1042,
  placedAt: new Date("2024-03-01T09:30:00Z"),
  discount: 0 / 0, // a bug upstream divided by zero: NaN
  coupon: undefined,
  tags: new Set(["gift", "express"]),
  meta: new Map([["source", "web"]]),
  lines: [{ sku: "MUG-1", qty: 2 }, undefined],
  onDone: () => "notify someone",
};
const received = JSON.parse(JSON.stringify(sent)) as Record<string, unknown>;
for (const field of Object.keys(sent)) {
  const after = field in received ? show(received[field]) : "(field is gone)";
  console.log(`${field.padEnd(9)} ${show(sent[field]).padEnd(35)} -> ${after}`);
}
const placedAt = received.placedAt as Date;
try {
  placedAt.getTime();
} catch (error) {
  console.log(`worker: ${firstLine(error)}`);
}

console.log("\nTwo kinds of value make JSON.stringify throw, without saying where:");
const customerId = 9007199254740993n;
try {
  JSON.stringify({ order: { customer: { id: customerId } } });
} catch (error) {
  console.log(`  BigInt: ${firstLine(error)}`);
}
console.log(`  the same id as a Number: ${Number(customerId)} (off by one, silently)`);
const node: Record<string, unknown> = { name: "root" };
node.parent = node;
try {
  JSON.stringify({ tree: node });
} catch (error) {
  console.log(`  cycle:  ${firstLine(error)}`);
}

// --- 2. Store ids, not objects ------------------------------------------------------
console.log("\n== 2. store ids, not objects ==");
const orders = new Map<number, { address: string; lines: Array<{ sku: string; qty: number; note: string }> }>();
orders.set(1042, {
  address: "12 Old Road",
  lines: Array.from({ length: 200 }, (_, i) => ({ sku: `SKU-${i}`, qty: 1 + (i % 3), note: "gift wrap, café crème" })),
});
const fatJob = JSON.stringify({ order: orders.get(1042) }); // enqueued: a copy of the whole order
const thinJob = JSON.stringify({ orderId: 1042 }); // enqueued: a reference
console.log(`whole order in the job: ${Buffer.byteLength(fatJob)} bytes; just the id: ${Buffer.byteLength(thinJob)} bytes`);
const note = "café crème ☕";
console.log(`${JSON.stringify(note)}: ${note.length} UTF-16 units, ${Buffer.byteLength(note, "utf8")} bytes (limits count bytes)`);

orders.get(1042)!.address = "7 New Street"; // the customer fixes the address before the job runs
const fromFat = (JSON.parse(fatJob) as { order: { address: string } }).order.address;
const fromThin = orders.get((JSON.parse(thinJob) as { orderId: number }).orderId)!.address;
console.log("the customer fixed the address while the job waited:");
console.log(`  the whole-order job ships to "${fromFat}", the id job to "${fromThin}"`);

// --- 3. A format change while jobs wait ---------------------------------------------
console.log("\n== 3. the payload format changes while old jobs are still queued ==");
type V1 = { v: 1; email: string };
type V2 = { v: 2; to: string[] };
const queued: string[] = [JSON.stringify({ v: 1, email: "ada@example.com" } satisfies V1)];
queued.push(JSON.stringify({ v: 2, to: ["grace@example.com"] } satisfies V2));
console.log("queue holds one job from before the deploy (v1) and one from after (v2)");

for (const text of queued) {
  const data = JSON.parse(text) as { to?: string[] };
  console.log(`  new worker, no version check:   sends to ${String(data.to?.join(", "))}`);
}
function readEmailJob(text: string): V2 {
  const data = JSON.parse(text) as V1 | V2 | { v: unknown };
  if (data.v === 2) return data as V2;
  if (data.v === 1) return { v: 2, to: [(data as V1).email] }; // upgrade old jobs on read
  throw new Error(`unsupported payload version ${JSON.stringify(data.v)}`);
}
for (const text of queued) {
  console.log(`  new worker, checks v, upgrades: sends to ${readEmailJob(text).to.join(", ")}`);
}
try {
  readEmailJob(JSON.stringify({ v: 3, recipients: [] }));
} catch (error) {
  console.log(`  a v3 job reaching this worker: ${firstLine(error)}`);
}
