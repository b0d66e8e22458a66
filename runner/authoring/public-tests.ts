// verify's check of a challenge's public tests (test/public/<folder>/): the
// worked examples a student edition ships. They must pass on the reference
// solution and on every alternative solution (an example that checks more than
// the contract says would fail a correct student), fail on the stub (an
// example the stub passes teaches nothing), and name in their titles only
// clauses the stub has ("[C3] example: …"). They never count for a mutant:
// the hidden tests alone must reject every wrong answer, since the hidden tests
// are what grades.

import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { ChallengeFiles, Lesson } from "../course/catalog.ts";
import type { Results } from "../grading/results.ts";
import { testOf, type GradeRequest } from "../grading/wrapper.ts";
import { clausesIn, clauseCoverage } from "./clauses.ts";

type Keyed = GradeRequest & { key: string };
/** A verify check (checks.ts's Check, not imported: checks.ts imports this module). */
interface Check {
  ok: boolean;
  detail: string;
}

/** The grading requests of a lesson's public tests (none when it has no public tests: the check says so). */
export function publicRequests(root: string, lesson: Lesson, files: ChallengeFiles): Keyed[] {
  const folder = lesson.folder!;
  if (!existsSync(testOf(root, "public", folder))) return [];
  const id = lesson.meta.id;
  return [
    { key: `${id}/public:stub`, folder, suites: ["public"], candidate: files.stub, stopAtFirstFailure: true },
    { key: `${id}/public:solution`, folder, suites: ["public"], candidate: files.solution },
    ...files.alternatives.map((file) => ({ key: `${id}/public:alternative:${path.basename(file)}`, folder, suites: ["public" as const], candidate: file })),
  ];
}

const firstFailure = (results: Results) => {
  const failed = results.tests.find((test) => test.status !== "pass");
  return failed ? `"${failed.name}": ${failed.message?.split("\n")[0] ?? ""}` : (results.message?.split("\n")[0] ?? "an error");
};

/**
 * The "public tests" column of verify's table; `outcome` gives a request's (worst) results by key.
 * A course without test/public/ has not split its tests (the fixtures, an older course): no column.
 */
export function publicCheck(root: string, lesson: Lesson, files: ChallengeFiles, outcome: (key: string) => Results | undefined): Check | undefined {
  if (!existsSync(path.join(root, "test", "public"))) return undefined;
  const where = path.relative(root, testOf(root, "public", lesson.folder!));
  const id = lesson.meta.id;
  const solution = outcome(`${id}/public:solution`);
  if (!solution) return { ok: false, detail: `no public tests: write ${where}, 2-4 worked examples each named with the clause it shows ("[C1] example: …")` };
  const problems: string[] = [];
  if (solution.status !== "pass") problems.push(`the reference solution fails ${firstFailure(solution)}`);
  for (const file of files.alternatives) {
    const results = outcome(`${id}/public:alternative:${path.basename(file)}`);
    if (results && results.status !== "pass") problems.push(`${path.relative(root, file)} is correct but fails ${firstFailure(results)} (an example checks more than the contract says?)`);
  }
  if (outcome(`${id}/public:stub`)?.status === "pass") problems.push("the stub passes every public test: an example should call what the learner writes");
  const names = solution.tests.map((test) => test.name);
  const unnamed = names.filter((name) => clausesIn(name).length === 0);
  if (unnamed.length) problems.push(`name the clause each example shows ("[C1] example: …"): ${unnamed.map((name) => `"${name}"`).join(", ")}`);
  for (const { id: clause, test } of clauseCoverage(readFileSync(files.stub, "utf8"), names).unknown) problems.push(`public test "${test}" names ${clause}, which the stub does not have`);
  if (names.length > 6) problems.push(`${names.length} public tests: keep to a few worked examples (2-4); the hidden tests are the grading suite`);
  return problems.length
    ? { ok: false, detail: problems.join("\n") }
    : { ok: true, detail: `${names.length} examples pass on the solution${files.alternatives.length ? " and every alternative" : ""} and fail on the stub` };
}
