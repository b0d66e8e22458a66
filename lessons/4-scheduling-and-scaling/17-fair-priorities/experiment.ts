// Three ways to choose the next queue when one worker serves three queues.
// "critical" is flooded (two new jobs arrive per job the worker can finish), so
// it never runs dry; "default" and "low" start with a backlog big enough to
// last the whole run if they get their fair share.
// One pick = one job = 100 ms on a fake clock.

import { FakeClock } from "#kit/clock.ts";
import { createRandom, type Random } from "#kit/random.ts";

type Name = "critical" | "default" | "low";
const NAMES: Name[] = ["critical", "default", "low"];
const WEIGHTS: Record<Name, number> = { critical: 3, default: 2, low: 1 };
const W = 6; // sum of the weights
const PICKS = 36;
const LETTER: Record<Name, string> = { critical: "C", default: "D", low: "L" };

/** A policy looks at which queues have work and names the one to serve. */
type Policy = (hasWork: (name: Name) => boolean) => Name | null;

// 1. Strict priority: the first queue (in importance order) with work wins.
const strict: Policy = (hasWork) => NAMES.find(hasWork) ?? null;

// 2. Sidekiq's weighted fetch: a list with each queue repeated `weight` times is
//    shuffled before every fetch, duplicates are dropped, and the first queue in
//    that order that has work wins. Right on average, random in the short run.
function sidekiqWeighted(random: Random): Policy {
  const raffle = NAMES.flatMap((name) => Array<Name>(WEIGHTS[name]).fill(name));
  return (hasWork) => {
    const shuffled = [...raffle];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    return [...new Set(shuffled)].find(hasWork) ?? null;
  };
}

// 3. Classic weighted round-robin: serve each queue `weight` times in a row,
//    then move on. Exact per round, but the turns come in bursts.
function burstRoundRobin(): Policy {
  let cursor = 0;
  let used = 0;
  return (hasWork) => {
    if (!NAMES.some(hasWork)) return null;
    for (;;) {
      const name = NAMES[cursor]!;
      if (hasWork(name) && used < WEIGHTS[name]) {
        used++;
        return name;
      }
      cursor = (cursor + 1) % NAMES.length;
      used = 0;
    }
  };
}

async function simulate(label: string, policy: Policy): Promise<void> {
  const clock = new FakeClock();
  // Each queue holds the enqueue times of its waiting jobs.
  const queues: Record<Name, number[]> = { critical: [], default: Array(16).fill(0), low: Array(10).fill(0) };
  let trace = "";
  const done: Record<Name, number> = { critical: 0, default: 0, low: 0 };
  const lowServedAt: number[] = [];
  for (let pick = 0; pick < PICKS; pick++) {
    queues.critical.push(clock.now(), clock.now()); // the flood
    const name = policy((n) => queues[n].length > 0);
    if (name === null) break;
    queues[name].shift();
    if (name === "low") lowServedAt.push(clock.now());
    done[name]++;
    trace += LETTER[name];
    await clock.advance(100);
  }
  console.log(`${label}`);
  console.log(`  picks   ${trace.match(/.{1,6}/g)!.join(" ")}`);
  const windows = trace.match(/.{6}/g)!.map((w) => NAMES.map((n) => [...w].filter((c) => c === LETTER[n]).length).join("/"));
  console.log(`  per 6   ${windows.join(" ")}   (C/D/L; weights say 3/2/1)`);
  console.log(`  done    critical ${done.critical}, default ${done.default}, low ${done.low}`);
  if (lowServedAt.length === 0) {
    console.log(`  low     never served; its oldest job has waited ${clock.now()} ms and counting`);
  } else {
    const gaps = lowServedAt.slice(1).map((t, i) => t - lowServedAt[i]!);
    console.log(`  low     first served at ${lowServedAt[0]} ms, longest gap between low jobs ${Math.max(...gaps)} ms`);
  }
}

console.log(`weights critical:3 default:2 low:1, ${PICKS} picks, critical never runs dry\n`);
await simulate("strict priority (BullMQ priorities inside one queue, Sidekiq strict order)", strict);
console.log();
await simulate("weighted random (Sidekiq -q critical,3 -q default,2 -q low,1)", sidekiqWeighted(createRandom()));
console.log();
await simulate("weighted round-robin, in bursts", burstRoundRobin());
console.log();
console.log(`window of ${W} picks: strict gives 6/0/0 forever; random is right only on average;`);
console.log("round-robin is exact in every window. The challenge asks for exact AND smooth.");
