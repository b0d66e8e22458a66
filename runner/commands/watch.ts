import { EXIT, type Command } from "../cli.ts";
export const watchCommand: Command = { summary: "todo", usage: "npm run watch", flags: {}, async run(context) { context.err("not yet"); return EXIT.failed; } };
