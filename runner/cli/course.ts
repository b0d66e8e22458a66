// What every command needs from the course: the catalog, a lesson found by id
// or path (with "did you mean"), and its problems printed as file:line.

import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { challengeFiles, formatProblem, loadCatalog, readLesson, type Catalog, type Lesson } from "../course/catalog.ts";
import { nearest } from "../course/nearest.ts";
import { UsageError, type Context } from "./args.ts";

export interface Found {
  catalog: Catalog;
  lesson?: Lesson;
  /** Problems in the lesson asked for (it could not be loaded); empty when it loaded. */
  problems: Catalog["problems"];
}

export function printProblems(context: Context, problems: Catalog["problems"]): void {
  for (const problem of problems) context.err(context.style.red(formatProblem(problem, context.root)));
}

/** True when `wanted` names a file rather than an id. */
function looksLikePath(wanted: string): boolean {
  return wanted.includes("/") || wanted.includes(path.sep) || /\.\w+$/.test(wanted);
}

/**
 * Finds a lesson by id, by its folder, or by the path of a single-file lesson
 * (any extension). Throws UsageError for an unknown id, suggesting the nearest.
 */
export function findLesson(context: Context, wanted: string): Found {
  const catalog = loadCatalog(context.root);
  const byId = catalog.lessons.find((lesson) => lesson.meta.id === wanted);
  if (byId) return { catalog, lesson: byId, problems: [] };
  if (looksLikePath(wanted) || existsSync(wanted)) {
    const resolved = path.resolve(wanted);
    if (!existsSync(resolved)) throw new UsageError(`no such file: ${wanted}`);
    const file = statSync(resolved).isDirectory() ? path.join(resolved, "lesson.md") : resolved;
    const inCourse = catalog.lessons.find((lesson) => lesson.file === file);
    if (inCourse) return { catalog, lesson: inCourse, problems: [] };
    const lessonsDir = path.join(context.root, "lessons") + path.sep;
    const folder = file.startsWith(lessonsDir) ? path.relative(lessonsDir, path.dirname(file)).split(path.sep).join("/") : undefined;
    const read = readLesson(file, folder);
    return { catalog, lesson: read.lesson, problems: read.problems };
  }
  // A lesson that failed to load may still be the one meant: report its problems.
  const broken = problemsOfUnloadedLesson(catalog, wanted);
  if (broken.length > 0) return { catalog, problems: broken };
  const suggestions = nearest(wanted, catalog.lessons.map((lesson) => lesson.meta.id));
  throw new UsageError(
    `unknown lesson "${wanted}".${suggestions.length ? ` Did you mean ${suggestions.map((s) => `"${s}"`).join(" or ")}?` : ""} \`npm run lesson\` lists them all.`,
  );
}

/** Problems of a lesson that could not be loaded, found by its folder's name (`NN-<id>`). */
export function problemsOfUnloadedLesson(catalog: Catalog, id: string): Catalog["problems"] {
  return catalog.problems.filter((problem) => problem.file.includes(`-${id}${path.sep}`) || problem.file.endsWith(`-${id}`));
}

/** A lesson that has a challenge, or a usage error saying why not. */
export function lessonWithChallenge(context: Context, wanted: string) {
  const found = findLesson(context, wanted);
  if (!found.lesson) return { ...found, files: undefined };
  const files = challengeFiles(context.root, found.lesson);
  if (!files) throw new UsageError(`lesson "${found.lesson.meta.id}" has no challenge`);
  return { ...found, files };
}

/** The lessons this checkout can grade, or undefined after printing the course's problems. */
export function gradableLessons(context: Context): Lesson[] | undefined {
  const catalog = loadCatalog(context.root);
  if (catalog.problems.length) {
    printProblems(context, catalog.problems);
    return undefined;
  }
  return catalog.lessons.filter((lesson) => challengeFiles(context.root, lesson));
}
