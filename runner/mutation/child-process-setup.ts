// Makes Stryker's vitest runner work with hidden tests that start processes
// (spawnTs: sqlite-queue, leases-stalled, graceful-shutdown, the capstone).
//
// 1. The active mutant reaches the children. Stryker switches mutants through
//    a global inside the vitest worker, which a child process never sees; the
//    instrumented code also reads __STRYKER_ACTIVE_MUTANT__ from the
//    environment, and children inherit it. Stryker's setup file runs before this
//    one and sets the global at load (static mutants) or in its beforeAll.
// 2. No coverage from the initial run, when the mutation command asks
//    (QUEUECRAFT_MUTATION_COVERAGE=off). The vitest runner reports the coverage
//    it counted in the worker even with coverageAnalysis "off", and Stryker then
//    runs each mutant only with the tests that reached it there: a test whose
//    work happens in a child reaches nothing, so it never ran for any mutant, and
//    code that only a child runs was reported as "no coverage". Without coverage,
//    every mutant runs every test (stopping at its first failure).
import { beforeAll, inject } from "vitest";

const VARIABLE = "__STRYKER_ACTIVE_MUTANT__";
type StrykerGlobal = { activeMutant?: string | number; mutantCoverage?: unknown };
const strykerGlobal = () => (globalThis as { __stryker__?: StrykerGlobal }).__stryker__;

beforeAll(() => {
  const active = strykerGlobal()?.activeMutant;
  if (active === undefined) delete process.env[VARIABLE];
  else process.env[VARIABLE] = String(active);
});

const mode = (inject as (key: string) => unknown)("mode");
const ns = strykerGlobal();
if (mode === "dry-run" && ns && process.env.QUEUECRAFT_MUTATION_COVERAGE === "off") {
  // The instrumented code fills what it reads here; Stryker's afterAll reports what it reads here.
  Object.defineProperty(ns, "mutantCoverage", { configurable: true, get: () => undefined, set: () => {} });
}
