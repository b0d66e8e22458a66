// `npm run hint <id>`: the next hint from the lesson's Hints section, one at a
// time; how many were shown is remembered in progress.

import { EXIT, lessonIdArg, type Command } from "../args.ts";
import { findLesson, printProblems } from "../course.ts";
import { updateProgress } from "../../learner/progress.ts";
import { renderMarkdown } from "../render.ts";
import { workspaceAt } from "../../learner/workspace.ts";

export const hintCommand: Command = {
  summary: "Shows the next hint for a lesson's challenge (all hints shown so far with --all).",
  usage: "npm run hint <id> [-- --all] [--json]",
  flags: { all: "boolean" },
  async run(context, args) {
    const id = lessonIdArg(args, "hint");
    const { lesson, problems } = findLesson(context, id);
    if (!lesson) {
      printProblems(context, problems);
      return EXIT.failed;
    }
    const { hints } = lesson;
    if (hints.length === 0) {
      context.err(`"${lesson.meta.id}" has no hints.`);
      return EXIT.failed;
    }
    let shown = 0;
    const { warning } = updateProgress(workspaceAt(context.root).progressFile, lesson.meta.id, (entry) => {
      shown = Math.min(hints.length, (entry.hintsShown ?? 0) + (args.flags.has("all") ? 0 : 1));
      shown = Math.max(shown, 1);
      entry.hintsShown = shown;
    });
    if (warning) context.err(warning);
    const visible = args.flags.has("all") ? hints.slice(0, shown) : [hints[shown - 1]!];
    if (context.json) {
      context.out(JSON.stringify({ id: lesson.meta.id, shown, total: hints.length, hints: visible }));
      return EXIT.ok;
    }
    const first = args.flags.has("all") ? 1 : shown;
    visible.forEach((hint, index) => {
      context.out(`${context.style.bold(`Hint ${first + index} of ${hints.length}`)}  ${renderMarkdown([hint], context.style).join("\n")}`);
    });
    context.out(context.style.dim(shown < hints.length ? `Run it again for the next hint.` : `That was the last hint. The Common Mistakes section of the lesson may help too.`));
    return EXIT.ok;
  },
};
