// The grading child process: runs hidden tests with vitest's Node API and
// sends the raw outcome to the parent over IPC. Results never travel over
// stdout, so a candidate that prints "all tests passed" or a fake results
// JSON changes nothing. Candidates run in vitest's worker threads, which have
// no IPC channel of their own.

import { existsSync } from "node:fs";
import path from "node:path";
import type { TestModule, UserConsoleLog } from "vitest/node";

const SETUP = "test/hidden/_harness/setup.ts";

export interface GradeJob {
  root: string;
  /** Hidden test file → candidate file, keyed by lesson folder. */
  items: Array<{ folder: string; testFile: string; candidate: string }>;
  testTimeoutMs: number;
  /** Keep vitest warm and wait for more jobs on IPC (watch mode). */
  stayAlive?: boolean;
}

export interface RawTest {
  name: string;
  state: "passed" | "failed" | "skipped" | "pending";
  errors: string[];
  logs: string[];
}

export interface RawModule {
  testFile: string;
  errors: string[];
  tests: RawTest[];
  logs: string[];
}

export type ChildMessage = { type: "result"; modules: RawModule[]; unhandled: string[] } | { type: "ready" };

function errorText(error: unknown): string {
  if (typeof error !== "object" || error === null) return String(error);
  const { message, name, cause } = error as { message?: string; name?: string; cause?: unknown };
  const text = name && message && !message.startsWith(name) ? `${name}: ${message}` : (message ?? String(error));
  // fast-check reports the property's own failure as the cause.
  return cause !== undefined && cause !== null ? `${text}\nCaused by: ${errorText(cause)}` : text;
}

function collect(modules: ReadonlyArray<TestModule>, logs: Map<string, string[]>): RawModule[] {
  return modules.map((module) => ({
    testFile: module.moduleId,
    errors: module.errors().map(errorText),
    logs: logs.get(module.id) ?? [],
    tests: [...module.children.allTests()].map((test) => {
      const result = test.result();
      return {
        name: test.fullName,
        state: result.state,
        errors: (result.errors ?? []).map(errorText),
        logs: logs.get(test.id) ?? [],
      };
    }),
  }));
}

async function main(): Promise<void> {
  const input = await new Promise<string>((resolve) => {
    let text = "";
    process.stdin.setEncoding("utf8");
    process.stdin.on("data", (chunk: string) => (text += chunk));
    process.stdin.on("end", () => resolve(text));
  });
  const job = JSON.parse(input) as GradeJob;
  const { createVitest } = await import("vitest/node");
  const logs = new Map<string, string[]>();
  const vitest = await createVitest(
    "test",
    {
      root: job.root,
      config: false,
      watch: false,
      include: ["test/hidden/**/*.test.ts"],
      setupFiles: existsSync(path.join(job.root, SETUP)) ? [SETUP] : [],
      pool: "threads",
      // Hidden tests of different lessons share nothing, so a worker can run
      // many files without re-creating its module graph (~200 ms per file).
      isolate: false,
      testTimeout: job.testTimeoutMs,
      hookTimeout: job.testTimeoutMs,
      // Watch mode re-runs the same candidates, so the map is fixed for this instance.
      env: { QUEUECRAFT_CANDIDATES: JSON.stringify(Object.fromEntries(job.items.map((item) => [item.folder, item.candidate]))) },
      reporters: [
        {
          onUserConsoleLog(log: UserConsoleLog) {
            const key = log.taskId ?? "";
            const list = logs.get(key) ?? [];
            list.push(log.content);
            logs.set(key, list);
          },
        },
      ],
    },
    { logLevel: "silent", clearScreen: false },
  );
  const run = async (items: GradeJob["items"]) => {
    logs.clear();
    for (const item of items) vitest.invalidateFile(item.candidate);
    const result = await vitest.runTestFiles(items.map((item) => item.testFile));
    const message: ChildMessage = { type: "result", modules: collect(result.testModules, logs), unhandled: result.unhandledErrors.map(errorText) };
    process.send!(message);
  };
  await run(job.items);
  if (!job.stayAlive) {
    await vitest.close();
    process.exit(0);
  }
  process.on("message", (next: GradeJob) => void run(next.items));
  process.send!({ type: "ready" } satisfies ChildMessage);
}

main().catch((error: unknown) => {
  process.stderr.write(`grading failed to start: ${errorText(error)}\n`);
  process.exit(70);
});
