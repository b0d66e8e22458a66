// Retries with exponential backoff, a cap and jitter, all on a fake clock and a
// seeded random source, so every number below is the same on every run.
import { FakeClock } from "#kit/clock.ts";
import { createRandom, type Random } from "#kit/random.ts";

const pad = (value: string | number, width: number) => String(value).padStart(width);

// --- 1. The schedule: base * 2^(attempt - 1), then capped --------------------
const BASE = 1000;
const CAP = 30_000;
console.log(`== 1. Exponential backoff, base ${BASE} ms, cap ${CAP} ms ==`);
console.log("attempt  uncapped ms  capped ms");
for (let attempt = 1; attempt <= 8; attempt++) {
  const uncapped = BASE * 2 ** (attempt - 1);
  console.log(`${pad(attempt, 7)}  ${pad(uncapped, 11)}  ${pad(Math.min(CAP, uncapped), 9)}`);
}

// --- 2. Why jitter: 1000 clients that failed at the same instant -------------
// Each strategy maps (attempt, previous sleep) to the next sleep. We count how
// many of the 1000 clients land in the busiest 100 ms slot of each retry wave.
type Strategy = (attempt: number, previous: number, random: Random) => number;
const ceiling = (attempt: number) => Math.min(CAP, BASE * 2 ** (attempt - 1));
const strategies: Array<[string, Strategy]> = [
  ["no jitter", (n) => ceiling(n)],
  ["equal (pg-boss)", (n, _p, r) => ceiling(n) / 2 + (r() * ceiling(n)) / 2],
  ["full (AWS)", (n, _p, r) => r() * ceiling(n)],
  ["decorrelated", (_n, p, r) => Math.min(CAP, BASE + r() * (p * 3 - BASE))],
];
console.log("\n== 2. 1000 clients fail at t=0: retries in the busiest 100 ms slot ==");
console.log("strategy          wave 1  wave 2  wave 3  wave 4");
for (const [name, strategy] of strategies) {
  const random = createRandom();
  const at = new Array<number>(1000).fill(0);
  const sleep = new Array<number>(1000).fill(BASE);
  const peaks: number[] = [];
  for (let wave = 1; wave <= 4; wave++) {
    const buckets = new Map<number, number>();
    for (let client = 0; client < at.length; client++) {
      sleep[client] = strategy(wave, sleep[client]!, random);
      at[client]! += sleep[client]!;
      const bucket = Math.floor(at[client]! / 100);
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
    }
    peaks.push(Math.max(...buckets.values()));
  }
  console.log(`${name.padEnd(16)}${peaks.map((p) => pad(p, 8)).join("")}`);
}

// --- 3. What real systems wait before retry n (seconds, random part left out) -
console.log("\n== 3. Default schedules in seconds (random part left out) ==");
console.log("retry  BullMQ 1s  River n^4  Sidekiq  graphile  Oban");
for (let n = 1; n <= 6; n++) {
  const bull = 2 ** (n - 1); // exponential, delay 1000 ms, no cap of its own
  const river = n ** 4; // then +/-10 %
  const sidekiq = (n - 1) ** 4 + 15; // its count starts at 0; plus rand(10 * (count + 1))
  const graphile = Math.round(Math.exp(Math.min(n, 10))); // exp(least(attempts, 10))
  const oban = 15 + 2 ** n; // plus up to 10 % jitter
  console.log(`${pad(n, 5)}  ${pad(bull, 9)}  ${pad(river, 9)}  ${pad(sidekiq, 7)}  ${pad(graphile, 8)}  ${pad(oban, 4)}`);
}

// --- 4. A retry loop on a fake clock; maxAttempts counts the first try --------
console.log("\n== 4. Retry loop, maxAttempts 4 (the first try counts) ==");
const clock = new FakeClock();
async function runJob(name: string, failuresBeforeSuccess: number, maxAttempts: number) {
  for (let attempt = 1; ; attempt++) {
    const t = `t=${pad(clock.now(), 5)}`;
    if (attempt > failuresBeforeSuccess) {
      console.log(`${t}  ${name} attempt ${attempt}: ok`);
      return;
    }
    if (attempt >= maxAttempts) {
      console.log(`${t}  ${name} attempt ${attempt}: failed, giving up (${attempt} of ${maxAttempts} used)`);
      return;
    }
    const delay = ceiling(attempt);
    console.log(`${t}  ${name} attempt ${attempt}: failed, next try in ${delay} ms`);
    await clock.sleep(delay);
  }
}
const jobs = Promise.all([runJob("flaky ", 2, 4), runJob("broken", 99, 4)]);
await clock.runAll();
await jobs;
console.log(`timers left: ${clock.pendingTimers}`);
