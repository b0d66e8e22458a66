// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/5-patterns-and-operations/20-monitoring/challenge.ts");
type JobRecord = import("../../../../lessons/5-patterns-and-operations/20-monitoring/challenge.ts").JobRecord;
const { percentile, queueStats } = await loadCandidate<Challenge>(import.meta.url);

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("nearest-rank percentile", () => {
  test("[C1] returns the value at 1-based rank ceil(p * n / 100) of the values sorted as numbers", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { minLength: 1, maxLength: 60 }),
        fc.oneof(fc.integer({ min: 1, max: 100 }), fc.constantFrom(0.5, 12.5, 99.5)),
        (values, p) => {
          const sorted = [...values].sort((a, b) => a - b);
          const rank = Math.ceil((p * values.length) / 100);
          expect(
            percentile(values, p),
            `p${p} of ${values.length} values: rank ceil(${p} x ${values.length} / 100) = ${rank}, the ${rank}th smallest value is ${sorted[rank - 1]}`,
          ).toBe(sorted[rank - 1]);
        },
      ),
      { numRuns: 300 },
    );
  });

  test("[C1][C2][C4] classic cases: median, p95, p99, max and min", () => {
    expect(percentile(range(1, 10), 50), "p50 of 1..10 is the 5th value (rank ceil(5) = 5)").toBe(5);
    expect(percentile(range(1, 10), 95), "p95 of 1..10 is the 10th value (rank ceil(9.5) = 10)").toBe(10);
    expect(percentile(range(1, 20), 95), "p95 of 1..20 is the 19th value (rank 19)").toBe(19);
    expect(percentile(range(1, 100), 99), "p99 of 1..100 is 99").toBe(99);
    expect(percentile(range(1, 100), 7), "p7 of 1..100 is 7 (compute p * n / 100; 7 / 100 * 100 is 7.000000000000001)").toBe(7);
    expect(percentile([3, 1, 2], 100), "p100 is the maximum").toBe(3);
    expect(percentile([3, 1, 2], 0.1), "a tiny p is the minimum").toBe(1);
    expect(percentile([42], 50), "one value is every percentile").toBe(42);
  });

  test("[C3] sorts numerically, not as strings", () => {
    expect(percentile([300, 5, 40], 50), "the median of 5, 40, 300 is 40 (sort() without a comparator puts 300 before 40)").toBe(40);
    expect(percentile([1000, 90, 8], 34), "p34 of 8, 90, 1000 is 90").toBe(90);
  });

  test("[C1] returns one of the values, never an interpolation", () => {
    expect(percentile([10, 20], 50), "p50 of [10, 20] is 10 under nearest rank (interpolation would give 15)").toBe(10);
    expect(percentile([100, 200, 300, 400], 90), "p90 of 100..400 is 400 (interpolation would give 370)").toBe(400);
  });

  test("[C4] the rank is exact for every list length 1..100 and every whole p from 1 to 100", () => {
    for (let n = 1; n <= 100; n++) {
      const descending = Array.from({ length: n }, (_, i) => n - i); // n, n-1, ..., 1: the value at rank r is r
      for (let p = 1; p <= 100; p++) {
        const rank = Math.floor((p * n + 99) / 100); // ceil(p * n / 100) in integer arithmetic
        const got = percentile(descending, p);
        if (got !== rank) expect(got, `p${p} of ${n} values: the rank is ceil(${p} x ${n} / 100) = ${rank} exactly (compute p * n / 100: p / 100 * n drifts in floating point)`).toBe(rank);
      }
    }
  });

  test("[C3] negative and fractional values are ordered as numbers", () => {
    expect(percentile([-5, -40, 3, -300], 50), "the median of -300, -40, -5, 3 is -40 (rank 2)").toBe(-40);
    expect(percentile([0.5, -0.25, 0.125], 100), "p100 of 0.5, -0.25, 0.125 is 0.5").toBe(0.5);
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 30 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
        const sorted = [...values].sort((a, b) => a - b);
        const want = sorted[Math.ceil((p * values.length) / 100) - 1];
        const got = percentile(values, p);
        if (!Object.is(got, want) && got !== want) expect(got, `p${p} of ${JSON.stringify(values)}`).toBe(want);
      }),
      { numRuns: 100 },
    );
  });

  test("[C5] does not modify its input", () => {
    const values = [5, 3, 9, 1];
    percentile(values, 50);
    expect(values, "percentile() must sort a copy, not the caller's array").toEqual([5, 3, 9, 1]);
  });

  test("[C6] rejects an empty list and p outside (0, 100] with a RangeError", () => {
    expect(() => percentile([], 50), "the percentile of nothing must throw a RangeError").toThrow(RangeError);
    for (const p of [0, -5, 100.5, 101, Number.NaN]) {
      expect(() => percentile([1, 2, 3], p), `p = ${p} is outside (0, 100] and must throw a RangeError`).toThrow(RangeError);
    }
  });
});

