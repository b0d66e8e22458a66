// The authoring checks behind `verify`, one function per concern: mutants
// materialised from mutants.yaml, the challenge graded as stub / solution /
// alternative solutions / mutants, every contract clause named by a hidden
// test, and the strict type-check over everything a lesson ships.

import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { speedRecord, writeFileAtomic } from "../learner/atomic-file.ts";
import path from "node:path";
import { parse } from "yaml";
import type { ChallengeFiles, Lesson } from "../course/catalog.ts";
import { grade } from "../grading/grade.ts";
import type { GradeRequest } from "../grading/wrapper.ts";
import { clauseCoverage } from "./clauses.ts";
import { applyMutant, readMutants, type Mutant } from "./mutants.ts";
import { withoutMarker } from "../edition/marker.ts";
import { publicCheck, publicRequests } from "./public-tests.ts";
import type { Results } from "../grading/results.ts";

export interface Check {
  ok: boolean;
  detail: string;
  /** Not run on this machine (a missing service); counts as passed outside CI. */
  skipped?: boolean;
}

export const MIN_MUTANTS = 8;

export interface MaterialisedMutant extends Mutant {
  file: string;
}

export function mutantsDir(root: string): string {
  return path.join(root, ".queuecraft", "mutants");
}

/** Writes each mutant of a lesson as a file, and finds its whole-file wrong answers; returns them and any problems. */
export function materialiseMutants(root: string, lesson: Lesson, files: ChallengeFiles): { mutants: MaterialisedMutant[]; problems: string[] } {
  if (!existsSync(files.mutants)) return { mutants: [], problems: [`no mutants: write ${path.relative(root, files.mutants)}`] };
  let data: unknown;
  try {
    data = parse(readFileSync(files.mutants, "utf8"));
  } catch (error) {
    return { mutants: [], problems: [`${path.relative(root, files.mutants)} is not valid YAML: ${(error as Error).message.split("\n")[0]}`] };
  }
  const read = readMutants(data);
  const { mutants } = read;
  const where = path.relative(root, files.mutants);
  const problems = read.problems.map((problem) => `${where}: ${problem}`);
  const solutionDir = path.dirname(files.solution);
  const sources = new Map<string, string>();
  /** The file a mutant edits: the reference, or the alternative named by `of`. */
  const baseOf = (mutant: Mutant) => path.join(solutionDir, mutant.of ?? path.basename(files.solution));
  const dir = path.join(mutantsDir(root), lesson.folder!);
  // Written in place, never by emptying the folder first: two verify runs in
  // one checkout write the same bytes and must not delete each other's files.
  for (const stale of existsSync(dir) ? readdirSync(dir) : []) {
    if (!mutants.some((mutant) => mutant.name === stale)) rmSync(path.join(dir, stale), { recursive: true, force: true });
  }
  const materialised: MaterialisedMutant[] = [];
  for (const mutant of mutants) {
    const base = baseOf(mutant);
    if (!existsSync(base)) {
      problems.push(`${where}: mutant ${mutant.name}: ${path.relative(root, base)} does not exist`);
      continue;
    }
    if (!sources.has(base)) sources.set(base, readFileSync(base, "utf8"));
    const { source, problem } = applyMutant(sources.get(base)!, mutant);
    if (problem) {
      problems.push(`${where}: ${problem}`);
      continue;
    }
    const file = path.join(dir, mutant.name, "challenge.ts");
    const content = `// Mutant "${mutant.name}" of ${path.relative(path.dirname(file), base)}: ${mutant.why}\n${source}`;
    if (!existsSync(file) || readFileSync(file, "utf8") !== content) writeFileAtomic(file, content);
    materialised.push({ ...mutant, file });
  }
  // Whole-file wrong answers (solutions/<lesson>/wrong/*.ts): what an outside reviewer writes from the
  // lesson and the stub alone rarely fits a small edit of the reference. Each counts as a mutant.
  const wrongDir = path.join(path.dirname(files.solution), "wrong");
  for (const name of existsSync(wrongDir) ? readdirSync(wrongDir).filter((entry) => entry.endsWith(".ts")).sort() : []) {
    const file = path.join(wrongDir, name);
    const why = /^\/\/\s*(\S.*)/.exec(withoutMarker(readFileSync(file, "utf8")))?.[1];
    if (!why) problems.push(`${path.relative(root, file)}: start a wrong answer with a // comment saying what it gets wrong (on line 2, after the marker line)`);
    else materialised.push({ name: `wrong/${name.slice(0, -3)}`, why, edits: [], file });
  }
  return { mutants: materialised, problems };
}

