// `npm run hint <id>`: the next hint from the lesson's Hints section, one at a
// time; how many were shown is remembered in progress.

import { EXIT, lessonIdArg, type Command } from "../args.ts";
import { findLesson, printProblems } from "../course.ts";
import type { Lesson } from "../../course/catalog.ts";
import { revealHints } from "../../learner/hints.ts";
import { workspaceAt } from "../../learner/workspace.ts";
import { renderMarkdown, type Style } from "../render.ts";

/** `--all` before any hint was seen shows the first: "all so far" is never nothing. */
function hasSeenAny(root: string, lesson: Lesson): boolean {
  return revealHints(workspaceAt(root).progressFile, lesson, { next: false }).shown > 0;
}

/** Hints numbered from `first`, each with "Hint n of total". */
export function formatHints(hints: string[], first: number, total: number, style: Style): string {
  return hints.map((hint, index) => `${style.bold(`Hint ${first + index} of ${total}`)}  ${renderMarkdown([hint], style).join("\n")}`).join("\n");
}

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
    const all = args.flags.has("all");
    const { shown, seen, warning } = revealHints(workspaceAt(context.root).progressFile, lesson, { next: !all || !hasSeenAny(context.root, lesson) });
    if (warning) context.err(warning);
    const visible = all ? seen : seen.slice(-1);
    if (context.json) {
      context.out(JSON.stringify({ id: lesson.meta.id, shown, total: hints.length, hints: visible }));
      return EXIT.ok;
    }
    context.out(formatHints(visible, all ? 1 : shown, hints.length, context.style));
    context.out(context.style.dim(shown < hints.length ? "Run it again for the next hint." : "That was the last hint. The Common Mistakes section of the lesson may help too."));
    return EXIT.ok;
  },
};
