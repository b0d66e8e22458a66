// Part 1: "5 per second" as a fixed window and as a token bucket, hit by a burst
// that straddles a window boundary. Part 2: a worker that waits for tokens, and
// an upstream that answers 429 with Retry-After. All time comes from a FakeClock.

import { FakeClock, type Clock } from "#kit/clock.ts";

// --- two limiters with the same nominal limit --------------------------------

/** Counts calls per aligned window of `windowMs`; the counter resets at each boundary. */
function fixedWindow(max: number, windowMs: number, clock: Clock) {
  let window = -1;
  let count = 0;
  return () => {
    const current = Math.floor(clock.now() / windowMs);
    if (current !== window) {
      window = current;
      count = 0;
    }
    if (count >= max) return false;
    count++;
    return true;
  };
}

/** Holds up to `capacity` tokens and earns `perSecond` of them per second, continuously. */
function tokenBucket(capacity: number, perSecond: number, clock: Clock) {
  let tokens = capacity;
  let last = clock.now();
  const refill = () => {
    tokens = Math.min(capacity, tokens + ((clock.now() - last) * perSecond) / 1000);
    last = clock.now();
  };
  return {
    tryTake(): boolean {
      refill();
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    msUntilToken(): number {
      refill();
      return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) * 1000) / perSecond);
    },
  };
}

/** The most allowed calls inside any window of `ms` (windows start at an allowed call). */
function worstWindow(times: number[], ms: number): number {
  return Math.max(0, ...times.map((t) => times.filter((u) => u >= t && u < t + ms).length));
}

async function boundaryBurst(): Promise<void> {
  const clock = new FakeClock();
  const fixed = fixedWindow(5, 1000, clock);
  const bucket = tokenBucket(5, 5, clock);
  const arrivals = [955, 960, 965, 970, 975, 1000, 1005, 1010, 1015, 1020, 1200, 1500];
  const allowed = { fixed: [] as number[], bucket: [] as number[] };
  console.log("limit: 5 per second; a burst arrives around the 1-second boundary");
  console.log("   time  fixed window   token bucket (5 tokens, 5/s)");
  for (const at of arrivals) {
    await clock.advance(at - clock.now());
    const f = fixed();
    const b = bucket.tryTake();
    if (f) allowed.fixed.push(at);
    if (b) allowed.bucket.push(at);
    const show = (ok: boolean) => (ok ? "allowed" : "denied ").padEnd(15);
    console.log(`${String(at).padStart(7)}  ${show(f)}${show(b)}`.trimEnd());
  }
  console.log(`most calls in any 1000 ms: fixed window ${worstWindow(allowed.fixed, 1000)}, token bucket ${worstWindow(allowed.bucket, 1000)}`);
  console.log(`the bucket's promise: any T ms holds at most 5 + 5 x T/1000 calls (10 for T = 1000, 5 for T = 65)`);
  console.log(`between 955 and 1020 (65 ms): fixed ${allowed.fixed.filter((t) => t >= 955 && t <= 1020).length}, bucket ${allowed.bucket.filter((t) => t >= 955 && t <= 1020).length}`);
}

// --- a worker that waits for tokens ------------------------------------------

class TooManyRequests extends Error {
  constructor(readonly retryAfterMs: number) {
    super(`429, Retry-After ${retryAfterMs} ms`);
  }
}

async function workerBehindLimiter(): Promise<void> {
  const clock = new FakeClock();
  const bucket = tokenBucket(2, 2, clock); // a burst of 2, then one job every 500 ms
  const jobs = ["sync-1", "sync-2", "sync-3", "sync-4", "sync-5", "sync-6"].map((id) => ({ id, attemptsMade: 0 }));
  let upstreamSaid429 = false;

  // The fake upstream API: the first call for sync-3 is refused with Retry-After 1200 ms.
  async function callApi(id: string): Promise<void> {
    await clock.sleep(50);
    if (id === "sync-3" && !upstreamSaid429) {
      upstreamSaid429 = true;
      throw new TooManyRequests(1200);
    }
  }

  /** One job at a time: wait for the upstream's pause, then for a token, then call. */
  async function drain(line: Array<{ id: string; attemptsMade: number }>): Promise<void> {
    let pausedUntil = 0;
    while (line.length > 0) {
      const now = clock.now();
      if (now < pausedUntil) {
        console.log(`t=${String(now).padStart(4)}  paused by the upstream until ${pausedUntil}`);
        await clock.sleep(pausedUntil - now);
        continue;
      }
      if (!bucket.tryTake()) {
        const wait = bucket.msUntilToken();
        console.log(`t=${String(now).padStart(4)}  no token: ${line[0]!.id} waits ${wait} ms (not an attempt)`);
        await clock.sleep(wait);
        continue;
      }
      const job = line.shift()!;
      const attempt = job.attemptsMade + 1;
      console.log(`t=${String(now).padStart(4)}  ${job.id} starts, attempt ${attempt}`);
      try {
        await callApi(job.id);
        job.attemptsMade = attempt;
      } catch (error) {
        if (!(error instanceof TooManyRequests)) throw error;
        pausedUntil = clock.now() + error.retryAfterMs;
        line.unshift(job); // back to the front of the line, attempt not spent
        console.log(`t=${String(clock.now()).padStart(4)}  ${job.id} got ${error.message}: back to the front, attempt not spent`);
      }
    }
  }

  console.log("\nworker: 6 jobs at t=0, bucket of 2 tokens refilling 2/s, one job at a time, 50 ms per call");
  const finished = drain([...jobs]);
  await clock.runAll(); // the fake clock moves only when told to
  await finished;
  console.log(`attemptsMade: ${jobs.map((j) => `${j.id}=${j.attemptsMade}`).join(" ")}`);
}

await boundaryBurst();
await workerBehindLimiter();