function failingTests(results: Results): string {
  const failed = results.tests.filter((test) => test.status !== "pass").map((test) => `"${test.name}"`);
  if (failed.length > 0) return failed.slice(0, 2).join(", ") + (failed.length > 2 ? ` and ${failed.length - 2} more` : "");
  return results.message?.split("\n")[0] ?? "an error";
}

export interface ChallengeUnderTest {
  lesson: Lesson;
  files: ChallengeFiles;
  mutants: MaterialisedMutant[];
  mutantProblems: string[];
}

/** Which hidden test rejected each stub and mutant in the last verify, by "<lesson>/<candidate>". */
const REJECTIONS_FILE = ".queuecraft/cache/rejections.json";

/**
 * Grades every stub, solution and mutant of every lesson in one grading run.
 * A stub or mutant only has to fail, so its tests stop at the first failure;
 * the solution runs every test. A stub or mutant that a hidden test rejected
 * in the last verify first runs that test alone: it only has to fail once,
 * and the tests before it may take seconds. Only a failure of that test is
 * trusted; anything else (it passed, was renamed, errored) grades the
 * candidate again with the whole file.
 *
 * With `runs` > 1 everything is graded that many times, and a candidate
 * counts by its worst run: a solution must pass every time, a stub or mutant
 * fail every time. A grade that changes between runs is a hidden test that
 * depends on timing (the race the sqlite-queue hidden test once had).
 */
