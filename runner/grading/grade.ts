// Grades candidates against hidden tests. Each (hidden test, candidate) pair
// becomes a small generated wrapper test file, so one vitest run in one child
// process can grade many candidates, several of the same lesson included
// (verify grades a lesson's stub, solution and every mutant together). The
// child reports each file as it finishes; if the run dies — a candidate that
// loops, exits, floods or leaves an unhandled error — the files that were
// running are graded again one by one and the rest in a fresh run, so one bad
// file never sinks the others.

import { existsSync, rmSync } from "node:fs";
import { speedRecord } from "../learner/atomic-file.ts";
import path from "node:path";
import { installRoot } from "../process/install-root.ts";
import type { ChildMessage, GradeJob, RawModule } from "./grade-child.ts";
import { testFilesOf, WRAPPER_DIR, writeWrapper, type GradeRequest } from "./wrapper.ts";
import { capOutput, scrubMessage, summarise, type Results, type RunError, type TestResult } from "./results.ts";
import { loadErrorKind, processEndError } from "./error-kind.ts";
import { normalisedEnv, runProcess, type Limits } from "../process/sandbox.ts";
import { scratchFolder } from "../process/scratch.ts";

export interface GradeOptions {
  root: string;
  /** Time limit for one candidate: a run that makes no progress for this long is stopped. */
  timeoutMs: number;
  /** Per-test limit inside vitest. */
  testTimeoutMs?: number;
  env?: Record<string, string>;
  /**
   * More variables, known once servers have started (REDIS_URL, DATABASE_URL):
   * the grading child loads vitest meanwhile. If it rejects, grading throws that error.
   */
  services?: Promise<Record<string, string>>;
  /** Told how long each request's hidden tests took to import and run. */
  onTimed?: (request: GradeRequest, seconds: number) => void;
  /** See GradeJob.pool. */
  pool?: "threads" | "forks";
  /**
   * The candidates are one-offs (a class's submissions): remove the wrappers
   * written for them afterwards, so grading class after class does not fill
   * the disk.
   */
  oneOff?: boolean;
  /** Told when a request's hidden tests start, for a progress line that names what is being graded. */
  onFileStarted?: (request: GradeRequest) => void;
  /** Told each time a request's hidden tests finish, for a progress bar. */
  onFileDone?: (request: GradeRequest) => void;
  /** Told when a request is graded again because its run died in a way that may have been the machine's. */
  onRegraded?: (request: GradeRequest, reason: string) => void;
}

/** The bundled grading child, built beside the CLI by runner/bin.mjs. */
export const CHILD = path.join(installRoot(), "runner", "dist", "grade-child.mjs");
/** How long each hidden test took to grade, by the runs before: the next run starts the longest first. */
const TIMES_FILE = ".queuecraft/cache/grading-times.json";

/** A hidden test's time depends on how much of it runs: each way is timed apart. */
const timeKey = (request: GradeRequest) => `${request.folder}${request.onlyTest !== undefined ? " (one test)" : request.stopAtFirstFailure ? " (until the first failure)" : ""}`;

/** Folds this run's times into the record (a running average, so one slow run on a busy machine does not decide). */
function recordTimes(root: string, seen: Map<string, number[]>): void {
  if (seen.size === 0) return;
  const file = path.join(root, TIMES_FILE);
  const times = speedRecord.read<number>(file);
  for (const [key, seconds] of seen) {
    const mean = seconds.reduce((sum, s) => sum + s, 0) / seconds.length;
    times[key] = times[key] === undefined ? mean : (times[key] + mean) / 2;
  }
  speedRecord.write(file, times);
}

/** A file that never reported back although its run ended. */
const DID_NOT_RUN: RunError = { kind: "crash", message: "The hidden tests did not run." };

export function toResults(module: RawModule | undefined, request: GradeRequest, root: string): Results {
  const scrub = (text: string) => scrubMessage(text, { candidate: request.candidate, candidateName: request.displayName, root });
  if (!module) return summarise([], DID_NOT_RUN);
  if (module.errors.length > 0) {
    return summarise([], { kind: loadErrorKind(module.errors), message: `Your challenge could not be loaded or crashed outside a test:\n${module.errors.map(scrub).join("\n")}` });
  }
  const tests: TestResult[] = module.tests
    .filter((test) => test.state !== "skipped")
    .map((test) => {
      const output = test.logs.join("");
      const failed = test.state !== "passed";
      return {
        name: test.name,
        status: failed ? "fail" : "pass",
        ...(failed ? { message: test.errors.map(scrub).join("\n") || "The test did not finish." } : {}),
        ...(output ? { output: capOutput(scrub(output)) } : {}),
      };
    });
  return summarise(tests);
}

