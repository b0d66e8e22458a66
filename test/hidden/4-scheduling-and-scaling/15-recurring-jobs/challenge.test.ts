// queuecraft:hidden-or-solution — never in a student edition
import { test, expect, describe } from "vitest";
import fc from "fast-check";
import { Cron } from "croner";
import { FakeClock, flushMicrotasks, type Clock, type TimerId } from "#kit/clock.ts";
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

/**
 * A FakeClock whose process can stall (a long GC pause, a laptop lid, a stopped container):
 * a timer due while it is paused fires when the pause ends. Like Node's setTimeout, a delay
 * above 2^31 - 1 ms fires at once (after 1 ms); such delays are recorded, and after the third
 * one they are dropped instead, so that a candidate re-arming one forever fails fast.
 */
class StallingClock implements Clock {
  readonly inner: FakeClock;
  readonly overflows: number[] = [];
  #pausedUntil = -Infinity;
  #ids = new Map<number, number>();
  #nextId = 1;

  constructor(start: number) {
    this.inner = new FakeClock(start);
  }
  now(): number {
    return this.inner.now();
  }
  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    if (!(ms <= 2 ** 31 - 1)) {
      this.overflows.push(ms);
      if (this.overflows.length > 3) return id;
      ms = 1;
    }
    const fire = () => {
      if (this.inner.now() < this.#pausedUntil) {
        this.#ids.set(id, this.inner.setTimeout(fire, this.#pausedUntil - this.inner.now()));
        return;
      }
      this.#ids.delete(id);
      callback();
    };
    this.#ids.set(id, this.inner.setTimeout(fire, ms));
    return id;
  }
  clearTimeout(id: TimerId): void {
    const inner = this.#ids.get(id as number);
    if (inner !== undefined) this.inner.clearTimeout(inner);
    this.#ids.delete(id as number);
  }
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimeout(resolve, ms));
  }
  /** The process is frozen from now until `until`: nothing fires before then. */
  stallUntil(until: number): void {
    this.#pausedUntil = until;
  }
  get pendingTimers(): number {
    return this.#ids.size;
  }
}

/** Runs `body` and returns the promise rejections nobody handled meanwhile (vitest's own handler is set aside). */
async function unhandledRejectionsDuring(body: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const saved = process.listeners("unhandledRejection");
  process.removeAllListeners("unhandledRejection");
  const listener = (reason: unknown) => void seen.push(reason);
  process.on("unhandledRejection", listener);
  try {
    await body();
    await flushMicrotasks();
    await flushMicrotasks();
  } finally {
    process.off("unhandledRejection", listener);
    for (const l of saved) process.on("unhandledRejection", l);
  }
  return seen;
}

const byTime = (a: number, b: number) => a - b;

describe("slotKey", () => {
  test("[C1] a slot's key is `${schedule}:${slot as ISO string}`", () => {
    expect(slotKey("nightly-report", new Date(Date.UTC(2025, 2, 30, 1, 0, 0))), "slotKey must join the schedule name and the slot's toISOString() with a colon").toBe(
      "nightly-report:2025-03-30T01:00:00.000Z",
    );
  });
});

