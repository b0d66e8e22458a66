// Builds a lesson's experiment into one cached ES module and runs it. The
// build is the slow part (esbuild starts a service process), so it is cached
// by the content of every file that went into it; a warm run only hashes a
// few small files and starts a worker thread.

import path from "node:path";
import { bundleModule, type BundleSource } from "../process/bundle.ts";
import type { Lesson } from "../course/catalog.ts";
import { DEFAULT_LIMITS, normalisedEnv, runInWorker, type Limits, type RunOutcome } from "../process/sandbox.ts";

/** The experiment's own file, or the code block of a single-file lesson. */
function experimentSource(lesson: Lesson): BundleSource {
  if ("file" in lesson.experiment) return { entry: lesson.experiment.file };
  const language = lesson.experiment.inline.info.split(/\s+/)[0] ?? "";
  return { entry: lesson.file, contents: lesson.experiment.inline.code, loader: /^(ts|typescript)$/.test(language) ? "ts" : "js" };
}

/** Bundles the experiment (or reuses its cached build) and returns the module's path. */
export function buildExperiment(lesson: Lesson, cacheDir: string): Promise<string> {
  return bundleModule(experimentSource(lesson), path.join(cacheDir, "experiments"), lesson.meta.id);
}

export interface ExperimentRun extends RunOutcome {
  /** Why the experiment could not be built, if it could not. */
  buildError?: string;
}

/** The limits a lesson's experiment runs under: its own time limit, the default caps. */
export function experimentLimits(lesson: Lesson): Limits {
  return { ...DEFAULT_LIMITS, timeoutMs: lesson.meta.timeoutSeconds * 1000 };
}

/** Builds (or reuses) and runs a lesson's experiment under its limits, in a worker thread. */
export async function runExperiment(
  lesson: Lesson,
  options: { cacheDir: string; limits: Limits; env?: Record<string, string> },
): Promise<ExperimentRun> {
  let moduleFile: string;
  try {
    moduleFile = await buildExperiment(lesson, options.cacheDir);
  } catch (error) {
    const errors = (error as { errors?: Array<{ text: string; location?: { file: string; line: number; lineText: string } }> }).errors;
    const text = errors?.length
      ? errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}\n    ${e.location.lineText}` : e.text)).join("\n")
      : String(error);
    return { stdout: "", stderr: "", timedOut: false, flooded: false, buildError: text };
  }
  return runInWorker(moduleFile, { limits: options.limits, env: normalisedEnv(options.env) });
}
