// queuecraft:hidden-or-solution — never in a student edition
// Closures; each waiting entry carries its own start() closure; a scan counts every startable entry first, rebuilds the waiting list with filter(), then starts them (task() called inside try, so a synchronous throw becomes a rejection).
export interface GroupLimiterOptions { maxActive: number; maxPerGroup: number }
export interface LimiterStats { active: number; waiting: number; activeByGroup: Record<string, number> }
export interface GroupLimiter {
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
  stats(): LimiterStats;
}

interface Waiting {
  group: string;
  start: () => void;
}

function checkLimit(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

export function createGroupLimiter(options: GroupLimiterOptions): GroupLimiter {
  const maxActive = checkLimit("maxActive", options?.maxActive);
  const maxPerGroup = checkLimit("maxPerGroup", options?.maxPerGroup);
  let active = 0;
  const perGroup = new Map<string, number>();
  let waiting: Waiting[] = [];

  const groupCount = (group: string) => perGroup.get(group) ?? 0;

  function release(group: string): void {
    active--;
    const left = groupCount(group) - 1;
    if (left === 0) perGroup.delete(group);
    else perGroup.set(group, left);
    schedule();
  }

  function schedule(): void {
    if (waiting.length === 0 || active >= maxActive) return;
    const started = new Set<Waiting>();
    for (const entry of waiting) {
      if (active >= maxActive) break;
      if (groupCount(entry.group) >= maxPerGroup) continue;
      active++;
      perGroup.set(entry.group, groupCount(entry.group) + 1);
      started.add(entry);
    }
    if (started.size === 0) return;
    waiting = waiting.filter((entry) => !started.has(entry));
    for (const entry of started) entry.start();
  }

  return {
    run<T>(group: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({
          group,
          start: () => {
            let settled: Promise<T>;
            try {
              settled = Promise.resolve(task());
            } catch (error) {
              settled = Promise.reject(error);
            }
            settled.then(
              (value) => {
                release(group);
                resolve(value);
              },
              (error: unknown) => {
                release(group);
                reject(error);
              },
            );
          },
        });
        schedule();
      });
    },
    stats() {
      return {
        active,
        waiting: waiting.length,
        activeByGroup: Object.fromEntries(perGroup),
      };
    },
  };
}