interface BatchOutcome {
  /** Finished test files by wrapper path. */
  modules: Map<string, RawModule>;
  /** Files that had started and not finished when the run ended. */
  running: Set<string>;
  /** Set when the run completed. */
  unhandled?: Array<{ text: string; testFile?: string }>;
  failure: RunError;
  /** Why the run's death may have been the machine's rather than a candidate's; see machineCause. */
  machineCause?: string;
}

/**
 * A run killed by a signal this runner did not send (the kernel's OOM killer,
 * an operator), or whose grading child itself ran out of memory, may have died
 * for the machine's reasons: its candidate is graded once more before it is
 * given the error.
 */
function machineCause(outcome: { timedOut: boolean; flooded: boolean; signal?: string }, failure: RunError): string | undefined {
  if (outcome.timedOut || outcome.flooded) return undefined;
  if (outcome.signal) return `its grading process was killed by ${outcome.signal}`;
  if (failure.kind === "memory") return "its grading process ran out of memory";
  return undefined;
}

async function runBatch(requests: GradeRequest[], wrappers: string[], options: GradeOptions): Promise<BatchOutcome> {
  const times = speedRecord.read<number>(path.join(options.root, TIMES_FILE));
  const expected = (index: number) => times[timeKey(requests[index]!)] ?? 0;
  const longestFirst = wrappers.map((wrapper, index) => ({ wrapper, index })).sort((a, b) => expected(b.index) - expected(a.index));
  const job: GradeJob = {
    root: options.root,
    testFiles: longestFirst.map(({ wrapper }) => wrapper),
    wrapperDir: WRAPPER_DIR,
    candidates: requests.map((request) => request.candidate),
    testTimeoutMs: options.testTimeoutMs ?? 10_000,
    pool: options.pool,
  };
  const modules = new Map<string, RawModule>();
  const running = new Set<string>();
  let unhandled: BatchOutcome["unhandled"];
  const limits: Limits = { timeoutMs: options.timeoutMs, heapMb: 2048, maxOutputBytes: 1_000_000 };
  const services = options.services ?? Promise.resolve({});
  const scratch = scratchFolder();
  const run = runProcess([CHILD], {
    limits,
    cwd: options.root,
    env: normalisedEnv({ ...options.env, ...scratch.env }),
    input: services.then((env) => JSON.stringify({ ...job, env })),
    idleTimeout: true,
    ipc: (received) => {
      const message = received as ChildMessage;
      const request = (testFile: string) => requests[wrappers.indexOf(testFile)];
      if (message.type === "started") {
        running.add(message.testFile);
        const started = request(message.testFile);
        if (started) options.onFileStarted?.(started);
      } else if (message.type === "module") {
        running.delete(message.module.testFile);
        modules.set(message.module.testFile, message.module);
        const done = request(message.module.testFile);
        if (done) options.onFileDone?.(done);
      } else unhandled = message.unhandled;
    },
  });
  try {
    // Servers that did not start are the caller's failure, not the candidate's (the child is killed).
    await services;
    const outcome = await run;
    const failure = processEndError(outcome, options.timeoutMs);
    return { modules, running, unhandled, failure, machineCause: machineCause(outcome, failure) };
  } finally {
    scratch.remove();
  }
}

/**
 * Grades every request; returns results in the same order. `regrading`: these
 * requests are already a second grading after a death that may have been the
 * machine's, and get no third.
 */
export async function grade(requests: GradeRequest[], options: GradeOptions, regrading = false): Promise<Results[]> {
  for (const request of requests) {
    const missing = testFilesOf(options.root, request).find((file) => !existsSync(file));
    if (missing) throw new Error(`no tests for ${request.folder}: ${path.relative(options.root, missing)} is missing`);
  }
  if (requests.length === 0) return [];
  const copies = new Map<string, number>();
  const wrappers = requests.map((request) => {
    const copy = copies.get(request.folder) ?? 0;
    copies.set(request.folder, copy + 1);
    return writeWrapper(options.root, request, copy);
  });
  try {
    return await gradeWith(requests, wrappers, options, regrading);
  } finally {
    if (options.oneOff) for (const wrapper of wrappers) rmSync(wrapper, { force: true });
  }
}

