// Starts a TypeScript file as a real child process, for lessons where a crash,
// a signal or a second process is the point. The file is bundled once (and
// cached) into a module that plain `node` starts in about 0.1 s, where a
// TypeScript loader such as tsx costs 0.3–0.4 s for every process. A hidden
// test's child grades the same candidate as the test: the candidates named in
// QUEUECRAFT_CANDIDATES are bundled too, and the child is handed those.

import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";
import { bundleModule, childBundleDir } from "../../runner/process/bundle.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const cacheDir = childBundleDir(repoRoot);

const isTypeScript = (file: string) => /\.[cm]?tsx?$/.test(file);

async function compiledCandidates(variable: string | undefined): Promise<string | undefined> {
  if (!variable) return variable;
  const map = JSON.parse(variable) as Record<string, string>;
  const compiled = await Promise.all(Object.entries(map).map(async ([folder, file]) => [folder, isTypeScript(file) ? await bundleModule({ entry: file }, cacheDir) : file]));
  return JSON.stringify(Object.fromEntries(compiled));
}

/**
 * Builds (or reuses) the child's bundle and starts it with an IPC channel.
 * A file that does not compile rejects with esbuild's message.
 */
export async function spawnTs(file: string, args: string[] = [], options: SpawnOptions = {}): Promise<ChildProcess> {
  const env = { ...process.env, ...options.env };
  const [module, candidates] = await Promise.all([bundleModule({ entry: file }, cacheDir), compiledCandidates(env.QUEUECRAFT_CANDIDATES)]);
  return spawn(process.execPath, ["--enable-source-maps", module, ...args], {
    // Packages resolve from the course's node_modules whatever the caller's cwd.
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    ...options,
    env: candidates === undefined ? env : { ...env, QUEUECRAFT_CANDIDATES: candidates },
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
