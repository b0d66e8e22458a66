// Recurring jobs on a fake clock: why "run, then wait the interval" drifts, why
// setInterval overlaps, how slot-based timers avoid both, what a timer that
// fires late does, how a unique key per slot stops two scheduler instances from
// running a slot twice, and what DST does to a cron pattern. croner only
// computes dates here; the FakeClock waits.

import { Cron } from "croner";
import { FakeClock } from "#kit/clock.ts";
import { createRandom, randomInt } from "#kit/random.ts";

const T0 = Date.UTC(2025, 0, 6, 9, 0, 0);
const hms = (ms: number) => new Date(ms).toISOString().slice(11, 23);
const mss = (ms: number) => new Date(ms).toISOString().slice(14, 23);
const cronUtc = (pattern: string) => new Cron(pattern, { timezone: "UTC", paused: true });

console.log("== 1. Every 5 s, each run takes 700 ms: three ways to repeat ==");
console.log("(start times after 09:00, mm:ss.mmm)");
{
  // (a) run, then wait 5 s: the run's duration is added to every period.
  const clock = new FakeClock(T0);
  const starts: number[] = [];
  const loop = async () => {
    starts.push(clock.now());
    await clock.sleep(700);
    if (starts.length < 5) clock.setTimeout(loop, 5_000);
  };
  clock.setTimeout(loop, 5_000);
  await clock.runAll();
  console.log("run, then sleep 5 s :", starts.map(mss).join("  "));
  console.log(`  -> the 5th run is ${starts[4]! - (T0 + 25_000)} ms late, and the error keeps growing`);
}
{
  // (b) aim each timer at the next slot of the pattern, computed from the previous SLOT.
  const clock = new FakeClock(T0);
  const cron = cronUtc("*/5 * * * * *");
  const starts: number[] = [];
  const arm = (after: Date) => {
    const slot = cron.nextRun(after)!;
    clock.setTimeout(async () => {
      if (starts.length < 4) arm(slot);
      starts.push(clock.now());
      await clock.sleep(700);
    }, slot.getTime() - clock.now());
  };
  arm(new Date(clock.now()));
  await clock.runAll();
  console.log("timer at next slot  :", starts.map(mss).join("  "));
}
{
  // (c) setInterval with an async handler: no drift, but it never waits for the last run.
  const clock = new FakeClock(T0);
  let running = 0;
  const counts: number[] = [];
  const tick = async (n: number) => {
    if (n < 5) clock.setTimeout(() => void tick(n + 1), 5_000);
    running++;
    counts.push(running);
    await clock.sleep(7_000); // this time each run takes 7 s
    running--;
  };
  clock.setTimeout(() => void tick(1), 5_000);
  await clock.runAll();
  console.log("setInterval, but each run takes 7 s: runs in progress at each tick:", counts.join(" "));
}

console.log("\n== 2. Skip policy: a slot that finds the last run still going is skipped ==");
{
  const clock = new FakeClock(T0);
  const cron = cronUtc("*/10 * * * * *");
  const durations = [25_500, 2_000, 2_000, 2_000];
  let busy = false;
  let runs = 0;
  const arm = (after: Date) => {
    const slot = cron.nextRun(after)!;
    if (slot.getTime() > T0 + 60_000) return;
    clock.setTimeout(async () => {
      arm(slot);
      if (busy) return console.log(`${hms(slot.getTime())} skip: the previous run is still going`);
      busy = true;
      const took = durations[runs++]!;
      console.log(`${hms(slot.getTime())} run (takes ${took / 1000} s)`);
      await clock.sleep(took);
      busy = false;
    }, slot.getTime() - clock.now());
  };
  arm(new Date(clock.now()));
  await clock.runAll();
}

