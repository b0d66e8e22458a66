// Watch mode's grader: one grading child kept alive between checks, so a
// re-check after a save costs a test run, not vitest's start-up.

import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { killMarked, normalisedEnv, SANDBOX_MARKER } from "../process/sandbox.ts";
import { CHILD, toResults, type GradeOptions } from "./grade.ts";
import type { ChildMessage, GradeJob, RawModule } from "./grade-child.ts";
import { summarise, type Results } from "./results.ts";
import { WARM_GATE_VARIABLE, WRAPPER_DIR, writeWrapper, type GradeRequest } from "./wrapper.ts";

/**
 * A grading child kept alive between checks (watch mode): vitest stays warm,
 * so a re-check after a save costs a test run, not a start-up. A run that
 * times out kills the child; the next run starts a fresh one.
 */
export class WarmGrader {
  #child?: ChildProcess;
  #token = "";
  #module?: RawModule;
  #pending?: (done: boolean) => void;
  readonly #wrapper: string;

  constructor(
    private readonly request: GradeRequest,
    private readonly options: GradeOptions,
  ) {
    this.#wrapper = writeWrapper(options.root, request, 0, true);
  }

  #start(): void {
    this.#token = randomBytes(8).toString("hex");
    const gate = `queuecraft-warm-${this.#token}`;
    const job: GradeJob = {
      root: this.options.root,
      testFiles: [this.#wrapper],
      wrapperDir: WRAPPER_DIR,
      candidates: [this.request.candidate],
      testTimeoutMs: this.options.testTimeoutMs ?? 10_000,
      warmGate: gate,
    };
    const child = spawn(process.execPath, [CHILD], {
      cwd: this.options.root,
      env: { ...normalisedEnv(this.options.env), [SANDBOX_MARKER]: this.#token, [WARM_GATE_VARIABLE]: gate },
      detached: true,
      stdio: ["pipe", "ignore", "ignore", "ipc"],
    });
    // A child killed after a timed-out check may still report or exit while
    // the next check runs on its successor: only the current child counts.
    child.on("message", (message: ChildMessage) => {
      if (this.#child !== child) return;
      if (message.type === "module") this.#module = message.module;
      if (message.type === "done") this.#settle(true);
    });
    child.on("exit", () => {
      if (this.#child !== child) return;
      this.#child = undefined;
      this.#settle(false);
    });
    child.stdin!.end(JSON.stringify(job));
    this.#child = child;
  }

  #settle(done: boolean): void {
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.(done);
  }

  async run(): Promise<Results> {
    this.#module = undefined;
    if (!this.#child) this.#start();
    else this.#child.send("saved");
    const done = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.close();
        resolve(false);
      }, this.options.timeoutMs);
      this.#pending = (finished) => {
        clearTimeout(timer);
        resolve(finished);
      };
    });
    if (!done) return summarise([], { kind: "timeout", message: `Timed out after ${Math.round(this.options.timeoutMs / 1000)} s, or the challenge ended the grading process (process.exit?).` });
    return toResults(this.#module, this.request, this.options.root);
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
