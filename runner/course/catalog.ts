// The course catalog: finds every lesson folder, reads and validates each
// lesson, then checks the course as a whole (unique ids, known prerequisites,
// no cycles, no phase/sequence clashes). Problems are collected, never thrown.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../learner/atomic-file.ts";
import { parseFrontmatter, type LessonMeta } from "./frontmatter.ts";
import { codeBlocks, listItems, splitLesson, type CodeBlock, type Problem, type Section } from "./lesson-file.ts";
import type { ExpectedBlock } from "../experiment/match.ts";
import { checkCourse } from "./course-checks.ts";
import { isPredictBlock, readPredictions, type Prediction } from "./predictions.ts";

export const REQUIRED_SECTIONS = ["Concept", "Key Insight", "Experiment", "Expected Output", "Challenge", "Hints", "Common Mistakes"] as const;

export interface Lesson {
  meta: LessonMeta;
  /** The lesson's markdown file. */
  file: string;
  /** "1-foundations/01-request-cycle" for a course lesson; undefined for a file run by path. */
  folder?: string;
  heading?: string;
  sections: Section[];
  /** experiment.ts beside the lesson, or the code block inside its Experiment section. */
  experiment: { file: string } | { inline: CodeBlock };
  expected: ExpectedBlock[];
  hints: string[];
  /** Questions about the output, asked before the experiment runs (`lesson <id> --predict`). */
  predictions: Prediction[];
}

export interface ChallengeFiles {
  stub: string;
  solution: string;
  mutants: string;
  hiddenTest: string;
  /** Correct solutions written differently from the reference (solutions/<folder>/alternatives/*.ts): each must pass. */
  alternatives: string[];
}

export interface Catalog {
  root: string;
  lessons: Lesson[];
  problems: Problem[];
}

const LESSON_FILE = "lesson.md";
const MAX_LESSON_BYTES = 1_000_000;

function alternativesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => name.endsWith(".ts")).sort().map((name) => path.join(dir, name));
}

/** Paths of a course lesson's challenge, derived from its folder (rustlings-style: never stored). */
export function challengeFiles(root: string, lesson: Lesson): ChallengeFiles | undefined {
  if (!lesson.folder) return undefined;
  const stub = path.join(root, "lessons", lesson.folder, "challenge.ts");
  if (!existsSync(stub)) return undefined;
  return {
    stub,
    solution: path.join(root, "solutions", lesson.folder, "challenge.ts"),
    mutants: path.join(root, "solutions", lesson.folder, "mutants.yaml"),
    hiddenTest: path.join(root, "test", "hidden", lesson.folder, "challenge.test.ts"),
    alternatives: alternativesIn(path.join(root, "solutions", lesson.folder, "alternatives")),
  };
}

function expectedBlocks(section: Section | undefined): ExpectedBlock[] {
  if (!section) return [];
  return codeBlocks(section).map((block) => ({
    lines: block.code.split("\n"),
    unordered: /\bunordered\b/.test(block.info),
    line: block.line,
  }));
}

