// Bundles a TypeScript module with its local imports into one cached ES module
// that plain `node` runs. Packages stay external, so the output must live
// inside the course to resolve them from its node_modules. The build is the
// slow part (esbuild starts a service process), so it is cached by the content
// of every file that went into it: a warm call only hashes a few small files.

import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { writeFileAtomic } from "../learner/atomic-file.ts";

/** Where lessons/_kit/spawn-ts.ts keeps the bundles of the child processes it starts. */
export function childBundleDir(root: string): string {
  return path.join(root, ".queuecraft", "cache", "children");
}

export interface BundleSource {
  /** The entry file; for inline code, the file that holds it (imports resolve beside it). */
  entry: string;
  /** Inline code to bundle instead of the entry file's content. */
  contents?: string;
  loader?: "ts" | "js";
}

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

/**
 * Returns the path of the bundled module, building it unless a build of the
 * same inputs is cached under `cacheDir`. Safe to call from several processes
 * or threads at once: every file is replaced in one rename.
 */
export async function bundleModule(source: BundleSource, cacheDir: string, name = path.basename(source.entry).replace(/\.[^.]+$/, "")): Promise<string> {
  const recordFile = path.join(cacheDir, `${name}-${hash(source.entry)}.json`);
  if (existsSync(recordFile)) {
    try {
      const record = JSON.parse(readFileSync(recordFile, "utf8")) as BuildRecord;
      if (upToDate(record)) return record.output;
    } catch {
      // A damaged record is rebuilt below.
    }
  }
  const { build } = await import("esbuild");
  const result = await build({
    ...(source.contents !== undefined
      ? { stdin: { contents: source.contents, loader: source.loader ?? "ts", resolveDir: path.dirname(source.entry), sourcefile: source.entry } }
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
  const output = path.join(cacheDir, `${name}-${hash(code)}.mjs`);
  if (!existsSync(output)) writeFileAtomic(output, code);
  const inputs: Record<string, string> = {};
  const cwd = process.cwd();
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(cwd, input);
    if (existsSync(file)) inputs[file] = hash(readFileSync(file));
  }
  // Inline code lives in the entry file: changing that file must rebuild.
  inputs[source.entry] = hash(readFileSync(source.entry));
  writeFileAtomic(recordFile, JSON.stringify({ output, inputs } satisfies BuildRecord));
  return output;
}

/**
 * Removes every cached bundle one of whose source files is gone (a class's
 * submissions, deleted after grading).
 */
export function pruneBundles(cacheDir: string): void {
  for (const name of existsSync(cacheDir) ? readdirSync(cacheDir) : []) {
    if (!name.endsWith(".json")) continue;
    const recordFile = path.join(cacheDir, name);
    try {
      const record = JSON.parse(readFileSync(recordFile, "utf8")) as BuildRecord;
      if (Object.keys(record.inputs).every((file) => existsSync(file))) continue;
      rmSync(record.output, { force: true });
      rmSync(recordFile, { force: true });
    } catch {
      rmSync(recordFile, { force: true });
    }
  }
}

/**
 * Bundling moves code into the cache folder; each file keeps its own
 * import.meta.url so that code can still find the files beside it.
 */
const keepImportMetaUrl = {
  name: "keep-import-meta-url",
  setup(builder: import("esbuild").PluginBuild) {
    builder.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const contents = readFileSync(args.path, "utf8");
      if (!contents.includes("import.meta")) return undefined;
      const values = { url: pathToFileURL(args.path).href, dirname: path.dirname(args.path), filename: args.path };
      return {
        // A pattern, not the literal text, so that this file survives being bundled itself.
        contents: contents.replace(/\bimport\.meta\.(url|dirname|filename)\b/g, (_, key: keyof typeof values) => JSON.stringify(values[key])),
        loader: /\.[cm]?ts$/.test(args.path) ? "ts" : "js",
      };
    });
  },
};
