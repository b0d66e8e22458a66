// Time, injected. Lessons and challenges take a `Clock` instead of calling
// Date.now() and setTimeout directly, so an experiment prints the same output on
// every run and a hidden test can jump an hour ahead in a microsecond.

export type TimerId = number | NodeJS.Timeout;

export interface Clock {
  /** Milliseconds since an arbitrary epoch (0 for a fresh FakeClock). */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerId;
  clearTimeout(id: TimerId): void;
  /** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

interface Timer {
  id: number;
  at: number;
  callback: () => void;
}

/** Lets every promise continuation that is already queued run to completion. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock that only moves when told to. Timers due at the same instant fire in
 * the order they were set, and the promise continuations each one triggers run
 * before the next timer fires, exactly as they would on a real event loop.
 */
export class FakeClock implements Clock {
  #now: number;
  #nextId = 1;
  #timers: Timer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): number {
    const id = this.#nextId++;
    const at = this.#now + Math.max(0, ms);
    // Keep the list sorted by (at, id) so firing order is deterministic.
    let index = this.#timers.length;
    while (index > 0 && this.#timers[index - 1]!.at > at) index--;
    this.#timers.splice(index, 0, { id, at, callback });
    return id;
  }

  clearTimeout(id: TimerId): void {
    this.#timers = this.#timers.filter((timer) => timer.id !== id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.clearTimeout(id);
        reject(signal!.reason);
      };
      const id = this.setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** Number of timers still waiting to fire. */
  get pendingTimers(): number {
    return this.#timers.length;
  }

  /** When the next timer is due, or undefined if none is set. */
  get nextTimerAt(): number | undefined {
    return this.#timers[0]?.at;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way
   * (including timers set by those timers), each at its own instant.
   */
  async advance(ms: number): Promise<void> {
    const target = this.#now + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.#timers[0];
      if (!next || next.at > target) break;
      this.#timers.shift();
      this.#now = next.at;
      next.callback();
      await flushMicrotasks();
    }
    this.#now = target;
    await flushMicrotasks();
  }

  /** Fires timers until none are left; throws if they keep rescheduling themselves. */
  async runAll(maxTimers = 100_000): Promise<void> {
    await flushMicrotasks();
    for (let fired = 0; this.#timers.length > 0; fired++) {
      if (fired >= maxTimers) {
        throw new Error(`FakeClock.runAll: still ${this.#timers.length} timer(s) after firing ${maxTimers}; something reschedules forever`);
      }
      await this.advance(this.#timers[0]!.at - this.#now);
    }
  }
}

/** The real clock, for production code paths. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (id) => clearTimeout(id),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal!.reason);
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};
