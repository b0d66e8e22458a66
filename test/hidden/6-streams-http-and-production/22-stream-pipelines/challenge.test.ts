// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { Writable } from "node:stream";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/22-stream-pipelines/challenge.ts");
type ItemResult<O> = import("../../../../lessons/6-streams-http-and-production/22-stream-pipelines/challenge.ts").ItemResult<O>;
type DeadLetter<I> = import("../../../../lessons/6-streams-http-and-production/22-stream-pipelines/challenge.ts").DeadLetter<I>;
type PipelineSummary = import("../../../../lessons/6-streams-http-and-production/22-stream-pipelines/challenge.ts").PipelineSummary;

const { runPipeline } = await loadCandidate<Challenge>(import.meta.url);

// --- helpers ---------------------------------------------------------------------------

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
async function ticks(n: number, signal?: AbortSignal): Promise<void> {
  for (let i = 0; i < n; i++) {
    if (signal?.aborted) throw signal.reason;
    await tick();
  }
  if (signal?.aborted) throw signal.reason;
}

/** An objectMode sink that keeps what it receives; each write takes a tick, like real I/O. */
function collector<T>(options: { failOn?: (chunk: T, count: number) => Error | undefined; slowFinal?: number; failFinal?: Error; onWrite?: (count: number) => void } = {}) {
  const items: T[] = [];
  let flushed = false;
  const stream = new Writable({
    objectMode: true,
    highWaterMark: 2,
    write(chunk: T, _encoding, callback) {
      const error = options.failOn?.(chunk, items.length);
      setImmediate(() => {
        if (error) return callback(error);
        items.push(chunk);
        options.onWrite?.(items.length);
        callback();
      });
    },
    final(callback) {
      ticks(options.slowFinal ?? 0).then(() => {
        if (options.failFinal) return callback(options.failFinal);
        flushed = true;
        callback();
      });
    },
  });
  return { stream, items, flushed: () => flushed };
}

/** An endless async source (one item per tick) that counts how far it was pulled and whether it was closed. */
function endlessSource() {
  const state = { pulled: 0, closed: false };
  async function* generate() {
    try {
      for (let i = 0; ; i++) {
        await tick(); // like real I/O; also keeps a runaway consumer from starving the event loop
        state.pulled++;
        yield i;
      }
    } finally {
      state.closed = true;
    }
  }
  return { source: generate(), state };
}

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
  if (outcome === "timeout") expect.fail(`runPipeline neither resolved nor rejected within ${ms} ms: ${what}`);
  return outcome;
}

function run<I, O>(options: Parameters<typeof runPipeline<I, O>>[0]): Promise<PipelineSummary> {
  // A stub that throws synchronously becomes a rejection here.
  return Promise.resolve().then(() => runPipeline(options));
}

// --- partial success ----------------------------------------------------------------

interface Case {
  value: number;
  delay: number; // ticks of work
  fails: "no" | "error" | "string";
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  value: fc.integer({ min: -1000, max: 1000 }),
  delay: fc.integer({ min: 0, max: 4 }),
  fails: fc.constantFrom("no" as const, "no" as const, "error" as const, "string" as const),
});

