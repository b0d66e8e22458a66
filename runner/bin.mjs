#!/usr/bin/env node
// Starts the runner from a bundle: one file loads in a few milliseconds where
// the TypeScript sources would need a loader (~150 ms). The bundle is rebuilt
// whenever a runner source is newer, so editing runner/**/*.ts just works.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// Before anything reads the clock: every run of the runner sees UTC.
process.env.TZ = "UTC";

const runnerDir = path.dirname(fileURLToPath(import.meta.url));
const distDir = path.join(runnerDir, "dist");
// Each entry's bundle keeps a flat name: the code finds dist/grade-child.mjs and
// dist/experiment-thread.mjs by these names.
const entries = { cli: "cli/main.ts", "grade-child": "grading/grade-child.ts", "experiment-thread": "process/experiment-thread.ts" };

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name !== "dist") newest = Math.max(newest, newestSource(path.join(dir, entry.name)));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(path.join(dir, entry.name)).mtimeMs);
  }
  return newest;
}

function stale() {
  const built = Object.keys(entries).map((name) => path.join(distDir, `${name}.mjs`));
  if (!built.every((file) => existsSync(file))) return true;
  const oldest = Math.min(...built.map((file) => statSync(file).mtimeMs));
  return oldest < newestSource(runnerDir);
}

if (stale()) {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, source]) => [name, path.join(runnerDir, source)])),
    outdir: distDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    // Heavy or native packages load only when a command needs them.
    external: ["esbuild", "vitest", "vitest/*", "pg", "prompts", "typescript", "yaml", "bullmq", "ioredis", "playwright-core"],
    // Each command is its own chunk, loaded only when that command runs.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    // Bundled CommonJS packages (yaml) call require() for Node built-ins.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    write: false,
    logLevel: "error",
  });
  // Write-then-rename, so a second runner starting meanwhile never loads half a file.
  // Chunks before entries: a runner starting meanwhile must not load an entry whose chunks are not there yet.
  const entryFirst = (file) => (path.dirname(file.path) === distDir ? 1 : 0);
  for (const file of [...result.outputFiles].sort((a, b) => entryFirst(a) - entryFirst(b))) {
    mkdirSync(path.dirname(file.path), { recursive: true });
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
  }
  // Chunks of earlier builds are never loaded again.
  const written = new Set(result.outputFiles.map((file) => file.path));
  const chunksDir = path.join(distDir, "chunks");
  for (const name of existsSync(chunksDir) ? readdirSync(chunksDir) : []) {
    if (!written.has(path.join(chunksDir, name)) && !name.endsWith(".tmp")) rmSync(path.join(chunksDir, name), { force: true });
  }
}

// `lesson <id>` will run an experiment: its thread boots while the CLI loads (runner/experiment-thread.ts).
const [command, lessonId] = process.argv.slice(2);
if (command === "lesson" && lessonId && !lessonId.startsWith("-")) {
  const { reserveExperimentThread } = await import(pathToFileURL(path.join(distDir, "experiment-thread.mjs")).href);
  reserveExperimentThread();
}

const { main } = await import(pathToFileURL(path.join(distDir, "cli.mjs")).href);
process.exitCode = await main(process.argv.slice(2));
