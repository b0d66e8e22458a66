// The learner's progress: which experiments matched, which challenges passed,
// how many hints were shown, which predictions were right. One JSON file,
// written atomically; a file that cannot be read is moved aside and reported,
// never silently replaced.

import { existsSync, readFileSync, renameSync } from "node:fs";
import { writeFileAtomic } from "./atomic-file.ts";

export interface LessonProgress {
  /** ISO time of the last run whose output matched. */
  experimentMatchedAt?: string;
  challengePassedAt?: string;
  hintsShown?: number;
  /** Answers to the lesson's predictions (`lesson <id> --predict`), by question. Absent in files from before predictions. */
  predictions?: Record<string, PredictionRecord>;
}

export interface PredictionRecord {
  /** Whether the first answer ever given was right: the one that shows what the learner expected. */
  rightFirstTime: boolean;
  /** How many times it was answered. */
  tries: number;
  /** ISO time of the first right answer. */
  rightAt?: string;
}

export interface Progress {
  version: 1;
  lessons: Record<string, LessonProgress>;
}

export interface LoadedProgress {
  progress: Progress;
  /** Set when the file was unreadable and has been moved aside. */
  warning?: string;
}

const empty = (): Progress => ({ version: 1, lessons: {} });

function isProgress(value: unknown): value is Progress {
  if (typeof value !== "object" || value === null) return false;
  const { version, lessons } = value as Record<string, unknown>;
  return version === 1 && typeof lessons === "object" && lessons !== null && !Array.isArray(lessons);
}

export function loadProgress(file: string, now: () => Date = () => new Date()): LoadedProgress {
  if (!existsSync(file)) return { progress: empty() };
  const text = readFileSync(file, "utf8");
  try {
    const value = JSON.parse(text) as unknown;
    if (isProgress(value)) return { progress: value };
  } catch {
    // Falls through to moving the file aside.
  }
  const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, "-")}`;
  renameSync(file, aside);
  return { progress: empty(), warning: `${file} could not be read, so it was moved to ${aside} and progress starts afresh; copy anything you need back by hand.` };
}

export function saveProgress(file: string, progress: Progress): void {
  writeFileAtomic(file, `${JSON.stringify(progress, null, 2)}\n`);
}

/** Reads, changes and writes one lesson's entry; a change that changes nothing writes nothing. */
export function updateProgress(file: string, id: string, change: (entry: LessonProgress) => void): LoadedProgress {
  const loaded = loadProgress(file);
  const before = JSON.stringify(loaded.progress.lessons[id]);
  const entry = (loaded.progress.lessons[id] ??= {});
  change(entry);
  if (JSON.stringify(entry) !== before) saveProgress(file, loaded.progress);
  return loaded;
}

export type LessonState = "done" | "next" | "available" | "locked";

/** Pure: each lesson's state in the menu. Done = experiment matched and challenge passed (when it has one). */
/**
 * The one definition of a finished lesson, for the menu, `lesson <id>` and
 * watch alike: its experiment matched, and its challenge (if it has one) passed.
 */
export function isDone(progress: Progress, id: string, hasChallenge: boolean): boolean {
  const entry = progress.lessons[id];
  return Boolean(entry?.experimentMatchedAt) && (!hasChallenge || Boolean(entry?.challengePassedAt));
}

/** The prerequisites of a lesson not finished yet (see isDone), in the order the lesson lists them. */
export function unmetPrerequisites(prerequisites: string[], hasChallenge: (id: string) => boolean, progress: Progress): string[] {
  return prerequisites.filter((id) => !isDone(progress, id, hasChallenge(id)));
}

export function lessonStates(
  lessons: Array<{ id: string; prerequisites: string[]; hasChallenge: boolean }>,
  progress: Progress,
): Map<string, LessonState> {
  const done = (id: string, hasChallenge: boolean) => isDone(progress, id, hasChallenge);
  const doneIds = new Set(lessons.filter((l) => done(l.id, l.hasChallenge)).map((l) => l.id));
  const states = new Map<string, LessonState>();
  let nextGiven = false;
  for (const lesson of lessons) {
    if (doneIds.has(lesson.id)) states.set(lesson.id, "done");
    else if (!lesson.prerequisites.every((p) => doneIds.has(p))) states.set(lesson.id, "locked");
    else if (!nextGiven) {
      states.set(lesson.id, "next");
      nextGiven = true;
    } else states.set(lesson.id, "available");
  }
  return states;
}
