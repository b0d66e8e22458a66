// Turns an experiment's run into a verdict: matched, or why not. Pure.

import type { Lesson } from "../course/catalog.ts";
import { diffOutput, type OutputDiff } from "./diff.ts";
import type { ExperimentRun } from "./run.ts";
import { matchOutput, normalizeLines } from "./match.ts";

export interface Verdict {
  ok: boolean;
  /** One line: what went wrong, when the run itself failed. */
  problem?: string;
  diff?: OutputDiff;
  actual: string[];
}

export function judge(lesson: Lesson, run: ExperimentRun): Verdict {
  const actual = normalizeLines(run.stdout);
  const seconds = lesson.meta.timeoutSeconds;
  if (run.buildError !== undefined) return { ok: false, actual, problem: `The experiment does not compile:\n${run.buildError}` };
  if (run.timedOut) {
    return { ok: false, actual, problem: `The experiment was stopped after ${seconds} s (timeout_seconds): it never finished — a server, timer or connection left open, or an endless loop?` };
  }
  if (run.flooded) return { ok: false, actual, problem: "The experiment was stopped: it printed more than 1 MB (an endless loop printing?)." };
  if (run.crash !== undefined) return { ok: false, actual, problem: `The experiment crashed:\n${run.crash}` };
  if (run.exitCode !== 0) return { ok: false, actual, problem: `The experiment exited with code ${run.exitCode}.` };
  if (matchOutput(lesson.expected, actual)) return { ok: true, actual };
  return { ok: false, actual, diff: diffOutput(lesson.expected, actual) };
}