describe("createScheduler", () => {
  test("[C4][C5][C10][C11] the first run is at the first slot strictly after start(), each run starts exactly at its slot, and claims slotKey(name, slot) first", async () => {
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


  test("[C4] a slot at exactly the instant start() is called is not run: the first slot is strictly after it", async () => {
    const clock = new FakeClock(START + 10_000);
    const runs: Run[] = [];
    const scheduler = createScheduler({ clock, store: memoryStore(), jobs: [recordingJob(clock, "tick", "*/10 * * * * *", () => 100, runs)] });
    scheduler.start();
    await clock.advance(25_000);
    await stopAndDrain(clock, [scheduler], () => runs.length);
    expect(runs.map((r) => iso(r.slot)), "started at 08:00:10.000 sharp: 08:00:10 is not strictly after start(), so the runs are 08:00:20 and 08:00:30").toEqual([
      iso(START + 20_000),
      iso(START + 30_000),
    ]);
  });

  test("[C7][C9] every slot that finds the previous run still going is reported once through onSkip, is not claimed, and is not run late", async () => {
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


  test("[C8] a timer that fires late runs only the latest slot that has come, at once, and reports the missed ones: no burst of catch-up runs", async () => {
    for (const lag of [0, 1_000]) {
      const clock = new StallingClock(START);
      const runs: Run[] = [];
      const skipped: number[] = [];
      const store = memoryStore();
      const scheduler = createScheduler({
        clock,
        store,
        jobs: [recordingJob(clock.inner, "sync", "*/10 * * * * *", () => lag, runs)],
        onSkip: (ctx) => skipped.push(ctx.slot.getTime()),
      });
      scheduler.start();
      clock.stallUntil(START + 45_000); // frozen from 08:00:00 to 08:00:45: the 08:00:10 timer fires at 08:00:45
      await clock.inner.advance(65_000);
      const where = `runs of ${lag} ms, every 10 s, the process frozen until 08:00:45`;
      expect(
        runs.map((r) => `slot ${iso(r.slot)} started ${iso(r.start)}`),
        `${where}: at 08:00:45 only the latest slot that has come (08:00:40) runs, at once; 08:00:10, :20 and :30 are missed, not run in a burst; then 08:00:50 and 08:01:00 run on time`,
      ).toEqual([
        `slot ${iso(START + 40_000)} started ${iso(START + 45_000)}`,
        `slot ${iso(START + 50_000)} started ${iso(START + 50_000)}`,
        `slot ${iso(START + 60_000)} started ${iso(START + 60_000)}`,
      ]);
      expect(skipped.sort(byTime).map(iso), `${where}: each missed slot (08:00:10, :20, :30) must be reported once through onSkip`).toEqual(
        [START + 10_000, START + 20_000, START + 30_000].map(iso),
      );
      expect(store.keys, `${where}: a missed slot must not be claimed; only the slots that run are`).toEqual(
        [START + 40_000, START + 50_000, START + 60_000].map((t) => `sync:${iso(t)}`),
      );
      scheduler.stop();
      await clock.inner.runAll(1_000);
    }
    {
      // The stall ends exactly on a slot: that slot has come (slot <= clock.now()), so it is the latest one.
      const clock = new StallingClock(START);
      const runs: Run[] = [];
      const skipped: number[] = [];
      const store = memoryStore();
      const scheduler = createScheduler({
        clock,
        store,
        jobs: [recordingJob(clock.inner, "sync", "*/10 * * * * *", () => 0, runs)],
        onSkip: (ctx) => skipped.push(ctx.slot.getTime()),
      });
      scheduler.start();
      clock.stallUntil(START + 40_000);
      await clock.inner.advance(55_000);
      expect(
        runs.map((r) => `slot ${iso(r.slot)} started ${iso(r.start)}`),
        "the process is frozen until 08:00:40.000 sharp: 08:00:40 has come, so it is the latest slot and the only one to run then (not 08:00:30 late and 08:00:40 after it)",
      ).toEqual([`slot ${iso(START + 40_000)} started ${iso(START + 40_000)}`, `slot ${iso(START + 50_000)} started ${iso(START + 50_000)}`]);
      expect(skipped.sort(byTime).map(iso), "08:00:10, :20 and :30 were missed and are reported through onSkip").toEqual([START + 10_000, START + 20_000, START + 30_000].map(iso));
      expect(store.keys, "only the slots that run are claimed").toEqual([START + 40_000, START + 50_000].map((t) => `sync:${iso(t)}`));
      void scheduler.stop();
      await clock.inner.runAll(1_000);
    }
    {
      // Busy when the late timer fires: the latest slot is skipped too (C7), and nothing runs late.
      const clock = new StallingClock(START);
      const runs: Run[] = [];
      const skipped: number[] = [];
      const scheduler = createScheduler({
        clock,
        store: memoryStore(),
        jobs: [recordingJob(clock.inner, "sync", "*/10 * * * * *", () => 39_500, runs)],
        onSkip: (ctx) => skipped.push(ctx.slot.getTime()),
      });
      scheduler.start();
      await clock.inner.advance(15_000);
      clock.stallUntil(START + 45_000);
      await clock.inner.advance(40_000);
      expect(
        runs.map((r) => iso(r.start)),
        "the 08:00:10 run lasts until 08:00:49.5 and the process is frozen from 08:00:15 to 08:00:45: the next run is 08:00:50, on time",
      ).toEqual([iso(START + 10_000), iso(START + 50_000)]);
      expect(
        skipped.sort(byTime).map(iso),
        "frozen, then busy: 08:00:20 and :30 were missed and 08:00:40 found the job busy; each is reported once through onSkip",
      ).toEqual([START + 20_000, START + 30_000, START + 40_000].map(iso));
      scheduler.stop();
      await clock.inner.runAll(1_000);
    }
  });

  test("[C7][C15] a store slower than the period: a slot whose claim is pending keeps the job busy, and stop() waits for that claim and its run", async () => {
    const clock = new FakeClock(START);
    const runs: Run[] = [];
    const skipped: string[] = [];
    const inner = memoryStore();
    const claims: string[] = [];
    const slow: SlotStore = {
      async claim(key) {
        claims.push(key);
        await clock.sleep(15_000); // the store answers after 15 s, on a 10 s schedule
        return inner.claim(key);
      },
    };
    const scheduler = createScheduler({
      clock,
      store: slow,
      jobs: [recordingJob(clock, "sync", "*/10 * * * * *", () => 1_000, runs)],
      onSkip: (ctx) => skipped.push(ctx.key),
    });
    scheduler.start();
    await clock.advance(55_000); // the claim of 08:00:50 is in flight until 08:01:05
    expect(
      claims,
      "the claim of 08:00:10 answers at 08:00:25: the job is busy from its claim, so 08:00:20 must not be claimed (likewise 08:00:40 while 08:00:30's claim is pending)",
    ).toEqual([10_000, 30_000, 50_000].map((t) => `sync:${iso(START + t)}`));
    expect(skipped, "08:00:20 and 08:00:40 came while a claim was still pending: each is reported through onSkip").toEqual(
      [20_000, 40_000].map((t) => `sync:${iso(START + t)}`),
    );
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await clock.advance(10_500); // 08:01:05.5: the claim has won and its run is going
    expect(stopped, "stop() must wait for the claim in flight and the run it leads to (it ends at 08:01:06)").toBe(false);
    await clock.advance(1_000);
    await flushMicrotasks();
    expect(stopped, "stop() must resolve once that run has ended").toBe(true);
    await stopping;
    expect(
      runs.map((r) => `slot ${iso(r.slot)} started ${iso(r.start)}`),
      "each slot runs when its claim answers; 08:00:50 was claimed before stop(), so it still runs: a claimed slot must not be lost",
    ).toEqual([10_000, 30_000, 50_000].map((t) => `slot ${iso(START + t)} started ${iso(START + t + 15_000)}`));
    expect(clock.pendingTimers, "after stop() no timer may be left on the clock").toBe(0);
  });

  test("[C5][C7] runs never drift, never overlap and never start late: a slot runs exactly when the previous run has ended", async () => {
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


  test("[C9][C10] two or three scheduler instances sharing one store run each slot exactly once, and a slot another instance won is not a skip", async () => {
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


  test("[C2][C3] a job's timezone decides its slots (DST included), and without one the pattern is read in UTC, not the machine's zone", async () => {
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


  test("[C6] a slot more than 2^31−1 ms (24.8 days) away is waited for in steps a timer accepts, and runs exactly at its slot", async () => {
    const begin = Date.UTC(2025, 0, 1, 0, 0, 1); // the next "0 0 1 * *" slot is 31 days away
    const clock = new StallingClock(begin);
    const runs: Run[] = [];
    const scheduler = createScheduler({ clock, store: memoryStore(), jobs: [recordingJob(clock.inner, "monthly", "0 0 1 * *", () => 1_000, runs)] });
    scheduler.start();
    await clock.inner.advance(60 * 86_400_000);
    void scheduler.stop();
    await clock.inner.runAll(1_000);
    const overflow = clock.overflows.length > 0 ? ` (clock.setTimeout got ${clock.overflows[0]} ms: like Node's, it fires at once above 2^31 - 1 ms)` : "";
    expect(
      runs.map((r) => `slot ${iso(r.slot)} started ${iso(r.start)}`),
      `a monthly job started on 2025-01-01 00:00:01 must run at 02-01 and 03-01 00:00, exactly at its slots, never early${overflow}`,
    ).toEqual([Date.UTC(2025, 1, 1), Date.UTC(2025, 2, 1)].map((t) => `slot ${iso(t)} started ${iso(t)}`));
  });

  test("[C12] a run that throws is reported through onError and the schedule carries on", async () => {
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


  test("[C12] a run that throws synchronously (instead of returning a rejected promise) is reported through onError, and its job is not left busy", async () => {
    const clock = new FakeClock(START);
    const started: string[] = [];
    const errors: Array<[string, unknown]> = [];
    const boom = new Error("thrown before any await");
    const scheduler = createScheduler({
      clock,
      store: memoryStore(),
      jobs: [
        {
          name: "eager",
          pattern: "*/10 * * * * *",
          run(): Promise<void> {
            started.push(iso(clock.now()));
            if (started.length === 1) throw boom;
            return Promise.resolve();
          },
        },
      ],
      onError: (ctx, error) => errors.push([iso(ctx.slot.getTime()), error]),
    });
    const unhandled = await unhandledRejectionsDuring(async () => {
      scheduler.start();
      await clock.advance(30_500);
    });
    await stopAndDrain(clock, [scheduler], () => started.length);
    expect(unhandled.map(String), "a run that throws synchronously must not become an unhandled rejection: call it inside the try").toEqual([]);
    expect(errors, "onError gets the slot and the very error the run threw").toEqual([[iso(START + 10_000), boom]]);
    expect(started, "the job is not left busy: 08:00:20 and 08:00:30 still run").toEqual([10_000, 20_000, 30_000].map((t) => iso(START + t)));
  });

  test("[C12] onError and onSkip are optional: without them a failing run or store is dropped, never an unhandled rejection, and the job is not left busy", async () => {
    const clock = new FakeClock(START);
    const started: string[] = [];
    const inner = memoryStore();
    let calls = 0;
    const flaky: SlotStore = {
      async claim(key) {
        if (++calls === 3) throw new Error("connection to the store lost");
        return inner.claim(key);
      },
    };
    const unhandled = await unhandledRejectionsDuring(async () => {
      const scheduler = createScheduler({
        clock,
        store: flaky,
        jobs: [
          {
            name: "mail",
            pattern: "*/10 * * * * *",
            async run() {
              started.push(iso(clock.now()));
              if (started.length === 1) throw new Error("smtp down");
              await clock.sleep(started.length === 2 ? 15_000 : 100); // the 08:00:20 run makes 08:00:30 a skip
            },
          },
        ],
      });
      scheduler.start();
      await clock.advance(60_500);
      void scheduler.stop();
      await clock.runAll(1_000);
    });
    expect(unhandled.map(String), "with no onError, a run or claim that fails must not become an unhandled rejection").toEqual([]);
    expect(
      started,
      "the 08:00:10 run throws, 08:00:30 finds the job busy, 08:00:40's claim rejects: the job must still run at 08:00:20, 08:00:50 and 08:01:00",
    ).toEqual([10_000, 20_000, 50_000, 60_000].map((t) => iso(START + t)));
  });

  test("[C12] a store whose claim rejects is reported through onError and the schedule carries on", async () => {
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


  test("[C7] jobs are independent: a slow run of one job never makes another job skip a slot", async () => {
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


  test("[C14] jobs named constructor, __proto__, toString and hasOwnProperty are jobs like any other", async () => {
    const clock = new FakeClock(START);
    const runs: Run[] = [];
    const skipped: string[] = [];
    const store = memoryStore();
    const names = ["constructor", "toString", "hasOwnProperty"];
    const scheduler = createScheduler({
      clock,
      store,
      jobs: [
        ...names.map((name) => recordingJob(clock, name, "*/10 * * * * *", () => 100, runs)),
        recordingJob(clock, "__proto__", "*/10 * * * * *", () => 25_000, runs),
      ],
      onSkip: (ctx) => skipped.push(ctx.key),
    });
    scheduler.start();
    await clock.advance(45_000);
    await stopAndDrain(clock, [scheduler], () => runs.length);
    for (const name of names) {
      expect(
        runs.filter((r) => r.key.startsWith(`${name}:`)).map((r) => iso(r.start)),
        `job "${name}" takes 100 ms, so it runs at every slot (is its busy state looked up in a plain object, where "${name}" is inherited?)`,
      ).toEqual([10_000, 20_000, 30_000, 40_000].map((t) => iso(START + t)));
    }
    expect(
      runs.filter((r) => r.key.startsWith("__proto__:")).map((r) => iso(r.start)),
      'job "__proto__" runs 25 s at 08:00:10, so it runs again at 08:00:40 (a plain object cannot hold a key named "__proto__")',
    ).toEqual([10_000, 40_000].map((t) => iso(START + t)));
    expect(skipped, 'only "__proto__" skips, at 08:00:20 and 08:00:30').toEqual([20_000, 30_000].map((t) => `__proto__:${iso(START + t)}`));
  });

  test("[C13] a pattern that runs out of slots is simply not scheduled any more, and the other jobs carry on", async () => {
    const begin = Date.UTC(2025, 11, 30, 0, 0, 0);
    const clock = new FakeClock(begin);
    const runs: Run[] = [];
    const scheduler = createScheduler({
      clock,
      store: memoryStore(),
      jobs: [
        recordingJob(clock, "ends", "0 0 9 * * * 2025", () => 1_000, runs),
        recordingJob(clock, "past", "0 0 9 * * * 2020", () => 1_000, runs),
        recordingJob(clock, "daily", "0 0 9 * * *", () => 1_000, runs),
      ],
    });
    scheduler.start();
    await clock.advance(3 * 86_400_000);
    const of = (name: string) => runs.filter((r) => r.key.startsWith(`${name}:`)).map((r) => iso(r.start));
    const days = [Date.UTC(2025, 11, 30, 9), Date.UTC(2025, 11, 31, 9), Date.UTC(2026, 0, 1, 9)];
    expect(of("ends"), '"0 0 9 * * * 2025" runs on 12-30 and 12-31 and then has no slot left (croner\'s nextRun returns null)').toEqual(days.slice(0, 2).map(iso));
    expect(of("past"), '"0 0 9 * * * 2020" has no slot at all: it never runs').toEqual([]);
    expect(of("daily"), "the other jobs carry on").toEqual(days.map(iso));
    await stopAndDrain(clock, [scheduler], () => runs.length);
    expect(clock.pendingTimers, "after stop() no timer may be left on the clock").toBe(0);
  });

  test("[C11] each call gets its own ctx: a run that changes ctx.slot changes nothing in the scheduler, nor what onError is told", async () => {
    const clock = new FakeClock(START);
    const seen: string[] = [];
    const skipped: string[] = [];
    const errors: string[] = [];
    const scheduler = createScheduler({
      clock,
      store: memoryStore(),
      jobs: [
        {
          name: "vandal",
          pattern: "*/10 * * * * *",
          async run(ctx) {
            seen.push(`${ctx.key} at ${iso(clock.now())}`);
            ctx.slot.setTime(ctx.slot.getTime() - 3_600_000);
            await clock.sleep(100);
          },
        },
        {
          name: "failing-vandal",
          pattern: "*/10 * * * * *",
          async run(ctx) {
            ctx.slot.setTime(0);
            ctx.key = "tampered";
            throw new Error("after tampering");
          },
        },
      ],
      onSkip: (ctx) => skipped.push(ctx.key),
      onError: (ctx) => errors.push(`${ctx.key} / ${iso(ctx.slot.getTime())}`),
    });
    scheduler.start();
    await clock.advance(30_500);
    await stopAndDrain(clock, [scheduler], () => seen.length);
    expect(seen, "the run moves ctx.slot an hour back each time: the slots after it must still be 08:00:20 and 08:00:30, with their own keys").toEqual(
      [10_000, 20_000, 30_000].map((t) => `vandal:${iso(START + t)} at ${iso(START + t)}`),
    );
    expect(skipped, "nothing overlapped, so nothing is skipped").toEqual([]);
    expect(errors, "a run that changed its ctx and then threw: onError gets its own ctx, with the slot's real key and instant").toEqual(
      [10_000, 20_000, 30_000].map((t) => `failing-vandal:${iso(START + t)} / ${iso(START + t)}`),
    );
  });

  test("[C15] stop() clears every timer, starts nothing more and resolves only after the run in progress ends", async () => {
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

  test("[C15] stop() before start(), and stop() twice, resolve (only once the run in progress has ended) and leave no timer", async () => {
    const clock = new FakeClock(START);
    const runs: Run[] = [];
    const early = createScheduler({ clock, store: memoryStore(), jobs: [recordingJob(clock, "tick", "*/10 * * * * *", () => 100, runs)] });
    let resolved = 0;
    void early.stop().then(() => resolved++);
    await flushMicrotasks();
    expect(resolved, "stop() on a scheduler that was never started must resolve").toBe(1);
    expect(clock.pendingTimers, "stop() before start() leaves no timer").toBe(0);

    const twice = createScheduler({ clock, store: memoryStore(), jobs: [recordingJob(clock, "tock", "*/10 * * * * *", () => 3_000, runs)] });
    twice.start();
    await clock.advance(11_000); // the 08:00:10 run is going until 08:00:13
    let both = 0;
    void twice.stop().then(() => both++);
    void twice.stop().then(() => both++);
    await clock.advance(1_000);
    expect(both, "stop() called twice while a run is going: neither call may resolve before that run has ended").toBe(0);
    await clock.advance(2_000);
    await flushMicrotasks();
    expect(both, "stop() called twice: both calls must resolve once the run in progress has ended").toBe(2);
    expect(clock.pendingTimers, "after stop() no timer may be left on the clock").toBe(0);
    await clock.advance(30_000);
    expect(runs.map((r) => r.key), "nothing runs after stop()").toEqual([`tock:${iso(START + 10_000)}`]);
  });
});
