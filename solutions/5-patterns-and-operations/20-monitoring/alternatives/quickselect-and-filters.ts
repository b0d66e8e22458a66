// queuecraft:hidden-or-solution — never in a student edition
// Alternative: the percentile by quickselect on a Float64Array copy (no full sort, integer rank arithmetic), and the stats as separate filter passes instead of one loop.
export function percentile(values: readonly number[], p: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError("no values");
  if (Number.isNaN(p) || p <= 0 || p > 100) throw new RangeError(`p out of range: ${p}`);
  const rank = Math.ceil((p * n) / 100);
  const k = Math.min(n, Math.max(1, rank)) - 1; // 0-based index of the answer in sorted order
  const a = Float64Array.from(values);
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
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
  const due = jobs.filter((job) => job.state === "waiting" && !(job.runAt > now));
  const notDue = jobs.filter((job) => job.state === "waiting" && job.runAt > now);
  const running = jobs.filter((job) => job.state === "active");
  const expired = running.filter((job) => typeof job.lockExpiresAt === "number" && job.lockExpiresAt <= now);
  const ages = due.map((job) => now - (job.runAt > job.enqueuedAt ? job.runAt : job.enqueuedAt));
  return {
    depth: due.length,
    delayed: notDue.length,
    active: running.length,
    stalled: expired.length,
    oldestReadyAgeMs: ages.reduce((oldest, age) => (age > oldest ? age : oldest), 0),
  };
}
