// `npm run check <id>`: grades the learner's challenge (or --file) against the
// lesson's tests: public examples and hidden tests in the course checkout, the
// public ones alone in a student edition (which says so: the hidden tests run
// when the instructor grades). After a pass, marks progress and, where there
// is one, offers the reference solution.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { EXIT, numberFlag, UsageError, lessonIdArg, type Command, type Context } from "../args.ts";
import { lessonWithChallenge, printProblems } from "../course.ts";
import { grade } from "../../grading/grade.ts";
import { stageCandidate } from "../../grading/wrapper.ts";
import { updateProgress } from "../../learner/progress.ts";
import { errorResults, exercismResults, type Results } from "../../grading/results.ts";
import { provideServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { ensureChallengeFile, workspaceAt } from "../../learner/workspace.ts";
import { lineDiff } from "../line-diff.ts";
import { isStudentEdition, learnerSuites, PUBLIC_ONLY_NOTE, suiteWords } from "../../edition/edition.ts";

export const DEFAULT_CHECK_TIMEOUT_S = 30;

export function renderResults(context: Context, results: Results, title: string, noun = "hidden tests"): void {
  const { style } = context;
  context.out(style.bold(title));
  for (const test of results.tests) {
    const mark = test.status === "pass" ? style.green("✓") : style.red("✗");
    context.out(`  ${mark} ${test.name}`);
    if (test.status !== "pass" && test.message) for (const line of test.message.split("\n")) context.out(`      ${style.red(line)}`);
    if (test.output && test.status !== "pass") {
      context.out(style.dim("      your output:"));
      for (const line of test.output.trimEnd().split("\n")) context.out(style.dim(`      │ ${line}`));
    }
  }
  if (results.message) context.out(style.red(`  ${results.message.split("\n").join("\n  ")}`));
  const passed = results.tests.filter((t) => t.status === "pass").length;
  const verdict = results.status === "pass" ? style.green("PASS") : results.status === "fail" ? style.red("FAIL") : style.red("ERROR");
  context.out(`${verdict}  ${passed}/${results.tests.length} ${noun} pass`);
}

export const checkCommand: Command = {
  summary: "Grades your challenge against the lesson's tests: its public worked examples and its hidden tests (in a student edition the public ones; the hidden tests run when the instructor grades). --file grades any file as that challenge (authors, instructors).",
  usage: "npm run check <id> [-- --file <path>] [--json] [--timeout <seconds>]",
  flags: { file: "string", timeout: "string" },
  async run(context, args) {
    const id = lessonIdArg(args, "check");
    const timeoutS = numberFlag(args, "timeout", DEFAULT_CHECK_TIMEOUT_S, { min: 1, max: 600 });
    const found = lessonWithChallenge(context, id);
    if (!found.lesson || !found.files) {
      printProblems(context, found.problems);
      return EXIT.failed;
    }
    const { lesson, files } = found;
    const workspace = workspaceAt(context.root);
    const fileFlag = args.flags.get("file");
    let candidate: string;
    if (typeof fileFlag === "string") {
      if (!existsSync(fileFlag)) throw new UsageError(`no such file: ${fileFlag}`);
      candidate = path.resolve(fileFlag);
    } else {
      const ensured = ensureChallengeFile(workspace, lesson.meta.id, files.stub);
      candidate = ensured.file;
      if (ensured.created && !context.json) context.err(`Created ${path.relative(process.cwd(), candidate)} from the stub: fill in the TODOs, then check again.`);
    }
    // Servers start while the grading child loads vitest.
    const starting = provideServices(lesson.meta.services);
    const services = starting.then((running) => running.env);
    services.catch(() => {}); // grade() reports it; this keeps an early failure from counting as unhandled
    const suites = learnerSuites(context.root, lesson.folder!);
    const words = suiteWords(suites);
    let results: Results;
    try {
      [results] = (await grade([{ folder: lesson.folder!, suites, candidate: stageCandidate(context.root, candidate), displayName: path.basename(candidate) }], {
        root: context.root,
        timeoutMs: timeoutS * 1000,
        services,
      })) as [Results];
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      if (context.json) context.out(JSON.stringify(exercismResults(errorResults({ kind: "other", message: error.message }))));
      else context.err(context.style.red(error.message));
      return EXIT.failed;
    } finally {
      await starting.then((running) => running.stop(), () => {});
    }
    // Exercism's results.json, to the letter (grading/results.ts).
    if (context.json) context.out(JSON.stringify(exercismResults(results)));
    else renderResults(context, results, `${words.title} for ${lesson.meta.id} (${path.relative(process.cwd(), candidate)})`, words.noun);
    if (!context.json && isStudentEdition(context.root)) context.out(context.style.dim(`\n${PUBLIC_ONLY_NOTE}`));
    if (results.status !== "pass") return EXIT.failed;
    if (typeof fileFlag !== "string") {
      const { warning } = updateProgress(workspace.progressFile, lesson.meta.id, (entry) => {
        entry.challengePassedAt = new Date().toISOString();
      });
      if (warning) context.err(warning);
      if (!context.json) {
        if (existsSync(files.solution)) {
          context.out(context.style.bold("\nWell done. The reference solution, compared with yours (- yours, + reference; comments and what you share left out):"));
          context.out(lineDiff(readFileSync(candidate, "utf8"), readFileSync(files.solution, "utf8"), context.style));
        } else context.out(context.style.bold("\nWell done: every worked example passes. Submit with npm run submit when your instructor asks."));
        const lessons = found.catalog.lessons;
        const next = lessons[lessons.indexOf(lesson) + 1];
        context.out(next ? `\nNext: npm run lesson ${next.meta.id}` : "\nThat was the last lesson of the course.");
      }
    }
    return EXIT.ok;
  },
};
