// `npm run release -- --out <dir>`: writes the student edition (nbgrader's
// "release" step). What ships, and why:
//
//   lessons/            every lesson (text, experiment, stub) and lessons/_kit
//   runner/             the runner's sources and bin.mjs, not runner/dist (a
//                       build cache: the edition's first command builds it)
//   test/public/        the worked examples `check` runs there
//   test/harness/       the harness they load candidates through; in the
//                       checkout those files re-export test/hidden/_harness/,
//                       so the edition gets that real content at this path
//   package.json        the same dependencies (package-lock.json is shipped as
//                       is, so `npm ci` installs exactly what the checkout
//                       has), student scripts only
//   tsconfig.json, .gitignore, README.md (for students), queuecraft-edition.json
//
// Never: solutions/, test/hidden/, the runner's own tests and fixtures,
// .queuecraft/ (caches, mutants), workspace/, node_modules/. Everything not
// named above stays out (an allow-list: a new folder in the checkout is not
// shipped by accident). Then the proof: every hidden-test and solution file
// starts with the marker line (edition/marker.ts), release refuses to run when
// one does not, and greps every file it wrote for the marker: one hit and the
// edition is deleted and the files named.

import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { challengeFiles, type Catalog } from "../course/catalog.ts";
import { courseFingerprint } from "../grading/graded-record.ts";
import { testOf } from "../grading/wrapper.ts";
import { EDITION_FILE, type EditionInfo } from "./edition.ts";
import { stubHashes } from "./fingerprint.ts";
import { MARKER_LINE, MARKER_LINE_YAML, MARKER_TOKEN, unmarkedFiles } from "./marker.ts";
import { studentReadme } from "./readme.ts";

/** Scripts of the edition's package.json: the learner's commands, and a self-check for `npm test`. */
export const EDITION_SCRIPTS: Record<string, string> = {
  lesson: "node runner/bin.mjs lesson",
  check: "node runner/bin.mjs check",
  hint: "node runner/bin.mjs hint",
  watch: "node runner/bin.mjs watch",
  reset: "node runner/bin.mjs reset",
  submit: "node runner/bin.mjs submit",
  test: "node runner/bin.mjs self-check",
  typecheck: "tsc --noEmit -p tsconfig.json",
};

const GITIGNORE = [
  "node_modules/",
  ".queuecraft/",
  "/runner/dist/",
  "# workspace/ is your work: commit it if your course hands in through git (GitHub Classroom).",
  "/workspace/.backups/",
  "*.log",
  "",
].join("\n");

export class ReleaseError extends Error {}

export interface Released {
  out: string;
  info: EditionInfo;
  files: number;
  bytes: number;
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(file);
    return entry.isFile() ? [file] : [];
  });
}

const inside = (child: string, parent: string) => child === parent || child.startsWith(parent + path.sep);

/** The folder to write: new or empty, or an earlier edition (replaced); never the checkout or a folder holding it. */
function checkOut(root: string, out: string): void {
  if (inside(root, out)) throw new ReleaseError(`--out ${out} holds the course itself; name a new folder`);
  for (const part of ["lessons", "solutions", "test", "runner", "node_modules", "workspace", ".queuecraft", ".git"]) {
    if (inside(out, path.join(root, part))) throw new ReleaseError(`--out ${out} is inside the course's ${part}/; name a folder outside it (e.g. ../student-edition)`);
  }
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new ReleaseError(`--out ${out} is a file`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !entries.includes(EDITION_FILE)) throw new ReleaseError(`--out ${out} is not empty and holds no earlier edition (${EDITION_FILE}); name a new or empty folder`);
  }
}

