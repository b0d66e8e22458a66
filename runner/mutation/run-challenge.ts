// Runs Stryker on one challenge and reads back what it found. Stryker runs as
// its own process (its CLI, with a config file written beside the reports):
// it installs signal handlers, loggers and worker processes of its own, which
// must not live inside the runner, and a process group can be stopped whole.
// It runs in a snapshot of what the hidden tests load, taken when the run
// starts (the checkout is shared: a test file deleted meanwhile once crashed
// Stryker's report). Reports, incremental file and log go to
// .queuecraft/mutation/<id>/; the snapshot is removed afterwards.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { cleanUpOnSignal } from "../process/interrupt.ts";
import { EQUIVALENTS_FILE, matchEquivalents, parseEquivalents } from "./equivalents.ts";
import { readStrykerReport, type StrykerReport } from "./stryker-report.ts";
import { coverageAnalysisFor, forgetUnkilled, inSnapshot, snapshotEntries, strykerConfig, type ChallengeTarget } from "./stryker-config.ts";
import { mutationScore, survivors, tally, type MutantOutcome } from "./score.ts";
import { survivorLine, type ChallengeRow } from "./table.ts";

export interface RunOptions {
  concurrency: number;
  force: boolean;
  /** Variables for the hidden tests (REDIS_URL, DATABASE_URL). */
  env: Record<string, string>;
  /** Stryker's progress lines, as they come. */
  onProgress?: (line: string) => void;
}

export interface ChallengeRun {
  row: ChallengeRow;
  folder: string;
  coverageAnalysis: "perTest" | "off";
  /** Relative to the course root. */
  reportDir: string;
  mutants: MutantOutcome[];
  survivors: MutantOutcome[];
  /** Problems with equivalent-mutants.md, and notes about the run. */
  problems: string[];
  notes: string[];
}

export const reportDirOf = (id: string) => `.queuecraft/mutation/${id}`;

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => path.join(dir, name))
    .filter((file) => statSync(file).isFile())
    .sort();
}

/**
 * Everything the hidden tests' verdicts depend on besides the solution: when
 * it changes, earlier survivors are tested again (see forgetUnkilled).
 */
