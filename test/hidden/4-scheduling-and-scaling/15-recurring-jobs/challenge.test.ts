import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { Cron } from "croner";
import { FakeClock, flushMicrotasks } from "#kit/clock.ts";
import { loadCandidate } from "../../_harness/candidate.ts";

type Challenge = typeof import("../../../../lessons/4-scheduling-and-scaling/15-recurring-jobs/challenge.ts");
type RunContext = import("../../../../lessons/4-scheduling-and-scaling/15-recurring-jobs/challenge.ts").RunContext;
type SlotStore = import("../../../../lessons/4-scheduling-and-scaling/15-recurring-jobs/challenge.ts").SlotStore;
type Scheduler = import("../../../../lessons/4-scheduling-and-scaling/15-recurring-jobs/challenge.ts").Scheduler;
const { createScheduler, slotKey } = await loadCandidate<Challenge>(import.meta.url);

const START = Date.UTC(2025, 0, 6, 8, 0, 0); // a Monday, 08:00:00 UTC
const iso = (ms: number) => new Date(ms).toISOString();

/** The store every instance shares: a set of keys, claimed atomically. */
function memoryStore(): SlotStore & { keys: string[] } {
  const keys: string[] = [];
  return {
    keys,
    async claim(key) {
      if (keys.includes(key)) return false;
      keys.push(key);
      return true;
    },
  };
}

/** Stops the scheduler and lets the runs in progress finish on the fake clock. */
async function stopAndDrain(clock: FakeClock, schedulers: Scheduler[], started: () => number): Promise<void> {
  let stopped = 0;
  const before = started();
  const stopping = schedulers.map((s) => s.stop().then(() => stopped++));
  await clock.runAll(10_000);
  await flushMicrotasks();
  expect(stopped, "stop() must resolve once the runs in progress have ended").toBe(schedulers.length);
  await Promise.all(stopping);
  expect(started() - before, "no run may start after stop() (clear every job's pending timer)").toBe(0);
}

/** The pattern's slots in (from, to], straight from croner. */
function slots(pattern: string, from: number, to: number, timezone = "UTC"): number[] {
  // A fixed offset gives UTC's slots ten times faster than timezone "UTC" (no Intl lookups).
  const cron = new Cron(pattern, { ...(timezone === "UTC" ? { utcOffset: 0 } : { timezone }), paused: true });
  const out: number[] = [];
  for (let next = cron.nextRun(new Date(from)); next && next.getTime() <= to; next = cron.nextRun(next)) out.push(next.getTime());
  return out;
}

interface Run {
  instance: string;
  slot: number;
  key: string;
  start: number;
  end: number;
}

/** A job whose runs take `lag(i)` ms each on the fake clock, recording what happened. */
function recordingJob(clock: FakeClock, name: string, pattern: string, lag: (i: number) => number, runs: Run[], instance = "A", timezone?: string) {
  let count = 0;
  return {
    name,
    pattern,
    ...(timezone ? { timezone } : {}),
    async run(ctx: RunContext) {
      const record: Run = { instance, slot: ctx.slot.getTime(), key: ctx.key, start: clock.now(), end: Number.NaN };
      runs.push(record);
      await clock.sleep(lag(count++));
      record.end = clock.now();
    },
  };
}

/** Which slots a skip-policy scheduler runs: a slot runs iff the previous run has ended. */
function expectedRuns(allSlots: number[], lag: (i: number) => number): { ran: number[]; skipped: number[] } {
  const ran: number[] = [];
  const skipped: number[] = [];
  let busyUntil = -Infinity;
  for (const slot of allSlots) {
    if (slot < busyUntil) {
      skipped.push(slot);
      continue;
    }
    busyUntil = slot + lag(ran.length);
    ran.push(slot);
  }
  return { ran, skipped };
}

describe("slotKey", () => {
  test("a slot's key is `${schedule}:${slot as ISO string}`", () => {
    expect(slotKey("nightly-report", new Date(Date.UTC(2025, 2, 30, 1, 0, 0))), "slotKey must join the schedule name and the slot's toISOString() with a colon").toBe(
      "nightly-report:2025-03-30T01:00:00.000Z",
    );
  });
});

