// The grading child process: runs hidden tests with vitest's Node API and
// reports each test file's outcome to the parent over IPC as soon as it ends.
// Results never travel over stdout, so a candidate that prints "all tests
// passed" or a fake results JSON changes nothing. Candidates run in vitest's
// worker threads, which have no IPC channel of their own.

import { existsSync } from "node:fs";
import { BroadcastChannel } from "node:worker_threads";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { UserConsoleLog } from "vitest";
import type { TestModule, TestSpecification, Vitest } from "vitest/node";
import type { Plugin } from "vite";

/** The harness's setup: test/harness/ in a student edition (and a re-export in the checkout), test/hidden/_harness/ in older courses. */
const SETUPS = ["test/harness/setup.ts", "test/hidden/_harness/setup.ts"];

export interface GradeJob {
  root: string;
  /** Test files to run, in the order to start them: generated wrappers, each binding one hidden test to one candidate. */
  testFiles: string[];
  /** Folder, relative to the root, that holds the wrappers (vitest must be told to look there). */
  wrapperDir: string;
  /** Candidate files, so a re-run in watch mode sees their new content. */
  candidates: string[];
  testTimeoutMs: number;
  /**
   * Where candidates run: vitest's worker threads (the default: cheaper to
   * start and re-run), or forked processes, so that a candidate's
   * process.ppid is a vitest worker rather than the command that asked for
   * the grades (a class must survive a student who kills its parent).
   */
  pool?: "threads" | "forks";
  /** Variables for the hidden tests and every process they start (servers' addresses). */
  env?: Record<string, string>;
  /**
   * Watch mode: keep vitest warm and grade the same files again on every IPC
   * message. Names the channel on which each run's wrapper, started ahead of
   * time, waits to be let go (wrapper.ts, WARM_GATE).
   */
  warmGate?: string;
}

export interface RawTest {
  name: string;
  state: "passed" | "failed" | "skipped" | "pending";
  errors: string[];
  logs: string[];
}

export interface RawModule {
  testFile: string;
  /** Import and run time, for authors keeping verify fast. */
  seconds: number;
  errors: string[];
  tests: RawTest[];
  logs: string[];
}

export type ChildMessage =
  | { type: "started"; testFile: string }
  | { type: "module"; module: RawModule }
  | { type: "done"; unhandled: Array<{ text: string; testFile?: string }> };

function errorText(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { message, name, cause } = error as { message?: string; name?: string; cause?: unknown };
  const text = name && message && !message.startsWith(name) ? `${name}: ${message}` : (message ?? String(error));
  // fast-check reports the property's own failure as the cause.
  return cause !== undefined && cause !== null ? `${text}\nCaused by: ${errorText(cause)}` : text;
}

function collect(module: TestModule, logs: Map<string, string[]>): RawModule {
  return {
    testFile: module.moduleId,
    seconds: (module.diagnostic().collectDuration + module.diagnostic().duration) / 1000,
    errors: module.errors().map(errorText),
    logs: logs.get(module.id) ?? [],
    tests: [...module.children.allTests()].map((test) => {
      const result = test.result();
      return { name: test.fullName, state: result.state, errors: (result.errors ?? []).map(errorText), logs: logs.get(test.id) ?? [] };
    }),
  };
}

const send = (message: ChildMessage) => process.send!(message);

/**
 * Results carry error messages, never stack frames (results.ts drops them), yet
 * vitest maps every frame of every failed test's error through source maps,
 * reading each file named in the stack from disk: 2 s of CPU in this process
 * for a group of 8 students, most of whose mutants fail tests. Giving each
 * error an empty `stacks` is what vitest itself checks before mapping. The
 * hook is internal (TestRun.syncUpdateStacks); if a vitest update renames it,
 * grading is only slower.
 */
function skipStackMapping(vitest: Vitest): void {
  type Update = Array<[string, { errors?: unknown[] } | undefined]>;
  const testRun = (vitest as unknown as { _testRun?: { syncUpdateStacks?: (update: Update) => void } })._testRun;
  if (typeof testRun?.syncUpdateStacks !== "function") return;
  testRun.syncUpdateStacks = (update) => {
    for (const [, result] of update) {
      for (const error of result?.errors ?? []) if (typeof error === "object" && error !== null) Object.assign(error, { stacks: [] });
    }
  };
}

/**
 * Wrappers and staged copies (a class's submissions, files checked from
 * outside the course) are transformed once and never again: caching them
 * would only grow the cache with every class graded.
 */