export async function checkChallenges(
  root: string,
  challenges: ChallengeUnderTest[],
  timeoutMs: number,
  /** Servers' addresses, once they are up (see GradeOptions.services). */
  services?: Promise<Record<string, string>>,
  runs = 1,
): Promise<{ checks: Map<string, Record<string, Check>>; slowest: Array<{ candidate: string; seconds: number }> }> {
  const rejectionsFile = path.join(root, REJECTIONS_FILE);
  const rejections = speedRecord.read<string>(rejectionsFile);
  const mustFail = (key: string, folder: string, candidate: string): GradeRequest & { key: string } => ({ key, folder, candidate, stopAtFirstFailure: true, onlyTest: rejections[key] });
  const requests: Array<GradeRequest & { key: string }> = challenges.flatMap(({ lesson, files, mutants }) => [
    mustFail(`${lesson.meta.id}/stub`, lesson.folder!, files.stub),
    { key: `${lesson.meta.id}/solution`, folder: lesson.folder!, candidate: files.solution },
    ...files.alternatives.map((file) => ({ key: `${lesson.meta.id}/alternative:${path.basename(file)}`, folder: lesson.folder!, candidate: file })),
    ...mutants.map((mutant) => mustFail(`${lesson.meta.id}/mutant:${mutant.name}`, lesson.folder!, mutant.file)),
    ...publicRequests(root, lesson, files),
  ]);
  const times = new Map<string, number>();
  const onTimed = (request: GradeRequest, seconds: number) => {
    const key = (request as (typeof requests)[number]).key;
    times.set(key, Math.round(((times.get(key) ?? 0) + seconds / runs) * 10) / 10);
  };
  const gradeAll = async (): Promise<Results[]> => {
    const results = await grade(requests, { root, timeoutMs, services, onTimed });
    const untrusted = requests
      .map((request, index) => ({ request, index }))
      .filter(({ request, index }) => request.onlyTest !== undefined && !(results[index]!.status === "fail" && results[index]!.tests.some((test) => test.name === request.onlyTest && test.status === "fail")));
    if (untrusted.length > 0) {
      const again = await grade(untrusted.map(({ request }) => ({ ...request, onlyTest: undefined })), { root, timeoutMs, services, onTimed });
      untrusted.forEach(({ index }, i) => (results[index] = again[i]!));
    }
    return results;
  };
  const rounds: Results[][] = [];
  for (let round = 0; round < runs; round++) rounds.push(await gradeAll());
  // Lessons not verified this time keep their record.
  const rejectedBy = { ...rejections };
  requests.forEach((request, index) => {
    if (!request.stopAtFirstFailure) return;
    const failing = rounds[0]![index]!.tests.find((test) => test.status === "fail");
    if (failing) rejectedBy[request.key] = failing.name;
    else delete rejectedBy[request.key];
  });
  speedRecord.write(rejectionsFile, rejectedBy);
  /** Each candidate's worst run, and how its runs differed when they did. */
  const outcomes = new Map(
    requests.map((request, index) => {
      const graded = rounds.map((round) => round[index]!);
      const bad = (results: Results) => (request.stopAtFirstFailure ? results.status === "pass" : results.status !== "pass");
      const worst = graded.findIndex(bad);
      const unstable = worst >= 0 && graded.some((results) => !bad(results));
      const note = unstable ? ` in run ${worst + 1} of ${runs} (runs graded it ${graded.map((results) => results.status).join(", ")}): its grade depends on timing; make the hidden test force the interleaving it checks` : "";
      return [request.key, { results: graded[Math.max(worst, 0)]!, note }];
    }),
  );
  const checks = new Map<string, Record<string, Check>>();
  for (const { lesson, files, mutants, mutantProblems } of challenges) {
    const id = lesson.meta.id;
    const stub = outcomes.get(`${id}/stub`)!;
    const solution = outcomes.get(`${id}/solution`)!;
    const alternatives = files.alternatives.map((file) => ({ file, ...outcomes.get(`${id}/alternative:${path.basename(file)}`)! }));
    const failingAlternatives = alternatives.filter(({ results }) => results.status !== "pass");
    const mutant = (name: string) => outcomes.get(`${id}/mutant:${name}`)!;
    const survivors = mutants.filter(({ name }) => mutant(name).results.status === "pass");
    const rejected = mutants.filter((m) => !survivors.includes(m)).map(({ name }) => `${name} ← ${failingTests(mutant(name).results)}`);
    checks.set(id, {
      "stub fails": {
        ok: stub.results.status !== "pass",
        detail: stub.results.status === "pass" ? `the stub passes every hidden test${stub.note || ": the tests check nothing the stub lacks"}` : `fails ${failingTests(stub.results)}`,
      },
      "solution passes": {
        ok: solution.results.status === "pass",
        detail:
          solution.results.status === "pass"
            ? `${solution.results.tests.length} hidden tests pass${runs > 1 ? ` in each of ${runs} runs` : ""}`
            : `the reference solution fails${solution.note}: ${failingTests(solution.results)}\n${solution.results.tests.find((t) => t.status !== "pass")?.message ?? solution.results.message ?? ""}`,
      },
      "alternatives pass": {
        ok: alternatives.length > 0 && failingAlternatives.length === 0,
        detail:
          alternatives.length === 0
            ? `no alternative solution: write a correct one that differs from the reference in ${path.relative(root, path.join(path.dirname(files.solution), "alternatives"))}/ (a hidden test that rejects it is too strict)`
            : failingAlternatives.length > 0
              ? failingAlternatives.map(({ file, results, note }) => `${path.relative(root, file)} is correct but fails${note}: ${failingTests(results)} (a hidden test checks more than the contract says?)\n${results.tests.find((t) => t.status !== "pass")?.message ?? results.message ?? ""}`).join("\n")
              : `${alternatives.map(({ file }) => path.basename(file)).join(", ")} pass${runs > 1 ? ` in each of ${runs} runs` : ""}`,
      },
      "clauses checked": clauseCheck(root, files.stub, solution.results),
      ...publicChecks(publicCheck(root, lesson, files, (key) => outcomes.get(key)?.results)),
      "mutants rejected": {
        ok: survivors.length === 0 && mutantProblems.length === 0 && mutants.length >= MIN_MUTANTS,
        detail: [
          ...survivors.map(({ name, why }) => `mutant ${name} passes every hidden test${mutant(name).note} (${why})`),
          ...mutantProblems,
          ...(mutants.length < MIN_MUTANTS ? [`only ${mutants.length} mutant(s); write at least ${MIN_MUTANTS}`] : []),
          ...rejected,
        ].join("\n"),
      },
    });
  }
  const slowest = [...times].map(([candidate, seconds]) => ({ candidate, seconds })).sort((a, b) => b.seconds - a.seconds);
  return { checks, slowest: slowest.slice(0, 5) };
}

