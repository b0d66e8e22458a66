// queuecraft:hidden-or-solution — never in a student edition
// Global and per-group concurrency: the reference solution. One FIFO list of
// waiting tasks; whenever a slot frees, the oldest waiting task whose group has
// room starts (tasks of a full group are stepped over, never waited behind),
// and a task's slot is released in `finally`, exactly once, however it ends.

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

interface Entry {
  group: string;
  task: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

function checkLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
}

export function createGroupLimiter({ maxActive, maxPerGroup }: GroupLimiterOptions): GroupLimiter {
  checkLimit("maxActive", maxActive);
  checkLimit("maxPerGroup", maxPerGroup);
  const waiting: Entry[] = [];
  const activeByGroup = new Map<string, number>();
  let active = 0;

  const hasRoom = (group: string) => active < maxActive && (activeByGroup.get(group) ?? 0) < maxPerGroup;

  function pump(): void {
    for (let i = 0; i < waiting.length; ) {
      const entry = waiting[i]!;
      if (hasRoom(entry.group)) {
        waiting.splice(i, 1);
        void start(entry);
      } else {
        i++; // this group is full: look further down the list
      }
    }
  }

  function release(group: string): void {
    active--;
    const left = activeByGroup.get(group)! - 1;
    if (left === 0) activeByGroup.delete(group);
    else activeByGroup.set(group, left);
    pump();
  }

  async function start(entry: Entry): Promise<void> {
    active++;
    activeByGroup.set(entry.group, (activeByGroup.get(entry.group) ?? 0) + 1);
    try {
      entry.resolve(await entry.task());
    } catch (error) {
      entry.reject(error);
    } finally {
      release(entry.group);
    }
  }

  return {
    run<T>(group: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ group, task, resolve: resolve as (value: unknown) => void, reject });
        pump();
      });
    },
    stats(): LimiterStats {
      return { active, waiting: waiting.length, activeByGroup: Object.fromEntries(activeByGroup) };
    },
  };
}
