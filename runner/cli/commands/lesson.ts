// `npm run lesson [id|path]`: with an id, show the lesson, run its experiment
// and compare; without one, the menu.

import { readFileSync } from "node:fs";
import path from "node:path";
import { challengeFiles, type Lesson } from "../../course/catalog.ts";
import { EXIT, type Command, type Context } from "../args.ts";
import { findLesson, printProblems } from "../course.ts";
import { experimentLimits, runExperiment, type ExperimentRun } from "../../experiment/run.ts";
import { loadProgress, unmetPrerequisites, updateProgress } from "../../learner/progress.ts";
import { renderDiff, renderLesson } from "../render.ts";
import { provideServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { judge, type Verdict } from "../../experiment/verdict.ts";
import { ensureChallengeFile, workspaceAt } from "../../learner/workspace.ts";
import { paging } from "../pager.ts";
import { showMenu } from "./menu.ts";
import { askPredictions, planPredictions, predictFlags, predictionHint, predictionsJson, reportPredictions } from "../predict.ts";

export interface ExperimentResult {
  verdict?: Verdict;
  run?: ExperimentRun;
  /** The lesson's service could not be provided (one line, with the fix). */
  unavailable?: string;
}

/** Provides the lesson's services, runs its experiment once and judges it. */
export async function runLessonExperiment(root: string, lesson: Lesson, env: Record<string, string> = {}): Promise<ExperimentResult> {
  let services: Awaited<ReturnType<typeof provideServices>> | undefined;
  try {
    services = await provideServices(lesson.meta.services);
  } catch (error) {
    if (error instanceof ServiceUnavailable) return { unavailable: error.message };
    throw error;
  }
  try {
    const run = await runExperiment(lesson, { cacheDir: path.join(root, ".queuecraft", "cache"), limits: experimentLimits(lesson), env: { ...services.env, ...env } });
    return { run, verdict: judge(lesson, run) };
  } finally {
    await services.stop();
  }
}

export function reportExperiment(context: Context, lesson: Lesson, result: ExperimentResult): void {
  const { style } = context;
  if (result.unavailable) {
    context.err(style.yellow(`Not run: ${result.unavailable}`));
    return;
  }
  const { verdict, run } = result;
  if (!verdict || !run) return;
  context.out(style.bold("Output"));
  for (const line of verdict.actual) context.out(style.dim("  │ ") + line);
  if (run.stderr.trim()) {
    context.out(style.bold("Errors printed (stderr, not compared)"));
    for (const line of run.stderr.trimEnd().split("\n").slice(0, 40)) context.out(style.dim("  │ ") + style.red(line));
  }
  context.out("");
  if (verdict.ok) {
    context.out(style.green(`✓ The output matches the lesson's expected output.`));
    return;
  }
  if (verdict.problem) context.out(style.red(`✗ ${verdict.problem}`));
  if (verdict.diff) context.out(renderDiff(verdict.diff, style));
  context.out(style.dim(`\nThe expected output is in ${path.relative(context.root, lesson.file)} under "## Expected Output".`));
}

/** Prerequisites not finished: experiment matched and challenge passed, as the menu counts them. */
function unfinishedPrerequisites(context: Context, lessons: Lesson[], lesson: Lesson): string[] {
  const { progress } = loadProgress(workspaceAt(context.root).progressFile);
  const byId = new Map(lessons.map((other) => [other.meta.id, other]));
  const hasChallenge = (id: string) => {
    const other = byId.get(id);
    return other !== undefined && challengeFiles(context.root, other) !== undefined;
  };
  return unmetPrerequisites(lesson.meta.prerequisites, hasChallenge, progress);
}

async function confirm(message: string): Promise<boolean> {
  const { default: prompts } = await import("prompts");
  const answer = await prompts({ type: "confirm", name: "go", message, initial: true });
  return answer.go === true;
}

export const lessonCommand: Command = {
  summary: "Shows a lesson, runs its experiment and compares the output with the lesson's expected output. With no id: the menu.",
  usage: "npm run lesson [<id> | <path/to/lesson.md>] [-- --json] [--force] [--quiet] [--no-pager] [--predict [--answers <1,b,…>]]",
  flags: { force: "boolean", quiet: "boolean", "no-pager": "boolean", ...predictFlags },
  async run(context, args) {
    let wanted = args.positional[0];
    if (args.positional.length > 1) {
      context.err(`one lesson at a time: got ${args.positional.join(", ")}`);
      return EXIT.usage;
    }
    if (!wanted) {
      const menu = await showMenu(context);
      if (!menu.picked) return menu.exitCode;
      wanted = menu.picked;
    }
    const found = findLesson(context, wanted);
    if (!found.lesson) {
      printProblems(context, found.problems);
      context.err(`Fix the problem${found.problems.length > 1 ? "s" : ""} above, then run the lesson again.`);
      return EXIT.failed;
    }
    const { lesson } = found;
    const { style } = context;
    const workspace = workspaceAt(context.root);
    const predicting = planPredictions(context, args, lesson);
    if (lesson.folder) {
      const unmet = unfinishedPrerequisites(context, found.catalog.lessons, lesson);
      if (unmet.length > 0 && !args.flags.has("force")) {
        const note = `"${lesson.meta.id}" builds on ${unmet.map((id) => `"${id}"`).join(", ")}, not finished yet (experiment matched and challenge passed).`;
        if (context.interactive && !context.json) {
          if (!(await confirm(`${note} Run it anyway?`))) {
            context.out(`Start with that one: npm run lesson ${unmet[0]}`);
            return EXIT.ok;
          }
        } else context.err(style.yellow(`Note: ${note}`));
      }
    }
    // A lesson taller than the screen is paged (in a terminal only); what follows prints through it.
    const page = paging(context, !args.flags.has("no-pager"));
    const out = page.context;
    if (!context.json && !args.flags.has("quiet")) {
      const source = "file" in lesson.experiment ? readFileSync(lesson.experiment.file, "utf8") : undefined;
      // In a terminal, code lines are cut at its width; piped, they are kept whole.
      out.out(renderLesson(lesson, source, style, process.stdout.isTTY ? process.stdout.columns || 80 : Infinity));
      const hint = predicting ? undefined : predictionHint(context, lesson, workspace.progressFile);
      if (hint) out.out(hint);
    }
    const answered = predicting && (await askPredictions(context, page, lesson, predicting, workspace.progressFile));
    const result = await runLessonExperiment(context.root, lesson);
    const files = challengeFiles(context.root, lesson);
    const challenge = files ? ensureChallengeFile(workspace, lesson.meta.id, files.stub) : undefined;
    if (result.verdict?.ok && lesson.folder) {
      const { warning } = updateProgress(workspace.progressFile, lesson.meta.id, (entry) => {
        // The first match is the milestone; later runs change nothing (and write nothing).
        entry.experimentMatchedAt ??= new Date().toISOString();
      });
      if (warning) context.err(style.yellow(warning));
    }
    if (context.json) {
      context.out(
        JSON.stringify({
          id: lesson.meta.id,
          ok: result.verdict?.ok ?? false,
          ...(result.unavailable ? { unavailable: result.unavailable } : {}),
          ...(result.verdict?.problem ? { problem: result.verdict.problem } : {}),
          ...(result.verdict?.diff ? { firstDivergence: result.verdict.diff.firstDivergence, cause: result.verdict.diff.cause } : {}),
          output: result.run?.stdout ?? "",
          stderr: result.run?.stderr ?? "",
          ...(challenge ? { challengeFile: challenge.file } : {}),
          ...(answered ? { predictions: predictionsJson(answered) } : {}),
        }),
      );
    } else {
      reportExperiment(out, lesson, result);
      if (answered) reportPredictions(out, answered, result.verdict?.actual ?? []);
      if (challenge) {
        const shown = path.relative(process.cwd(), challenge.file);
        out.out(`\n${style.bold("Your challenge:")} ${shown}${challenge.created ? " (just created from the stub)" : ""} — grade it with ${style.cyan(`npm run check ${lesson.meta.id}`)}, stuck? ${style.cyan(`npm run hint ${lesson.meta.id}`)}`);
      }
    }
    await page.done();
    return result.verdict?.ok ? EXIT.ok : EXIT.failed;
  },
};