async function gradeWith(requests: GradeRequest[], wrappers: string[], options: GradeOptions, regrading: boolean): Promise<Results[]> {
  const batch = await runBatch(requests, wrappers, options);
  const seen = new Map<string, number[]>();
  const results: Array<Results | undefined> = requests.map((request, index) => {
    const module = batch.modules.get(wrappers[index]!);
    if (module) {
      options.onTimed?.(request, module.seconds);
      seen.set(timeKey(request), [...(seen.get(timeKey(request)) ?? []), module.seconds]);
    }
    return module ? toResults(module, request, options.root) : undefined;
  });
  recordTimes(options.root, seen);
  if (batch.unhandled && batch.unhandled.length > 0) {
    const escaped = (index: number) => batch.unhandled!.filter((error) => error.testFile === wrappers[index] || requests.length === 1);
    const unattributed = batch.unhandled.some((error) => !error.testFile || !wrappers.includes(error.testFile));
    if (unattributed && requests.length > 1) {
      // Which file it escaped from is unknown: grade each half apart, so the file is found in about
      // log2(n) runs. Grading all n alone took ~4 s a file: a whole-course verify (~700 candidates)
      // with one leaking file ran for most of an hour.
      const half = Math.ceil(requests.length / 2);
      return [...(await grade(requests.slice(0, half), options)), ...(await grade(requests.slice(half), options))];
    }
    return requests.map((request, index) => {
      const errors = escaped(index);
      const result = results[index];
      if (errors.length === 0) return result ?? summarise([], DID_NOT_RUN);
      const reason = errors.map((e) => scrubMessage(e.text, { candidate: request.candidate, candidateName: request.displayName, root: options.root })).join("\n");
      const message = `An error escaped the tests (an unhandled rejection or a throw in a callback):\n${reason}`;
      // Tests that ran keep their results; the escape is one more, errored, test, so the
      // status is "fail" (results.json keeps "error" for a run in which no test ran).
      if (!result) return summarise([], { kind: "crash", message });
      if (result.status === "error") return summarise([], { kind: result.errorKind ?? "crash", message: `${result.message}\n${message}` });
      return summarise([...result.tests, { name: "No error escapes the tests (an unhandled rejection or a throw in a callback)", status: "error", message }]);
    });
  }
  if (batch.unhandled) return results.map((result) => result ?? summarise([], DID_NOT_RUN));
  // The run died. A lone candidate carries the blame (after one more try if the
  // machine may have done it); otherwise the files that were running are the
  // suspects, graded alone, and the rest get a new run.
  const again = batch.machineCause !== undefined && !regrading;
  if (requests.length === 1) {
    if (!again) return [summarise([], regrading && batch.machineCause ? { ...batch.failure, message: `${batch.failure.message}\n(Graded twice: the first run had ended the same way.)` } : batch.failure)];
    options.onRegraded?.(requests[0]!, batch.machineCause!);
    return grade(requests, options, true);
  }
  const missing = requests.map((request, index) => ({ request, index })).filter(({ index }) => !results[index]);
  const suspects = missing.filter(({ index }) => batch.running.has(wrappers[index]!));
  const untouched = missing.filter(({ index }) => !batch.running.has(wrappers[index]!));
  // The time limit counts from the last file to start or finish, so a file that
  // was running alone when it ran out had the whole limit to itself: it timed
  // out on its own, and is not run (and waited for) again.
  const timedOutAlone = batch.failure.kind === "timeout" && suspects.length === 1;
  for (const { request, index } of suspects) {
    if (timedOutAlone) results[index] = summarise([], batch.failure);
    else {
      if (again) options.onRegraded?.(request, batch.machineCause!);
      results[index] = (await grade([request], options, again))[0];
    }
  }
  if (untouched.length > 0) {
    const rest = await grade(untouched.map(({ request }) => request), options);
    untouched.forEach(({ index }, i) => (results[index] = rest[i]));
  }
  return results as Results[];
}
