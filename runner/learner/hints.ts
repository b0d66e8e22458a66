// A challenge's hints come one at a time, in order; progress remembers how
// many a learner has seen. A hint counts as seen only when it is shown: the
// caller asks for the next one when it is about to show it.

import type { Lesson } from "../course/catalog.ts";
import { loadProgress, updateProgress } from "./progress.ts";

export interface Hints {
  /** How many hints the learner has seen, the one just revealed included. */
  shown: number;
  total: number;
  /** The hints seen so far, first to last. */
  seen: string[];
  warning?: string;
}

/** Reveals the next hint (recorded in progress), or with `next: false` only reads which were seen. */
export function revealHints(progressFile: string, lesson: Lesson, { next }: { next: boolean }): Hints {
  const { hints } = lesson;
  if (!next) {
    const { progress, warning } = loadProgress(progressFile);
    const shown = Math.min(hints.length, progress.lessons[lesson.meta.id]?.hintsShown ?? 0);
    return { shown, total: hints.length, seen: hints.slice(0, shown), warning };
  }
  let shown = 0;
  const { warning } = updateProgress(progressFile, lesson.meta.id, (entry) => {
    shown = Math.max(1, Math.min(hints.length, (entry.hintsShown ?? 0) + 1));
    entry.hintsShown = shown;
  });
  return { shown, total: hints.length, seen: hints.slice(0, shown), warning };
}