describe("partial success", () => {
  test("[C1][C2][C3] falsy items and values are carried as they are; an empty message and non-Error throws are recorded exactly", async () => {
    const results = collector<ItemResult<unknown>>();
    const dlq = collector<DeadLetter<unknown>>();
    const source: unknown[] = [0, "", false, "empty-message", "undefined", "number", "null"];
    const outcome = await settle(
      run<unknown, unknown>({
        source,
        work: async (item) => {
          await tick();
          if (item === 0) return null;
          if (item === "") return 0;
          if (item === false) return "";
          if (item === "empty-message") throw new Error("");
          if (item === "undefined") throw undefined;
          if (item === "number") throw 42;
          throw null;
        },
        results: results.stream,
        dlq: dlq.stream,
      }),
      2000,
      "seven items with falsy values and odd failures",
    );
    expect("value" in outcome && outcome.value, "four of the seven items failed").toEqual({ ok: 3, failed: 4 });
    expect(results.items, "results keep falsy values as they are; error is the Error's message even when it is empty (not its name), or String(thrown)").toEqual([
      { ok: true, value: null },
      { ok: true, value: 0 },
      { ok: true, value: "" },
      { ok: false, error: "" },
      { ok: false, error: "undefined" },
      { ok: false, error: "42" },
      { ok: false, error: "null" },
    ]);
    expect(dlq.items, "each failure reaches the DLQ with its index, item and the same error text").toEqual([
      { index: 3, item: "empty-message", error: "" },
      { index: 4, item: "undefined", error: "undefined" },
      { index: 5, item: "number", error: "42" },
      { index: 6, item: "null", error: "null" },
    ]);
  });

  test("[C4] work that fails with an AbortError of its own is an ordinary failure, and the run carries on", async () => {
    const results = collector<ItemResult<number>>();
    const dlq = collector<DeadLetter<number>>();
    const outcome = await settle(
      run<number, number>({
        source: [1, 2, 3, 4],
        work: async (n) => {
          await tick();
          if (n === 2) throw Object.assign(new Error("upstream call timed out"), { name: "AbortError" });
          if (n === 3) throw new DOMException("request aborted by its own timeout", "AbortError");
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
      }),
      2000,
      "two items whose work rejected with its own AbortError",
    );
    if ("error" in outcome) expect.fail(`nobody cancelled the run: an item whose work throws an AbortError of its own has failed, it must not end the run (decide "cancelled" from the run's signal, not the error's name): ${String(outcome.error)}`);
    expect(results.items, "items 2 and 3 failed (their own timeouts); 1 and 4 succeeded").toEqual([
      { ok: true, value: 1 },
      { ok: false, error: "upstream call timed out" },
      { ok: false, error: "request aborted by its own timeout" },
      { ok: true, value: 4 },
    ]);
    expect(dlq.items.map((d) => d.index), "both failures reach the DLQ").toEqual([1, 2]);
  });


  test("[C1][C2][C3][C5] every input gets exactly one result, in input order, and every failure also reaches the DLQ", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { maxLength: 14 }), async (cases) => {
        const results = collector<ItemResult<number>>();
        const dlq = collector<DeadLetter<Case>>();
        const outcome = await settle(
          run<Case, number>({
            source: cases,
            work: async (c) => {
              // Later items are often faster than earlier ones.
              await ticks(c.delay);
              if (c.fails === "error") throw new Error(`bad ${c.value}`);
              if (c.fails === "string") throw `raw ${c.value}`;
              return c.value * 2;
            },
            results: results.stream,
            dlq: dlq.stream,
          }),
          3000,
          "with failing items in the batch",
        );
        if ("error" in outcome) expect.fail(`a failing item must not reject the whole run (cb(err) aborts everything): ${String(outcome.error)}`);
        expect(results.items.length, "exactly one result per input item, failures included").toBe(cases.length);
        cases.forEach((c, i) => {
          const r = results.items[i]!;
          if (c.fails === "no") {
            expect(r, `result #${i} should be { ok: true, value } for the item at that position (results must keep input order)`).toEqual({ ok: true, value: c.value * 2 });
          } else {
            const error = c.fails === "error" ? `bad ${c.value}` : `raw ${c.value}`;
            expect(r, `result #${i} should be { ok: false, error } with the error's message (or String(thrown) for non-Errors)`).toEqual({ ok: false, error });
          }
        });
        const expectedDlq = cases.flatMap((c, index) =>
          c.fails === "no" ? [] : [{ index, item: c, error: c.fails === "error" ? `bad ${c.value}` : `raw ${c.value}` }],
        );
        expect(dlq.items, "every failure must also reach the DLQ as { index, item, error }, in input order").toEqual(expectedDlq);
        const summary = outcome.value;
        expect(summary, "the summary counts successes and failures").toEqual({ ok: cases.length - expectedDlq.length, failed: expectedDlq.length });
      }),
      { numRuns: 40, endOnFailure: true },
    );
  });

  test("[C5] it resolves only after both sinks are ended and flushed", async () => {
    const results = collector<ItemResult<number>>({ slowFinal: 3 });
    const dlq = collector<DeadLetter<number>>({ slowFinal: 8 });
    const outcome = await settle(
      run<number, number>({
        source: [1, 2, 3],
        work: async (n) => {
          if (n === 2) throw new Error("two is bad");
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
      }),
      2000,
      "a 3-item run",
    );
    expect("value" in outcome, "a run with one failing item resolves").toBe(true);
    expect(results.flushed(), "the results sink must be ended and finished before the promise resolves").toBe(true);
    expect(dlq.flushed(), "the DLQ must be ended, and its final() done, before the promise resolves: a caller that exits right after must not lose dead letters").toBe(true);
  });
});