console.log("\n== 3. A timer that fires late: the process was frozen from 09:00:05 to 09:00:45 ==");
{
  // A GC pause, a laptop lid, a stopped container: the timer for 09:00:10 fires at 09:00:45.
  // Re-arming from the slot then finds 09:00:20, :30 and :40 already due.
  const mmss = (ms: number) => hms(ms).slice(3, 8);
  for (const policy of ["every missed slot", "latest slot only"] as const) {
    const clock = new FakeClock(T0);
    const cron = cronUtc("*/10 * * * * *");
    const log: string[] = [];
    const fire = (slot: Date) => {
      let next = cron.nextRun(slot)!;
      if (policy === "latest slot only") {
        const missed: string[] = [];
        while (next.getTime() <= clock.now()) {
          missed.push(mmss(slot.getTime()));
          slot = next;
          next = cron.nextRun(slot)!;
        }
        if (missed.length > 0) log.push(`${mmss(clock.now())} skip ${missed.join(" ")}`);
      }
      log.push(`${mmss(clock.now())} run ${mmss(slot.getTime())}`);
      if (next.getTime() <= T0 + 60_000) clock.setTimeout(() => fire(next), next.getTime() - clock.now());
    };
    const first = cron.nextRun(new Date(T0))!;
    clock.setTimeout(() => fire(first), 45_000); // due at 09:00:10, fired at 09:00:45
    await clock.runAll();
    console.log(`${policy.padEnd(18)}: ${log.join(", ")}`);
  }
}

console.log("\n== 4. Two scheduler instances, one store, a unique key per slot ==");
for (const unique of [true, false]) {
  const clock = new FakeClock(T0);
  const random = createRandom(7);
  const keys = new Set<string>();
  // The store answers after a few (seeded, random) ms, like a database round trip.
  const claim = async (key: string) => {
    await clock.sleep(randomInt(random, 1, 20));
    if (keys.has(key)) return false;
    keys.add(key);
    return true;
  };
  const ran = new Map<string, string[]>();
  for (const instance of ["A", "B"]) {
    const cron = cronUtc("*/10 * * * * *");
    const arm = (after: Date) => {
      const slot = cron.nextRun(after)!;
      if (slot.getTime() > T0 + 60_000) return;
      clock.setTimeout(async () => {
        arm(slot);
        const key = `digest:${slot.toISOString()}`;
        if (unique && !(await claim(key))) return;
        ran.set(hms(slot.getTime()), [...(ran.get(hms(slot.getTime())) ?? []), instance]);
      }, slot.getTime() - clock.now());
    };
    arm(new Date(clock.now()));
  }
  await clock.runAll();
  const total = [...ran.values()].reduce((sum, who) => sum + who.length, 0);
  console.log(unique ? "with claim(`digest:${slot ISO}`), slot -> who ran it:" : "without a unique key:");
  console.log("  " + [...ran].map(([slot, who]) => `${slot.slice(3, 8)} ${who.join("+")}`).join("  "));
  console.log(`  ${ran.size} slots, ${total} runs`);
}

console.log("\n== 5. Time zones and DST (slots from croner, shown in UTC and local time) ==");
function local(ms: number, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
      .formatToParts(new Date(ms))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(+parts.year!, +parts.month! - 1, +parts.day!, +parts.hour!, +parts.minute!);
  const offset = (asUtc - Math.floor(ms / 60_000) * 60_000) / 3_600_000;
  return `${parts.hour}:${parts.minute}${offset >= 0 ? "+" : ""}${offset}h`;
}
function show(title: string, pattern: string, timeZone: string, fromIso: string, count: number): void {
  const runs = new Cron(pattern, { timezone: timeZone, paused: true }).nextRuns(count, new Date(fromIso));
  console.log(`'${pattern}' in ${timeZone} (${title}):`);
  console.log("  " + runs.map((d) => `${d.toISOString().slice(5, 16).replace("T", " ")}Z=${local(d.getTime(), timeZone)}`).join("  "));
}
show("spring forward on 03-30", "30 2 * * *", "Europe/Berlin", "2025-03-29T00:00:00Z", 3);
show("fall back on 10-26", "30 2 * * *", "Europe/Berlin", "2025-10-25T00:00:00Z", 3);
show("hourly, fall back", "30 * * * *", "Europe/Berlin", "2025-10-26T00:00:00Z", 3);
show("US switch on 03-09", "0 9 * * *", "America/New_York", "2025-03-08T00:00:00Z", 3);
