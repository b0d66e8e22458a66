// Backpressure, measured. A consumer that needs 10 ms per item (on a FakeClock)
// is fed 1000 items three ways: ignoring write()'s return value, waiting for
// 'drain', and letting pipeline() do it. We count how much piles up in between.
import { once } from "node:events";
import { Readable, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FakeClock } from "#kit/clock.ts";

const clock = new FakeClock();

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

/** An objectMode consumer that takes `ms` per item; records its buffer size after every write(). */
function slowConsumer(ms: number, highWaterMark: number) {
  const stats = { consumed: 0, peakBuffered: 0, doneAt: 0 };
  const sink = new Writable({
    objectMode: true,
    highWaterMark,
    write(_item: unknown, _encoding, callback) {
      clock.sleep(ms).then(() => {
        stats.consumed++;
        callback();
      });
    },
    final(callback) {
      stats.doneAt = clock.now();
      callback();
    },
  });
  const write = sink.write.bind(sink) as (...args: unknown[]) => boolean;
  sink.write = ((...args: unknown[]) => {
    const accepted = write(...args);
    stats.peakBuffered = Math.max(stats.peakBuffered, sink.writableLength);
    return accepted;
  }) as typeof sink.write;
  return { sink, stats };
}

// --- 1. What write() tells you ---------------------------------------------------------
console.log("== 1. write() never refuses; its return value is the only signal ==");
{
  const sink = new Writable({ objectMode: true, highWaterMark: 3, write: (_c, _e, cb) => void clock.sleep(10).then(() => cb()) });
  for (let i = 1; i <= 4; i++) {
    const accepted = sink.write(i);
    console.log(`objectMode, highWaterMark 3: write(${i}) -> ${String(accepted).padEnd(5)} writableLength ${sink.writableLength}`);
  }
  // 16 KiB is Node 20's default for byte streams; set explicitly because Node 22 raised the default to 64 KiB.
  const bytes = new Writable({ highWaterMark: 16 * 1024, write: (_c, _e, cb) => void clock.sleep(10).then(() => cb()) });
  for (let i = 1; i <= 2; i++) {
    const accepted = bytes.write(Buffer.alloc(10 * 1024));
    console.log(`bytes, highWaterMark ${bytes.writableHighWaterMark}: write(10 KiB) -> ${String(accepted).padEnd(5)} writableLength ${bytes.writableLength}`);
  }
  await clock.runAll();
}

const ITEMS = 1000;
const items = () => Array.from({ length: ITEMS }, (_, i) => ({ id: i, payload: "x".repeat(100) }));

// --- 2. Ignoring write() vs waiting for 'drain' ----------------------------------------
console.log("");
console.log(`== 2. ${ITEMS} items into a consumer that needs 10 ms each (highWaterMark 16) ==`);
{
  const start = clock.now();
  const { sink, stats } = slowConsumer(10, 16);
  let trueCount = 0;
  for (const item of items()) if (sink.write(item)) trueCount++;
  const producerDone = clock.now() - start;
  const bufferedNow = sink.writableLength;
  sink.end();
  await drive(once(sink, "finish"));
  console.log(`ignoring write():   producer done at t=${producerDone} ms, ${bufferedNow} items buffered (peak ${stats.peakBuffered})`);
  console.log(`                    (write() returned true ${trueCount} times and was ignored ${ITEMS - trueCount} times)`);
  console.log(`                    consumer done at t=${stats.doneAt - start} ms`);
}
{
  const start = clock.now();
  const { sink, stats } = slowConsumer(10, 16);
  let waits = 0;
  let producerDone = 0;
  async function produce(): Promise<void> {
    for (const item of items()) {
      if (!sink.write(item)) {
        waits++;
        await once(sink, "drain");
      }
    }
    producerDone = clock.now() - start;
    sink.end();
    await once(sink, "finish");
  }
  await drive(produce());
  console.log(`waiting for drain:  peak buffered ${stats.peakBuffered} items, waited for 'drain' ${waits} times`);
  console.log(`                    producer done at t=${producerDone} ms, consumer done at t=${stats.doneAt - start} ms`);
}

// --- 3. pipeline() does it for you -----------------------------------------------------------
console.log("");
console.log("== 3. pipeline(Readable.from(generator), consumer) ==");
{
  const start = clock.now();
  const { sink, stats } = slowConsumer(10, 16);
  let produced = 0;
  let peakAhead = 0;
  async function* generate() {
    for (const item of items()) {
      produced++;
      peakAhead = Math.max(peakAhead, produced - stats.consumed);
      yield item;
    }
  }
  const source = Readable.from(generate());
  await drive(pipeline(source, sink));
  console.log(`Readable.from highWaterMark ${source.readableHighWaterMark}, consumer highWaterMark ${sink.writableHighWaterMark}`);
  console.log(`peak items produced but not yet consumed: ${peakAhead}`);
  console.log(`consumer done at t=${stats.doneAt - start} ms, peak buffered in the consumer: ${stats.peakBuffered}`);
}
