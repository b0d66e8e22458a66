// The command line: parses arguments and hands over to one command. Exit
// codes: 0 success, 1 a failed lesson or check, 2 a usage error. Nothing
// below runner/cli/ imports this folder.

import path from "node:path";
import { Chalk } from "chalk";
import { installRoot } from "../process/install-root.ts";
import { EXIT, parseArgs, UsageError, type Command, type Context } from "./args.ts";
import { plainStyle, type Style } from "./render.ts";

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
  mutation: async () => (await import("./commands/mutation.ts")).mutationCommand,
};

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