function testsFingerprint(root: string, folder: string): string {
  const hash = createHash("sha256");
  const files = [
    ...filesUnder(path.join(root, "test", "hidden", folder)),
    ...filesUnder(path.join(root, "test", "hidden", "_harness")),
    ...filesUnder(path.join(root, "lessons", "_kit")),
    path.join(root, "runner", "mutation", "vitest.config.ts"),
    path.join(root, "runner", "mutation", "child-process-setup.ts"),
    path.join(root, "package-lock.json"),
  ];
  for (const file of files) {
    if (!existsSync(file)) continue;
    hash.update(path.relative(root, file)).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

function strykerBin(root: string): string {
  const require = createRequire(path.join(root, "package.json"));
  let manifest: string;
  try {
    manifest = require.resolve("@stryker-mutator/core/package.json");
  } catch {
    throw new Error("Stryker is not installed: run `npm install` (it is a devDependency)");
  }
  const { bin } = JSON.parse(readFileSync(manifest, "utf8")) as { bin: { stryker: string } };
  return path.join(path.dirname(manifest), bin.stryker);
}

function tail(file: string, lines: number): string {
  if (!existsSync(file)) return "";
  // Stryker colours its log even into a file.
  return readFileSync(file, "utf8").replace(/\x1b\[[0-9;]*m/g, "").trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * A private copy of what the hidden tests load, in the course's layout, with
 * the course's node_modules linked in (packages resolve from there).
 */
function takeSnapshot(root: string, folder: string, snapshot: string): void {
  rmSync(snapshot, { recursive: true, force: true });
  for (const entry of snapshotEntries(folder)) {
    const from = path.join(root, entry);
    if (!existsSync(from)) continue;
    cpSync(from, path.join(snapshot, entry), {
      recursive: true,
      filter: (source) => inSnapshot(path.relative(root, source).split(path.sep).join("/"), statSync(source).isDirectory()),
    });
  }
  symlinkSync(path.join(root, "node_modules"), path.join(snapshot, "node_modules"), "junction");
}

/** Runs Stryker's CLI in a process group of its own, in the snapshot; resolves with its exit code. */
function runStryker(root: string, snapshot: string, configFile: string, logFile: string, env: NodeJS.ProcessEnv, onProgress?: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, [strykerBin(root), "run", configFile], { cwd: snapshot, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const stop = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const forget = cleanUpOnSignal(() => {
      stop();
      rmSync(snapshot, { recursive: true, force: true });
    });
    let pending = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      log.write(chunk);
      if (!onProgress) return;
      pending += chunk.toString("utf8");
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) if (/Mutation testing \d+%/.test(line)) onProgress(line.replace(/\x1b\[[0-9;]*m/g, "").trim());
    });
    child.stderr!.on("data", (chunk: Buffer) => log.write(chunk));
    child.on("error", (error) => {
      forget();
      log.end();
      reject(error);
    });
    child.on("close", (code, signal) => {
      forget();
      // Test runner processes Stryker left behind.
      stop();
      log.end(() => resolve(code ?? (signal ? 128 : 1)));
    });
  });
}

export async function mutateChallenge(root: string, target: ChallengeTarget, options: RunOptions): Promise<ChallengeRun> {
  const started = Date.now();
  const reportDir = reportDirOf(target.id);
  const absoluteReportDir = path.join(root, reportDir);
  mkdirSync(absoluteReportDir, { recursive: true });
  const snapshot = path.join(root, ".queuecraft", "stryker-tmp", `${process.pid}-${target.id}`);
  try {
    takeSnapshot(root, target.folder, snapshot);
    return await mutateSnapshot(root, snapshot, target, options, started);
  } finally {
    rmSync(snapshot, { recursive: true, force: true });
  }
}

async function mutateSnapshot(root: string, snapshot: string, target: ChallengeTarget, options: RunOptions, started: number): Promise<ChallengeRun> {
  const reportDir = reportDirOf(target.id);
  const absoluteReportDir = path.join(root, reportDir);
  const hiddenSources = filesUnder(path.join(snapshot, "test", "hidden", target.folder)).map((file) => readFileSync(file, "utf8"));
  const coverageAnalysis = coverageAnalysisFor(hiddenSources);
  const notes: string[] = [];
  const problems: string[] = [];

  // Hidden tests changed since the last run: survivors are tested again.
  const fingerprint = `${coverageAnalysis}:${testsFingerprint(snapshot, target.folder)}`;
  const fingerprintFile = path.join(absoluteReportDir, "tests.json");
  const incrementalFile = path.join(absoluteReportDir, "incremental.json");
  const previous = existsSync(fingerprintFile) ? (JSON.parse(readFileSync(fingerprintFile, "utf8")) as { fingerprint?: string }).fingerprint : undefined;
  if (!options.force && existsSync(incrementalFile) && previous !== fingerprint) {
    const { report, forgotten } = forgetUnkilled(JSON.parse(readFileSync(incrementalFile, "utf8")) as StrykerReport);
    writeFileSync(incrementalFile, JSON.stringify(report));
    if (forgotten > 0) notes.push(`the hidden tests changed: ${forgotten} mutant(s) no test killed last time are tested again`);
  }

  const config = strykerConfig(target, { reportDir: absoluteReportDir, concurrency: options.concurrency, coverageAnalysis, force: options.force });
  const configFile = path.join(absoluteReportDir, "stryker.config.json");
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  const reportFile = path.join(absoluteReportDir, "mutation.json");
  rmSync(reportFile, { force: true });
  const logFile = path.join(absoluteReportDir, "stryker.log");

  // The reference solution is what is graded: no candidate map may leak in.
  const { QUEUECRAFT_CANDIDATES: _candidates, __STRYKER_ACTIVE_MUTANT__: _active, ...inherited } = process.env;
  const env = { ...inherited, ...options.env, QUEUECRAFT_MUTATION_FOLDER: target.folder, QUEUECRAFT_MUTATION_COVERAGE: coverageAnalysis };
  const code = await runStryker(root, snapshot, configFile, logFile, env, options.onProgress);
  const seconds = (Date.now() - started) / 1000;
  const failed = (why: string): ChallengeRun => ({
    row: { id: target.id, seconds, error: why },
    folder: target.folder,
    coverageAnalysis,
    reportDir,
    mutants: [],
    survivors: [],
    problems: [...problems, `Stryker's log (${reportDir}/stryker.log) ends:\n${tail(logFile, 15)}`],
    notes,
  });
  if (code !== 0) return failed(`Stryker exited with code ${code}`);
  if (!existsSync(reportFile)) return failed("Stryker wrote no report");

  // Stryker names files relative to where it ran: the snapshot, laid out as the course.
  const mutants = readStrykerReport(JSON.parse(readFileSync(reportFile, "utf8")) as StrykerReport, (file) => path.relative(snapshot, path.resolve(snapshot, file)).split(path.sep).join("/"));
  let equivalentIds = new Set<string>();
  const equivalentsFile = path.join(snapshot, "solutions", target.folder, EQUIVALENTS_FILE);
  if (existsSync(equivalentsFile)) {
    const { entries, problems: parseProblems } = parseEquivalents(readFileSync(equivalentsFile, "utf8"));
    const matched = matchEquivalents(entries, mutants);
    equivalentIds = matched.ids;
    problems.push(...parseProblems, ...matched.problems);
  }
  const counts = tally(mutants, equivalentIds);
  const left = survivors(mutants, equivalentIds);
  writeFileSync(path.join(absoluteReportDir, "survivors.txt"), left.map((mutant) => `${survivorLine(mutant)}\n`).join(""));
  writeFileSync(fingerprintFile, JSON.stringify({ fingerprint }));
  return {
    row: { id: target.id, tally: counts, score: mutationScore(counts), seconds },
    folder: target.folder,
    coverageAnalysis,
    reportDir,
    mutants,
    survivors: left,
    problems,
    notes,
  };
}
