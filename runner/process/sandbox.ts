// Runs code under limits: a time limit, a heap limit, an output cap and a
// normalised environment, and makes sure nothing it started outlives it.
// Two ways in: a worker thread (cheap to start; trusted course code) and a
// child process in its own process group (learner code, which may spawn,
// exit or loop).

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DEFAULT_HEAP_MB, experimentThread, FLOODED } from "./experiment-thread.ts";

export interface Limits {
  timeoutMs: number;
  /** V8 old-generation heap cap. */
  heapMb: number;
  /** Bytes of stdout + stderr kept; more ends the run as "flooded". */
  maxOutputBytes: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutMs: 10_000, heapMb: DEFAULT_HEAP_MB, maxOutputBytes: 1_000_000 };

export interface RunOutcome {
  stdout: string;
  stderr: string;
  /** Exit code; undefined when the run was killed. */
  exitCode?: number;
  timedOut: boolean;
  /** The output passed maxOutputBytes and the run was stopped. */
  flooded: boolean;
  /** An uncaught error (worker runs), as its message and stack. */
  crash?: string;
}

/** The environment every experiment and candidate sees, whatever the learner's shell has. */
export function normalisedEnv(extra: Record<string, string> = {}): Record<string, string> {
  const keep = ["PATH", "HOME", "TMPDIR", "REDIS_URL", "DATABASE_URL", "QUEUECRAFT_SEED", "SystemRoot"];
  const env: Record<string, string> = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key]!;
  return {
    ...env,
    TZ: "UTC",
    LANG: "C",
    LC_ALL: "C",
    COLUMNS: "80",
    NO_COLOR: "1",
    FORCE_COLOR: "0",
    QUEUECRAFT_SEED: env.QUEUECRAFT_SEED ?? "42",
    ...extra,
  };
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: alive, just someone else's.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie answers signals but has ended (its parent has not collected it yet).
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true; // not Linux
  }
}

export const SANDBOX_MARKER = "QUEUECRAFT_SANDBOX";

/**
 * Kills every process whose environment carries this run's marker. A process
 * that detached into its own session escapes a process-group kill, but it
 * still inherited the environment.
 */
export function killMarked(token: string): number {
  if (process.platform !== "linux") return 0;
  const needle = `${SANDBOX_MARKER}=${token}`;
  let killed = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, "latin1");
      if (environ.split("\0").includes(needle)) {
        process.kill(Number(entry), "SIGKILL");
        killed++;
      }
    } catch {
      // Gone already, or not ours to read.
    }
  }
  return killed;
}

/** Collects output up to a cap; reports once when the cap is passed. */
function outputCollector(maxBytes: number, onFlood: () => void) {
  let bytes = 0;
  let flooded = false;
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const take = (stream: "stdout" | "stderr") => (chunk: Buffer) => {
    if (flooded) return;
    const room = maxBytes - bytes;
    if (chunk.length > room) {
      chunks[stream].push(chunk.subarray(0, Math.max(0, room)));
      bytes = maxBytes;
      flooded = true;
      onFlood();
      return;
    }
    bytes += chunk.length;
    chunks[stream].push(chunk);
  };
  return {
    stdout: take("stdout"),
    stderr: take("stderr"),
    flood() {
      if (!flooded) {
        flooded = true;
        onFlood();
      }
    },
    get flooded() {
      return flooded;
    },
    text: (stream: "stdout" | "stderr") => Buffer.concat(chunks[stream]).toString("utf8"),
  };
}

export interface ProcessRun extends RunOutcome {
  signal?: NodeJS.Signals;
}

/**
 * Runs `node <args>` in its own process group under the limits. On timeout or
 * flood the whole group is killed, then anything carrying the run's marker.
 */
export function runProcess(
  args: string[],
  options: {
    limits: Limits;
    env: Record<string, string>;
    cwd: string;
    /** Written to stdin, then stdin is closed; a promise that rejects kills the process instead. */
    input?: string | Promise<string>;
    ipc?: (message: unknown) => void;
    /** Count the time limit from the last IPC message instead of from the start: a long batch that keeps reporting progress is alive. */
    idleTimeout?: boolean;
  },
): Promise<ProcessRun> {
  const token = randomBytes(8).toString("hex");
  const { limits } = options;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${limits.heapMb}`, ...args], {
      cwd: options.cwd,
      env: { ...options.env, [SANDBOX_MARKER]: token },
      detached: true,
      stdio: ["pipe", "pipe", "pipe", ...(options.ipc ? (["ipc"] as const) : [])],
    });
    let timedOut = false;
    const killGroup = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const output = outputCollector(limits.maxOutputBytes, killGroup);
    child.stdout!.on("data", output.stdout);
    child.stderr!.on("data", output.stderr);
    child.stdin!.on("error", () => {});
    Promise.resolve(options.input ?? "").then(
      (text) => child.stdin!.end(text),
      () => killGroup(),
    );
    const expire = () => {
      timedOut = true;
      killGroup();
    };
    let timer = setTimeout(expire, limits.timeoutMs);
    if (options.ipc) {
      const receive = options.ipc;
      child.on("message", (message) => {
        if (options.idleTimeout) {
          clearTimeout(timer);
          timer = setTimeout(expire, limits.timeoutMs);
        }
        receive(message);
      });
    }
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      // Whatever is left of the group, and anything that slipped out of it.
      killGroup();
      killMarked(token);
      resolve({
        stdout: output.text("stdout"),
        stderr: output.text("stderr"),
        exitCode: code ?? undefined,
        signal: signal ?? undefined,
        timedOut,
        flooded: output.flooded,
      });
    });
  });
}

/**
 * Runs a built ES module in a worker thread: ~50 ms cheaper than a process,
 * and terminate() stops even a tight loop. Children it spawns carry the
 * marker and are killed if the run ends badly.
 */
export function runInWorker(moduleFile: string, options: { limits: Limits; env: Record<string, string> }): Promise<RunOutcome> {
  const token = randomBytes(8).toString("hex");
  const { limits } = options;
  return new Promise((resolve) => {
    const worker = experimentThread({ moduleUrl: pathToFileURL(moduleFile).href, env: { ...options.env, [SANDBOX_MARKER]: token }, maxOutputBytes: limits.maxOutputBytes }, limits.heapMb);
    let timedOut = false;
    let crash: string | undefined;
    const output = outputCollector(limits.maxOutputBytes, () => void worker.terminate());
    worker.stdout.on("data", output.stdout);
    worker.stderr.on("data", output.stderr);
    const timer = setTimeout(() => {
      timedOut = true;
      void worker.terminate();
    }, limits.timeoutMs);
    worker.on("message", (message: unknown) => {
      if (message === FLOODED) output.flood();
    });
    worker.on("error", (error: unknown) => {
      crash = error instanceof Error ? (error.stack ?? error.message) : `a non-Error value was thrown: ${String(error)}`;
    });
    worker.on("exit", (code) => {
      clearTimeout(timer);
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        if (timedOut || output.flooded || crash !== undefined) killMarked(token);
        resolve({
          stdout: output.text("stdout"),
          stderr: output.text("stderr"),
          exitCode: timedOut || output.flooded ? undefined : code,
          timedOut,
          flooded: output.flooded,
          crash,
        });
      };
      // The worker's stdio streams end a moment after it exits; wait for them.
      setTimeout(finish, 500).unref();
      let open = 2;
      const closed = () => --open === 0 && finish();
      if (worker.stdout.readableEnded) closed();
      else worker.stdout.once("end", closed);
      if (worker.stderr.readableEnded) closed();
      else worker.stderr.once("end", closed);
    });
  });
}
