// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/17-fair-priorities/challenge.ts");
const { createFairQueue } = await loadCandidate<Challenge>(import.meta.url);

const NAMES = ["critical", "default", "low", "bulk"];

/** 2–4 queues with weights 1..6, in declaration order. */
const weightsArb = fc
  .array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 })
  .map((ws) => Object.fromEntries(ws.map((w, i) => [NAMES[i]!, w])) as Record<string, number>);

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function fill(queue: { push(name: string, job: string): void }, name: string, count: number): void {
  for (let i = 0; i < count; i++) queue.push(name, `${name}-${i}`);
}

/** Makes `count` picks; fails the test if next() returns null while jobs are waiting. */
function pickMany(queue: ReturnType<typeof createFairQueue<string>>, count: number): string[] {
  const picks: string[] = [];
  for (let i = 0; i < count; i++) {
    const waiting = queue.size();
    const picked = queue.next();
    // Asserted only when it fails: expect() in these loops costs more than the queue under test.
    if (picked === null) expect.fail(`next() returned null at pick ${i + 1} while ${waiting} job(s) were waiting`);
    picks.push(picked!.queue);
  }
  return picks;
}

function countIn(picks: string[], name: string): number {
  return picks.filter((p) => p === name).length;
}

describe("names, weights and jobs as given", () => {
  test("[C10] weights must be positive integers, and there must be at least one queue", () => {
    for (const bad of <Record<string, number>[]>[
      { a: 0 },
      { a: -1 },
      { a: 1.5 },
      { a: 1, b: Number.NaN },
      { a: 1, b: Number.POSITIVE_INFINITY },
      { a: 2, b: 0.5 },
      {},
    ]) {
      const shown = `{ ${Object.entries(bad).map(([k, v]) => `${k}: ${v}`).join(", ")} }`;
      expect(() => createFairQueue(bad), `createFairQueue(${shown}) must throw a RangeError`).toThrow(RangeError);
    }
  });

  test("[C1][C8] push() and size() throw for a name that was not declared", () => {
    const queue = createFairQueue<string>({ a: 1 });
    expect(() => queue.push("nope", "x"), "push() to a queue that was not declared must throw").toThrow();
    expect(() => queue.size("nope"), "size() of a queue that was not declared must throw").toThrow();
  });

  test('[C9][C1][C8] queues named "", "constructor", "__proto__" and "toString" are queues like any other; "hasOwnProperty" was not declared', () => {
    const weights = Object.fromEntries([
      ["constructor", 2],
      ["__proto__", 1],
      ["toString", 1],
      ["", 1],
    ]) as Record<string, number>;
    const queue = createFairQueue<string>(weights);
    const names = ["constructor", "__proto__", "toString", ""];
    names.forEach((name, i) => fill(queue, name, 10 + i));
    names.forEach((name, i) => {
      if (queue.size(name) !== 10 + i) expect(queue.size(name), `size(${JSON.stringify(name)}) counts that queue's jobs only`).toBe(10 + i);
    });
    expect(queue.size(), "size() with no name counts all jobs").toBe(46);
    expect(() => queue.push("hasOwnProperty", "x"), 'push("hasOwnProperty") must throw: that queue was not declared (keep the queues in a Map, not a plain object)').toThrow();
    expect(() => queue.size("valueOf"), 'size("valueOf") must throw: that queue was not declared').toThrow();
    const picks = pickMany(queue, 10);
    expect(
      names.map((name) => countIn(picks, name)),
      'weights constructor:2 __proto__:1 toString:1 "":1, all busy: 10 picks hold 4, 2, 2 and 2 (a plain object cannot even hold a queue named "__proto__")',
    ).toEqual([4, 2, 2, 2]);
  });


  test("[C9] the weights are read once: changing the object afterwards changes nothing", () => {
    const weights: Record<string, number> = { a: 3, b: 1 };
    const queue = createFairQueue<string>(weights);
    weights.a = 1;
    weights.b = 100;
    weights.c = 5;
    fill(queue, "a", 40);
    fill(queue, "b", 40);
    expect(() => queue.push("c", "x"), "a queue added to the object after createFairQueue is unknown").toThrow();
    const picks = pickMany(queue, 8);
    expect([countIn(picks, "a"), countIn(picks, "b")], "created with a:3 b:1, the FairQueue keeps those weights: 8 picks hold 6 and 2").toEqual([6, 2]);
  });

  test("[C1][C5][C6] any value is a job: 0, \"\", null, undefined and false come out in order, and their queue is not empty", () => {
    const falsy: unknown[] = [0, "", null, undefined, false, Number.NaN];
    const queue = createFairQueue<unknown>({ a: 1, b: 1 });
    for (const job of falsy) queue.push("a", job);
    queue.push("b", undefined);
    expect(queue.size(), "size() counts falsy jobs too").toBe(7);
    const out: Array<{ queue: string; job: unknown }> = [];
    for (let i = 0; i < 7; i++) {
      const picked = queue.next();
      if (picked === null) expect.fail(`next() returned null at pick ${i + 1} while ${queue.size()} job(s) were waiting: a queue holding 0, "" or undefined is not empty`);
      out.push(picked!);
    }
    expect(
      out.filter((p) => p.queue === "a").map((p) => p.job),
      'queue a must give back 0, "", null, undefined, false and NaN, in the order pushed',
    ).toEqual(falsy);
    expect(out.filter((p) => p.queue === "b"), "queue b's one job (undefined) must come out too").toEqual([{ queue: "b", job: undefined }]);
    expect(queue.next(), "then every queue is empty").toBeNull();
  });

});

