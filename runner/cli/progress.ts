// The progress line of `grade`: how many submissions are graded, and which
// student's challenge is being graded now. On a terminal it is one line,
// redrawn in place (cut to the terminal's width, so it never wraps) and
// cleared by finish() before anything else is printed (the summary table says
// the rest); without one (CI, a log) each graded submission is a line of its
// own. Always on stderr, nothing under --json.

import type { Context } from "./args.ts";

const WIDTH = 24;

/** The line itself (pure): `[######------] 3/12 graded · now ada/add, ben/add`. */
export function progressText(done: number, total: number, detail: string): string {
  const filled = total === 0 ? WIDTH : Math.round((Math.min(done, total) / total) * WIDTH);
  return `[${"#".repeat(filled)}${"-".repeat(WIDTH - filled)}] ${Math.min(done, total)}/${total} graded${detail ? ` · ${detail}` : ""}`;
}

/** Student and challenge, as the line names them; a name with a control character cannot move the cursor. */
export const label = (student: string, challenge: string): string => `${student}/${challenge}`.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");

export class Progress {
  readonly #done = new Set<string>();
  readonly #running: string[] = [];
  #drawn = false;
  readonly #tty: boolean;

  /** `done` submissions were graded before this run started (copies, grades kept from an earlier run). */
  constructor(
    private readonly context: Context,
    private readonly total: number,
    private readonly before = 0,
  ) {
    this.#tty = !context.json && Boolean(process.stderr.isTTY);
  }

  get done(): number {
    return this.before + this.#done.size;
  }

  started(what: string): void {
    if (this.#done.has(what) || this.#running.includes(what)) return;
    this.#running.push(what);
    if (this.#tty) this.#draw();
  }

  /** Counted once, however many times the same submission finishes (a run that died grades files again). */
  finished(what: string): void {
    const at = this.#running.indexOf(what);
    if (at >= 0) this.#running.splice(at, 1);
    if (this.#done.has(what)) return;
    this.#done.add(what);
    if (this.context.json) return;
    if (this.#tty) this.#draw(what);
    else this.context.err(progressText(this.done, this.total, `graded ${what}`));
  }

  /** Clears the line, so what is printed next starts on a clean line, with no bar left half drawn above it. */
  finish(): void {
    if (!this.#tty || !this.#drawn) return;
    this.#running.length = 0;
    process.stderr.write(`\r${" ".repeat(this.#columns())}\r`);
    this.#drawn = false;
  }

  #columns(): number {
    return Math.max(20, (process.stderr.columns || 80) - 1);
  }

  #draw(last?: string): void {
    const now = this.#running.length ? `now ${this.#running.slice(0, 2).join(", ")}${this.#running.length > 2 ? ` +${this.#running.length - 2}` : ""}` : last ? `graded ${last}` : "";
    const text = progressText(this.done, this.total, now).slice(0, this.#columns());
    process.stderr.write(`\r${text.padEnd(this.#columns())}`);
    this.#drawn = true;
  }
}
