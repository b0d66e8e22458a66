// The command line: parses arguments and hands over to one command. Exit
// codes: 0 success, 1 a failed lesson or check, 2 a usage error.

import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Chalk } from "chalk";
import { plainStyle, type Style } from "./render.ts";

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface Args {
  positional: string[];
  flags: Map<string, string | true>;
}

export type FlagSpec = Record<string, "boolean" | "string">;

export interface Context {
  root: string;
  style: Style;
  json: boolean;
  /** Is a person at the keyboard? Never prompt otherwise. */
  interactive: boolean;
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  summary: string;
  usage: string;
  flags: FlagSpec;
  run(context: Context, args: Args): Promise<number>;
}

/** Parses `--flag`, `--flag value` and `--flag=value`; unknown flags are usage errors. */
export function parseArgs(argv: string[], spec: FlagSpec): Args {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === "--") {
      positional.push(...argv.slice(index + 1));
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const [name, inlineValue] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const kind = spec[name];
    if (!kind) throw new UsageError(`unknown option --${name}${Object.keys(spec).length ? `; options: ${Object.keys(spec).map((f) => `--${f}`).join(", ")}` : ""}`);
    if (kind === "boolean") {
      if (inlineValue !== undefined) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    const value = inlineValue ?? argv[++index];
    if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

/** The one lesson id a command was given, or a usage error showing how to name it. */
export function lessonIdArg(args: Args, command: string): string {
  const id = args.positional[0];
  if (!id || args.positional.length > 1) throw new UsageError(`name one lesson, like \`npm run ${command} request-cycle\``);
  return id;
}

export function numberFlag(args: Args, name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const value = args.flags.get(name);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (typeof value !== "string" || !Number.isFinite(number) || number < min || number > max) throw new UsageError(`--${name} should be a number from ${min} to ${max}`);
  return number;
}

function styleFor(stream: NodeJS.WriteStream): Style {
  const colour = stream.isTTY && !process.env.NO_COLOR && process.env.TERM !== "dumb";
  return colour ? new Chalk({ level: 1 }) : plainStyle;
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
  mutation: async () => (await import("./mutation/command.ts")).mutationCommand,
};

/**
 * The folder this runner is installed in: the nearest one above this file
 * with runner/bin.mjs (this code runs from runner/, runner/dist/ or a chunk).
 */
export function installRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "runner", "bin.mjs"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("cannot find runner/bin.mjs above the runner's code");
    dir = parent;
  }
  return dir;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const json = rest.includes("--json");
  const context: Context = {
    root: process.env.QUEUECRAFT_ROOT ? path.resolve(process.env.QUEUECRAFT_ROOT) : installRoot(),
    style: json ? plainStyle : styleFor(process.stdout),
    json,
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI,
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  };
  const load = name ? COMMANDS[name] : undefined;
  if (!load) {
    context.err(`${name ? `unknown command "${name}". ` : ""}Commands: ${Object.keys(COMMANDS).join(", ")} (npm run <command> -- --help)`);
    return EXIT.usage;
  }
  const command = await load();
  if (rest.includes("--help")) {
    context.out(`${command.usage}\n\n${command.summary}`);
    return EXIT.ok;
  }
  try {
    return await command.run(context, parseArgs(rest, { ...command.flags, json: "boolean" }));
  } catch (error) {
    if (error instanceof UsageError) {
      context.err(`${error.message}\nusage: ${command.usage}`);
      return EXIT.usage;
    }
    throw error;
  }
}
