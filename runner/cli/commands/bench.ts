// `npm run bench`: measures every speed target beside its baseline in the same
// run (the machine is shared and noisy, so differences and ratios against a
// baseline measured moments apart are what count). Medians throughout.

import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRandom } from "../../../lessons/_kit/random.ts";
import { materialiseMutants } from "../../authoring/checks.ts";
import { challengeFiles, loadCatalog, type Lesson } from "../../course/catalog.ts";
import { installRoot } from "../../process/install-root.ts";
import { EXIT, numberFlag, type Command } from "../args.ts";
import { buildExperiment } from "../../experiment/run.ts";
import { WarmGrader } from "../../grading/warm-grader.ts";
import { normalisedEnv } from "../../process/sandbox.ts";

/** The least time between a re-check's result and the learner's next save. */
const LEARNER_PAUSE_MS = 1000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

/** Wall time of a command in ms; the command's own exit code is returned too. */
function time(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): { ms: number; status: number | null } {
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: "ignore" });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, status: result.status };
}

/** Median wall time; a run that fails makes the figure meaningless, so it throws. */
function timeMany(runs: number, command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): number {
  return median(
    Array.from({ length: runs }, () => {
      const { ms, status } = time(command, args, options);
      if (status !== 0) throw new Error(`bench: \`${path.basename(command)} ${args.join(" ")}\` exited with ${status}; fix that first`);
      return ms;
    }),
  );
}

/**
 * A class that looks like one: per challenge, a student hands in the
 * reference solution (60 %), one of its mutants (30 %) or the untouched stub
 * (10 %), drawn from a fixed seed. Each file gets the student's name in a
 * comment, so no two submissions are the same bytes.
 */
function writeClass(root: string, classDir: string, size: number, lessons: Lesson[]): void {
  const random = createRandom(2026);
  const choices = lessons.map((lesson) => {
    const files = challengeFiles(root, lesson)!;
    return { lesson, files, mutants: materialiseMutants(root, lesson, files).mutants };
  });
  for (let s = 0; s < size; s++) {
    const student = `student-${String(s + 1).padStart(3, "0")}`;
    for (const { lesson, files, mutants } of choices) {
      const draw = random();
      const source = draw < 0.6 || mutants.length === 0 ? files.solution : draw < 0.9 ? mutants[Math.floor(random() * mutants.length)]!.file : files.stub;
      const file = path.join(classDir, student, lesson.meta.id, "challenge.ts");
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, `// ${student}\n${readFileSync(source, "utf8")}`);
    }
  }
}

interface Row {
  metric: string;
  value: number;
  unit: "ms" | "s";
  target?: number;
  note: string;
}

