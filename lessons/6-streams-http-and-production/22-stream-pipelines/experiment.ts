// Readable -> Transform -> Writable with node:stream/promises pipeline():
// what one bad item does to a naive pipeline, partial success with a DLQ sink,
// a broken sink, and an abort. Each item's latency is seeded and measured on a
// FakeClock, so the run is the same every time.
import { Readable, Transform, Writable } from "node:stream";
import { finished, pipeline } from "node:stream/promises";
import { FakeClock } from "#kit/clock.ts";
import { createRandom, randomInt } from "#kit/random.ts";

interface Order {
  order: number;
}

const clock = new FakeClock();
const random = createRandom();
const latency = new Map<number, number>(Array.from({ length: 40 }, (_, i) => [i + 1, randomInt(random, 20, 80)]));

/** The per-item work: "price" an order. Orders 3 and 5 fail. */
async function priceOrder({ order }: Order, signal?: AbortSignal): Promise<{ order: number; total: number }> {
  await clock.sleep(latency.get(order) ?? 50, signal);
  if (order === 3) throw new Error(`order ${order}: out of stock`);
  if (order === 5) throw new Error(`order ${order}: pricing service returned 503`);
  return { order, total: 1000 + order * 25 };
}

/** Moves the fake clock forward until `promise` settles. */
async function drive<T>(promise: Promise<T>): Promise<T> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) await clock.advance(10);
  return promise;
}

/** A source that counts how many items were pulled from it, and notices when it is closed. */
function orders(count: number, stats = { pulled: 0, closed: false }) {
  async function* generate() {
    try {
      for (let order = 1; order <= count; order++) {
        stats.pulled++;
        yield { order };
      }
    } finally {
      stats.closed = true;
    }
  }
  return Readable.from(generate());
}

/** An objectMode sink collecting NDJSON lines; `failOn` makes one write fail. */
function sink(lines: string[], failOn?: number) {
  return new Writable({
    objectMode: true,
    write(chunk: unknown, _encoding, callback) {
      if (lines.length === failOn) return callback(new Error("disk full"));
      lines.push(JSON.stringify(chunk));
      callback();
    },
  });
}

const message = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

// --- 1. cb(err) for an item failure -------------------------------------------------
console.log("== 1. cb(err) for one bad item ==");
{
  const results: string[] = [];
  const naive = new Transform({
    objectMode: true,
    transform(item: Order, _encoding, callback) {
      priceOrder(item).then((value) => callback(null, value), callback); // an item failure kills the stream
    },
  });
  await drive(pipeline(orders(6), naive, sink(results))).catch((error) => console.log(`pipeline rejected: ${message(error)}`));
  console.log(`results written: ${results.length} of 6 (orders 4, 5 and 6 never ran)`);
}

// --- 2. Partial success with a DLQ sink ----------------------------------------------
/** One {ok,value} / {ok:false,error} per input; failures also go to the DLQ. */
async function run(source: Readable, results: Writable, dlq: Writable, signal?: AbortSignal): Promise<string> {
  const dlqDone = finished(dlq); // also keeps an 'error' listener on the DLQ
  let index = 0;
  let ok = 0;
  let failed = 0;
  const worker = new Transform({
    objectMode: true,
    transform(item: Order, _encoding, callback) {
      const position = index++;
      priceOrder(item, signal).then(
        (value) => {
          ok++;
          callback(null, { ok: true, value });
        },
        (error: unknown) => {
          if (signal?.aborted) return callback(signal.reason); // cancelled, not failed
          const text = error instanceof Error ? error.message : String(error);
          failed++;
          // Wait for the DLQ to take the entry before emitting the result line.
          dlq.write({ index: position, item, error: text }, (dlqError) =>
            dlqError ? callback(dlqError) : callback(null, { ok: false, error: text }),
          );
        },
      );
    },
    flush(callback) {
      dlq.end();
      dlqDone.then(() => callback(), callback);
    },
  });
  dlqDone.catch((error: Error) => worker.destroy(error));
  await pipeline(source, worker, results, signal ? { signal } : {});
  return `${ok} ok, ${failed} failed`;
}

console.log("");
console.log("== 2. Partial success: one result per input, failures also to the DLQ ==");
{
  const results: string[] = [];
  const dead: string[] = [];
  const started = clock.now();
  const summary = await drive(run(orders(6), sink(results), sink(dead)));
  console.log("results.ndjson");
  for (const line of results) console.log(`  ${line}`);
  console.log("dlq.ndjson");
  for (const line of dead) console.log(`  ${line}`);
  console.log(`resolved after ${clock.now() - started} ms: ${summary}`);
}

// --- 3. The DLQ itself breaks ----------------------------------------------------------
console.log("");
console.log("== 3. The DLQ sink fails on its first write ==");
{
  const results: string[] = [];
  const dead: string[] = [];
  await drive(run(orders(6), sink(results), sink(dead, 0))).catch((error) => console.log(`pipeline rejected: ${message(error)}`));
  console.log(`results written: ${results.length}; a failure that cannot be recorded stops the run`);
}

// --- 4. Abort -------------------------------------------------------------------------------
console.log("");
console.log("== 4. Abort 100 ms into a run of 40 orders ==");
{
  const stats = { pulled: 0, closed: false };
  const results: string[] = [];
  const dead: string[] = [];
  const controller = new AbortController();
  const started = clock.now();
  clock.setTimeout(() => controller.abort(), 100);
  await drive(run(orders(40, stats), sink(results), sink(dead), controller.signal)).catch((error) =>
    console.log(`pipeline rejected at +${clock.now() - started} ms: ${message(error)}`),
  );
  console.log(`results written: ${results.length}, dead letters: ${dead.length}`);
  console.log(`source: pulled ${stats.pulled} of 40, closed: ${stats.closed}`);
}