describe("weighted round-robin while every queue has work", () => {
  test("[C2] any sum(weights) consecutive picks contain exactly `weight` picks from each queue", () => {
    fc.assert(
      fc.property(weightsArb, (weights) => {
        const names = Object.keys(weights);
        const W = sum(Object.values(weights));
        const queue = createFairQueue<string>(weights);
        for (const name of names) fill(queue, name, 4 * W);
        const picks = pickMany(queue, 3 * W);
        for (let start = 0; start + W <= picks.length; start++) {
          const window = picks.slice(start, start + W);
          for (const name of names) {
            const count = countIn(window, name);
            if (count === weights[name]) continue;
            expect(count, `weights ${JSON.stringify(weights)}: picks ${start + 1}..${start + W} (${window.join(",")}) should hold exactly ${weights[name]} from "${name}"`).toBe(
              weights[name],
            );
          }
        }
      }),
    );
  });

  test("[C2] a flood of important work does not starve a light queue", () => {
    const queue = createFairQueue<string>({ critical: 5, low: 1 });
    fill(queue, "critical", 1000);
    fill(queue, "low", 3);
    const picks = pickMany(queue, 18);
    expect(
      countIn(picks, "low"),
      "with weights critical:5 low:1 and both queues busy, low must get 3 of the first 18 picks; strict priority would give it none",
    ).toBe(3);
  });
});

describe("every small weight vector, enumerated", () => {
  test("[C2] 1 to 3 queues with every weight from 1 to 3: any sum(weights) consecutive picks hold exactly `weight` from each queue", () => {
    for (let count = 1; count <= 3; count++) {
      for (let code = 0; code < 3 ** count; code++) {
        const ws = Array.from({ length: count }, (_, i) => (Math.floor(code / 3 ** i) % 3) + 1);
        const weights = Object.fromEntries(ws.map((w, i) => [NAMES[i]!, w])) as Record<string, number>;
        const names = Object.keys(weights);
        const W = sum(ws);
        const queue = createFairQueue<string>(weights);
        for (const name of names) fill(queue, name, 3 * W);
        const picks = pickMany(queue, 3 * W);
        for (let start = 0; start + W <= picks.length; start++) {
          const window = picks.slice(start, start + W);
          for (const name of names) {
            const got = countIn(window, name);
            if (got !== weights[name]) {
              expect(got, `weights ${JSON.stringify(weights)}: picks ${start + 1}..${start + W} (${window.join(",")}) should hold exactly ${weights[name]} from "${name}"`).toBe(weights[name]);
            }
          }
        }
      }
    }
  });
});