const skipOneOffTransforms: Plugin = {
  name: "queuecraft-skip-one-off-transforms",
  configureVitest({ experimental_defineCacheKeyGenerator }) {
    const oneOff = [`${path.sep}.queuecraft${path.sep}wrappers${path.sep}`, `${path.sep}.queuecraft${path.sep}staging${path.sep}`];
    experimental_defineCacheKeyGenerator(({ id }) => (oneOff.some((folder) => id.includes(folder)) ? false : undefined));
  },
};

async function main(): Promise<void> {
  // Loaded while the parent may still be starting servers; the job comes when they are up.
  const loading = import("vitest/node");
  loading.catch(() => {}); // awaited below; a failure must not count as unhandled meanwhile
  const input = await new Promise<string>((resolve) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => (text += chunk));
    process.stdin.on("end", () => resolve(text));
  });
  const job = JSON.parse(input) as GradeJob;
  Object.assign(process.env, job.env);
  // If whoever asked for the grades is gone, so is the reason to grade.
  process.on("disconnect", () => process.exit(1));
  const { BaseSequencer, createVitest } = await loading;
  const logs = new Map<string, string[]>();
  // The parent orders the files, longest first, so that no long file starts last while the other workers sit idle.
  const order = new Map(job.testFiles.map((file, index) => [file, index]));
  class InGivenOrder extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
      return [...files].sort((a, b) => (order.get(a.moduleId) ?? 0) - (order.get(b.moduleId) ?? 0));
    }
  }
  const vitest = await createVitest(
    "test",
    {
      root: job.root,
      config: false,
      watch: false,
      include: [`${job.wrapperDir}/**/*.test.ts`],
      setupFiles: SETUPS.filter((file) => existsSync(path.join(job.root, file))).slice(0, 1),
      pool: job.pool ?? "threads",
      // Hidden tests of different lessons share nothing, so a worker can run
      // many files without re-creating its module graph (~200 ms per file).
      isolate: false,
      // Hidden tests wait on processes, servers and timers as often as they
      // compute: one worker more than cores keeps them busy (verify's grading
      // on 2 cores: 39 s with 2 workers, 32 s with 3, 34 s with 4).
      maxWorkers: availableParallelism() + 1,
      // Transformed modules kept on disk between grading runs (keyed by content
      // and id), except the one-off files below.
      experimental: { fsModuleCache: true, fsModuleCachePath: ".queuecraft/cache/vitest" },
      sequence: { sequencer: InGivenOrder },
      testTimeout: job.testTimeoutMs,
      hookTimeout: job.testTimeoutMs,
      reporters: [
        {
          onUserConsoleLog(log: UserConsoleLog) {
            const key = log.taskId ?? "";
            logs.set(key, [...(logs.get(key) ?? []), log.content]);
          },
          onTestModuleStart(module: TestModule) {
            send({ type: "started", testFile: module.moduleId });
          },
          onTestModuleEnd(module: TestModule) {
            send({ type: "module", module: collect(module, logs) });
          },
        },
      ],
    },
    { logLevel: "silent", clearScreen: false, plugins: [skipOneOffTransforms] },
  );
  skipStackMapping(vitest);
  const run = async () => {
    logs.clear();
    // Specifications, not file names: runTestFiles would glob the wrapper
    // folder and match every file found against every name given (quadratic:
    // a second of CPU for a group of 8 students).
    const project = vitest.getRootProject();
    const result = await vitest.runTestSpecifications(job.testFiles.map((file) => project.createSpecification(file)));
    // vitest tags an error that escaped a test with the file it escaped from.
    const unhandled = result.unhandledErrors.map((error) => ({ text: errorText(error), testFile: (error as { VITEST_TEST_PATH?: string }).VITEST_TEST_PATH }));
    send({ type: "done", unhandled });
  };
  if (!job.warmGate) {
    await run();
    await vitest.close();
    process.exit(0);
  }
  // Each run starts as soon as the one before has ended; its wrapper waits,
  // worker booted, for "go", which the first job gets at once and every
  // message after it (a save) gets again.
  const gate = new BroadcastChannel(job.warmGate);
  let waiting = false;
  let letGo = false;
  gate.onmessage = (event) => {
    if ((event as MessageEvent).data !== "ready") return;
    waiting = true;
    if (letGo) release();
  };
  const release = () => {
    letGo = !waiting;
    if (!waiting) return;
    waiting = false;
    gate.postMessage("go");
  };
  void (async () => {
    for (;;) await run();
  })();
  release();
  process.on("message", () => {
    // The save changed the candidates; the waiting wrapper has not imported them yet.
    for (const candidate of job.candidates) vitest.invalidateFile(candidate);
    release();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`grading failed to start: ${errorText(error)}\n`);
  process.exit(70);
});