/** Empties an earlier edition in `out` (checked by checkOut), keeping its node_modules: a reinstall takes minutes. */
function prepareOut(out: string): void {
  for (const entry of existsSync(out) ? readdirSync(out) : []) if (entry !== "node_modules") rmSync(path.join(out, entry), { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
}

/** The commit released from, "+changes" when what ships differs from it (the working tree is what ships). */
function gitCommit(root: string): string | undefined {
  const run = spawnSync("git", ["-C", root, "rev-parse", "HEAD"], { encoding: "utf8" });
  if (run.status !== 0) return undefined;
  const changed = spawnSync("git", ["-C", root, "status", "--porcelain", "--", "lessons", "runner", "test/public", "test/harness", "test/hidden/_harness", "package.json", "package-lock.json"], { encoding: "utf8" });
  return `${run.stdout.trim()}${changed.stdout.trim() ? "+changes" : ""}`;
}

/** What the edition must have before it is written: a clean catalog, public tests, and marked hidden/solution files. */
function preconditions(root: string, catalog: Catalog): void {
  const problems: string[] = catalog.problems.map((problem) => `${path.relative(root, problem.file)}:${problem.line}: ${problem.message}`);
  const unmarked: string[] = [];
  for (const lesson of catalog.lessons) {
    if (!lesson.folder || !challengeFiles(root, lesson)) continue;
    if (!existsSync(testOf(root, "public", lesson.folder))) problems.push(`${lesson.meta.id}: no public tests (write test/public/${lesson.folder}/challenge.test.ts: a few worked examples)`);
    unmarked.push(...unmarkedFiles(root, lesson.folder));
  }
  if (unmarked.length > 0) {
    problems.push(
      `${unmarked.length} hidden-test or solution file(s) without the marker on line 1, so the release could not prove it left them out. ` +
        `Make line 1 of each \`${MARKER_LINE}\` (in YAML: \`${MARKER_LINE_YAML}\`):\n  ${unmarked.slice(0, 10).join("\n  ")}${unmarked.length > 10 ? `\n  … and ${unmarked.length - 10} more` : ""}`,
    );
  }
  if (problems.length > 0) throw new ReleaseError(`not released:\n${problems.join("\n")}`);
}

/** package.json for students: everything npm ci compares with the lock file kept, the scripts replaced. */
function editionPackageJson(root: string): string {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as Record<string, unknown>;
  pkg.description = `${String(pkg.description ?? "").replace(/\.$/, "")} (student edition).`;
  pkg.scripts = EDITION_SCRIPTS;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function editionTsconfig(root: string): string {
  const config = JSON.parse(readFileSync(path.join(root, "tsconfig.json"), "utf8")) as Record<string, unknown>;
  config.include = ["runner/**/*.ts", "lessons/**/*.ts", "test/**/*.ts"];
  config.exclude = ["node_modules", "workspace"];
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes the student edition of the course at `root` into `out`. */
export function release(root: string, out: string, catalog: Catalog, now = new Date()): Released {
  out = path.resolve(out);
  checkOut(root, out);
  preconditions(root, catalog);
  prepareOut(out);
  const copy = (relative: string, filter: (source: string) => boolean = () => true) => {
    if (existsSync(path.join(root, relative))) cpSync(path.join(root, relative), path.join(out, relative), { recursive: true, filter });
  };
  copy("lessons");
  copy("runner", (source) => !inside(source, path.join(root, "runner", "dist")));
  copy(path.join("test", "public"));
  // The harness, as its real content (see the list above).
  for (const name of readdirSync(path.join(root, "test", "harness"))) {
    const real = path.join(root, "test", "hidden", "_harness", name);
    const from = existsSync(real) ? real : path.join(root, "test", "harness", name);
    mkdirSync(path.join(out, "test", "harness"), { recursive: true });
    writeFileSync(path.join(out, "test", "harness", name), readFileSync(from));
  }
  copy("package-lock.json");
  writeFileSync(path.join(out, "package.json"), editionPackageJson(root));
  writeFileSync(path.join(out, "tsconfig.json"), editionTsconfig(root));
  writeFileSync(path.join(out, ".gitignore"), GITIGNORE);
  const commit = gitCommit(root);
  const info: EditionInfo = {
    format: 1,
    edition: "student",
    released: now.toISOString(),
    ...(commit ? { commit } : {}),
    course: courseFingerprint(root, catalog.lessons),
    challenges: stubHashes(root, catalog.lessons),
  };
  writeFileSync(path.join(out, EDITION_FILE), `${JSON.stringify(info, null, 2)}\n`);
  writeFileSync(path.join(out, "README.md"), studentReadme(catalog, info));
  // The proof: nothing written carries the marker, and the folders that must not be there are not.
  const written = filesUnder(out).filter((file) => !inside(file, path.join(out, "node_modules")));
  const leaked = written.filter((file) => readFileSync(file).includes(MARKER_TOKEN)).map((file) => path.relative(out, file));
  const forbidden = ["solutions", path.join("test", "hidden"), ".queuecraft", "workspace"].filter((dir) => existsSync(path.join(out, dir)));
  if (leaked.length > 0 || forbidden.length > 0) {
    for (const entry of readdirSync(out)) if (entry !== "node_modules") rmSync(path.join(out, entry), { recursive: true, force: true });
    throw new ReleaseError(`not released: hidden-test or solution content would have shipped in ${[...leaked, ...forbidden].join(", ")} (the edition was removed)`);
  }
  return { out, info, files: written.length, bytes: written.reduce((sum, file) => sum + statSync(file).size, 0) };
}
