// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { Writable } from "node:stream";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/23-backpressure/challenge.ts");

const { produce } = await loadCandidate<Challenge>(import.meta.url);

// --- helpers ---------------------------------------------------------------------------

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await tick();
}

interface ConsumerOptions {
  highWaterMark: number;
  /** Ticks each item takes to consume (cycled), 0 = as fast as the event loop allows. */
  delays?: number[];
  /** Fail the write of this item index with this error. */
  failAt?: { index: number; error: Error };
  /** Never call back: writes hang until the test destroys the sink. */
  stuck?: boolean;
  /** Ticks final() takes. */
  slowFinal?: number;
}

/** A slow objectMode consumer that records the largest writableLength seen right after each write(). */
function consumer(options: ConsumerOptions) {
  const received: unknown[] = [];
  let peak = 0;
  let writes = 0;
  let flushed = false;
  const delays = options.delays?.length ? options.delays : [1];
  const sink = new Writable({
    objectMode: true,
    highWaterMark: options.highWaterMark,
    write(chunk: unknown, _encoding, callback) {
      if (options.stuck) return;
      const index = received.length;
      ticks(delays[index % delays.length]!).then(() => {
        if (options.failAt?.index === index) return callback(options.failAt.error);
        received.push(chunk);
        callback();
      });
    },
    final(callback) {
      ticks(options.slowFinal ?? 0).then(() => {
        flushed = true;
        callback();
      });
    },
  });
  const write = sink.write.bind(sink) as (chunk: unknown) => boolean;
  sink.write = ((chunk: unknown, ...rest: unknown[]) => {
    writes++;
    const accepted = (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    peak = Math.max(peak, sink.writableLength);
    return accepted;
  }) as typeof sink.write;
  return { sink, received, peak: () => peak, writes: () => writes, flushed: () => flushed };
}

/** A source that counts what was pulled and whether it was closed. */
function countingSource<T>(items: T[], kind: "async" | "sync" = "async") {
  const state = { pulled: 0, closed: false };
  async function* asyncGen() {
    try {
      for (const item of items) {
        state.pulled++;
        yield item;
      }
    } finally {
      state.closed = true;
    }
  }
  function* syncGen() {
    try {
      for (const item of items) {
        state.pulled++;
        yield item;
      }
    } finally {
      state.closed = true;
    }
  }
  return { source: kind === "async" ? asyncGen() : syncGen(), state };
}

const drainHint =
  "is it waiting for 'drain' after a write() that returned true ('drain' only follows a write() that returned false), or waiting for 'finish' without calling sink.end()?";

/** Settles `promise` or fails the test after `ms` of real time, instead of hanging. */
async function settle<T>(promise: Promise<T>, ms: number, what: string): Promise<{ value: T } | { error: unknown }> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  const outcome = await Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    guard,
  ]);
  clearTimeout(timer);
  if (outcome === "timeout") expect.fail(`produce() neither resolved nor rejected within ${ms} ms (${what})`);
  return outcome;
}

const run = <T>(items: Iterable<T> | AsyncIterable<T>, sink: Writable) => Promise.resolve().then(() => produce(items, sink));

// --- backpressure ------------------------------------------------------------------------

describe("backpressure", () => {
  test("[C3] write() returning true is not a reason to wait: a fast sink gets everything without hanging", async () => {
    const c = consumer({ highWaterMark: 8, delays: [0] });
    const items = Array.from({ length: 20 }, (_, i) => i);
    const outcome = await settle(run(items, c.sink), 1500, drainHint);
    if ("error" in outcome) throw outcome.error;
    expect(outcome.value, "produce() resolves with the number of items written").toBe(20);
    expect(c.received, "every item arrives, in order").toEqual(items);
  });

  test("[C1][C4] falsy items (undefined included) are written like any other, and an empty source still ends the sink and waits for 'finish'", async () => {
    const c = consumer({ highWaterMark: 1, delays: [1] });
    const falsy = [0, "", false, undefined, Number.NaN];
    const outcome = await settle(run(falsy, c.sink), 1500, `five falsy items: ${drainHint}`);
    if ("error" in outcome) throw outcome.error;
    expect(outcome.value, "five items written: 0, \"\", false, undefined and NaN each count").toBe(5);
    expect(c.writes(), "one write() per item, undefined included").toBe(5);
    expect(c.received, "0, \"\", false, undefined and NaN are items like any other: an objectMode stream carries everything but null").toEqual(falsy);
    const empty = consumer({ highWaterMark: 2, slowFinal: 3 });
    const none = await settle(run([], empty.sink), 1500, "an empty source: end() the sink and wait for 'finish'");
    if ("error" in none) throw none.error;
    expect(none.value, "nothing to write: 0 items").toBe(0);
    expect(empty.flushed(), "even with nothing to write, produce() must end() the sink and resolve only after 'finish'").toBe(true);
  });

  test("[C2] a producer much faster than its consumer never buffers more than highWaterMark + 1 items", async () => {
    const c = consumer({ highWaterMark: 4, delays: [3] });
    const items = Array.from({ length: 40 }, (_, i) => i);
    const outcome = await settle(run(items, c.sink), 3000, `40 items into a slow consumer: ${drainHint}`);
    if ("error" in outcome) throw outcome.error;
    expect(c.peak(), `the sink's buffer (writableLength) reached ${c.peak()} with highWaterMark 4: when write() returns false, wait for 'drain' before writing again`).toBeLessThanOrEqual(5);
    expect(c.received, "every item arrives, in order").toEqual(items);
  });

  test("[C1][C2][C3][C4] for any highWaterMark, item count, consumer speed and source kind: bounded buffer, every item in order, resolved after 'finish'", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.integer(), { maxLength: 60 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
        fc.constantFrom("array" as const, "sync" as const, "async" as const),
        async (highWaterMark, items, delays, kind) => {
          const c = consumer({ highWaterMark, delays, slowFinal: 2 });
          const source = kind === "array" ? items : countingSource(items, kind).source;
          const outcome = await settle(run(source, c.sink), 1500, `${items.length} items, highWaterMark ${highWaterMark}: ${drainHint}`);
          if ("error" in outcome) throw outcome.error;
          expect(outcome.value, "produce() resolves with the number of items written").toBe(items.length);
          expect(c.writes(), "exactly one write() per item").toBe(items.length);
          expect(c.received, "the consumer gets every item, in order").toEqual(items);
          expect(c.peak(), `writableLength reached ${c.peak()} with highWaterMark ${highWaterMark}: respect write()'s return value`).toBeLessThanOrEqual(highWaterMark + 1);
          expect(c.flushed(), "produce() must end() the sink and resolve only after 'finish' (the sink's final() had not completed)").toBe(true);
        },
      ),
      { numRuns: 60, endOnFailure: true },
    );
  });
});

