// The command line's vocabulary, shared by main.ts and every command: exit
// codes, the usage error, the context a command runs in, and argument parsing.

import { parseArgs as parseArgsStrict } from "node:util";
import type { Style } from "./render.ts";

/** 3: the runner itself failed (a bug); the stack is in the log file it names. */
export const EXIT = { ok: 0, failed: 1, usage: 2, internal: 3 } as const;

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

/**
 * Parses `--flag`, `--flag value` and `--flag=value` with node:util's parseArgs
 * (strict: an unknown flag is a usage error that names it and lists the known ones).
 */
export function parseArgs(argv: string[], spec: FlagSpec): Args {
  const options = Object.fromEntries(Object.entries(spec).map(([name, type]) => [name, { type }])) as Record<string, { type: "boolean" | "string" }>;
  let parsed: ReturnType<typeof parseArgsStrict>;
  try {
    parsed = parseArgsStrict({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
      const name = /'(-[^']*)'/.exec(message)?.[1] ?? message;
      throw new UsageError(`unknown option ${name}${Object.keys(spec).length ? `; options: ${Object.keys(spec).map((f) => `--${f}`).join(", ")}` : ""}`);
    }
    if (code?.startsWith("ERR_PARSE_ARGS_")) throw new UsageError(message.split(". To specify")[0]!);
    throw error;
  }
  const flags = new Map<string, string | true>();
  for (const [name, value] of Object.entries(parsed.values)) {
    if (value === undefined || value === false) continue;
    if (Array.isArray(value)) throw new UsageError(`--${name} given more than once`);
    if (typeof value === "string" && value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional: parsed.positionals, flags };
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
