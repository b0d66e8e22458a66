// `npm run mutation [<id>…]`: real mutation testing of every reference
// solution against its hidden tests (StrykerJS with its vitest runner). An
// authoring tool, not part of `npm test`: it measures how many of the small
// wrong answers Stryker derives from a solution the hidden tests reject, and
// lists the ones they let through, for a test author to kill (or to record as
// equivalent). Challenges run one after another (each Stryker run already
// uses `--concurrency` processes); a re-run only tests what changed.

import { challengeFiles, loadCatalog, type Lesson } from "../../course/catalog.ts";
import { nearest } from "../../course/nearest.ts";
import { EXIT, numberFlag, UsageError, type Command, type Context } from "../args.ts";
import { provideServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { mutateChallenge, reportDirOf, type ChallengeRun } from "../../mutation/run-challenge.ts";
import { DEFAULT_THRESHOLD } from "../../mutation/score.ts";
import { formatScore, renderTable, rowPasses, survivorLine } from "../../mutation/table.ts";

const SHOWN_SURVIVORS = 25;

function targetsOf(context: Context, ids: string[]): Lesson[] {
  const catalog = loadCatalog(context.root);
  const withChallenge = catalog.lessons.filter((lesson) => lesson.folder && challengeFiles(context.root, lesson));
  const known = withChallenge.map((lesson) => lesson.meta.id);
  for (const id of ids) {
    if (!known.includes(id)) {
      const hint = nearest(id, known);
      throw new UsageError(`no challenge "${id}"${hint.length ? `; did you mean ${hint.map((h) => `"${h}"`).join(" or ")}?` : ""}`);
    }
  }
  // In the order given (smallest first, say, when time is short), each once.
  return ids.length ? [...new Set(ids)].map((id) => withChallenge.find((lesson) => lesson.meta.id === id)!) : withChallenge;
}

async function runOne(context: Context, lesson: Lesson, options: { concurrency: number; force: boolean }): Promise<ChallengeRun> {
  const target = { id: lesson.meta.id, folder: lesson.folder! };
  let services;
  try {
    services = lesson.meta.services.length ? await provideServices(lesson.meta.services) : undefined;
  } catch (error) {
    if (!(error instanceof ServiceUnavailable)) throw error;
    const reportDir = reportDirOf(target.id);
    return { row: { id: target.id, error: `not run: ${error.message}` }, folder: target.folder, coverageAnalysis: "off", reportDir, mutants: [], survivors: [], problems: [], notes: [] };
  }
  try {
    return await mutateChallenge(context.root, target, {
      ...options,
      env: services?.env ?? {},
      onProgress: context.json ? undefined : (line) => context.err(context.style.dim(`  ${line}`)),
    });
  } finally {
    await services?.stop();
  }
}

function printRun(context: Context, run: ChallengeRun, threshold: number): void {
  const { row, style } = { row: run.row, style: context.style };
  for (const note of run.notes) context.err(style.dim(`  ${note}`));
  if (!row.tally) {
    context.out(style.red(`✗ ${row.id}: ${row.error}`));
  } else {
    const passed = rowPasses(row, threshold);
    const line = `${row.id}: ${formatScore(row.score)} (${row.tally.killed + row.tally.timeout} of ${row.tally.killed + row.tally.timeout + row.tally.survived + row.tally.noCoverage} killed, ${row.tally.equivalent} equivalent) in ${Math.round(row.seconds ?? 0)} s; report ${run.reportDir}/index.html`;
    context.out(passed ? style.green(`✓ ${line}`) : style.red(`✗ ${line}`));
    for (const mutant of run.survivors.slice(0, SHOWN_SURVIVORS)) context.out(`    ${survivorLine(mutant)}`);
    if (run.survivors.length > SHOWN_SURVIVORS) context.out(style.dim(`    … ${run.survivors.length - SHOWN_SURVIVORS} more in ${run.reportDir}/survivors.txt`));
  }
  for (const problem of run.problems) context.err(style.yellow(`  ${problem.split("\n").join("\n  ")}`));
}

export const mutationCommand: Command = {
  summary:
    "Mutation testing of the reference solutions against their hidden tests (StrykerJS + vitest): per challenge, mutants killed, survived, timed out, not covered and equivalent, the score killed / (all − equivalent), and the surviving mutants. " +
    "Record a mutant no correct test can kill, with why, in solutions/<phase>/<NN>-<id>/equivalent-mutants.md. Reports: .queuecraft/mutation/<id>/index.html. " +
    "Incremental: a re-run tests only mutants of changed code, and every unkilled one again when the hidden tests changed; --force tests all. Exit 0 when every challenge scores at least --threshold (default 90).",
  usage: "npm run mutation [<id> …] [-- --json] [--concurrency <n>] [--threshold <percent>] [--force]",
  flags: { concurrency: "string", threshold: "string", force: "boolean" },
  async run(context, args) {
    const concurrency = numberFlag(args, "concurrency", 2, { min: 1, max: 16 });
    const threshold = numberFlag(args, "threshold", DEFAULT_THRESHOLD, { min: 0, max: 100 });
    const lessons = targetsOf(context, args.positional);
    const runs: ChallengeRun[] = [];
    for (const [index, lesson] of lessons.entries()) {
      if (!context.json) context.err(context.style.dim(`[${index + 1}/${lessons.length}] ${lesson.meta.id}: mutating solutions/${lesson.folder}/challenge.ts`));
      const run = await runOne(context, lesson, { concurrency, force: args.flags.has("force") });
      runs.push(run);
      if (!context.json) printRun(context, run, threshold);
    }
    const passed = runs.every((run) => rowPasses(run.row, threshold));
    if (context.json) {
      context.out(
        JSON.stringify({
          threshold,
          passed,
          challenges: runs.map((run) => ({
            id: run.row.id,
            folder: run.folder,
            passed: rowPasses(run.row, threshold),
            ...(run.row.error ? { error: run.row.error } : {}),
            ...run.row.tally,
            score: run.row.score ?? null,
            seconds: run.row.seconds === undefined ? null : Math.round(run.row.seconds * 10) / 10,
            coverageAnalysis: run.coverageAnalysis,
            report: `${run.reportDir}/index.html`,
            survivors: run.survivors.map((mutant) => ({
              file: mutant.file,
              line: mutant.start.line,
              column: mutant.start.column,
              mutator: mutant.mutator,
              original: mutant.original,
              replacement: mutant.replacement,
              status: mutant.status,
            })),
            problems: run.problems,
          })),
        }),
      );
    } else if (runs.length > 0) {
      context.out("");
      context.out(renderTable(runs.map((run) => run.row), threshold));
      context.out(passed ? context.style.green(`Every challenge scores at least ${threshold} %.`) : context.style.red(`Below ${threshold} %: ${runs.filter((run) => !rowPasses(run.row, threshold)).map((run) => run.row.id).join(", ")}.`));
    }
    return passed ? EXIT.ok : EXIT.failed;
  },
};