/** Reads one lesson file. `folder` is set for lessons inside the course. */
export function readLesson(file: string, folder?: string): { lesson?: Lesson; problems: Problem[] } {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_LESSON_BYTES) {
      return { problems: [{ file, line: 1, message: `the lesson is ${(size / 1e6).toFixed(1)} MB; keep lesson files under 1 MB (move data into the experiment's folder)` }] };
    }
    const buffer = readFileSync(file);
    text = new TextDecoder("utf-8", { fatal: true }).decode(buffer);
  } catch (error) {
    const message = (error as NodeJS.ErrnoException).code
      ? `cannot read the lesson: ${(error as Error).message}`
      : "the file is not valid UTF-8 — save it as UTF-8";
    return { problems: [{ file, line: 1, message }] };
  }
  const standalone = folder === undefined;
  const split = splitLesson(text);
  if (!split.frontmatter) {
    return { problems: [{ file, line: 1, message: "no frontmatter: start the file with `---`, the lesson's fields (id, title, phase, …), and `---`" }] };
  }
  const { meta, problems } = parseFrontmatter(split.frontmatter.text, split.frontmatter.line, file, standalone);
  const byTitle = new Map(split.sections.map((section) => [section.title, section]));
  const required = standalone ? (["Experiment", "Expected Output"] as const) : REQUIRED_SECTIONS;
  for (const title of required) {
    if (!byTitle.has(title)) problems.push({ file, line: split.frontmatter.line, message: `missing section \`## ${title}\`; a lesson has ${REQUIRED_SECTIONS.map((t) => `## ${t}`).join(", ")}` });
  }
  const expectedSection = byTitle.get("Expected Output");
  const expected = expectedBlocks(expectedSection);
  if (expectedSection && expected.length === 0) {
    problems.push({ file, line: expectedSection.line, message: "`## Expected Output` has no ```text code block: put what the experiment prints in one" });
  }
  let experiment: Lesson["experiment"] | undefined;
  const experimentFile = path.join(path.dirname(file), "experiment.ts");
  if (!standalone) {
    if (!existsSync(experimentFile)) problems.push({ file, line: byTitle.get("Experiment")?.line ?? 1, message: `no experiment: create ${path.relative(process.cwd(), experimentFile)}` });
    else if (readFileSync(experimentFile, "utf8").trim() === "") problems.push({ file: experimentFile, line: 1, message: "the experiment is empty: write the program the lesson runs" });
    else experiment = { file: experimentFile };
  } else {
    const section = byTitle.get("Experiment");
    const block = section ? codeBlocks(section).find((candidate) => /^(js|javascript|ts|typescript|mjs)?\b/.test(candidate.info) && candidate.code.trim() !== "" && !isPredictBlock(candidate.info)) : undefined;
    if (section && !block) problems.push({ file, line: section.line, message: "`## Experiment` has no ```js or ```ts code block to run" });
    if (block) experiment = { inline: block };
  }
  const hintsSection = byTitle.get("Hints");
  const hints = hintsSection ? listItems(hintsSection) : [];
  if (hintsSection && hints.length === 0 && !standalone) {
    problems.push({ file, line: hintsSection.line, message: "`## Hints` has no list items: write one hint per numbered item (1. …)" });
  }
  // Hints are shown one at a time, by number ("hint 2 of 4"): a bulleted list reads as one unordered block.
  const bullet = hintsSection?.lines.findIndex((line) => /^\s{0,3}[-*+]\s+/.test(line)) ?? -1;
  if (hintsSection && bullet !== -1 && !standalone) {
    problems.push({ file, line: hintsSection.line + bullet + 1, message: "`## Hints` is a bulleted list: number the hints (1. …, 2. …), one hint per item, in the order a stuck learner needs them" });
  }
  const { predictions, problems: predictionProblems } = readPredictions(split.sections, expected, file);
  problems.push(...predictionProblems);
  if (!meta || !experiment || problems.length > 0) return { problems };
  return { problems, lesson: { meta, file, folder, heading: split.heading, sections: split.sections, experiment, expected, hints, predictions } };
}

function lessonFolders(root: string): string[] {
  const lessonsDir = path.join(root, "lessons");
  const folders: string[] = [];
  const visible = (name: string) => !name.startsWith("_") && !name.startsWith(".");
  for (const phase of readdirSync(lessonsDir).filter(visible).sort()) {
    const phaseDir = path.join(lessonsDir, phase);
    if (!statSync(phaseDir).isDirectory()) continue;
    for (const name of readdirSync(phaseDir).filter(visible).sort()) {
      if (statSync(path.join(phaseDir, name)).isDirectory()) folders.push(`${phase}/${name}`);
    }
  }
  return folders;
}

type ReadResult = ReturnType<typeof readLesson>;

interface CatalogCache {
  /** The runner build that wrote it: a new runner may read lessons differently. */
  runner: string;
  entries: Record<string, { key: string; read: ReadResult }>;
}

/** What a cached reading of a lesson depends on: its file and its experiment's. */
function cacheKey(file: string): string {
  const stamp = (target: string) => {
    try {
      const stat = statSync(target);
      return `${stat.mtimeMs}:${stat.size}`;
    } catch {
      return "-";
    }
  };
  return `${stamp(file)}|${stamp(path.join(path.dirname(file), "experiment.ts"))}`;
}

function runnerStamp(): string {
  const stat = statSync(fileURLToPath(import.meta.url));
  return `${stat.mtimeMs}:${stat.size}`;
}

/**
 * Every lesson of the course, validated. Readings are cached by file stamp in
 * .queuecraft/cache/catalog.json, so a warm start parses no YAML at all.
 */
export function loadCatalog(root: string): Catalog {
  const lessons: Lesson[] = [];
  const problems: Problem[] = [];
  const cacheFile = path.join(root, ".queuecraft", "cache", "catalog.json");
  const runner = runnerStamp();
  let cache: CatalogCache = { runner, entries: {} };
  try {
    const stored = JSON.parse(readFileSync(cacheFile, "utf8")) as CatalogCache;
    if (stored.runner === runner) cache = stored;
  } catch {
    // No cache yet, or a damaged one: read everything.
  }
  let changed = false;
  const entries: CatalogCache["entries"] = {};
  for (const folder of lessonFolders(root)) {
    const file = path.join(root, "lessons", folder, LESSON_FILE);
    if (!existsSync(file)) {
      problems.push({ file: path.join(root, "lessons", folder), line: 1, message: `no ${LESSON_FILE} in this lesson folder` });
      continue;
    }
    const key = cacheKey(file);
    const cached = cache.entries[file];
    const read = cached?.key === key ? cached.read : readLesson(file, folder);
    changed ||= cached?.key !== key;
    entries[file] = { key, read };
    problems.push(...read.problems);
    if (read.lesson) lessons.push(read.lesson);
  }
  if (changed || Object.keys(cache.entries).length !== Object.keys(entries).length) {
    try {
      writeFileAtomic(cacheFile, JSON.stringify({ runner, entries } satisfies CatalogCache));
    } catch {
      // A read-only checkout still works, just without the cache.
    }
  }
  problems.push(...checkCourse(lessons));
  lessons.sort((a, b) => a.meta.phase - b.meta.phase || a.meta.sequence - b.meta.sequence);
  return { root, lessons, problems };
}

export function formatProblem(problem: Problem, root: string): string {
  const file = path.isAbsolute(problem.file) ? path.relative(root, problem.file) || problem.file : problem.file;
  return `${file}:${problem.line}: ${problem.message}`;
}
