// Runs the real CLI, as a learner's terminal would, against a fixture course.
import { spawnSync } from "node:child_process";
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
}

export function cli(args: string[], options: { root?: string; workspace?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): CliRun {
  const workspace = options.workspace ?? mkdtempSync(path.join(os.tmpdir(), "qc-cli-"));
  const result = spawnSync(process.execPath, [path.join(repo, "runner", "bin.mjs"), ...args], {
    cwd: repo,
    encoding: "utf8",
    timeout: options.timeoutMs ?? 60_000,
    env: {
      ...process.env,
      CI: "true",
      NO_COLOR: "1",
      QUEUECRAFT_ROOT: options.root ?? path.join(fixtures, "course"),
      QUEUECRAFT_WORKSPACE: workspace,
      ...options.env,
    },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, workspace };
}