// --- failures ------------------------------------------------------------------------------

describe("when something breaks", () => {
  test("[C5] a sink that fails rejects with its error and stops pulling the source", async () => {
    const broken = new Error("socket hang up");
    const c = consumer({ highWaterMark: 2, delays: [1], failAt: { index: 5, error: broken } });
    const { source, state } = countingSource(Array.from({ length: 100 }, (_, i) => i));
    const outcome = await settle(run(source, c.sink), 1500, "the sink failed on its 6th item: wait for 'drain' OR 'error'/'close'");
    expect("error" in outcome && outcome.error, "produce() must reject with the sink's own error").toBe(broken);
    expect(state.pulled, `the source was pulled ${state.pulled} times after the sink failed at item 5: stop pulling once the sink is broken`).toBeLessThanOrEqual(10);
    await ticks(3);
    expect(state.closed, "the source must be closed (its finally block runs) when produce() gives up").toBe(true);
  });

  test("[C5] a sink destroyed without an error while the producer waits for 'drain' rejects instead of hanging", async () => {
    const c = consumer({ highWaterMark: 2, stuck: true });
    const { source, state } = countingSource(Array.from({ length: 50 }, (_, i) => i));
    const pending = run(source, c.sink);
    await ticks(5); // the producer has filled the buffer and waits for 'drain'
    expect(c.writes(), "with a consumer that never finishes a write and highWaterMark 2, the producer must stop after write() returned false").toBeLessThanOrEqual(3);
    c.sink.destroy();
    const outcome = await settle(pending, 1000, "the sink was destroyed while produce() waited for 'drain': 'drain' will never come, listen for 'close' too");
    expect("error" in outcome, "a sink closed before finishing is a failure: produce() must reject").toBe(true);
    expect("error" in outcome && outcome.error, "a premature close (destroy() without an error) must reject with an Error, not with null or undefined").toBeInstanceOf(Error);
    await ticks(3);
    expect(state.closed, "the source must be closed when produce() gives up").toBe(true);
  });

  test("[C5] a sink that fails or closes while the producer waits on a slow source (not on 'drain') is handled too", async () => {
    for (const how of ["error", "close"] as const) {
      const broken = new Error("connection reset while the source was slow");
      const c = consumer({ highWaterMark: 16, delays: [0] });
      let unhandled = false;
      const emit = c.sink.emit.bind(c.sink);
      c.sink.emit = ((event: string | symbol, ...args: unknown[]) => {
        if (event === "error" && c.sink.listenerCount("error") === 0) {
          unhandled = true;
          return false; // swallowed here so the test can report it instead of crashing
        }
        return emit(event, ...args);
      }) as typeof c.sink.emit;
      const state = { pulled: 0, closed: false };
      async function* slowSource() {
        try {
          for (let i = 0; i < 50; i++) {
            await ticks(4); // the producer waits here, with nothing to drain
            state.pulled++;
            yield i;
          }
        } finally {
          state.closed = true;
        }
      }
      const pending = run(slowSource(), c.sink);
      await ticks(14); // a few items written; write() returned true every time
      if (how === "error") c.sink.destroy(broken);
      else c.sink.destroy();
      const outcome = await settle(pending, 1000, `the sink ${how === "error" ? "failed" : "was closed"} while produce() was waiting for its source, not for 'drain': watch the sink for the whole run (finished(sink) created up front), not only while waiting`);
      expect(unhandled, "the sink's 'error' was emitted with no listener (it would crash the process): keep an 'error' listener for the whole run").toBe(false);
      expect("error" in outcome, `a sink that ${how === "error" ? "failed" : "closed before finishing"} between two items must make produce() reject`).toBe(true);
      if (how === "error") expect("error" in outcome && outcome.error, "produce() must reject with the sink's own error").toBe(broken);
      else expect("error" in outcome && outcome.error, "a premature close (destroy() without an error) must reject with an Error, not with null or undefined").toBeInstanceOf(Error);
      await ticks(3);
      expect(state.pulled, "produce() must stop pulling from the source once the sink is gone").toBeLessThan(10);
      expect(state.closed, "the source must be closed (its finally block runs) when produce() gives up").toBe(true);
    }
  });

  test("[C5] a sink destroyed before the call makes produce() reject; one destroyed after end() does not leave it hanging", async () => {
    const gone = consumer({ highWaterMark: 2 });
    gone.sink.destroy();
    await ticks(2); // its 'close' event is over: listening for 'close' from now on hears nothing
    expect(gone.sink.closed, "test setup: the sink has closed").toBe(true);
    const { source, state } = countingSource(Array.from({ length: 20 }, (_, i) => i));
    const early = await settle(run(source, gone.sink), 1000, "the sink was already destroyed (its 'close' event long over) when produce() was called: check sink.destroyed, or use finished(sink), which knows a closed stream");
    expect("error" in early, "a sink that is already closed can never finish: produce() must reject").toBe(true);
    expect("error" in early && early.error, "a sink closed (without an error) before the call: reject with an Error for the premature close").toBeInstanceOf(Error);
    expect(state.pulled, "nothing (at most one item) may be pulled for a sink that is already gone").toBeLessThanOrEqual(1);
    await ticks(3);
    // A generator that was never started has no finally block to run; one that was started must be closed.
    if (state.pulled > 0) expect(state.closed, "the source was started: it must be closed (its finally block runs) when produce() gives up").toBe(true);

    const failed = consumer({ highWaterMark: 2 });
    failed.sink.on("error", () => {}); // its owner saw the error; produce() is called afterwards
    const cause = new Error("disk detached");
    failed.sink.destroy(cause);
    await ticks(2);
    const earlyFailed = await settle(run([1, 2, 3], failed.sink), 1000, "the sink had already failed when produce() was called");
    expect("error" in earlyFailed && earlyFailed.error, "a sink that failed before the call: reject with the sink's own error").toBe(cause);

    const late = consumer({ highWaterMark: 4, delays: [0], slowFinal: 200 });
    const pending = run([1, 2, 3], late.sink);
    for (let i = 0; i < 50 && !late.sink.writableEnded; i++) await tick();
    expect(late.sink.writableEnded, "produce() should end() the sink once the three items are written").toBe(true);
    late.sink.destroy();
    // Node's finished() counts an ended sink with an empty buffer as done, so resolving is allowed here; hanging is not.
    await settle(pending, 1000, "the sink was destroyed after end() but before 'finish': 'finish' will never come, so waiting for it alone hangs; listen for 'close' too (finished(sink) does)");
  });

  test("[C6] a source that throws a string or another non-Error: produce() rejects with that very value", async () => {
    for (const kind of ["async", "sync"] as const) {
      const thrown = `${kind} upstream gave up`;
      function* syncSource() {
        yield 1;
        throw thrown;
      }
      async function* asyncSource() {
        yield 1;
        throw thrown;
      }
      const c = consumer({ highWaterMark: 4, delays: [0] });
      c.sink.on("error", () => {}); // the test looks at sink.errored instead
      const outcome = await settle(run(kind === "async" ? asyncSource() : syncSource(), c.sink), 1500, `a ${kind} source threw a string`);
      expect("error" in outcome && outcome.error, "produce() must reject with exactly what the source threw, not an Error wrapped around it").toBe(thrown);
      expect(c.sink.destroyed, "a broken source must not leave the sink open").toBe(true);
      expect(c.sink.errored instanceof Error, "the sink is destroyed with an Error (made from the thrown value)").toBe(true);
    }
  });

  test("[C6] a source that throws destroys the sink with that error and rejects with it", async () => {
    const broken = new Error("upstream read failed");
    async function* source() {
      yield 1;
      yield 2;
      throw broken;
    }
    const c = consumer({ highWaterMark: 4, delays: [0] });
    c.sink.on("error", () => {}); // the test looks at sink.errored instead
    const outcome = await settle(run(source(), c.sink), 1500, "the source threw after two items");
    expect("error" in outcome && outcome.error, "produce() must reject with the source's error").toBe(broken);
    expect(c.sink.destroyed, "a broken source must not leave the sink open (it would never finish)").toBe(true);
    expect(c.sink.errored, "destroy the sink with the source's error, so whoever reads from it learns why").toBe(broken);
  });
});
