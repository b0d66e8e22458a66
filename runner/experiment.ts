// Builds a lesson's experiment into one cached ES module and runs it. The
// build is the slow part (esbuild starts a service process), so it is cached
// by the content of every file that went into it; a warm run only hashes a
// few small files and starts a worker thread.

import path from "node:path";
import { bundleModule, type BundleSource } from "./bundle.ts";
import type { Lesson } from "./catalog.ts";
import { normalisedEnv, runInWorker, runProcess, type Limits, type RunOutcome } from "./sandbox.ts";

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

/** Builds (or reuses) and runs a lesson's experiment under its limits. */
export async function runExperiment(
  lesson: Lesson,
  options: { cacheDir: string; limits: Limits; env?: Record<string, string>; isolation?: "worker" | "process"; cwd: string },
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
  const env = normalisedEnv(options.env);
  if (options.isolation === "process") {
    return runProcess(["--enable-source-maps", moduleFile], { limits: options.limits, env, cwd: options.cwd });
  }
  return runInWorker(moduleFile, { limits: options.limits, env });
}
