// The lesson menu: every lesson grouped by phase and marked done / next /
// locked. A person picks one (the lesson command then runs it); without a
// terminal it is printed and that is all.

import { challengeFiles, formatProblem, loadCatalog } from "../../course/catalog.ts";
import { EXIT, type Context } from "../args.ts";
import { loadProgress, lessonStates, type LessonState } from "../../learner/progress.ts";
import { workspaceAt } from "../../learner/workspace.ts";

const MARK: Record<LessonState, string> = { done: "✓", next: "→", available: "·", locked: "🔒" };

/** Shows the menu; `picked` is the lesson a person chose, if any. */
export async function showMenu(context: Context): Promise<{ exitCode: number; picked?: string }> {
  const catalog = loadCatalog(context.root);
  const { progress, warning } = loadProgress(workspaceAt(context.root).progressFile);
  if (warning) context.err(warning);
  const states = lessonStates(
    catalog.lessons.map((lesson) => ({ id: lesson.meta.id, prerequisites: lesson.meta.prerequisites, hasChallenge: Boolean(challengeFiles(context.root, lesson)) })),
    progress,
  );
  if (context.json) {
    context.out(JSON.stringify({
      lessons: catalog.lessons.map((lesson) => ({ id: lesson.meta.id, title: lesson.meta.title, phase: lesson.meta.phase, state: states.get(lesson.meta.id) })),
      problems: catalog.problems.map((problem) => formatProblem(problem, context.root)),
    }));
    return { exitCode: catalog.problems.length ? EXIT.failed : EXIT.ok };
  }
  const { style } = context;
  const lines: Array<{ id?: string; text: string; state?: LessonState }> = [];
  let phase = 0;
  for (const lesson of catalog.lessons) {
    if (lesson.meta.phase !== phase) {
      phase = lesson.meta.phase;
      lines.push({ text: style.bold(`Phase ${phase} — ${lesson.meta.phaseTitle}`) });
    }
    const state = states.get(lesson.meta.id)!;
    const label = `${MARK[state]} ${lesson.meta.id.padEnd(22)} ${lesson.meta.title}`;
    const text = state === "locked" ? style.dim(label) : state === "next" ? style.cyan(label) : label;
    lines.push({ id: lesson.meta.id, text: `  ${text}`, state });
  }
  for (const problem of catalog.problems) context.err(style.red(formatProblem(problem, context.root)));
  if (!context.interactive) {
    for (const line of lines) context.out(line.text);
    context.out(style.dim(`\n✓ done  → next  · available  🔒 needs its prerequisites first. Run one: npm run lesson <id>`));
    return { exitCode: EXIT.ok };
  }
  const { default: prompts } = await import("prompts");
  const next = lines.find((line) => line.state === "next");
  const choices = lines.map((line) => ({ title: line.text, value: line.id ?? "", disabled: !line.id }));
  const answer = await prompts({
    type: "select",
    name: "id",
    message: "Which lesson?",
    choices,
    initial: Math.max(0, lines.indexOf(next ?? lines[0]!)),
    warn: "",
  });
  return { exitCode: EXIT.ok, picked: answer.id ? (answer.id as string) : undefined };
}
