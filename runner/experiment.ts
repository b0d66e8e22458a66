// Builds a lesson's experiment into one cached ES module and runs it. The
// build is the slow part (esbuild starts a service process), so it is cached
// by the content of every file that went into it; a warm run only hashes a
// few small files and starts a worker thread.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Lesson } from "./catalog.ts";
import { normalisedEnv, runInWorker, runProcess, type Limits, type RunOutcome } from "./sandbox.ts";

interface BuildRecord {
  output: string;
  /** Every source file bundled in, with the hash of its content. */
  inputs: Record<string, string>;
}

const hash = (text: string | Buffer) => createHash("sha1").update(text).digest("hex").slice(0, 16);

function upToDate(record: BuildRecord): boolean {
  if (!existsSync(record.output)) return false;
  for (const [file, digest] of Object.entries(record.inputs)) {
    if (!existsSync(file) || hash(readFileSync(file)) !== digest) return false;
  }
  return true;
}

/** Source and loader of the experiment: its own file, or the code block of a single-file lesson. */
function experimentSource(lesson: Lesson): { entry: string; contents?: string; loader: "ts" | "js" } {
  if ("file" in lesson.experiment) return { entry: lesson.experiment.file, loader: "ts" };
  const language = lesson.experiment.inline.info.split(/\s+/)[0] ?? "";
  return { entry: lesson.file, contents: lesson.experiment.inline.code, loader: /^(ts|typescript)$/.test(language) ? "ts" : "js" };
}

/**
 * Bundles the experiment with its local imports (packages stay external, so
 * they resolve from the course's node_modules) and returns the module's path.
 */
export async function buildExperiment(lesson: Lesson, cacheDir: string): Promise<string> {
  const dir = path.join(cacheDir, "experiments");
  const recordFile = path.join(dir, `${lesson.meta.id}-${hash(lesson.file)}.json`);
  if (existsSync(recordFile)) {
    try {
      const record = JSON.parse(readFileSync(recordFile, "utf8")) as BuildRecord;
      if (upToDate(record)) return record.output;
    } catch {
      // A damaged record is rebuilt below.
    }
  }
  const { build } = await import("esbuild");
  const source = experimentSource(lesson);
  const result = await build({
    ...(source.contents !== undefined
      ? { stdin: { contents: source.contents, loader: source.loader, resolveDir: path.dirname(lesson.file), sourcefile: lesson.file } }
      : { entryPoints: [source.entry] }),
    bundle: true,
    packages: "external",
    format: "esm",
    platform: "node",
    target: "node20",
    write: false,
    metafile: true,
    logLevel: "silent",
    sourcemap: "inline",
    plugins: [keepImportMetaUrl],
  });
  const code = result.outputFiles[0]!.text;
  mkdirSync(dir, { recursive: true });
  const output = path.join(dir, `${lesson.meta.id}-${hash(code)}.mjs`);
  writeFileSync(output, code);
  const inputs: Record<string, string> = {};
  const cwd = process.cwd();
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(cwd, input);
    if (existsSync(file)) inputs[file] = hash(readFileSync(file));
  }
  // The single-file lesson itself holds the code: changing it must rebuild.
  inputs[lesson.file] = hash(readFileSync(lesson.file));
  writeFileSync(recordFile, JSON.stringify({ output, inputs } satisfies BuildRecord));
  return output;
}

/**
 * Bundling moves code into the cache folder; each file keeps its own
 * import.meta.url so experiments can still find files beside them.
 */
const keepImportMetaUrl = {
  name: "keep-import-meta-url",
  setup(builder: import("esbuild").PluginBuild) {
    builder.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const contents = readFileSync(args.path, "utf8");
      if (!contents.includes("import.meta")) return undefined;
      const url = pathToFileURL(args.path).href;
      return {
        contents: contents
          .replaceAll("import.meta.url", JSON.stringify(url))
          .replaceAll("import.meta.dirname", JSON.stringify(path.dirname(args.path)))
          .replaceAll("import.meta.filename", JSON.stringify(args.path)),
        loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js",
      };
    });
  },
};

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