describe("createScheduler", () => {
  test("the first run is at the first slot strictly after start(), and each run starts exactly at its slot", async () => {
    const clock = new FakeClock(START + 3_000);
    const runs: Run[] = [];
    const store = memoryStore();
    const scheduler = createScheduler({ clock, store, jobs: [recordingJob(clock, "tick", "*/10 * * * * *", () => 2_500, runs)] });
    scheduler.start();
    await clock.advance(35_000);
    await stopAndDrain(clock, [scheduler], () => runs.length);
    expect(runs.map((r) => iso(r.slot)), "started at 08:00:03 and ran to 08:00:38: slots 08:00:10, :20 and :30 must run").toEqual([
      iso(START + 10_000),
      iso(START + 20_000),
      iso(START + 30_000),
    ]);
    for (const run of runs) expect(iso(run.start), `the run for slot ${iso(run.slot)} must start at its slot (use the injected clock, aim timers at slots)`).toBe(iso(run.slot));
    expect(runs.map((r) => r.key), "each run's ctx.key must be slotKey(name, slot)").toEqual(runs.map((r) => `tick:${iso(r.slot)}`));
    expect(store.keys, "every run must first claim its slot key in the store").toEqual(runs.map((r) => `tick:${iso(r.slot)}`));
  });

  test("runs never drift, never overlap and never start late: a slot runs exactly when the previous run has ended", async () => {
    const patterns = [
      { pattern: "*/10 * * * * *", period: 10_000 },
      { pattern: "*/15 * * * * *", period: 15_000 },
      { pattern: "0 * * * * *", period: 60_000 },
      { pattern: "*/5 * * * *", period: 300_000 },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...patterns),
        fc.integer({ min: 0, max: 599_999 }),
        // Lags in whole seconds plus a part (never ending exactly on a slot), up to 3 periods.
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 999 }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 8 }),
        async ({ pattern, period }, offset, lagSpec) => {
          const lags = lagSpec.map(([whole, part, frac]) => Math.floor((whole * period + frac * period) / 1000) * 1000 + part);
          const lag = (i: number) => lags[i % lags.length]!;
          const begin = START + offset;
          const clock = new FakeClock(begin);
          const runs: Run[] = [];
          const skipped: number[] = [];
          const scheduler = createScheduler({
            clock,
            store: memoryStore(),
            jobs: [recordingJob(clock, "job", pattern, lag, runs)],
            onSkip: (ctx) => skipped.push(ctx.slot.getTime()),
          });
          scheduler.start();
          const span = 12 * period;
          await clock.advance(span);
          const expected = expectedRuns(slots(pattern, begin, begin + span), lag);
          const where = `pattern "${pattern}", started at ${iso(begin)}, run durations ${JSON.stringify(lags)} ms`;
          for (const run of runs) {
            expect(run.start, `${where}: the run for slot ${iso(run.slot)} started at ${iso(run.start)}; a run must start exactly at its slot (no drift)`).toBe(run.slot);
          }
          for (let i = 1; i < runs.length; i++) {
            expect(runs[i]!.start, `${where}: the run at ${iso(runs[i]!.start)} began while the previous one (started ${iso(runs[i - 1]!.start)}) was still running`).toBeGreaterThanOrEqual(runs[i - 1]!.end);
          }
          expect(runs.map((r) => iso(r.slot)), `${where}: the runs must be exactly the slots that found the previous run finished (skip policy)`).toEqual(
            expected.ran.map(iso),
          );
          await stopAndDrain(clock, [scheduler], () => runs.length);
        },
      ),
      { numRuns: 25 },
    );
  });

  test("every slot that finds the previous run still going is reported through onSkip, and none is run late", async () => {
    const clock = new FakeClock(START);
    const runs: Run[] = [];
    const skipped: RunContext[] = [];
    const lags = [25_500, 1_000, 1_000, 1_000];
    const store = memoryStore();
    const scheduler = createScheduler({
      clock,
      store,
      jobs: [recordingJob(clock, "sync", "*/10 * * * * *", (i) => lags[i] ?? 1_000, runs)],
      onSkip: (ctx) => skipped.push(ctx),
    });
    scheduler.start();
    await clock.advance(55_000);
    await stopAndDrain(clock, [scheduler], () => runs.length);
    expect(runs.map((r) => iso(r.start)), "the 08:00:10 run lasts until 08:00:35.5: the next run must be at the next slot after that, 08:00:40").toEqual([
      iso(START + 10_000),
      iso(START + 40_000),
      iso(START + 50_000),
    ]);
    expect(skipped.map((c) => iso(c.slot.getTime())), "slots 08:00:20 and 08:00:30 came while the previous run was running: each must be reported once via onSkip").toEqual([
      iso(START + 20_000),
      iso(START + 30_000),
    ]);
    expect(skipped.map((c) => c.key), "onSkip's ctx must carry the skipped slot's key").toEqual([`sync:${iso(START + 20_000)}`, `sync:${iso(START + 30_000)}`]);
    expect(store.keys.includes(`sync:${iso(START + 20_000)}`), "a skipped slot must not be claimed in the store (another instance may still run it)").toBe(false);
  });

  test("two or three scheduler instances sharing one store run each slot exactly once", async () => {
    for (const instances of [2, 3]) {
      const clock = new FakeClock(START);
      const store = memoryStore();
      const runs: Run[] = [];
      const skips: string[] = [];
      const schedulers = Array.from({ length: instances }, (_, i) =>
        createScheduler({
          clock,
          store,
          onSkip: (ctx) => skips.push(`${ctx.key} on instance-${i}`),
          jobs: [
            recordingJob(clock, "digest", "*/10 * * * * *", () => 300, runs, `instance-${i}`),
            recordingJob(clock, "cleanup", "*/15 * * * * *", () => 700, runs, `instance-${i}`),
          ],
        }),
      );
      // The instances boot at different moments, as real deployments do.
      for (const scheduler of schedulers) {
        scheduler.start();
        await clock.advance(1_700);
      }
      await clock.advance(60_000);
      const end = clock.now();
      await stopAndDrain(clock, schedulers, () => runs.length);
      const firstStart = START + 1_700 * (instances - 1);
      for (const [name, pattern] of [["digest", "*/10 * * * * *"], ["cleanup", "*/15 * * * * *"]] as const) {
        const mine = runs.filter((r) => r.key.startsWith(`${name}:`));
        const perSlot = new Map<number, string[]>();
        for (const r of mine) perSlot.set(r.slot, [...(perSlot.get(r.slot) ?? []), r.instance]);
        const twice = [...perSlot].filter(([, who]) => who.length > 1).map(([slot, who]) => `${iso(slot)} by ${who.join(" and ")}`);
        expect(twice, `${instances} instances, job "${name}": a slot ran more than once; claim slotKey(name, slot) in the shared store and run only if the claim returns true`).toEqual([]);
        const expectedSlots = slots(pattern, firstStart, end).map(iso);
        const missing = expectedSlots.filter((s) => !perSlot.has(Date.parse(s)));
        expect(missing, `${instances} instances, job "${name}": once every instance is running, each slot must run once (on some instance)`).toEqual([]);
      }
      expect(skips, `${instances} instances: no run overlapped, so onSkip must not be called; a slot another instance claimed is not a skip (just do not run it)`).toEqual([]);
    }
  });

  test("a job's timezone decides its slots (DST included), and without one the pattern is read in UTC, not the machine's zone", async () => {
    const previousTz = process.env.TZ;
    process.env.TZ = "Pacific/Chatham"; // UTC+12:45 or +13:45: a scheduler that reads patterns in local time is easy to spot
    try {
      const begin = Date.UTC(2025, 2, 28, 0, 0, 0); // Friday before the EU switch to summer time
      const clock = new FakeClock(begin);
      const runs: Run[] = [];
      const scheduler = createScheduler({
        clock,
        store: memoryStore(),
        jobs: [
          recordingJob(clock, "utc", "0 9 * * *", () => 1_000, runs),
          recordingJob(clock, "new-york", "0 9 * * *", () => 1_000, runs, "A", "America/New_York"),
          recordingJob(clock, "berlin", "30 2 * * *", () => 1_000, runs, "A", "Europe/Berlin"),
        ],
      });
      scheduler.start();
      await clock.advance(3 * 86_400_000);
      const end = clock.now();
      await stopAndDrain(clock, [scheduler], () => runs.length);
      const of = (name: string) => runs.filter((r) => r.key.startsWith(`${name}:`)).map((r) => iso(r.start));
      expect(of("utc"), "a job without a timezone must use UTC: '0 9 * * *' runs at 09:00Z, whatever process.env.TZ is").toEqual(
        slots("0 9 * * *", begin, end).map(iso),
      );
      expect(of("new-york"), "timezone 'America/New_York': '0 9 * * *' runs at 9:00 New York time (13:00Z in March, after the US DST switch)").toEqual(
        slots("0 9 * * *", begin, end, "America/New_York").map(iso),
      );
      expect(of("berlin"), "timezone 'Europe/Berlin': 02:30 does not exist on 2025-03-30; the slots must be croner's for that zone").toEqual(
        slots("30 2 * * *", begin, end, "Europe/Berlin").map(iso),
      );
    } finally {
      if (previousTz === undefined) delete process.env.TZ;
      else process.env.TZ = previousTz;
    }
  });

  test("a run that throws is reported through onError and the schedule carries on", async () => {
    const clock = new FakeClock(START);
    const started: string[] = [];
    const errors: Array<[string, unknown]> = [];
    const boom = new Error("smtp down");
    const scheduler = createScheduler({
      clock,
      store: memoryStore(),
      jobs: [
        {
          name: "mail",
          pattern: "*/10 * * * * *",
          async run(ctx) {
            started.push(iso(clock.now()));
            if (started.length === 1) throw boom;
            await clock.sleep(100);
          },
        },
      ],
      onError: (ctx, error) => errors.push([iso(ctx.slot.getTime()), error]),
    });
    scheduler.start();
    await clock.advance(30_500);
    await stopAndDrain(clock, [scheduler], () => started.length);
    expect(started, "after the first run throws, the 08:00:20 and 08:00:30 runs must still happen").toEqual([iso(START + 10_000), iso(START + 20_000), iso(START + 30_000)]);
    expect(errors, "onError must get the failed run's ctx and the error it threw").toEqual([[iso(START + 10_000), boom]]);
  });

  test("jobs are independent: a slow run of one job never makes another job skip a slot", async () => {
    const clock = new FakeClock(START);
    const runs: Run[] = [];
    const skipped: string[] = [];
    const scheduler = createScheduler({
      clock,
      store: memoryStore(),
      jobs: [
        recordingJob(clock, "slow-export", "*/10 * * * * *", () => 25_000, runs),
        recordingJob(clock, "heartbeat", "*/10 * * * * *", () => 100, runs),
      ],
      onSkip: (ctx) => skipped.push(ctx.key),
    });
    scheduler.start();
    await clock.advance(40_500);
    await stopAndDrain(clock, [scheduler], () => runs.length);
    const beats = runs.filter((r) => r.key.startsWith("heartbeat:")).map((r) => iso(r.start));
    expect(beats, "heartbeat must run at every slot even while slow-export is running: the busy flag belongs to each job, not to the scheduler").toEqual([
      iso(START + 10_000),
      iso(START + 20_000),
      iso(START + 30_000),
      iso(START + 40_000),
    ]);
    expect(skipped.filter((k) => k.startsWith("heartbeat:")), "heartbeat never overlaps itself, so none of its slots may be skipped").toEqual([]);
    expect(skipped, "only slow-export's own slots 08:00:20 and 08:00:30 are skipped").toEqual([`slow-export:${iso(START + 20_000)}`, `slow-export:${iso(START + 30_000)}`]);
  });

  test("a store that fails to answer is reported through onError and the schedule carries on", async () => {
    const clock = new FakeClock(START);
    const runs: Run[] = [];
    const errors: Array<[string, unknown]> = [];
    const outage = new Error("connection to the store lost");
    const inner = memoryStore();
    let calls = 0;
    const flaky: SlotStore = {
      async claim(key) {
        if (++calls === 1) throw outage;
        return inner.claim(key);
      },
    };
    const scheduler = createScheduler({
      clock,
      store: flaky,
      jobs: [recordingJob(clock, "sync", "*/10 * * * * *", () => 100, runs)],
      onError: (ctx, error) => errors.push([iso(ctx.slot.getTime()), error]),
    });
    scheduler.start();
    await clock.advance(30_500);
    await stopAndDrain(clock, [scheduler], () => runs.length);
    expect(errors, "a claim that rejects must reach onError with that slot's ctx and the store's error (claim inside the try)").toEqual([[iso(START + 10_000), outage]]);
    expect(runs.map((r) => iso(r.start)), "after the failed claim at 08:00:10 the job must not be stuck: 08:00:20 and 08:00:30 run").toEqual([iso(START + 20_000), iso(START + 30_000)]);
  });

  test("stop() clears every timer, starts nothing more and resolves only after the run in progress ends", async () => {
    const clock = new FakeClock(START);
    const runs: Run[] = [];
    const scheduler = createScheduler({
      clock,
      store: memoryStore(),
      jobs: [recordingJob(clock, "export", "*/10 * * * * *", () => 5_000, runs), recordingJob(clock, "ping", "*/3 * * * * *", () => 10, runs)],
    });
    scheduler.start();
    await clock.advance(11_000); // the 08:00:10 export runs until 08:00:15
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await clock.advance(1_000);
    expect(stopped, "stop() must wait for the export still running (it ends at 08:00:15)").toBe(false);
    await clock.advance(4_000);
    await flushMicrotasks();
    expect(stopped, "stop() must resolve once the run in progress has ended").toBe(true);
    await stopping;
    expect(clock.pendingTimers, "after stop() no timer may be left on the clock").toBe(0);
    const before = runs.length;
    await clock.advance(60_000);
    expect(runs.length, "no run may start after stop()").toBe(before);
  });
});
