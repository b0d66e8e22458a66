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

function fill(queue: ReturnType<typeof createFairQueue<string>>, name: string, count: number): void {
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

describe("weighted round-robin while every queue has work", () => {
  test("any sum(weights) consecutive picks contain exactly `weight` picks from each queue", () => {
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

  test("a flood of important work does not starve a light queue", () => {
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

describe("empty queues", () => {
  test("an empty queue is skipped and the queues with work share its turns by their weights", () => {
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

  test("an empty heavy queue's turns are shared by weight, not handed to the first queue", () => {
    const queue = createFairQueue<string>({ first: 1, second: 1, heavy: 8 });
    fill(queue, "first", 200);
    fill(queue, "second", 200);
    const picks = pickMany(queue, 100);
    expect(
      countIn(picks, "second"),
      "with heavy (weight 8) empty, first and second (weight 1 each) must split the picks evenly: second should get 50 of 100",
    ).toBe(50);
  });

  test("next() returns null only when every queue is empty, and works again after new pushes", () => {
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

  test("idle time earns no credit: a queue that was empty gets its share, not a burst", () => {
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
  test("jobs leave each queue in the order they were pushed", () => {
    const queue = createFairQueue<string>({ a: 2, b: 1 });
    fill(queue, "a", 6);
    fill(queue, "b", 3);
    const seen: Record<string, string[]> = { a: [], b: [] };
    for (let picked = queue.next(); picked; picked = queue.next()) seen[picked.queue]!.push(picked.job);
    expect(seen.a, "queue a must be FIFO").toEqual(["a-0", "a-1", "a-2", "a-3", "a-4", "a-5"]);
    expect(seen.b, "queue b must be FIFO").toEqual(["b-0", "b-1", "b-2"]);
  });

  test("pushing to an unknown queue throws", () => {
    const queue = createFairQueue<string>({ a: 1 });
    expect(() => queue.push("nope", "x"), "push() to a queue that was not declared must throw").toThrow();
  });

  test("weights must be positive integers", () => {
    for (const bad of <Record<string, number>[]>[{ a: 0 }, { a: -1 }, { a: 1.5 }, { a: 1, b: Number.NaN }, {}]) {
      expect(() => createFairQueue(bad), `createFairQueue(${JSON.stringify(bad)}) must throw a RangeError`).toThrow(RangeError);
    }
  });
});
