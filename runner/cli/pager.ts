// Long output goes through a pager, the way git does it: only when a person
// reads stdout in a terminal, only when the text is taller than the screen,
// with $PAGER (default `less`, LESS=FRX unless set: quit if one screen, keep
// colours, leave the text on screen), never for --json or without a TTY.

import { spawn } from "node:child_process";
import type { Context } from "./args.ts";

export interface Paging {
  /** The context to print through: its `out` is held until `done()`. */
  context: Context;
  /**
   * Shows what was printed since the last call: through the pager if it is
   * taller than the screen, else as it is (a lesson's text is shown before its
   * predictions are asked, the rest after the run).
   */
  done(): Promise<void>;
}

/** The pager command to run, or undefined for none (`PAGER=` or `PAGER=cat` turn paging off, as for git). */
export function pagerCommand(env: NodeJS.ProcessEnv): string | undefined {
  const pager = env.QUEUECRAFT_PAGER ?? env.PAGER ?? "less";
  return pager.trim() === "" || pager.trim() === "cat" ? undefined : pager;
}

/** Lines `text` takes on a screen `columns` wide, long lines wrapping. */
export function screenLines(text: string, columns: number): number {
  // eslint-disable-next-line no-control-regex
  const plain = text.replace(/\u001b\[[0-9;]*m/g, "");
  return plain.split("\n").reduce((sum, line) => sum + Math.max(1, Math.ceil([...line].length / Math.max(1, columns))), 0);
}

export function paging(context: Context, enabled: boolean): Paging {
  const command = pagerCommand(process.env);
  if (!enabled || !command || context.json || !context.interactive) return { context, done: async () => {} };
  const held: string[] = [];
  const paged: Context = { ...context, out: (text) => void held.push(text) };
  return {
    context: paged,
    async done() {
      if (held.length === 0) return;
      const text = held.splice(0).join("\n");
      const rows = process.stdout.rows || 24;
      if (screenLines(text, process.stdout.columns || 80) < rows) {
        context.out(text);
        return;
      }
      const shown = await new Promise<boolean>((resolve) => {
        const child = spawn(command, { shell: true, stdio: ["pipe", "inherit", "inherit"], env: { ...process.env, LESS: process.env.LESS ?? "FRX" } });
        child.on("error", () => resolve(false));
        child.stdin.on("error", () => {}); // the reader quit early (q in less)
        child.on("close", (code) => resolve(code !== 127));
        child.stdin.end(`${text}\n`);
      });
      // A pager that cannot start (not installed): the text is still shown.
      if (!shown) context.out(text);
    },
  };
}
