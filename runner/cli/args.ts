// The command line's vocabulary, shared by main.ts and every command: exit
// codes, the usage error, the context a command runs in, and argument parsing.

import type { Style } from "./render.ts";

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
