// Public tests for stream-pipelines: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause.
import { Writable } from "node:stream";
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/22-stream-pipelines/challenge.ts");
const { runPipeline } = await loadCandidate<Challenge>(import.meta.url);

/** An objectMode sink that keeps what it is given. */
function collector() {
  const items: unknown[] = [];
  const stream = new Writable({ objectMode: true, write: (chunk, _encoding, done) => (items.push(chunk), done()) });
  return { items, stream };
}

test("[C1, C2, C3, C5] example: one bad item becomes a failure result and a DLQ entry; the rest carry on", async () => {
  const results = collector();
  const dlq = collector();
  const summary = await runPipeline({
    source: [1, 2, 3],
    work: async (n: number) => {
      if (n === 2) throw new Error("two is bad");
      return n * 10;
    },
    results: results.stream,
    dlq: dlq.stream,
  });
  expect(summary).toEqual({ ok: 2, failed: 1 });
  expect(results.items).toEqual([{ ok: true, value: 10 }, { ok: false, error: "two is bad" }, { ok: true, value: 30 }]);
  expect(dlq.items).toEqual([{ index: 1, item: 2, error: "two is bad" }]);
});

test("[C9] example: an already aborted signal rejects with an AbortError", async () => {
  const controller = new AbortController();
  controller.abort();
  const run = runPipeline({ source: [1], work: async (n: number) => n, results: collector().stream, dlq: collector().stream, signal: controller.signal });
  await expect(run).rejects.toMatchObject({ name: "AbortError" });
});
