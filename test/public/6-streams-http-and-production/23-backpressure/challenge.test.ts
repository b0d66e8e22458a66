// Public tests for backpressure: worked examples of the contract in the
// stub's doc comments. The hidden tests check every clause.
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, test } from "vitest";
import { loadCandidate } from "../../../harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/6-streams-http-and-production/23-backpressure/challenge.ts");
const { produce } = await loadCandidate<Challenge>(import.meta.url);

test("[C1, C2, C4] example: a slow sink never holds more than its high-water mark, and gets every item", async () => {
  const got: number[] = [];
  let most = 0;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 4,
    write(chunk, _encoding, done) {
      got.push(chunk as number);
      setTimeout(done, 1);
    },
  });
  const items = Array.from({ length: 40 }, (_, i) => i);
  const counting = (async function* () {
    for (const item of items) {
      most = Math.max(most, sink.writableLength);
      yield item;
    }
  })();
  expect(await produce(counting, sink)).toBe(40);
  expect(got).toEqual(items);
  expect(most).toBeLessThanOrEqual(5);
});

test("[C5] example: a sink that fails mid-way rejects with its error", async () => {
  let writes = 0;
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 1,
    write(_chunk, _encoding, done) {
      if (++writes === 3) return done(new Error("disk full"));
      void sleep(1).then(() => done());
    },
  });
  await expect(produce([1, 2, 3, 4, 5, 6], sink)).rejects.toThrow("disk full");
});
