// Starts a TypeScript file as a real child process (through tsx's loader), for
// lessons where a crash, a signal or a second process is the point.

import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export function spawnTs(file: string, args: string[] = [], options: SpawnOptions = {}): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", file, ...args], {
    // tsx is resolved from the course's node_modules whatever the caller's cwd.
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    ...options,
    env: { ...process.env, ...options.env },
  });
}

/** Resolves with the exit code (or the signal's name) once the child has exited. */
export function exited(child: ChildProcess): Promise<number | NodeJS.Signals> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    if (child.signalCode !== null) return resolve(child.signalCode);
    child.once("exit", (code, signal) => resolve(code ?? signal ?? 0));
  });
}