describe("empty queues", () => {
  test("[C3][C6] an empty queue is skipped and the queues with work share its turns by their weights", () => {
    fc.assert(
      fc.property(
        weightsArb,
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        (weights, emptyFlags) => {
          const names = Object.keys(weights);
          const W = sum(Object.values(weights));
          let busy = names.filter((_, i) => !emptyFlags[i]);
          if (busy.length === 0) busy = [names[names.length - 1]!];
          const S = sum(busy.map((n) => weights[n]!));
          const queue = createFairQueue<string>(weights);
          for (const name of busy) fill(queue, name, 10 * W);
          const n = 6 * W;
          const picks = pickMany(queue, n);
          for (const name of names) {
            const got = countIn(picks, name);
            if (!busy.includes(name)) {
              expect(got, `queue "${name}" is empty and must never be picked`).toBe(0);
              continue;
            }
            const ideal = (n * weights[name]!) / S;
            expect(
              Math.abs(got - ideal),
              `weights ${JSON.stringify(weights)}, only ${busy.join(",")} have work: "${name}" got ${got} of ${n} picks, its fair share is ${ideal.toFixed(1)} (the empty queues' turns must be shared by weight)`,
            ).toBeLessThanOrEqual(W);
          }
        },
      ),
    );
  });

  test("[C3] an empty heavy queue's turns are shared by weight, not handed to the first queue", () => {
    const queue = createFairQueue<string>({ first: 1, second: 1, heavy: 8 });
    fill(queue, "first", 200);
    fill(queue, "second", 200);
    const picks = pickMany(queue, 100);
    expect(
      countIn(picks, "second"),
      "with heavy (weight 8) empty, first and second (weight 1 each) must split the picks evenly: second should get 50 of 100",
    ).toBe(50);
  });

  test("[C6][C8] next() returns null only when every queue is empty, and works again after new pushes", () => {
    fc.assert(
      fc.property(weightsArb, fc.array(fc.nat({ max: 5 }), { minLength: 4, maxLength: 4 }), (weights, counts) => {
        const names = Object.keys(weights);
        const queue = createFairQueue<string>(weights);
        let total = 0;
        names.forEach((name, i) => {
          fill(queue, name, counts[i]!);
          total += counts[i]!;
        });
        expect(queue.size(), "size() must count the jobs in all queues").toBe(total);
        const picks = pickMany(queue, total);
        for (const name of names) {
          expect(countIn(picks, name), `every job pushed to "${name}" must come out exactly once`).toBe(
            counts[names.indexOf(name)],
          );
        }
        expect(queue.next(), "next() must return null once every queue is empty").toBeNull();
        expect(queue.size(), "size() must be 0 once every job was picked").toBe(0);
        queue.push(names[0]!, "late");
        expect(queue.next(), "a job pushed after the queues ran dry must be picked").toEqual({ queue: names[0], job: "late" });
      }),
    );
  });

  test("[C4] idle time earns no credit: a queue that was empty gets its share, not a burst", () => {
    const queue = createFairQueue<string>({ a: 1, b: 1 });
    fill(queue, "a", 500);
    pickMany(queue, 100); // b is empty all this time
    fill(queue, "b", 100);
    const picks = pickMany(queue, 20);
    expect(
      countIn(picks, "b"),
      "after being idle for 100 picks, b (weight 1 of 2) should get about 10 of the next 20 picks, not catch up on the picks it missed",
    ).toBeLessThanOrEqual(12);
    expect(countIn(picks, "a"), "a must keep its share when b comes back").toBeGreaterThanOrEqual(8);
  });
});

describe("order and validation", () => {
  test("[C5] jobs leave each queue in the order they were pushed", () => {
    const queue = createFairQueue<string>({ a: 2, b: 1 });
    fill(queue, "a", 6);
    fill(queue, "b", 3);
    const seen: Record<string, string[]> = { a: [], b: [] };
    for (let picked = queue.next(); picked; picked = queue.next()) seen[picked.queue]!.push(picked.job);
    expect(seen.a, "queue a must be FIFO").toEqual(["a-0", "a-1", "a-2", "a-3", "a-4", "a-5"]);
    expect(seen.b, "queue b must be FIFO").toEqual(["b-0", "b-1", "b-2"]);
  });

  test("[C7] weights above 2^31 work, and a pick takes no memory proportional to the weights", () => {
    // Measured in this process: a FairQueue holding a list with one entry per unit of weight
    // keeps 8 bytes per unit alive, 32 MB and more for these weights.
    const before = process.memoryUsage().heapUsed;
    const probe = createFairQueue<string>({ a: 2 ** 22, b: 2 ** 22 + 1 });
    fill(probe, "a", 2);
    fill(probe, "b", 2);
    const first = [probe.next(), probe.next()];
    const grown = process.memoryUsage().heapUsed - before;
    expect(first.every((p) => p !== null), "with jobs waiting, next() returns them").toBe(true);
    if (grown > 16 * 2 ** 20) {
      expect.fail(`createFairQueue({ a: 2^22, b: 2^22 + 1 }) and two picks kept ${Math.round(grown / 2 ** 20)} MB alive: the memory a pick takes must not grow with the weights (no list with one entry per unit of weight)`);
    }
    const queue = createFairQueue<string>({ huge: 2 ** 32 + 1, big: 2 ** 31, small: 1 });
    for (const name of ["huge", "big", "small"]) fill(queue, name, 2);
    const picks: string[] = [];
    for (let picked = queue.next(); picked !== null && picks.length < 10; picked = queue.next()) picks.push(picked.job);
    expect(picks.slice().sort(), "createFairQueue({ huge: 2^32 + 1, big: 2^31, small: 1 }) with two jobs in each queue: next() gives all six back, then null").toEqual([
      "big-0",
      "big-1",
      "huge-0",
      "huge-1",
      "small-0",
      "small-1",
    ]);
    expect([picks.indexOf("huge-0") < picks.indexOf("huge-1"), picks.indexOf("big-0") < picks.indexOf("big-1")], "each queue stays FIFO").toEqual([true, true]);
  });
});
