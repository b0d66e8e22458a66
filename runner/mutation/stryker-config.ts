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
  /** Relative to the course root, like everything Stryker is given. */
  reportDir: string;
  /** Stryker's temp folder (sandboxes), one per run so two runs never share it. */
  tempDir: string;
  concurrency: number;
  coverageAnalysis: "perTest" | "off";
  /** Re-test every mutant, ignoring the incremental file. */
  force: boolean;
}

/** Written beside the reports; its path never exists, see below. */
export const NO_TSCONFIG = "runner/mutation/no-tsconfig.json";

/**
 * Per-test coverage makes Stryker run only the tests that reach a mutant, but
 * it is counted inside the vitest worker: code that runs only in a child process
 * (spawnTs) would look uncovered, and its mutants would be reported as
 * survivors without ever being tested. Hidden tests that start processes get
 * every test for every mutant instead (stopping at the first failure).
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
    // The sandbox is a copy of only what the hidden tests load, with the same
    // relative layout, so the harness grades the instrumented solution there.
    // Everything else (.queuecraft's caches, workspace/, fixtures) stays out.
    ignorePatterns: [
      "**",
      "!package.json",
      "!tsconfig.json",
      "!lessons/**",
      `!solutions/${target.folder}/**`,
      "!test/hidden/_harness/**",
      `!test/hidden/${target.folder}/**`,
      // spawnTs bundles child processes with runner/bundle.ts.
      "!runner/**/*.ts",
      "runner/dist",
    ],
    // Stryker rewrites tsconfig.json's paths with the TypeScript compiler API,
    // which TypeScript 7 (the native compiler this course uses) does not have.
    // The course's tsconfig has nothing to rewrite (no extends, no references),
    // so Stryker is pointed at a file that does not exist, and copies it as is.
    tsconfigFile: NO_TSCONFIG,
    // Nothing type-checks the sandbox (no checker plugin), so nothing to disable.
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
    tempDirName: options.tempDir,
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
