// Runs the real CLI, as a learner's terminal would, against a fixture course.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const repo = path.resolve(import.meta.dirname, "..", "..");
export const fixtures = path.join(repo, "test", "fixtures");

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
  workspace: string;
  /** The CLI's process id (synchronous runs), to look for what it left behind. */
  pid?: number;
}

interface CliOptions {
  root?: string;
  workspace?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

function launch(args: string[], options: CliOptions) {
  const workspace = options.workspace ?? mkdtempSync(path.join(os.tmpdir(), "qc-cli-"));
  const spawnArgs = [path.join(repo, "runner", "bin.mjs"), ...args];
  const spawnOptions = {
    cwd: repo,
    timeout: options.timeoutMs ?? 60_000,
    env: {
      ...process.env,
      CI: "true",
      NO_COLOR: "1",
      QUEUECRAFT_ROOT: options.root ?? path.join(fixtures, "course"),
      QUEUECRAFT_WORKSPACE: workspace,
      ...options.env,
    },
  };
  return { workspace, spawnArgs, spawnOptions };
}

export function cli(args: string[], options: CliOptions = {}): CliRun {
  const { workspace, spawnArgs, spawnOptions } = launch(args, options);
  const result = spawnSync(process.execPath, spawnArgs, { ...spawnOptions, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, workspace, pid: result.pid };
}

/** The same, without blocking: for runs that must overlap. */
export function cliAsync(args: string[], options: CliOptions = {}): Promise<CliRun> {
  const { workspace, spawnArgs, spawnOptions } = launch(args, options);
  return new Promise((resolve) => {
    execFile(process.execPath, spawnArgs, spawnOptions, (error, stdout, stderr) => {
      const status = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ status, stdout, stderr, workspace });
    });
  });
}