// --- errors that must stop the run ---------------------------------------------------------

describe("failures of the pipeline itself", () => {
  test("[C6] an error in the results sink rejects the run with that error and stops the source", async () => {
    const { source, state } = endlessSource();
    const broken = new Error("results disk full");
    const results = collector<ItemResult<number>>({ failOn: (_c, count) => (count === 3 ? broken : undefined) });
    const dlq = collector<DeadLetter<number>>();
    const outcome = await settle(run<number, number>({ source, work: async (n) => n, results: results.stream, dlq: dlq.stream }), 2000, "the results sink failed on its 4th write");
    expect("error" in outcome && outcome.error, "a failing results sink must reject the run with the sink's own error").toBe(broken);
    for (let i = 0; i < 5; i++) await tick();
    const pulled = state.pulled;
    for (let i = 0; i < 10; i++) await tick();
    expect(state.pulled, "after a sink error, nothing more may be pulled from the source").toBe(pulled);
    expect(state.closed, "the source must be closed (its finally block runs) once the run failed").toBe(true);
  });

  test("[C6] an error in the results sink also aborts the signal of work still in flight", async () => {
    const broken = new Error("results disk full");
    const results = collector<ItemResult<number>>({ failOn: (_c, count) => (count === 2 ? broken : undefined) });
    const dlq = collector<DeadLetter<number>>();
    const calls: Array<{ signal: AbortSignal; finished: boolean }> = [];
    const outcome = await settle(
      run<number, number>({
        source: [0, 1, 2, 3, 4, 5, 6, 7],
        work: async (n, signal) => {
          const call = { signal, finished: false };
          calls.push(call);
          // Slow work that honours its signal: without an abort it outlives the checks below.
          await ticks(n < 2 ? 1 : 200, signal);
          call.finished = true;
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
      }),
      3000,
      "the results sink failed on its 3rd write while slow work was running",
    );
    expect("error" in outcome && outcome.error, "a failing results sink must reject the run with the sink's own error").toBe(broken);
    for (let i = 0; i < 5; i++) await tick();
    const running = calls.filter((c) => !c.finished);
    expect(
      running.every((c) => c.signal.aborted),
      "when the run fails, the signal given to work still in flight must abort too (the contract: it aborts when the run is cancelled OR fails), not only the caller's signal",
    ).toBe(true);
  });

  test("[C6] an error in the DLQ sink rejects the run with that error", async () => {
    const broken = new Error("dead-letter store unreachable");
    const results = collector<ItemResult<number>>();
    const dlq = collector<DeadLetter<number>>({ failOn: () => broken });
    const outcome = await settle(
      run<number, number>({
        source: [1, 2, 3, 4, 5, 6],
        work: async (n) => {
          if (n === 3) throw new Error("three is bad");
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
      }),
      2000,
      "the DLQ rejected its first write",
    );
    expect("error" in outcome && outcome.error, "a DLQ that cannot take a dead letter must fail the run (never lose a failure silently), with the DLQ's own error").toBe(broken);
  });

  test("[C6] a DLQ destroyed with an error between two writes fails the run at once: the source stops and the work in flight sees its signal abort", async () => {
    const broken = new Error("dead-letter store went away");
    const results = collector<ItemResult<number>>();
    const dlq = collector<DeadLetter<number>>();
    const calls: number[] = [];
    let cancelled = false;
    const outcome = await settle(
      run<number, number>({
        source: [0, 1, 2, 3, 4, 5],
        work: async (n, signal) => {
          calls.push(n);
          if (n === 2) {
            dlq.stream.destroy(broken); // no dead letter is being written: only the DLQ's 'error' event tells
            // Honours the signal; without an abort it finishes and the run goes on.
            await ticks(20, signal).catch((error: unknown) => {
              cancelled = true;
              throw error;
            });
          }
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
      }),
      2000,
      "the DLQ was destroyed with an error while item 2 was in flight",
    );
    expect("error" in outcome && outcome.error, "a DLQ that breaks must fail the run with the DLQ's own error").toBe(broken);
    for (let i = 0; i < 3 && !cancelled; i++) await tick();
    expect(cancelled, "the DLQ broke while item 2 was in flight: the run failed, so item 2's signal must abort then, not after the last item (watch the DLQ's 'error' event, not only the callbacks of its writes)").toBe(true);
    expect(calls, "once the DLQ broke, no further item may be pulled and worked on").toEqual([0, 1, 2]);
  });

  test("[C10] a run that fails or is aborted still ends the DLQ, so the dead letters already written are flushed", async () => {
    for (const how of ["the results sink fails", "the caller aborts"] as const) {
      const controller = new AbortController();
      const broken = new Error("results disk full");
      const results = collector<ItemResult<number>>(
        how === "the results sink fails" ? { failOn: (_c, count) => (count === 3 ? broken : undefined) } : { onWrite: (count) => count === 3 && controller.abort() },
      );
      const dlq = collector<DeadLetter<number>>();
      const outcome = await settle(
        run<number, number>({
          source: endlessSource().source, // never exhausted: only the failure can end the run
          work: async (n) => {
            if (n === 1) throw new Error("one is bad");
            return n;
          },
          results: results.stream,
          dlq: dlq.stream,
          ...(how === "the caller aborts" ? { signal: controller.signal } : {}),
        }),
        2000,
        `${how} after one item failed`,
      );
      expect("error" in outcome, `${how}: the run must reject`).toBe(true);
      for (let i = 0; i < 20 && !dlq.flushed(); i++) await tick();
      expect(dlq.items, `${how}: item 1 failed before that, so its dead letter must have been written`).toEqual([{ index: 1, item: 1, error: "one is bad" }]);
      expect(dlq.flushed(), `${how}: the run is over, but the dead letters already written must be kept: end the DLQ (it was not what broke) so it flushes`).toBe(true);
    }
  });

  test("[C6] an error in a sink's final() rejects the run with that error", async () => {
    for (const which of ["results", "dlq"] as const) {
      const broken = new Error(`${which} could not flush`);
      const results = collector<ItemResult<number>>(which === "results" ? { failFinal: broken } : {});
      const dlq = collector<DeadLetter<number>>(which === "dlq" ? { failFinal: broken } : {});
      const outcome = await settle(
        run<number, number>({
          source: [1, 2],
          work: async (n) => {
            if (n === 2) throw new Error("two is bad");
            return n;
          },
          results: results.stream,
          dlq: dlq.stream,
        }),
        2000,
        `the ${which} sink failed in final()`,
      );
      expect("error" in outcome && outcome.error, `an error in the ${which} sink's final() means its data may not be stored: the run must reject with that error, not resolve`).toBe(broken);
    }
  });

  test("[C6] an error thrown by the source rejects the run", async () => {
    const broken = new Error("source connection reset");
    async function* source() {
      yield 1;
      yield 2;
      throw broken;
    }
    const results = collector<ItemResult<number>>();
    const dlq = collector<DeadLetter<number>>();
    const outcome = await settle(run<number, number>({ source: source(), work: async (n) => n, results: results.stream, dlq: dlq.stream }), 2000, "the source threw after two items");
    expect("error" in outcome && outcome.error, "a broken source is not an item failure: the run must reject with its error").toBe(broken);
  });
});

// --- cancellation ----------------------------------------------------------------------

describe("abort", () => {
  test("[C7][C8] aborting rejects with an AbortError, stops the source and aborts the work in flight", async () => {
    const { source, state } = endlessSource();
    const controller = new AbortController();
    const signals: AbortSignal[] = [];
    const results = collector<ItemResult<number>>();
    const dlq = collector<DeadLetter<number>>();
    const outcome = await settle(
      run<number, number>({
        source,
        work: async (n, signal) => {
          signals.push(signal);
          if (n === 3) controller.abort(); // the operator cancels while item 3 is being worked on
          await ticks(3, signal); // honours the signal
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
        signal: controller.signal,
      }),
      2000,
      "the signal was aborted while item 3 of an endless source was in flight",
    );
    expect("error" in outcome, "an aborted run must reject").toBe(true);
    const error = "error" in outcome ? (outcome.error as Error) : undefined;
    expect(error?.name, "the rejection should be an AbortError (pass the signal to stream/promises pipeline())").toBe("AbortError");
    expect(signals.at(-1)?.aborted, "the work in flight must see its signal aborted").toBe(true);
    for (let i = 0; i < 5; i++) await tick();
    const pulled = state.pulled;
    for (let i = 0; i < 10; i++) await tick();
    expect(state.pulled, "after the abort, nothing more may be pulled from the source").toBe(pulled);
    expect(state.closed, "the source must be closed (its finally block runs) after the abort").toBe(true);
    expect(dlq.items, "a cancelled item did not fail: it must not reach the DLQ").toEqual([]);
    expect(results.items.every((r) => r.ok), "a cancelled item must not become an { ok: false } result").toBe(true);
    expect(results.items.length, "items 0, 1 and 2 finished before the abort; item 3 was cancelled").toBeLessThanOrEqual(3);
  });

  test("[C8] the cancelled item leaves no dead letter even when its work rejects with an error of its own", async () => {
    const controller = new AbortController();
    const results = collector<ItemResult<number>>();
    const dlq = collector<DeadLetter<number>>();
    const outcome = await settle(
      run<number, number>({
        source: [0, 1, 2, 3],
        work: async (n) => {
          await tick();
          if (n === 2) {
            controller.abort();
            await tick();
            throw new Error("connection closed"); // what a client library throws when its request is torn down
          }
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
        signal: controller.signal,
      }),
      2000,
      "the run was aborted while item 2 was in flight, and item 2's work then rejected with its own error",
    );
    expect("error" in outcome && (outcome.error as Error).name, "an aborted run rejects with an AbortError").toBe("AbortError");
    expect(dlq.items, "item 2 was cancelled by the abort, not failed: whatever its work rejects with, it must not reach the DLQ").toEqual([]);
    expect(results.items.every((r) => r.ok), "the cancelled item must not become an { ok: false } result").toBe(true);
  });

  test("[C9] an already aborted signal rejects with an AbortError", async () => {
    const controller = new AbortController();
    controller.abort(new Error("cancelled by the operator"));
    const results = collector<ItemResult<number>>();
    const dlq = collector<DeadLetter<number>>();
    const outcome = await settle(
      run<number, number>({ source: [1, 2, 3], work: async (n) => n, results: results.stream, dlq: dlq.stream, signal: controller.signal }),
      2000,
      "the signal was aborted before the call",
    );
    expect("error" in outcome && (outcome.error as Error).name, "a run started with an aborted signal rejects with an AbortError, whatever reason abort() was given (pipeline() wraps the reason as the AbortError's cause; rethrowing signal.reason is not enough)").toBe("AbortError");
  });

  test("[C7] an abort stops the run even when the work ignores its signal", async () => {
    const { source, state } = endlessSource();
    const controller = new AbortController();
    const results = collector<ItemResult<number>>({ onWrite: (count) => count === 2 && controller.abort() });
    const dlq = collector<DeadLetter<number>>();
    const outcome = await settle(
      run<number, number>({
        source,
        work: async (n) => {
          await ticks(1); // ignores the signal
          return n;
        },
        results: results.stream,
        dlq: dlq.stream,
        signal: controller.signal,
      }),
      2000,
      "the signal was aborted but the work ignores it: the pipeline itself must watch the signal",
    );
    expect("error" in outcome && (outcome.error as Error).name, "the run must reject with an AbortError even if the work never looks at its signal").toBe("AbortError");
    expect(state.pulled, "the source must stop soon after the abort").toBeLessThan(50);
  });
});
