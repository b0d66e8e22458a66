// `npm run reset <id>`: puts the stub back in the learner's workspace, after a
// confirmation and always with a backup of what was there.

import path from "node:path";
import { EXIT, UsageError, lessonIdArg, type Command } from "../args.ts";
import { lessonWithChallenge, printProblems } from "../course.ts";
import { resetChallenge, workspaceAt } from "../../learner/workspace.ts";

export const resetCommand: Command = {
  summary: "Restores a challenge's stub. Your version is backed up first, under workspace/.backups/.",
  usage: "npm run reset <id> [-- --yes] [--json]",
  flags: { yes: "boolean" },
  async run(context, args) {
    const id = lessonIdArg(args, "reset");
    const found = lessonWithChallenge(context, id);
    if (!found.lesson || !found.files) {
      printProblems(context, found.problems);
      return EXIT.failed;
    }
    if (!args.flags.has("yes")) {
      if (!context.interactive) throw new UsageError("resetting replaces your challenge file; add --yes to confirm (no terminal to ask on)");
      const { default: prompts } = await import("prompts");
      const answer = await prompts({ type: "confirm", name: "go", message: `Replace your ${id} challenge with the stub? (a backup is kept)`, initial: false });
      if (answer.go !== true) return EXIT.ok;
    }
    const { file, backup } = resetChallenge(workspaceAt(context.root), found.lesson.meta.id, found.files.stub);
    if (context.json) context.out(JSON.stringify({ id, file, backup: backup ?? null }));
    else context.out(`Restored ${path.relative(process.cwd(), file)} from the stub.${backup ? ` Your version is in ${path.relative(process.cwd(), backup)}.` : ""}`);
    return EXIT.ok;
  },
};
