import { EXIT, type Command } from "../cli.ts";
export const gradeCommand: Command = { summary: "todo", usage: "npm run grade", flags: {}, async run(context) { context.err("not yet"); return EXIT.failed; } };
