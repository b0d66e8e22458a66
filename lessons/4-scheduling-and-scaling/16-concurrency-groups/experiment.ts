// Three tenants share three worker slots. Tenant acme has just bulk-imported
// five slow jobs; beta and gamma have a few quick ones. The same jobs go through
// three dispatchers, on a fake clock, and we print when each job starts.

import { FakeClock } from "#kit/clock.ts";

interface Job {
  name: string;
  tenant: string;
  ms: number;
  fails?: boolean;
}

const jobs: Job[] = [
  ...[1, 2, 3, 4, 5].map((i) => ({ name: `acme-${i}`, tenant: "acme", ms: 300 })),
  { name: "beta-1", tenant: "beta", ms: 100, fails: true },
  { name: "beta-2", tenant: "beta", ms: 100 },
  { name: "gamma-1", tenant: "gamma", ms: 100 },
];

type Policy = "global-only" | "head-of-line" | "skip-full-groups";

interface Options {
  policy: Policy;
  maxActive: number;
  maxPerTenant: number;
  /** Where the slot is given back: in `finally` (always) or only after success. */
  release: "finally" | "on-success";
}

async function simulate(options: Options) {
  const clock = new FakeClock();
  const waiting = [...jobs];
  const perTenant = new Map<string, number>();
  let active = 0;
  const startsAt = new Map<number, string[]>();
  const startedAt = new Map<string, number>();

  const canStart = (job: Job) =>
    active < options.maxActive && (options.policy === "global-only" || (perTenant.get(job.tenant) ?? 0) < options.maxPerTenant);

  const release = (job: Job) => {
    active--;
    perTenant.set(job.tenant, perTenant.get(job.tenant)! - 1);
    dispatch();
  };

  const start = async (job: Job) => {
    active++;
    perTenant.set(job.tenant, (perTenant.get(job.tenant) ?? 0) + 1);
    startedAt.set(job.name, clock.now());
    startsAt.set(clock.now(), [...(startsAt.get(clock.now()) ?? []), job.name]);
    try {
      await clock.sleep(job.ms);
      if (job.fails) throw new Error(`${job.name} failed`);
      if (options.release === "on-success") release(job);
    } catch {
      // a real worker would record the failure and maybe retry it later
    } finally {
      if (options.release === "finally") release(job);
    }
  };

  function dispatch(): void {
    for (let i = 0; i < waiting.length; ) {
      const job = waiting[i]!;
      if (canStart(job)) {
        waiting.splice(i, 1);
        void start(job);
      } else if (options.policy === "head-of-line") {
        break; // the oldest job's tenant is full: everyone behind it waits
      } else {
        i++;
      }
    }
  }

  dispatch();
  await clock.runAll();
  for (const [t, names] of startsAt) console.log(`  t=${String(t).padStart(4)}  start ${names.join(", ")}`);
  const never = waiting.map((j) => j.name);
  if (never.length > 0) console.log(`  never started: ${never.join(", ")} (${active} slot(s) still counted as busy)`);
  const smallTenants = ["beta-1", "beta-2", "gamma-1"].map((n) => `${n} ${startedAt.has(n) ? `${startedAt.get(n)} ms` : "never"}`);
  console.log(`  small tenants waited: ${smallTenants.join(", ")}`);
  const work = jobs.filter((j) => startedAt.has(j.name)).reduce((sum, j) => sum + j.ms, 0);
  const percent = Math.round((100 * work) / (options.maxActive * clock.now()));
  console.log(`  last job done at t=${clock.now()}, slots busy ${percent}% of that time`);
}

console.log("== 1. Global limit only: 3 slots, first come first served ==");
await simulate({ policy: "global-only", maxActive: 3, maxPerTenant: 3, release: "finally" });

console.log("\n== 2. Per-tenant limit 1, but the dispatcher stops at the first job that cannot start ==");
await simulate({ policy: "head-of-line", maxActive: 3, maxPerTenant: 1, release: "finally" });

console.log("\n== 3. Per-tenant limit 1, full tenants are stepped over ==");
await simulate({ policy: "skip-full-groups", maxActive: 3, maxPerTenant: 1, release: "finally" });

console.log("\n== 4. As 3, but the slot is released only after a success ==");
await simulate({ policy: "skip-full-groups", maxActive: 3, maxPerTenant: 1, release: "on-success" });
