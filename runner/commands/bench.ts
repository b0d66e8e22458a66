import { EXIT, type Command } from "../cli.ts";
export const benchCommand: Command = { summary: "todo", usage: "npm run bench", flags: {}, async run(context) { context.err("not yet"); return EXIT.failed; } };
