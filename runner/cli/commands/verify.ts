// `npm run verify [ids…]`: proves the course works, the way CI does. Per
// lesson: it loads cleanly, its experiment matches on every run and prints the
// same each time, its stub fails, its solution passes, every mutant is
// rejected, and everything type-checks under strict.

import { spawn } from "node:child_process";
import path from "node:path";
import { checkChallenges, materialiseMutants, typeCheck, typeErrorsOf, type Check, type ChallengeUnderTest } from "../../authoring/checks.ts";
import { challengeFiles, formatProblem, loadCatalog, type Lesson } from "../../course/catalog.ts";
import { nearest } from "../../course/nearest.ts";
import { EXIT, numberFlag, UsageError, type Command, type Context } from "../args.ts";
import { problemsOfUnloadedLesson } from "../course.ts";
import { experimentLimits, runExperiment } from "../../experiment/run.ts";
import type { Service } from "../../course/frontmatter.ts";
import { provideServices, serviceMissing, type RunningServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { judge } from "../../experiment/verdict.ts";
import { plainStyle, renderDiff } from "../render.ts";

interface LessonReport {
  id: string;
  ok: boolean;
  checks: Record<string, Check>;
}

const CHECK_TIMEOUT_MS = 60_000;

/** Runs the experiment `repeat` times: every run must match, and all runs must print the same. */
async function checkExperiment(root: string, lesson: Lesson, repeat: number, env: Record<string, string>): Promise<Check> {
  const outputs: string[] = [];
  for (let run = 1; run <= repeat; run++) {
    const outcome = await runExperiment(lesson, { cacheDir: path.join(root, ".queuecraft", "cache"), limits: experimentLimits(lesson), env });
    const verdict = judge(lesson, outcome);
    if (!verdict.ok) {
      const stderr = outcome.stderr.trim() ? `\nstderr: ${outcome.stderr.trim().split("\n").slice(-5).join("\n")}` : "";
      if (verdict.problem) return { ok: false, detail: `run ${run} of ${repeat}: ${verdict.problem}${stderr}` };
      // Printed the same twice and still not what the lesson says: the expectation is what is wrong,
      // whatever the diff's guess at a cause (an unfaked clock would not print the same twice).
      const again = await runExperiment(lesson, { cacheDir: path.join(root, ".queuecraft", "cache"), limits: experimentLimits(lesson), env });
      if (again.stdout === outcome.stdout) {
        return {
          ok: false,
          detail: `two runs printed the same output, which differs from the lesson's Expected Output from line ${verdict.diff?.firstDivergence}: the expectation is out of date (update Expected Output) or the experiment changed\n${renderDiff({ ...verdict.diff!, cause: undefined }, plainStyle, 40)}${stderr}`,
        };
      }
      const why = `output differs from the expected output at line ${verdict.diff?.firstDivergence}${verdict.diff?.cause ? `: ${verdict.diff.cause}` : ""}, and the next run printed something else again: not deterministic`;
      return { ok: false, detail: `run ${run} of ${repeat}: ${why}${stderr}` };
    }
    outputs.push(outcome.stdout);
    if (outputs[0] !== outcome.stdout) {
      const a = outputs[0]!.split("\n");
      const b = outcome.stdout.split("\n");
      const line = a.findIndex((text, index) => text !== b[index]);
      return { ok: false, detail: `not deterministic: run ${run} printed something else than run 1 at line ${line + 1} ("${a[line]}" then "${b[line]}")` };
    }
  }
  return { ok: true, detail: `matched ${repeat} of ${repeat} runs, identical output` };
}

/** A CPU-bound process on the side, to shake out experiments that depend on timing. */
function burnCpu(): () => void {
  const child = spawn(process.execPath, ["-e", "for(;;){}"], { stdio: "ignore" });
  return () => child.kill("SIGKILL");
}

/**
 * Which services are not installed (known at once), and the others starting:
 * verify goes on meanwhile, and only what needs a server waits for it.
 */
function provideFor(services: Service[]): { missing: Map<Service, string>; starting: Promise<{ running?: RunningServices; failed?: string }> } {
  const missing = new Map<Service, string>();
  const available: Service[] = [];
  for (const service of new Set(services)) {
    const why = serviceMissing(service);
    if (why) missing.set(service, why);
    else available.push(service);
  }
  const starting =
    available.length === 0
      ? Promise.resolve({})
      : provideServices(available).then(
          (running) => ({ running }),
          (error: unknown) => {
            if (!(error instanceof ServiceUnavailable)) throw error;
            return { failed: error.message };
          },
        );
  return { missing, starting };
}

function printTable(context: Context, reports: LessonReport[]): void {
  const { style } = context;
  const names = [...new Set(reports.flatMap((report) => Object.keys(report.checks)))];
  const width = Math.max(6, ...reports.map((r) => r.id.length));
  context.out(style.bold(["lesson".padEnd(width), ...names.map((name) => name.padEnd(Math.max(4, name.length)))].join("  ")));
  for (const report of reports) {
    const cells = names.map((name) => {
      const check = report.checks[name];
      const text = !check ? "—" : check.skipped ? "skip" : check.ok ? "ok" : "FAIL";
      const padded = text.padEnd(Math.max(4, name.length));
      return !check ? style.dim(padded) : check.skipped ? style.yellow(padded) : check.ok ? style.green(padded) : style.red(padded);
    });
    context.out([report.id.padEnd(width), ...cells].join("  "));
  }
  for (const report of reports) {
    for (const [name, check] of Object.entries(report.checks)) {
      if (!check.ok || check.skipped) {
        context.out(`\n${check.skipped ? style.yellow("not verified") : style.red("FAIL")} ${report.id} — ${name}:\n  ${check.detail.split("\n").join("\n  ")}`);
      }
    }
  }
}

export const verifyCommand: Command = {
  summary:
    "Checks lessons as CI does: catalog, experiments (run --repeat times), challenges (stub fails, solution passes, mutants rejected; every one graded --regrade times) and types; --stress runs it all beside a CPU burner.",
  usage: "npm run verify [<id> …] [-- --json] [--repeat <n>] [--regrade <n>] [--stress] [--no-challenges] [--no-types]",
  flags: { repeat: "string", regrade: "string", stress: "boolean", "no-challenges": "boolean", "no-types": "boolean" },
  async run(context, args) {
    const clock = () => Number(process.hrtime.bigint() / 1_000_000n) / 1000;
    const began = clock();
    const repeat = numberFlag(args, "repeat", 2, { min: 1, max: 1000 });
    const regrade = numberFlag(args, "regrade", 1, { min: 1, max: 100 });
    const catalog = loadCatalog(context.root);
    const known = catalog.lessons.map((lesson) => lesson.meta.id);
    const reports: LessonReport[] = [];
    for (const id of args.positional) {
      if (known.includes(id)) continue;
      // A lesson that does not load is still the one meant: its problems, as `lesson <id>` shows them.
      const broken = problemsOfUnloadedLesson(catalog, id);
      if (broken.length > 0) {
        reports.push({ id, ok: false, checks: { catalog: { ok: false, detail: broken.map((problem) => formatProblem(problem, context.root)).join("\n") } } });
        continue;
      }
      const hint = nearest(id, known);
      throw new UsageError(`unknown lesson "${id}"${hint.length ? `; did you mean ${hint.map((h) => `"${h}"`).join(" or ")}?` : ""}`);
    }
    const lessons = args.positional.length ? catalog.lessons.filter((lesson) => args.positional.includes(lesson.meta.id)) : catalog.lessons;
    const ci = Boolean(process.env.CI);
    const { missing, starting } = provideFor(lessons.flatMap((lesson) => lesson.meta.services));
    starting.catch(() => {}); // awaited below; an early failure must not count as unhandled meanwhile
    /** Seconds per phase (they run side by side), and the slowest candidates to grade. */
    const timings = { experimentsS: 0, challengesS: 0, typesS: 0, totalS: 0, slowest: [] as Array<{ candidate: string; seconds: number }> };
    try {
      // Mutants are written out first so that the type-check (in parallel) sees them.
      const challenges: ChallengeUnderTest[] = [];
      const unavailable = new Map<string, string>();
      for (const lesson of lessons) {
        const lacking = lesson.meta.services.filter((service) => missing.has(service));
        if (lacking.length) unavailable.set(lesson.meta.id, lacking.map((service) => missing.get(service)).join("; "));
        const files = challengeFiles(context.root, lesson);
        if (files) {
          const { mutants, problems } = materialiseMutants(context.root, lesson, files);
          challenges.push({ lesson, files, mutants, mutantProblems: problems });
        }
      }
      const types = args.flags.has("no-types") ? undefined : typeCheck(context.root, lessons.flatMap((lesson) => (lesson.folder ? [lesson.folder] : []))).then((errors) => ((timings.typesS = clock() - began), errors));
      // Experiments run one at a time (each must print the same on every run),
      // beside the challenge grading: both mostly wait on processes and timers.
      const experiments = new Map<string, Check>();
      const runExperiments = async () => {
        for (const lesson of lessons) {
          if (unavailable.has(lesson.meta.id)) continue;
          const { running } = lesson.meta.services.length ? await starting : {};
          if (lesson.meta.services.length && !running) continue; // reported below, with the servers that failed to start
          experiments.set(lesson.meta.id, await checkExperiment(context.root, lesson, repeat, running?.env ?? {}));
        }
        timings.experimentsS = clock() - began;
      };
      const runnable = challenges.filter((challenge) => !unavailable.has(challenge.lesson.meta.id));
      const gradeChallenges = async () => {
        if (args.flags.has("no-challenges")) return { checks: new Map<string, Record<string, Check>>(), slowest: [] };
        // A lesson whose servers failed to start is graded without them, and its results ignored below.
        const services = starting.then(({ running }) => running?.env ?? {});
        const graded = await checkChallenges(context.root, runnable, CHECK_TIMEOUT_MS, services, regrade);
        timings.challengesS = clock() - began;
        return graded;
      };
      if (!context.json) {
        const what = args.flags.has("no-challenges") ? "" : ` and grading ${runnable.length} challenge(s) as stub, solution and mutants${regrade > 1 ? ` ×${regrade}` : ""}`;
        context.err(context.style.dim(`running ${lessons.length - unavailable.size} experiment(s) ×${repeat}${what}…`));
      }
      const stopBurning = args.flags.has("stress") ? burnCpu() : undefined;
      const [, { checks: challengeChecks, slowest }] = await Promise.all([runExperiments(), gradeChallenges()]).finally(() => stopBurning?.());
      const { failed } = await starting;
      if (failed) for (const lesson of lessons) if (lesson.meta.services.length && !unavailable.has(lesson.meta.id)) unavailable.set(lesson.meta.id, failed);
      timings.slowest = slowest;
      const typeErrors = await types;
      timings.totalS = clock() - began;
      for (const lesson of lessons) {
        const id = lesson.meta.id;
        const own = catalog.problems.filter((problem) => problem.file === lesson.file);
        const checks: Record<string, Check> = {
          catalog: own.length
            ? { ok: false, detail: own.map((problem) => formatProblem(problem, context.root)).join("\n") }
            : { ok: true, detail: "frontmatter, sections and prerequisites are valid" },
        };
        const why = unavailable.get(id);
        if (why) {
          checks.experiment = { ok: !ci, skipped: !ci, detail: `${ci ? "CI must verify this lesson, but " : ""}${why}` };
        } else {
          checks.experiment = experiments.get(id)!;
          Object.assign(checks, challengeChecks.get(id) ?? {});
        }
        if (!challengeFiles(context.root, lesson)) checks.challenge = { ok: false, detail: `no challenge: write lessons/${lesson.folder}/challenge.ts, its solution, mutants and hidden tests` };
        if (typeErrors) {
          const errors = typeErrors.failure ? [typeErrors.failure] : typeErrorsOf(typeErrors, lesson.folder!);
          checks.types = { ok: errors.length === 0, detail: errors.length ? errors.slice(0, 10).join("\n") : "tsc --noEmit (strict) is clean" };
        }
        reports.push({ id, ok: Object.values(checks).every((check) => check.ok), checks });
      }
    } finally {
      await starting.then(({ running }) => running?.stop(), () => {});
    }
    // Problems shown in a lesson's own catalog column are not repeated above the table; with ids
    // given, only those lessons' problems count.
    const shown = new Set(reports.flatMap((report) => report.checks.catalog?.detail.split("\n") ?? []));
    const problems = args.positional.length ? [] : catalog.problems.map((problem) => formatProblem(problem, context.root)).filter((problem) => !shown.has(problem));
    const ok = problems.length === 0 && reports.every((report) => report.ok);
    if (context.json) {
      context.out(JSON.stringify({ ok, problems, lessons: reports, timings }));
    } else {
      for (const problem of problems) context.out(context.style.red(problem));
      printTable(context, reports);
      const skipped = reports.filter((report) => Object.values(report.checks).some((check) => check.skipped));
      if (skipped.length) context.out(context.style.yellow(`\n${skipped.length} lesson(s) not verified on this machine: ${skipped.map((r) => r.id).join(", ")} (see above for how to install what they need).`));
      const passed = reports.filter((report) => report.ok).length;
      const round = (n: number) => n.toFixed(1);
      // A phase that did not run took 0 s and is left out.
      const phases = Object.entries({ experiments: timings.experimentsS, challenges: timings.challengesS, tsc: timings.typesS }).filter(([, seconds]) => seconds > 0);
      context.out(context.style.dim(`\nTook ${round(timings.totalS)} s${phases.length > 1 ? ", side by side" : ""}: ${phases.map(([name, seconds]) => `${name} ${round(seconds)} s`).join(", ")}.`));
      if (timings.slowest.length) context.out(context.style.dim(`Slowest to grade: ${timings.slowest.map((t) => `${t.candidate} ${round(t.seconds)} s`).join(", ")}.`));
      context.out(`\nverify: ${passed} passed, ${reports.length - passed + (problems.length ? 1 : 0)} failed`);
    }
    return ok ? EXIT.ok : EXIT.failed;
  },
};
