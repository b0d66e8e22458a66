// The command line: parses arguments and hands over to one command. Exit
// codes: 0 success, 1 a failed lesson or check, 2 a usage error, 3 a bug in
// the runner (one line on stderr naming a log file with the stack). Nothing
// below runner/cli/ imports this folder.

import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { Chalk } from "chalk";
import { installRoot } from "../process/install-root.ts";
import { stopQuietly } from "../process/interrupt.ts";
import { EXIT, parseArgs, UsageError, type Command, type Context } from "./args.ts";
import { instructorOnly, isStudentEdition } from "../edition/edition.ts";
import { plainStyle } from "./render.ts";

/**
 * Colour for one stream: FORCE_COLOR decides when set ("0" or "false" turn it
 * off, anything else on), then NO_COLOR, then whether the stream is a terminal.
 */
export function colourFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (env.NO_COLOR) return false;
  return Boolean(stream.isTTY) && env.TERM !== "dumb";
}

/** One line per command for `--help` (each command's own --help says more). */
const OVERVIEW: Array<[string, string]> = [
  ["lesson [<id>]", "show a lesson and run its experiment; with no id, the menu"],
  ["check <id>", "grade your challenge against its tests"],
  ["hint <id>", "the next hint for a challenge"],
  ["watch [<id>]", "re-run the experiment or the check on every save"],
  ["reset <id>", "start a challenge over (your version is backed up)"],
  ["submit", "pack workspace/ into one archive to hand in"],
  ["self-check", "check that this install works (the student edition's npm test)"],
  ["verify [<id>…]", "authors: check lessons the way CI does"],
  ["mutation [<id>…]", "authors: mutation testing of the reference solutions"],
  ["grade <folder>", "instructors: grade a class into a gradebook"],
  ["grade-worker", "instructors: grade a class's jobs from a BullMQ queue"],
  ["release --out <dir>", "instructors: write the student edition (no solutions, no hidden tests)"],
  ["bench", "measure the runner's speed against its targets"],
];

/** Commands that need solutions, hidden tests or mutants: a student edition explains instead of running them. */
const INSTRUCTOR_ONLY = new Set(["verify", "mutation", "grade", "grade-worker", "bench", "release"]);

function overview(studentEdition: boolean): string {
  const shown = OVERVIEW.filter(([name]) => !studentEdition || !INSTRUCTOR_ONLY.has(name.split(" ")[0]!));
  const width = Math.max(...shown.map(([name]) => name.length));
  return [
    "usage: npm run <command> [-- <options>]   (or: npx queuecraft <command> [options])",
    "",
    ...shown.map(([name, what]) => `  ${name.padEnd(width)}  ${what}`),
    "",
    "Every command takes --help (-h) and --json. Exit codes: 0 ok, 1 a lesson or check failed, 2 usage error, 3 internal error.",
  ].join("\n");
}

/** A bug in the runner: the stack goes to a log file, the learner gets one line naming it. */
function reportInternalError(root: string, error: unknown): void {
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  const name = `error-${new Date().toISOString().replace(/[:.]/g, "-")}-${process.pid}.log`;
  let file: string | undefined;
  for (const dir of [path.join(root, ".queuecraft", "logs"), os.tmpdir()]) {
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, name), `${process.argv.join(" ")}\n\n${stack}\n`);
      file = path.join(dir, name);
      break;
    } catch {
      // A read-only checkout: try the temp folder.
    }
  }
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  process.stderr.write(`queuecraft: internal error (a bug in the runner, not in your code): ${message}${file ? `. The details are in ${file}` : ""}\n`);
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  lesson: async () => (await import("./commands/lesson.ts")).lessonCommand,
  verify: async () => (await import("./commands/verify.ts")).verifyCommand,
  check: async () => (await import("./commands/check.ts")).checkCommand,
  hint: async () => (await import("./commands/hint.ts")).hintCommand,
  reset: async () => (await import("./commands/reset.ts")).resetCommand,
  watch: async () => (await import("./commands/watch.ts")).watchCommand,
  grade: async () => (await import("./commands/grade.ts")).gradeCommand,
  "grade-worker": async () => (await import("./commands/grade-worker.ts")).gradeWorkerCommand,
  bench: async () => (await import("./commands/bench.ts")).benchCommand,
  mutation: async () => (await import("./commands/mutation.ts")).mutationCommand,
  release: async () => (await import("./commands/release.ts")).releaseCommand,
  submit: async () => (await import("./commands/submit.ts")).submitCommand,
  "self-check": async () => (await import("./commands/self-check.ts")).selfCheckCommand,
};

const wantsHelp = (args: string[]) => args.includes("--help") || args.includes("-h");

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes("--json");
  // A reader that stops early (`npm run lesson x | head`) is not an error: stop quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE") void stopQuietly(process.exitCode === undefined ? EXIT.ok : Number(process.exitCode));
      else throw error;
    });
  }
  // Colour is decided per stream: text styled for one is stripped on the other when that one is plain.
  const colourOut = !json && colourFor(process.stdout);
  const colourErr = colourFor(process.stderr);
  const root = process.env.QUEUECRAFT_ROOT ? path.resolve(process.env.QUEUECRAFT_ROOT) : installRoot();
  if (!existsSync(root)) {
    process.stderr.write(`QUEUECRAFT_ROOT=${process.env.QUEUECRAFT_ROOT} is not a folder: point it at a course (the folder with lessons/), or unset it\n`);
    return EXIT.usage;
  }
  const context: Context = {
    root,
    style: colourOut || colourErr ? new Chalk({ level: 1 }) : plainStyle,
    json,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI,
    out: (text) => process.stdout.write(`${colourOut ? text : stripVTControlCharacters(text)}\n`),
    err: (text) => process.stderr.write(`${colourErr ? text : stripVTControlCharacters(text)}\n`),
  };
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    (name === undefined ? context.err : context.out)(overview(isStudentEdition(root)));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const load = COMMANDS[name];
  if (!load) {
    context.err(`unknown command "${name}". Commands: ${Object.keys(COMMANDS).join(", ")} (npm run <command> -- --help)`);
    return EXIT.usage;
  }
  if (INSTRUCTOR_ONLY.has(name) && isStudentEdition(root)) {
    context.err(instructorOnly(name));
    return EXIT.usage;
  }
  try {
    const command = await load();
    if (wantsHelp(rest)) {
      context.out(`usage: ${command.usage}\n\n${command.summary}`);
      return EXIT.ok;
    }
    try {
      return await command.run(context, parseArgs(rest, { ...command.flags, json: "boolean" }));
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      context.err(`${error.message}\nusage: ${command.usage}`);
      return EXIT.usage;
    }
  } catch (error) {
    reportInternalError(root, error);
    return EXIT.internal;
  }
}
