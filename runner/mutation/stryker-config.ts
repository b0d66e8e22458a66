// The Stryker configuration for one challenge, as data: mutate only the
// reference solution, run only that lesson's hidden tests, keep the reports
// and the incremental file per challenge. Every choice that is not Stryker's
// default is here, with its reason. Pure, so the choices are tested.

export interface ChallengeTarget {
  id: string;
  /** "3-durable-queues/12-sqlite-queue" */
  folder: string;
}

export interface ConfigOptions {
  /** Where the reports and the incremental file go: absolute, in the checkout, outside the snapshot. */
  reportDir: string;
  concurrency: number;
  coverageAnalysis: "perTest" | "off";
  /** Re-test every mutant, ignoring the incremental file. */
  force: boolean;
}

/**
 * What a challenge's hidden tests load, relative to the course root: Stryker
 * runs in a private copy of these (a snapshot), in the course's layout, so the
 * harness grades the instrumented solution there, and edits others make to the
 * checkout meanwhile (a test file added, renamed or deleted) cannot break or
 * blur the run. `runner` is only its TypeScript (spawnTs bundles children with
 * runner/process/bundle.ts; the mutation vitest config lives there), not dist/.
 */
export function snapshotEntries(folder: string): string[] {
  return ["package.json", "tsconfig.json", "lessons", "runner", "test/hidden/_harness", `test/hidden/${folder}`, `solutions/${folder}`];
}

/** Does a file under a snapshot entry belong in the snapshot? */
export function inSnapshot(relativePath: string, isDirectory: boolean): boolean {
  const parts = relativePath.split("/");
  if (parts[0] !== "runner") return true;
  if (parts[1] === "dist") return false;
  return isDirectory || relativePath.endsWith(".ts");
}

/**
 * Per-test coverage makes Stryker run only the tests that reach a mutant, but
 * it is counted inside the vitest worker: a test whose work happens in a child
 * process (spawnTs) reaches nothing and would never run, and code only a child
 * runs would be reported as uncovered. Hidden tests that start processes get
 * every test for every mutant instead (stopping at the first failure); the
 * vitest runner reports coverage even when told "off", so
 * runner/mutation/child-process-setup.ts withholds it (see there).
 */
export function coverageAnalysisFor(hiddenTestSources: readonly string[]): "perTest" | "off" {
  const startsProcesses = hiddenTestSources.some((source) => /#kit\/spawn-ts\b|\bnode:child_process\b|\bworker_threads\b/.test(source));
  return startsProcesses ? "off" : "perTest";
}

export function strykerConfig(target: ChallengeTarget, options: ConfigOptions): Record<string, unknown> {
  const solution = `solutions/${target.folder}/challenge.ts`;
  return {
    testRunner: "vitest",
    plugins: ["@stryker-mutator/vitest-runner"],
    // `related: false`: the hidden test imports the candidate through a computed
    // path (test/hidden/_harness/candidate.ts), which vitest's related-file search
    // cannot follow. The config narrows the run to this lesson's folder instead.
    vitest: { configFile: "runner/mutation/vitest.config.ts", related: false },
    mutate: [solution],
    // The snapshot is already a private copy: Stryker instruments it where it
    // is instead of copying it once more into a sandbox. That also skips
    // Stryker's tsconfig rewriting, which needs the TypeScript compiler API that
    // TypeScript 7 (the native compiler this course uses) does not have.
    inPlace: true,
    // Spawned children bundle into the snapshot's .queuecraft/cache; never read as source.
    ignorePatterns: ["/.queuecraft"],
    // Nothing type-checks the instrumented code (no checker plugin), so nothing to disable.
    disableTypeChecks: false,
    checkers: [],
    coverageAnalysis: options.coverageAnalysis,
    concurrency: options.concurrency,
    // A loaded 2-core machine: a mutant is a timeout only after its tests took
    // 1.5 × their normal time plus 10 s, so a slow run is not scored as a kill.
    timeoutMS: 10_000,
    timeoutFactor: 1.5,
    incremental: true,
    incrementalFile: `${options.reportDir}/incremental.json`,
    force: options.force,
    reporters: ["html", "json", "progress-append-only"],
    htmlReporter: { fileName: `${options.reportDir}/index.html` },
    jsonReporter: { fileName: `${options.reportDir}/mutation.json` },
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    // The command computes the score (with equivalent mutants) and decides the exit code.
    thresholds: { high: 90, low: 80, break: null },
    logLevel: "info",
    fileLogLevel: "off",
  };
}

interface IncrementalMutant {
  status?: string;
}

/**
 * Stryker reuses a surviving mutant's result unless a test was added, and with
 * coverage analysis off it reuses every result, whatever changed in the tests.
 * When the hidden tests changed since the last run, the results of mutants no
 * test killed are dropped from the incremental file, so they are tested again;
 * killed ones stay (a test made stronger still kills them; `--force` re-tests all).
 */
export function forgetUnkilled<Report extends { files?: Record<string, { mutants?: IncrementalMutant[] }> }>(report: Report): { report: Report; forgotten: number } {
  let forgotten = 0;
  const files: Record<string, { mutants?: IncrementalMutant[] }> = {};
  for (const [name, file] of Object.entries(report.files ?? {})) {
    const mutants = (file.mutants ?? []).filter((mutant) => mutant.status === "Killed");
    forgotten += (file.mutants ?? []).length - mutants.length;
    files[name] = { ...file, mutants };
  }
  return { report: { ...report, files }, forgotten };
}