export const benchCommand: Command = {
  summary: "Measures start-up, check, verify and grading times against their targets; prints a table (or one JSON object with --json).",
  usage: "npm run bench [-- --json] [--runs <n>] [--class <n>] [--lesson <id>] [--skip-verify]",
  flags: { runs: "string", class: "string", lesson: "string", "skip-verify": "boolean" },
  async run(context, args) {
    const runs = numberFlag(args, "runs", 10, { min: 3, max: 100 });
    // 50 students grade in two groups of 25, the group size grade picks for a
    // class of 100 (runner/cli/commands/grade.ts), so the default class runs the
    // same kind of grading run, half as many times.
    const classSize = numberFlag(args, "class", 50, { min: 1, max: 1000 });
    const root = context.root;
    const catalog = loadCatalog(root);
    const wanted = (args.flags.get("lesson") as string | undefined) ?? "background-workers";
    const lesson: Lesson | undefined = catalog.lessons.find((l) => l.meta.id === wanted) ?? catalog.lessons[0];
    if (!lesson) {
      context.err("no lessons to measure");
      return EXIT.failed;
    }
    const log = (text: string) => !context.json && context.err(context.style.dim(text));
    const bin = path.join(installRoot(), "runner", "bin.mjs");
    const workspace = mkdtempSync(path.join(os.tmpdir(), "queuecraft-bench-"));
    const env = { ...process.env, QUEUECRAFT_ROOT: root, QUEUECRAFT_WORKSPACE: workspace, CI: "true" };
    const rows: Row[] = [];
    try {
      // Warm every cache first: the runner's bundle and the experiment's build.
      time(process.execPath, [bin, "lesson", lesson.meta.id, "--quiet", "--force"], { cwd: root, env });
      const built = await buildExperiment(lesson, path.join(root, ".queuecraft", "cache"));
      log(`lesson start-up: ${runs} runs each of bare node, the runner, npm run and the tsx CLI on ${lesson.meta.id}`);
      const bare = timeMany(runs, process.execPath, [built], { cwd: root, env: { ...env, ...normalisedEnv() } });
      const runner = timeMany(runs, process.execPath, [bin, "lesson", lesson.meta.id, "--quiet", "--force"], { cwd: root, env });
      const viaNpm = timeMany(Math.min(runs, 5), "npm", ["run", "--silent", "lesson", "--", lesson.meta.id, "--quiet", "--force"], { cwd: installRoot(), env });
      const tsxCli = "file" in lesson.experiment ? timeMany(Math.min(runs, 5), path.join(installRoot(), "node_modules", ".bin", "tsx"), [lesson.experiment.file], { cwd: root, env }) : NaN;
      rows.push(
        { metric: "lessonRunOverheadMs", value: runner - bare, unit: "ms", target: 60, note: `runner ${runner.toFixed(0)} − bare node ${bare.toFixed(0)} on ${lesson.meta.id}` },
        { metric: "npmStartMs", value: viaNpm - runner, unit: "ms", note: `npm run adds this on top (${viaNpm.toFixed(0)} in all)` },
        { metric: "tsxCliMs", value: tsxCli, unit: "ms", note: `the tsx CLI on the same experiment, for comparison (${(tsxCli - bare).toFixed(0)} over bare node)` },
      );

      const challenged = catalog.lessons.filter((l) => challengeFiles(root, l) && l.meta.services.length === 0);
      const target = challenged.find((l) => l.meta.id === lesson.meta.id) ?? challenged[0];
      if (target) {
        const files = challengeFiles(root, target)!;
        log(`check: cold ×5 and warm (watch mode) ×${runs} on ${target.meta.id}`);
        const cold = timeMany(5, process.execPath, [bin, "check", target.meta.id, "--file", files.solution], { cwd: root, env });
        rows.push({ metric: "checkColdMs", value: cold, unit: "ms", target: 1500, note: `npm run check ${target.meta.id}, without npm's start-up` });
        const scratch = path.join(root, ".queuecraft", "bench", "challenge.ts");
        mkdirSync(path.dirname(scratch), { recursive: true });
        cpSync(files.solution, scratch);
        const grader = new WarmGrader({ folder: target.folder!, candidate: scratch }, { root, timeoutMs: 60_000 });
        try {
          await grader.run();
          const warm: number[] = [];
          for (let i = 0; i < runs; i++) {
            // A learner saves again a second or more after reading the result; the warm child uses that time.
            await new Promise((resolve) => setTimeout(resolve, LEARNER_PAUSE_MS));
            const now = new Date();
            utimesSync(scratch, now, now);
            const started = process.hrtime.bigint();
            const results = await grader.run();
            warm.push(Number(process.hrtime.bigint() - started) / 1e6);
            if (results.status !== "pass") throw new Error(`warm check of the reference solution did not pass: ${results.message ?? ""}`);
          }
          rows.push({ metric: "checkWarmMs", value: median(warm), unit: "ms", target: 300, note: `re-check after a save ${LEARNER_PAUSE_MS / 1000} s after the last result, vitest kept warm in its child` });
        } finally {
          grader.close();
        }
      }

      if (!args.flags.has("skip-verify")) {
        log("verify: one lesson, then the whole course");
        const one = time(process.execPath, [bin, "verify", lesson.meta.id], { cwd: root, env }).ms / 1000;
        const all = time(process.execPath, [bin, "verify"], { cwd: root, env });
        const n = catalog.lessons.length;
        rows.push(
          { metric: "verifyOneS", value: one, unit: "s", note: `verify ${lesson.meta.id} alone (fixed costs: tsc, vitest start-up)` },
          { metric: "verifyAllS", value: all.ms / 1000, unit: "s", target: 30, note: `${n} lessons, exit ${all.status}; ≈${((all.ms / 1000 - one) / Math.max(1, n - 1)).toFixed(2)} s per extra lesson` },
        );
      }

      const withChallenges = catalog.lessons.filter((l) => challengeFiles(root, l));
      const classDir = path.join(workspace, "class");
      writeClass(root, classDir, classSize, withChallenges);
      log(`grade: one submission of ${withChallenges.length} challenges, then a class of ${classSize}`);
      const single = path.join(workspace, "one");
      mkdirSync(single);
      cpSync(path.join(classDir, "student-001"), path.join(single, "student-001"), { recursive: true });
      // --force: the class is the same on every bench run, and results recorded by the last one must not be reused.
      const one = time(process.execPath, [bin, "grade", single, "--force", "--out", path.join(workspace, "out-one")], { cwd: root, env }).ms / 1000;
      const classS = time(process.execPath, [bin, "grade", classDir, "--force", "--out", path.join(workspace, "out-class")], { cwd: root, env }).ms / 1000;
      rows.push(
        { metric: "gradeOneSubmissionS", value: one, unit: "s", target: 5, note: `${withChallenges.length} challenges, one student, servers started included` },
        {
          metric: "grade100S",
          value: (classS * 100) / classSize,
          unit: "s",
          target: 300,
          note: classSize === 100 ? "measured on 100 students" : `extrapolated linearly from ${classSize} students in ${classS.toFixed(1)} s (--class 100 measures it)`,
        },
      );
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
    if (context.json) {
      context.out(JSON.stringify(Object.fromEntries([...rows.map((row) => [row.metric, Math.round(row.value * 100) / 100]), ["details", rows]])));
      return EXIT.ok;
    }
    const { style } = context;
    context.out(style.bold(`${"metric".padEnd(22)}${"value".padStart(10)}  ${"target".padStart(8)}  note`));
    for (const row of rows) {
      const value = `${row.value.toFixed(row.unit === "s" ? 1 : 0)} ${row.unit}`;
      const target = row.target === undefined ? "" : `≤ ${row.target} ${row.unit}`;
      const met = row.target === undefined ? (text: string) => text : row.value <= row.target ? style.green : style.red;
      context.out(`${row.metric.padEnd(22)}${met(value.padStart(10))}  ${target.padStart(8)}  ${row.note}`);
    }
    return EXIT.ok;
  },
};