describe("queue stats", () => {
  const NOW = 1_000_000;

  test("[C7][C8][C9][C12] depth counts waiting jobs that are due, not delayed ones and not active ones", () => {
    const jobs: JobRecord[] = [
      { id: "ready-1", state: "waiting", enqueuedAt: NOW - 500, runAt: NOW - 500 },
      { id: "ready-2", state: "waiting", enqueuedAt: NOW - 100, runAt: NOW - 100 },
      { id: "later-1", state: "waiting", enqueuedAt: NOW - 100, runAt: NOW + 60_000 },
      { id: "later-2", state: "waiting", enqueuedAt: NOW - 100, runAt: NOW + 1 },
      { id: "busy", state: "active", enqueuedAt: NOW - 900, runAt: NOW - 900, lockExpiresAt: NOW + 30_000 },
      { id: "done", state: "completed", enqueuedAt: NOW - 900, runAt: NOW - 900 },
      { id: "dead", state: "failed", enqueuedAt: NOW - 900, runAt: NOW - 900 },
    ];
    const stats = queueStats(jobs, NOW);
    expect(stats.depth, "2 waiting jobs are due: delayed (runAt > now), active, completed and failed jobs are not depth").toBe(2);
    expect(stats.delayed, "2 waiting jobs are not due yet").toBe(2);
    expect(stats.active, "1 job is active").toBe(1);
  });

  test("[C7][C8] a job due exactly now is ready, not delayed", () => {
    const stats = queueStats([{ id: "now", state: "waiting", enqueuedAt: NOW - 10, runAt: NOW }], NOW);
    expect(stats.depth, "runAt === now means the job is due: it counts in depth").toBe(1);
    expect(stats.delayed, "runAt === now is not delayed").toBe(0);
  });

  test("[C9][C10] stalled counts active jobs whose lock expired at or before now, and nothing else", () => {
    const jobs: JobRecord[] = [
      { id: "healthy", state: "active", enqueuedAt: 0, runAt: 0, lockExpiresAt: NOW + 1 },
      { id: "expired", state: "active", enqueuedAt: 0, runAt: 0, lockExpiresAt: NOW - 12_000 },
      { id: "just-expired", state: "active", enqueuedAt: 0, runAt: 0, lockExpiresAt: NOW },
      { id: "no-lock-info", state: "active", enqueuedAt: 0, runAt: 0 },
      { id: "finished", state: "completed", enqueuedAt: 0, runAt: 0, lockExpiresAt: NOW - 50_000 },
      { id: "gave-up", state: "failed", enqueuedAt: 0, runAt: 0, lockExpiresAt: NOW - 50_000 },
      { id: "released", state: "waiting", enqueuedAt: 0, runAt: NOW + 5, lockExpiresAt: NOW - 50_000 },
    ];
    const stats = queueStats(jobs, NOW);
    expect(stats.stalled, "2 active jobs have an expired lock (one expired exactly now); completed, failed and waiting jobs never stall").toBe(2);
    expect(stats.active, "stalled jobs are still active: 4 active jobs").toBe(4);
  });

  test("[C11] the oldest ready age counts from when a job became due, not from when it was enqueued", () => {
    const jobs: JobRecord[] = [
      { id: "digest", state: "waiting", enqueuedAt: NOW - 3_600_000, runAt: NOW - 5_000 },
      { id: "email", state: "waiting", enqueuedAt: NOW - 1_200, runAt: NOW - 1_200 },
      { id: "reminder", state: "waiting", enqueuedAt: NOW - 7_200_000, runAt: NOW + 60_000 },
    ];
    expect(
      queueStats(jobs, NOW).oldestReadyAgeMs,
      "digest was delayed for an hour and became due 5 s ago: the oldest ready job has waited 5000 ms",
    ).toBe(5_000);
    expect(queueStats([], NOW), "an empty queue has all-zero stats").toEqual({
      depth: 0,
      delayed: 0,
      active: 0,
      stalled: 0,
      oldestReadyAgeMs: 0,
    });
  });

  test("[C10][C12] a lock that expires at time 0 is a time like any other, and the snapshot is left as it was", () => {
    const jobs: JobRecord[] = [
      { id: "old", state: "active", enqueuedAt: 0, runAt: 0, lockExpiresAt: 0 },
      { id: "w", state: "waiting", enqueuedAt: 0, runAt: 0 },
    ];
    const frozen = Object.freeze(jobs.map((job) => Object.freeze({ ...job })));
    const stats = queueStats(frozen, 10);
    expect(stats.stalled, "lockExpiresAt: 0 expired at t=0 (test it with !== undefined, not by truthiness)").toBe(1);
    expect(stats, "all stats at t=10").toEqual({ depth: 1, delayed: 0, active: 1, stalled: 1, oldestReadyAgeMs: 10 });
  });

  test("[C7][C8][C9][C10][C11][C12] stats of any snapshot add up", () => {
    const jobArb = fc.record({
      state: fc.constantFrom("waiting", "active", "completed", "failed"),
      enqueuedAt: fc.integer({ min: 0, max: 2_000 }),
      runOffset: fc.integer({ min: -500, max: 1_500 }),
      lock: fc.option(fc.integer({ min: 0, max: 3_000 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(jobArb, { maxLength: 30 }), fc.integer({ min: 0, max: 3_000 }), (raw, now) => {
        // A consistent snapshot: nothing was enqueued after `now`.
        const jobs: JobRecord[] = raw.map((r, i) => {
          const enqueuedAt = Math.min(r.enqueuedAt, now);
          return {
            id: `j${i}`,
            state: r.state as JobRecord["state"],
            enqueuedAt,
            runAt: enqueuedAt + r.runOffset,
            lockExpiresAt: r.lock,
          };
        });
        const waiting = jobs.filter((j) => j.state === "waiting");
        const ready = waiting.filter((j) => j.runAt <= now);
        const active = jobs.filter((j) => j.state === "active");
        const stats = queueStats(jobs, now);
        expect(stats.depth, "depth = waiting jobs with runAt <= now").toBe(ready.length);
        expect(stats.delayed, "delayed = waiting jobs with runAt > now").toBe(waiting.length - ready.length);
        expect(stats.active, "active = jobs in state active").toBe(active.length);
        expect(stats.stalled, "stalled = active jobs with lockExpiresAt <= now").toBe(
          active.filter((j) => j.lockExpiresAt !== undefined && j.lockExpiresAt <= now).length,
        );
        expect(stats.oldestReadyAgeMs, "oldestReadyAgeMs = max of now - max(enqueuedAt, runAt) over ready jobs, or 0").toBe(
          Math.max(0, ...ready.map((j) => now - Math.max(j.enqueuedAt, j.runAt))),
        );
      }),
      { numRuns: 200 },
    );
  });
});
