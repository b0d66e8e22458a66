// queuecraft:hidden-or-solution — never in a student edition
// Reference solution: nearest-rank percentiles and a one-pass queue snapshot.

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError("percentile of an empty list is undefined");
  if (!(p > 0 && p <= 100)) throw new RangeError(`p must be in (0, 100], got ${p}`);
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p * sorted.length) / 100);
  return sorted[rank - 1]!;
}

export type JobState = "waiting" | "active" | "completed" | "failed";

export interface JobRecord {
  id: string;
  state: JobState;
  enqueuedAt: number;
  runAt: number;
  lockExpiresAt?: number;
}

export interface QueueStats {
  depth: number;
  delayed: number;
  active: number;
  stalled: number;
  oldestReadyAgeMs: number;
}

export function queueStats(jobs: readonly JobRecord[], now: number): QueueStats {
  const stats: QueueStats = { depth: 0, delayed: 0, active: 0, stalled: 0, oldestReadyAgeMs: 0 };
  for (const job of jobs) {
    if (job.state === "waiting") {
      if (job.runAt > now) {
        stats.delayed++;
        continue;
      }
      stats.depth++;
      const readySince = Math.max(job.enqueuedAt, job.runAt);
      stats.oldestReadyAgeMs = Math.max(stats.oldestReadyAgeMs, now - readySince);
    } else if (job.state === "active") {
      stats.active++;
      if (job.lockExpiresAt !== undefined && job.lockExpiresAt <= now) stats.stalled++;
    }
  }
  return stats;
}
