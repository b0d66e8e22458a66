// queuecraft:hidden-or-solution — never in a student edition
// Alternative: a class whose run() starts tasks a microtask later (never synchronously), calls task() in a promise chain instead of try/finally, releases the slot BEFORE settling run()'s promise, and keeps the per-group counts in a null-prototype object.

export interface GroupLimiterOptions {
  maxActive: number;
  maxPerGroup: number;
}

export interface LimiterStats {
  active: number;
  waiting: number;
  activeByGroup: Record<string, number>;
}

export interface GroupLimiter {
  run<T>(group: string, task: () => Promise<T>): Promise<T>;
  stats(): LimiterStats;
}

interface Waiter {
  group: string;
  begin: () => void;
}

class Limiter implements GroupLimiter {
  private readonly queue: Waiter[] = [];
  private readonly perGroup: Record<string, number> = Object.create(null) as Record<string, number>;
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly maxActive: number,
    private readonly maxPerGroup: number,
  ) {}

  run<T>(group: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        group,
        begin: () => {
          // Counted before task() is called; task() runs inside then(), so a synchronous throw becomes a rejection.
          Promise.resolve()
            .then(task)
            .then(
              (value) => {
                this.release(group);
                resolve(value);
              },
              (error: unknown) => {
                this.release(group);
                reject(error);
              },
            );
        },
      });
      this.schedule();
    });
  }

  stats(): LimiterStats {
    const activeByGroup: Record<string, number> = {};
    for (const group of Object.keys(this.perGroup)) {
      Object.defineProperty(activeByGroup, group, { value: this.perGroup[group], enumerable: true, writable: true, configurable: true });
    }
    return { active: this.running, waiting: this.queue.length, activeByGroup };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    let i = 0;
    while (i < this.queue.length && this.running < this.maxActive) {
      const waiter = this.queue[i]!;
      const count = this.perGroup[waiter.group] ?? 0;
      if (count >= this.maxPerGroup) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      this.running++;
      this.perGroup[waiter.group] = count + 1;
      waiter.begin();
    }
  }

  private release(group: string): void {
    this.running--;
    const left = this.perGroup[group]! - 1;
    if (left === 0) delete this.perGroup[group];
    else this.perGroup[group] = left;
    this.schedule();
  }
}

export function createGroupLimiter({ maxActive, maxPerGroup }: GroupLimiterOptions): GroupLimiter {
  for (const [name, value] of [["maxActive", maxActive], ["maxPerGroup", maxPerGroup]] as const) {
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1, got ${String(value)}`);
  }
  return new Limiter(maxActive, maxPerGroup);
}
