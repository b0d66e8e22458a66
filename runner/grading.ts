// Grades candidates against hidden tests. A batch runs in one child process
// (vitest started once, many files); if the batch as a whole dies — a
// candidate that loops, exits, floods or leaves an unhandled error — each
// candidate is graded again on its own, so one bad file never sinks the rest.

import { spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { installRoot } from "./cli.ts";
import type { ChildMessage, GradeJob, RawModule } from "./grade-child.ts";
import { capOutput, scrubMessage, summarise, type Results, type TestResult } from "./results.ts";
import { killMarked, normalisedEnv, runProcess, SANDBOX_MARKER, type Limits } from "./sandbox.ts";

export interface GradeRequest {
  /** The lesson folder, e.g. "1-foundations/01-request-cycle". */
  folder: string;
  /** The file to grade. */
  candidate: string;
  /** How to name the candidate in messages (e.g. "workspace/request-cycle/challenge.ts"). */
  displayName?: string;
}

export interface GradeOptions {
  root: string;
  /** Wall-clock limit for grading one candidate. */
  timeoutMs: number;
  /** Per-test limit inside vitest. */
  testTimeoutMs?: number;
  env?: Record<string, string>;
}

/** The bundled grading child, built beside the CLI by runner/bin.mjs. */
const CHILD = path.join(installRoot(), "runner", "dist", "grade-child.mjs");

export function hiddenTestOf(root: string, folder: string): string {
  return path.join(root, "test", "hidden", folder, "challenge.test.ts");
}

/**
 * Candidates must resolve the course's packages and `#kit/*`, so a file from
 * outside the course is graded from a copy inside it.
 */
export function stageCandidate(root: string, file: string): string {
  const absolute = path.resolve(file);
  if (!path.relative(root, absolute).startsWith("..") && !path.relative(root, absolute).includes("node_modules")) return absolute;
  const digest = createHash("sha1").update(absolute).digest("hex").slice(0, 12);
  const staged = path.join(root, ".queuecraft", "staging", digest, path.basename(absolute));
  mkdirSync(path.dirname(staged), { recursive: true });
  copyFileSync(absolute, staged);
  return staged;
}

function toResults(module: RawModule | undefined, request: GradeRequest, root: string): Results {
  const scrub = (text: string) => scrubMessage(text, { candidate: request.candidate, candidateName: request.displayName, root });
  if (!module) return summarise([], "The hidden tests did not run.");
  if (module.errors.length > 0) {
    const reason = module.errors.map(scrub).join("\n");
    return summarise([], `Your challenge could not be loaded or crashed outside a test:\n${reason}`);
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

function runError(outcome: { timedOut: boolean; flooded: boolean; exitCode?: number; signal?: string; stderr: string }, timeoutMs: number): string {
  if (outcome.timedOut) return `Timed out after ${Math.round(timeoutMs / 1000)} s: an infinite loop, or a promise that never settles?`;
  if (outcome.flooded) return "Stopped: the challenge printed more than 1 MB of output.";
  const tail = outcome.stderr.trim().split("\n").slice(-3).join("\n");
  return `The grading process ended unexpectedly (${outcome.signal ?? `exit code ${outcome.exitCode}`}): did the challenge call process.exit() or run out of memory?${tail ? `\n${tail}` : ""}`;
}

async function runBatch(requests: GradeRequest[], options: GradeOptions, timeoutMs: number) {
  const job: GradeJob = {
    root: options.root,
    items: requests.map((request) => ({ folder: request.folder, testFile: hiddenTestOf(options.root, request.folder), candidate: request.candidate })),
    testTimeoutMs: options.testTimeoutMs ?? 10_000,
  };
  let message: Extract<ChildMessage, { type: "result" }> | undefined;
  const limits: Limits = { timeoutMs, heapMb: 2048, maxOutputBytes: 1_000_000 };
  const outcome = await runProcess([CHILD], {
    limits,
    cwd: options.root,
    env: normalisedEnv(options.env),
    input: JSON.stringify(job),
    ipc: (received) => {
      if ((received as ChildMessage).type === "result") message = received as typeof message;
    },
  });
  return { message, outcome };
}

/** Grades every request; returns results in the same order. */
export async function grade(requests: GradeRequest[], options: GradeOptions): Promise<Results[]> {
  for (const request of requests) {
    if (!existsSync(hiddenTestOf(options.root, request.folder))) throw new Error(`no hidden tests for ${request.folder}`);
  }
  if (requests.length === 0) return [];
  const batchTimeout = options.timeoutMs + (requests.length - 1) * Math.min(options.timeoutMs, 5_000);
  const { message, outcome } = await runBatch(requests, options, batchTimeout);
  const trustworthy = message && (message.unhandled.length === 0 || requests.length === 1);
  if (trustworthy) {
    return requests.map((request) => {
      const module = message.modules.find((m) => m.testFile === hiddenTestOf(options.root, request.folder));
      const results = toResults(module, request, options.root);
      if (message.unhandled.length > 0 && results.status === "pass") {
        return { ...results, status: "error", message: `An error escaped the tests (an unhandled rejection or a throw in a callback):\n${message.unhandled.map((e) => scrubMessage(e, { candidate: request.candidate, candidateName: request.displayName, root: options.root })).join("\n")}` };
      }
      return results;
    });
  }
  if (requests.length === 1) {
    const reason = message ? message.unhandled.join("\n") : runError(outcome, batchTimeout);
    return [summarise([], reason)];
  }
  // Something in the batch broke it: grade each one alone to find out which.
  const results: Results[] = [];
  for (const request of requests) results.push(...(await grade([request], options)));
  return results;
}

/**
 * A grading child kept alive between checks (watch mode): vitest stays warm,
 * so a re-check after a save costs a test run, not a start-up. A run that
 * times out kills the child; the next run starts a fresh one.
 */
export class WarmGrader {
  #child?: ChildProcess;
  #token = "";
  #pending?: (message: Extract<ChildMessage, { type: "result" }> | undefined) => void;

  constructor(
    private readonly request: GradeRequest,
    private readonly options: GradeOptions,
  ) {}

  get #items(): GradeJob["items"] {
    return [{ folder: this.request.folder, testFile: hiddenTestOf(this.options.root, this.request.folder), candidate: this.request.candidate }];
  }

  #start(): void {
    this.#token = randomBytes(8).toString("hex");
    const job: GradeJob = {
      root: this.options.root,
      items: this.#items,
      testTimeoutMs: this.options.testTimeoutMs ?? 10_000,
      stayAlive: true,
    };
    const child = spawn(process.execPath, [CHILD], {
      cwd: this.options.root,
      env: { ...normalisedEnv(this.options.env), [SANDBOX_MARKER]: this.#token },
      detached: true,
      stdio: ["pipe", "ignore", "ignore", "ipc"],
    });
    child.on("message", (message: ChildMessage) => {
      if (message.type === "result") this.#settle(message);
    });
    child.on("exit", () => {
      if (this.#child === child) this.#child = undefined;
      this.#settle(undefined);
    });
    child.stdin!.end(JSON.stringify(job));
    this.#child = child;
  }

  #settle(message: Extract<ChildMessage, { type: "result" }> | undefined): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.(message);
  }

  async run(): Promise<Results> {
    if (!this.#child) this.#start();
    else this.#child!.send({ items: this.#items });
    const message = await new Promise<Extract<ChildMessage, { type: "result" }> | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.close();
        resolve(undefined);
      }, this.options.timeoutMs);
      this.#pending = (result) => {
        clearTimeout(timer);
        resolve(result);
      };
    });
    if (!message) return summarise([], `Timed out after ${Math.round(this.options.timeoutMs / 1000)} s, or the challenge ended the grading process (process.exit?).`);
    const module = message.modules.find((m) => m.testFile === hiddenTestOf(this.options.root, this.request.folder));
    return toResults(module, this.request, this.options.root);
  }

  close(): void {
    const child = this.#child;
    this.#child = undefined;
    if (child?.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
    if (this.#token) killMarked(this.#token);
  }
}