/** Every numbered clause of the stub is named by a hidden test the solution ran, and no test names a clause the stub lacks. */
function clauseCheck(root: string, stubFile: string, solution: Results): Check {
  const stub = path.relative(root, stubFile);
  const coverage = clauseCoverage(readFileSync(stubFile, "utf8"), solution.tests.map((test) => test.name));
  if (coverage.unnumbered) return { ok: false, detail: `${stub} numbers no clause: tag each requirement in its doc comments [C1], [C2], … and name them in the hidden tests' titles` };
  const problems = [
    ...coverage.unchecked.map(({ id, line }) => `${stub}:${line}: clause ${id} is checked by no hidden test (name it in a test's title: "[${id}] …")`),
    ...coverage.unknown.map(({ id, test }) => `hidden test "${test}" names ${id}, which ${stub} does not have`),
  ];
  if (problems.length > 0) return { ok: false, detail: problems.join("\n") };
  return { ok: true, detail: `${coverage.checkedBy.size} clauses, each checked by a named hidden test` };
}

const publicChecks = (check: Check | undefined): Record<string, Check> => (check ? { "public tests": check } : {});

export interface TypeErrors {
  /** Error lines by file (relative to the root). */
  byFile: Map<string, string[]>;
  /** tsc could not run at all. */
  failure?: string;
}

/**
 * Runs `tsc --noEmit` under strict over the course and the materialised
 * mutants of the lessons in `folders` (a generated tsconfig extends the
 * course's own). Mutants of other lessons may be left from an earlier run,
 * written from a mutants.yaml that has changed since: they are not checked.
 */
export function typeCheck(root: string, folders: string[]): Promise<TypeErrors> {
  const config = path.join(root, ".queuecraft", "tsconfig.verify.json");
  writeFileAtomic(
    config,
    JSON.stringify({
      extends: "../tsconfig.json",
      include: ["../runner/**/*.ts", "../lessons/**/*.ts", "../solutions/**/*.ts", "../test/**/*.ts", ...folders.map((folder) => `./mutants/${folder}/**/*.ts`)],
      // The course's own exclusions (files that are broken on purpose), relative to this folder.
      // Copies of the fixture course that the runner's own tests make while they run are not the course.
      exclude: ["../node_modules", "../workspace", "../test/fixtures/hostile/syntax-error.ts", "../test/fixtures/outcomes/lessons/1-outcomes/07-compile-error", "../test/fixtures/tmp-*"],
    }),
  );
  let tsc: string;
  try {
    // TypeScript 7 exports no bin/ path; its package.json is exported, and bin/tsc starts the native compiler.
    tsc = path.join(path.dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
  } catch {
    return Promise.resolve({ byFile: new Map(), failure: "TypeScript is not installed: run npm ci" });
  }
  if (!existsSync(path.join(root, "tsconfig.json"))) return Promise.resolve({ byFile: new Map(), failure: "no tsconfig.json in the course root" });
  return new Promise((resolve) => {
    // TypeScript 7 (the native compiler): the whole course in ~3 s of CPU where 5.9 took ~22 s.
    // Incremental: a re-run after editing one lesson checks only what changed (~1 s).
    const child = spawn(process.execPath, [tsc, "--noEmit", "--pretty", "false", "--incremental", "--tsBuildInfoFile", path.join(root, ".queuecraft", "cache", "tsc.tsbuildinfo"), "-p", config], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("close", () => {
      const byFile = new Map<string, string[]>();
      for (const line of output.split("\n")) {
        const match = /^(.+?)\(\d+,\d+\): error /.exec(line);
        if (!match) continue;
        const file = path.relative(root, path.resolve(root, match[1]!));
        byFile.set(file, [...(byFile.get(file) ?? []), line.replace(match[1]!, file)]);
      }
      resolve({ byFile });
    });
  });
}

/** The type errors that belong to one lesson: its folder under lessons/, solutions/, test/hidden/ and its mutants. */
export function typeErrorsOf(errors: TypeErrors, folder: string): string[] {
  const mine = [`lessons/${folder}/`, `solutions/${folder}/`, `test/hidden/${folder}/`, `.queuecraft/mutants/${folder}/`];
  return [...errors.byFile].filter(([file]) => mine.some((prefix) => file.startsWith(prefix))).flatMap(([, lines]) => lines);
}
