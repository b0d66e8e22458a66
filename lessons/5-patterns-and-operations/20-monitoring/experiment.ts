// 200 jobs with a long tail, timed on a fake clock: why the average lies, what
// percentiles say, what a Prometheus histogram can and cannot tell you, and the
// queue gauges worth alerting on. Metrics come from the real prom-client, logs
// from the real pino (no timestamps, no pid/hostname, so every run prints the same).

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import pino from "pino";
import { FakeClock } from "#kit/clock.ts";
import { createRandom, randomInt } from "#kit/random.ts";

const clock = new FakeClock();
const random = createRandom();
const log = pino(
  { timestamp: false, base: null, formatters: { level: (label) => ({ level: label }) } },
  process.stdout,
);

// A registry of our own: no default process metrics (they change on every run).
const registry = new Registry();
const BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const duration = new Histogram({
  name: "job_duration_seconds",
  help: "Time from job start to completion",
  labelNames: ["queue"],
  buckets: BUCKETS,
  registers: [registry],
});
const finished = new Counter({
  name: "jobs_finished_total",
  help: "Jobs finished, by outcome",
  labelNames: ["queue", "outcome"],
  registers: [registry],
});

// --- run 200 jobs: most are quick, a few hit a slow dependency ---------------
const durationsMs: number[] = [];
for (let i = 1; i <= 200; i++) {
  const roll = random();
  const ms = roll < 0.9 ? randomInt(random, 20, 80) : roll < 0.97 ? randomInt(random, 100, 400) : randomInt(random, 2000, 4000);
  const startedAt = clock.now();
  await clock.advance(ms);
  const tookMs = clock.now() - startedAt;
  durationsMs.push(tookMs);
  duration.observe({ queue: "emails" }, tookMs / 1000);
  const failed = random() < 0.02;
  finished.inc({ queue: "emails", outcome: failed ? "failed" : "completed" });
  if (failed) log.error({ queue: "emails", jobId: `email-${i}`, attempt: 1, tookMs }, "job failed");
}

// --- what the numbers say -----------------------------------------------------
const sorted = [...durationsMs].sort((a, b) => a - b);
const nearestRank = (p: number) => sorted[Math.ceil((p * sorted.length) / 100) - 1]!;
const mean = durationsMs.reduce((a, b) => a + b, 0) / durationsMs.length;
console.log(`\n200 jobs: mean ${mean.toFixed(1)} ms | p50 ${nearestRank(50)} | p95 ${nearestRank(95)} | p99 ${nearestRank(99)} | max ${sorted.at(-1)} ms`);
const fasterThanMean = durationsMs.filter((d) => d < mean).length;
const verySlow = durationsMs.filter((d) => d >= 2000).length;
console.log(`the mean is slower than ${fasterThanMean} of the 200 jobs, and hides the ${verySlow} that took 2 s or more`);

// What Prometheus' histogram_quantile() would estimate from the buckets alone:
// find the bucket holding the rank, interpolate linearly inside it.
function fromBuckets(p: number): number {
  const rank = (p / 100) * sorted.length;
  let below = 0;
  let lower = 0;
  for (const upper of BUCKETS) {
    const inBucket = sorted.filter((d) => d / 1000 > lower && d / 1000 <= upper).length;
    if (below + inBucket >= rank) return (lower + ((rank - below) / inBucket) * (upper - lower)) * 1000;
    below += inBucket;
    lower = upper;
  }
  return lower * 1000;
}
for (const p of [50, 95, 99]) {
  console.log(`p${p}: exact ${nearestRank(p)} ms, estimated from buckets ${fromBuckets(p).toFixed(0)} ms`);
}

// --- a snapshot of the queue, and the gauges to alert on ----------------------
const now = clock.now();
type Snapshot = { id: string; state: "waiting" | "active"; enqueuedAt: number; runAt: number; lockExpiresAt?: number };
const jobs: Snapshot[] = [
  { id: "email-201", state: "waiting", enqueuedAt: now - 1_200, runAt: now - 1_200 },
  { id: "email-202", state: "waiting", enqueuedAt: now - 400, runAt: now - 400 },
  { id: "digest-7", state: "waiting", enqueuedAt: now - 3_600_000, runAt: now - 5_000 }, // delayed 1 h, due 5 s ago
  { id: "reminder-1", state: "waiting", enqueuedAt: now - 1_000, runAt: now + 60_000 },
  { id: "reminder-2", state: "waiting", enqueuedAt: now - 1_000, runAt: now + 120_000 },
  { id: "reminder-3", state: "waiting", enqueuedAt: now - 1_000, runAt: now + 86_400_000 },
  { id: "email-199", state: "active", enqueuedAt: now - 900, runAt: now - 900, lockExpiresAt: now + 25_000 },
  { id: "email-150", state: "active", enqueuedAt: now - 90_000, runAt: now - 90_000, lockExpiresAt: now - 12_000 },
];
const ready = jobs.filter((j) => j.state === "waiting" && j.runAt <= now);
const delayed = jobs.filter((j) => j.state === "waiting" && j.runAt > now);
const active = jobs.filter((j) => j.state === "active");
const stalled = active.filter((j) => j.lockExpiresAt !== undefined && j.lockExpiresAt <= now);
const oldestReadyMs = Math.max(0, ...ready.map((j) => now - Math.max(j.enqueuedAt, j.runAt)));

const gauge = (name: string, help: string, value: number) =>
  new Gauge({ name, help, labelNames: ["queue"], registers: [registry] }).set({ queue: "emails" }, value);
gauge("queue_ready_jobs", "Waiting jobs that are due (the real backlog)", ready.length);
gauge("queue_delayed_jobs", "Waiting jobs scheduled for later", delayed.length);
gauge("queue_stalled_jobs", "Active jobs whose lock expired", stalled.length);
gauge("queue_oldest_ready_age_seconds", "How long the oldest ready job has waited", oldestReadyMs / 1000);
for (const job of stalled) {
  log.warn({ queue: "emails", jobId: job.id, lockExpiredMsAgo: now - job.lockExpiresAt! }, "job stalled: its worker stopped renewing the lock");
}
console.log(`\nwaiting jobs: ${ready.length + delayed.length}, of which ready ${ready.length} and delayed ${delayed.length}; active ${active.length}, stalled ${stalled.length}`);
console.log(`oldest ready job: ${oldestReadyMs} ms (digest-7 became due 5 s ago; it was enqueued an hour ago)`);

console.log("\n--- GET /metrics ---");
console.log((await registry.metrics()).trimEnd());
