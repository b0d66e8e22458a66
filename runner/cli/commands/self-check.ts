// `npm run self-check` (the student edition's `npm test`): does this install
// work? Every lesson loads; every challenge's stub loads and its public tests
// run (and fail, as a stub's must: an error instead means the install is
// broken, not the stub); the first lesson's experiment matches. It grades
// nothing of the learner's, needs no solutions or hidden tests, and takes a
// few seconds: one grading run for all stubs, each stopping at its first
// failing test. Lessons that need a server are left out (named).

import { challengeFiles, loadCatalog } from "../../course/catalog.ts";
import { grade } from "../../grading/grade.ts";
import { testOf, type GradeRequest } from "../../grading/wrapper.ts";
import { existsSync } from "node:fs";
import { EXIT, type Command } from "../args.ts";
import { printProblems } from "../course.ts";
import { runLessonExperiment } from "./lesson.ts";

export const selfCheckCommand: Command = {
  summary: "Checks this install: every lesson loads, every challenge's stub loads and its public tests run, and the first experiment matches. The student edition's npm test.",
  usage: "npm run self-check [-- --json]",
  flags: {},
  async run(context) {
    const catalog = loadCatalog(context.root);
    if (catalog.problems.length > 0) {
      printProblems(context, catalog.problems);
      return EXIT.failed;
    }
    const problems: string[] = [];
    const skipped = catalog.lessons.filter((lesson) => lesson.meta.services.length > 0 && challengeFiles(context.root, lesson)).map((lesson) => lesson.meta.id);
    const requests: Array<GradeRequest & { id: string }> = catalog.lessons.flatMap((lesson) => {
      const files = challengeFiles(context.root, lesson);
      if (!files || lesson.meta.services.length > 0) return [];
      if (!existsSync(testOf(context.root, "public", lesson.folder!))) {
        problems.push(`${lesson.meta.id}: no public tests (test/public/${lesson.folder}/challenge.test.ts)`);
        return [];
      }
      return [{ id: lesson.meta.id, folder: lesson.folder!, suites: ["public"], candidate: files.stub, stopAtFirstFailure: true }];
    });
    const [graded, experiment] = await Promise.all([grade(requests, { root: context.root, timeoutMs: 60_000 }), catalog.lessons[0] ? runLessonExperiment(context.root, catalog.lessons[0]) : undefined]);
    graded.forEach((results, index) => {
      if (results.status !== "fail") problems.push(`${requests[index]!.id}: the stub's public tests ${results.status === "pass" ? "pass (they should fail on a stub)" : `did not run: ${results.message?.split("\n")[0]}`}`);
    });
    const first = catalog.lessons[0]?.meta.id;
    if (experiment && !experiment.verdict?.ok) problems.push(`${first}: the experiment ${experiment.unavailable ?? experiment.verdict?.problem ?? "did not print its Expected Output"}`);
    const ok = problems.length === 0;
    if (context.json) context.out(JSON.stringify({ ok, lessons: catalog.lessons.length, challenges: requests.length, skipped, problems }));
    else {
      for (const problem of problems) context.err(context.style.red(problem));
      const left = skipped.length ? `; ${skipped.join(", ")} need a server and were not checked` : "";
      context.out(`${ok ? context.style.green("self-check: ok") : context.style.red("self-check: FAILED")} — ${catalog.lessons.length} lessons load, ${requests.length} challenges' public tests run${first ? `, experiment ${first} ${experiment?.verdict?.ok ? "matches" : "does not match"}` : ""}${left}.`);
    }
    return ok ? EXIT.ok : EXIT.failed;
  },
};
