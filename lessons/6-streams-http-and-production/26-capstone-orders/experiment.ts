// The whole order pipeline, with real processes and a real kill -9: Express
// takes orders (202 + Location), worker processes pay them through a fake
// provider, one worker is SIGKILLed right after a charge, one is stopped with
// SIGTERM mid-charge, and a third runs until the queue is empty. The workers
// run the naive step (naive-step.ts), so watch the provider's books.
//
// Processes and leases use real time, so only facts that do not depend on
// scheduling are printed: HTTP answers, exit codes, final states and counts.

import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exited, spawnTs } from "#kit/spawn-ts.ts";
import { createApp } from "./app.ts";
import { chargesByOrder } from "./provider.ts";
import { deadLetters, jobsByOrder, listOrders, openShop } from "./shop.ts";
import type { WorkerEvent } from "./worker.ts";

const workerFile = fileURLToPath(new URL("./worker-process.ts", import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), "qc-capstone-"));
const shopFile = path.join(dir, "shop.db");
const providerFile = path.join(dir, "provider.db");
const db = openShop(shopFile);
const server = createApp(db).listen(0, "127.0.0.1");
await once(server, "listening");
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

async function post(key: string, amountCents: number): Promise<string> {
  const res = await fetch(`${base}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": key },
    body: JSON.stringify({ amountCents }),
  });
  await res.arrayBuffer();
  return `${res.status}${res.headers.get("location") ? ` ${res.headers.get("location")}` : ""}`;
}

async function get(id: string): Promise<Record<string, unknown>> {
  return (await (await fetch(`${base}/orders/${id}`)).json()) as Record<string, unknown>;
}

/** Runs one worker process to its end; returns how it ended and what it reported. */
async function runWorker(env: Record<string, string>, onEvent?: (e: WorkerEvent, kill: (s: NodeJS.Signals) => void) => void) {
  const child = await spawnTs(workerFile, [], {
    env: { SHOP_DB: shopFile, PROVIDER_DB: providerFile, LEASE_MS: "400", LOSE_FIRST_RESPONSE: "ord_4", ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const events: WorkerEvent[] = [];
  child.on("message", (e: WorkerEvent) => {
    events.push(e);
    onEvent?.(e, (signal) => child.kill(signal));
  });
  const guard = setTimeout(() => child.kill("SIGKILL"), 8000);
  const how = await exited(child);
  clearTimeout(guard);
  return { how, events };
}

console.log("== HTTP: accept, answer 202, pay later ==");
const orders: Array<[string, number]> = [
  ["k-1001", 2500],
  ["k-1002", 4200],
  ["k-1003", 1999],
  ["k-1004", 7300],
  ["k-1005", 250_000],
];
for (const [key, amount] of orders) console.log(`POST /orders key=${key} amount=${amount} -> ${await post(key, amount)}`);
console.log(`POST /orders key=k-1002 (a client retry) -> ${await post("k-1002", 4200)}`);
console.log(`POST /orders key=k-1003 amount=5 (same key, other body) -> ${await post("k-1003", 5)}`);
console.log(`GET /orders/ord_1 -> ${JSON.stringify(await get("ord_1"))}`);
console.log(`jobs queued: ${[...jobsByOrder(db).values()].filter((j) => j.status === "queued").length}`);

console.log("\n== worker #1: killed with SIGKILL right after charging ord_2 ==");
const w1 = await runWorker({ CRASH_AFTER_CHARGE: "ord_2" });
console.log(`exit: ${w1.how}; orders it finished: ${w1.events.filter((e) => e.type === "done").length}`);
const afterCrash = chargesByOrder(providerFile);
console.log(`ord_2: shop says ${listOrders(db)[1]!.status}, job ${jobsByOrder(db).get("ord_2")!.status} (a dead worker's lease), provider charges: ${afterCrash.get("ord_2")?.length ?? 0}`);

console.log("\n== worker #2: SIGTERM arrives while a charge is in flight ==");
const w2 = await runWorker({ PAUSE_UNTIL_SIGTERM: "1" }, (e, kill) => {
  if (e.type === "paused") kill("SIGTERM");
});
const claimed2 = w2.events.filter((e) => e.type === "claimed").length;
const done2 = w2.events.filter((e) => e.type === "done").length;
console.log(`exit: ${w2.how}; claimed ${claimed2}, finished ${done2}: the job in flight completed, nothing new was claimed`);

console.log("\n== worker #3: runs until the queue is idle ==");
const w3 = await runWorker({ UNTIL_IDLE: "1" });
const retries = w3.events.filter((e) => e.type === "retry").map((e) => (e as { reason: string }).reason);
console.log(`exit: ${w3.how}; retried after: ${retries.join("; ")}`);

console.log("\n== what the shop and the provider say ==");
for (const { id } of listOrders(db)) {
  const o = await get(id);
  console.log(`GET /orders/${id} -> ${o.status}${o.reason ? ` (${o.reason})` : ""}`);
}
const jobs = jobsByOrder(db);
console.log(`attempts: ${[...jobs].map(([id, j]) => `${id}=${j.attempts}`).join(" ")}`);
console.log(`dead letters: ${deadLetters(db).map((d) => `${d.orderId} "${d.reason}"`).join(", ")}`);
const charges = chargesByOrder(providerFile);
console.log(`provider charges: ${listOrders(db).map((o) => `${o.id}=${charges.get(o.id)?.length ?? 0}`).join(" ")}`);
const paid = listOrders(db).filter((o) => o.status === "paid");
const owed = paid.reduce((sum, o) => sum + o.amountCents, 0);
const taken = listOrders(db).reduce((sum, o) => sum + o.amountCents * (charges.get(o.id)?.length ?? 0), 0);
console.log(`money taken: ${taken} cents for ${paid.length} paid orders worth ${owed} cents`);
const twice = listOrders(db).filter((o) => (charges.get(o.id)?.length ?? 0) > 1).map((o) => o.id);
console.log(`charged more than once: ${twice.length ? twice.join(", ") : "none"}`);

server.close();
db.close();
rmSync(dir, { recursive: true, force: true });
