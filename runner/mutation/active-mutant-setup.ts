// Hands Stryker's active mutant to the processes a hidden test starts. Stryker's
// vitest runner switches mutants through a global inside the test worker, which
// a child process (spawnTs: sqlite-queue, leases-stalled, graceful-shutdown,
// the capstone) never sees; the instrumented code also reads
// __STRYKER_ACTIVE_MUTANT__ from the environment, and children inherit it.
// Stryker's own setup file runs first and sets the global in its beforeAll.
import { beforeAll } from "vitest";

const VARIABLE = "__STRYKER_ACTIVE_MUTANT__";

beforeAll(() => {
  const active = (globalThis as { __stryker__?: { activeMutant?: string | number } }).__stryker__?.activeMutant;
  if (active === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = String(active);
});
