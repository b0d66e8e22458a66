// tsx is how a learner runs a lesson file by hand (`npx tsx lessons/…/experiment.ts`,
// or `npx tsx watch` on their own copy). The runner itself runs experiments from
// cached esbuild bundles (faster to start), so this checks the other road: every
// experiment of the course, run under tsx, prints what its lesson expects.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { loadCatalog, type Lesson } from "../../runner/course/catalog.ts";
import { matchOutput, normalizeLines } from "../../runner/experiment/match.ts";
import { normalisedEnv } from "../../runner/process/sandbox.ts";
import { provideServices, serviceMissing, type RunningServices } from "../../runner/process/services/provide.ts";

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, "..", "..");
const tsx = path.join(repo, "node_modules", ".bin", "tsx");
const lessons = loadCatalog(repo).lessons.filter((lesson): lesson is Lesson & { experiment: { file: string } } => "file" in lesson.experiment);
const needed = [...new Set(lessons.flatMap((lesson) => lesson.meta.services))].filter((service) => !serviceMissing(service));
let services: RunningServices | undefined;

beforeAll(async () => {
  services = await provideServices(needed);
}, 60_000);
afterAll(async () => {
  await services?.stop();
});

describe("every experiment runs under tsx and prints its Expected Output", () => {
  test("the course has its 26 experiments as files", () => {
    expect(lessons.length).toBe(26);
  });

  test.concurrent.each(lessons.map((lesson) => [lesson.meta.id, lesson] as const))("%s", async (_id, lesson) => {
    const missing = lesson.meta.services.filter((service) => serviceMissing(service));
    if (missing.length > 0 && !process.env.CI) return; // reported by verify as "not verified" too
    const { stdout } = await run(tsx, [lesson.experiment.file], {
      cwd: repo,
      env: normalisedEnv(services?.env ?? {}),
      // Generous: a loaded machine starts tsx slowly, and speed is not what this checks.
      timeout: 110_000,
      maxBuffer: 4 * 1024 * 1024,
    });
    const lines = normalizeLines(stdout);
    if (!matchOutput(lesson.expected, lines)) expect(lines.join("\n"), `${lesson.meta.id} under tsx`).toBe(lesson.expected.map((block) => block.lines.join("\n")).join("\n"));
  }, 120_000);
});
