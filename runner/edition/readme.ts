// The student edition's README.md: how to start, the commands there are, what
// the public tests are (and are not), and how to hand work in. Generated, so
// the lesson list and the edition's date are always those of the release.

import type { Catalog } from "../course/catalog.ts";
import type { EditionInfo } from "./edition.ts";

function lessonTable(catalog: Catalog): string[] {
  const lines: string[] = [];
  let phase = -1;
  for (const lesson of catalog.lessons) {
    if (lesson.meta.phase !== phase) {
      phase = lesson.meta.phase;
      lines.push("", `**Phase ${phase}: ${lesson.meta.phaseTitle}**`, "", "| # | id | lesson | minutes |", "| ---: | --- | --- | ---: |");
    }
    const number = lesson.folder ? (/\/(\d+)-/.exec(lesson.folder)?.[1] ?? "") : "";
    lines.push(`| ${number} | \`${lesson.meta.id}\` | ${lesson.meta.title} | ${lesson.meta.estimatedMinutes} |`);
  }
  return lines;
}

export function studentReadme(catalog: Catalog, info: EditionInfo): string {
  const first = catalog.lessons[0]?.meta.id ?? "<id>";
  return [
    "# Queuecraft: Background Jobs and Queues in TypeScript (student edition)",
    "",
    `${catalog.lessons.length} lessons take you from "why work leaves the HTTP request" to a crash-proof order pipeline.`,
    "Every lesson has an experiment you run and a challenge you solve.",
    "",
    "## Start",
    "",
    "```sh",
    "npm ci                          # installs the course (builds better-sqlite3: about a minute)",
    `npm run lesson ${first}    # read the first lesson and run its experiment`,
    "```",
    "",
    "| command | what it does |",
    "| --- | --- |",
    "| `npm run lesson` | the menu: every lesson by phase, marked done / next / locked |",
    "| `npm run lesson <id>` | show the lesson, run its experiment, compare with the expected output |",
    "| `npm run check <id>` | run the public tests on your challenge (`workspace/<id>/challenge.ts`) |",
    "| `npm run hint <id>` | the next hint for that challenge |",
    "| `npm run watch [id]` | re-run the experiment or the check on every save |",
    "| `npm run reset <id>` | start the challenge over (your version is kept in `workspace/.backups/`) |",
    "| `npm run submit` | pack your `workspace/` into one archive to hand in |",
    "| `npm test` | a self-check of this install (every lesson loads, the tests run) |",
    "",
    "Arguments go after `--`: `npm run check " + first + " -- --json`. Every command answers `--help`.",
    "",
    "## How a lesson goes",
    "",
    "1. `npm run lesson <id>` prints the lesson, runs its experiment and compares what it printed with the",
    "   lesson's **Expected Output**.",
    "2. It also creates your copy of the challenge in `workspace/<id>/challenge.ts`. Its doc comments are the",
    "   contract: every requirement is a numbered clause, `[C1]`, `[C2]`, ….",
    "3. `npm run check <id>` runs the challenge's **public tests** against your copy: a few worked examples,",
    "   each named with the clause it shows (`[C3] example: …`). Read them in `test/public/`.",
    "4. Progress (`workspace/progress.json`) records which experiments matched and which checks passed.",
    "",
    "## Public tests and your grade",
    "",
    "This edition has the public tests only. Your grade comes from the course's **hidden tests**, which check",
    "every clause of the contract, edge cases included; they run when your instructor grades what you hand in.",
    "Passing every public example is a good sign, not a grade: read the whole contract.",
    "",
    "## Handing in",
    "",
    "- **Upload (an LMS such as Moodle or Canvas):** `npm run submit` writes `queuecraft-submission-<time>.tar.gz`",
    "  with your `workspace/` and a manifest (the course's fingerprint, the lessons, a hash of every file).",
    "  Upload that one file. `npm run submit -- --name <your name>` puts your name in the manifest.",
    "- **Git (GitHub Classroom):** commit and push `workspace/` (this edition's `.gitignore` keeps it, and",
    "  leaves out only `workspace/.backups/`).",
    "",
    "Only `workspace/<id>/challenge.ts` is graded, so keep each challenge in that one file.",
    "",
    "## Lessons that need a server",
    "",
    "`skip-locked` uses PostgreSQL and `bullmq-production` Redis. With `DATABASE_URL` / `REDIS_URL` set the",
    "runner uses that server; otherwise it starts `postgres` or `redis-server` for the run. Without them:",
    "`sudo apt-get install postgresql redis-server`, or `brew install postgresql redis`.",
    "",
    "## Lessons",
    ...lessonTable(catalog),
    "",
    "---",
    `Student edition released ${info.released.slice(0, 10)}${info.commit ? ` from commit ${info.commit.slice(0, 12)}${info.commit.endsWith("+changes") ? " (with changes)" : ""}` : ""}; course fingerprint \`${info.course.slice(0, 16)}\` (see \`queuecraft-edition.json\`).`,
    "",
  ].join("\n");
}
