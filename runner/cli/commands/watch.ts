// `npm run watch [id]`: rustlings-style. Starts at the given lesson or the next
// unfinished one; re-runs the experiment (until it matches) or the check (until
// it passes) on every save of the lesson's own files, on a cleared screen, with
// the hints seen so far kept under the result. After a pass it shows the
// reference diff and waits for n before the next lesson. Keys: r re-run,
// h hint, n next, q quit. Without a terminal it runs once and exits: it never
// waits on input.

import { existsSync, readFileSync, watch as watchFiles, type FSWatcher } from "node:fs";
import path from "node:path";
import { challengeFiles, loadCatalog, type Lesson } from "../../course/catalog.ts";
import { EXIT, UsageError, type Command, type Context } from "../args.ts";
import { findLesson } from "../course.ts";
import { WarmGrader } from "../../grading/warm-grader.ts";
import { learnerSuites, PUBLIC_ONLY_NOTE, suiteWords } from "../../edition/edition.ts";
import { loadProgress, lessonStates, updateProgress } from "../../learner/progress.ts";
import { provideServices, type RunningServices } from "../../process/services/provide.ts";
import { ServiceUnavailable } from "../../process/services/server.ts";
import { ensureChallengeFile, workspaceAt } from "../../learner/workspace.ts";
import { revealHints } from "../../learner/hints.ts";
import { lineDiff } from "../line-diff.ts";
import { renderResults } from "./check.ts";
import { formatHints } from "./hint.ts";
import { reportExperiment, runLessonExperiment } from "./lesson.ts";

type Event = { kind: "change" } | { kind: "key"; key: string };

const DEBOUNCE_MS = 120;
/** Clears the screen and its scrollback, cursor home (what rustlings does before each run). */
const CLEAR = "\u001b[2J\u001b[3J\u001b[H";
const CHECK_TIMEOUT_MS = 30_000;

function nextUnfinished(context: Context, after?: string): Lesson | undefined {
  const catalog = loadCatalog(context.root);
  const { progress } = loadProgress(workspaceAt(context.root).progressFile);
  const states = lessonStates(
    catalog.lessons.map((l) => ({ id: l.meta.id, prerequisites: l.meta.prerequisites, hasChallenge: Boolean(challengeFiles(context.root, l)) })),
    progress,
  );
  const start = after ? catalog.lessons.findIndex((l) => l.meta.id === after) + 1 : 0;
  // After the lesson just finished first, then any earlier one left open.
  const open = (l: Lesson) => states.get(l.meta.id) !== "done";
  return catalog.lessons.slice(start).find(open) ?? catalog.lessons.slice(0, start).find(open);
}

/** One lesson's loop: experiment first, then the challenge. Resolves when the learner moves on or quits. */
async function watchLesson(context: Context, lesson: Lesson, events: AsyncIterator<Event>, interactive: boolean): Promise<"next" | "quit" | number> {
  const { style } = context;
  const workspace = workspaceAt(context.root);
  const files = challengeFiles(context.root, lesson);
  const matched = () => Boolean(loadProgress(workspace.progressFile).progress.lessons[lesson.meta.id]?.experimentMatchedAt);
  let services: RunningServices | undefined;
  let grader: WarmGrader | undefined;
  const watchers: FSWatcher[] = [];
  try {
    try {
      services = await provideServices(lesson.meta.services);
    } catch (error) {
      if (!(error instanceof ServiceUnavailable)) throw error;
      context.err(style.yellow(error.message));
      return interactive ? "next" : EXIT.failed;
    }
    const challenge = files ? ensureChallengeFile(workspace, lesson.meta.id, files.stub).file : undefined;
    const onChange = (push: () => void) => {
      let timer: NodeJS.Timeout | undefined;
      return () => {
        clearTimeout(timer);
        timer = setTimeout(push, DEBOUNCE_MS);
      };
    };
    for (;;) {
      const phase = !matched() ? "experiment" : challenge ? "challenge" : "done";
      if (phase === "done") return "next";
      // Written as it is: a plain (NO_COLOR) context strips escape sequences, and clearing is no colour.
      if (interactive) process.stdout.write(CLEAR);
      context.out(style.bold(`── ${lesson.meta.id}: ${phase === "experiment" ? "experiment" : `challenge (${path.relative(process.cwd(), challenge!)})`} ──`));
      let ok: boolean;
      if (phase === "experiment") {
        const result = await runLessonExperiment(context.root, lesson, services.env);
        reportExperiment(context, lesson, result);
        ok = result.verdict?.ok ?? false;
        if (ok) updateProgress(workspace.progressFile, lesson.meta.id, (entry) => void (entry.experimentMatchedAt ??= new Date().toISOString()));
      } else {
        grader ??= new WarmGrader({ folder: lesson.folder!, suites: learnerSuites(context.root, lesson.folder!), candidate: challenge!, displayName: path.basename(challenge!) }, { root: context.root, timeoutMs: CHECK_TIMEOUT_MS, env: services.env });
        const results = await grader.run();
        const words = suiteWords(learnerSuites(context.root, lesson.folder!));
        renderResults(context, results, `${words.title} for ${lesson.meta.id}`, words.noun);
        ok = results.status === "pass";
        if (ok) updateProgress(workspace.progressFile, lesson.meta.id, (entry) => void (entry.challengePassedAt = new Date().toISOString()));
      }
      if (!interactive) return ok ? EXIT.ok : EXIT.failed;
      if (ok && phase === "challenge") return afterPass(context, lesson, challenge!, files!.solution, events);
      if (ok) continue;
      if (watchers.length === 0) {
        // Only the lesson's own files: an editor's swap and backup files beside them are not saves.
        const watched = phase === "experiment" ? new Set([path.basename(lesson.file), "experiment.ts"]) : new Set([path.basename(challenge!)]);
        const target = phase === "experiment" ? path.dirname(lesson.file) : path.dirname(challenge!);
        const push = onChange(() => queue.push({ kind: "change" }));
        watchers.push(watchFiles(target, { recursive: false }, (_event, name) => void (name && watched.has(name.toString()) && push())));
      }
      const showFooter = () => {
        const { seen, total } = revealHints(workspace.progressFile, lesson, { next: false });
        if (seen.length > 0) context.out(`\n${formatHints(seen, 1, total, style)}`);
        const more = seen.length < total ? "h next hint · " : "";
        context.out(style.dim(`\nWatching ${phase === "experiment" ? "the lesson" : path.basename(challenge!)} for saves… keys: r re-run · ${more}n next lesson · q quit`));
      };
      showFooter();
      let event = (await events.next()).value as Event | undefined;
      // h reveals the next hint under the result, which stays on screen; the loop waits again.
      while (event?.kind === "key" && event.key === "h") {
        revealHints(workspace.progressFile, lesson, { next: true });
        showFooter();
        event = (await events.next()).value as Event | undefined;
      }
      if (!event || (event.kind === "key" && event.key === "q")) return "quit";
      if (event.kind === "key" && event.key === "n") return "next";
      // A change, or "r": close the file watchers so the next phase watches the right files.
      for (const watcher of watchers.splice(0)) watcher.close();
    }
  } finally {
    for (const watcher of watchers) watcher.close();
    grader?.close();
    await services?.stop();
  }
}

/**
 * A pass: the result stays on screen with the reference diff and the next step,
 * and nothing moves on until the learner presses n (or q): the next lesson's
 * failing stub is never printed unasked.
 */
async function afterPass(context: Context, lesson: Lesson, challenge: string, solution: string, events: AsyncIterator<Event>): Promise<"next" | "quit"> {
  const { style } = context;
  context.out(style.green(`\n${lesson.meta.id} is done.`));
  // A student edition has no reference solution to show (edition/edition.ts).
  if (existsSync(solution)) {
    context.out(style.bold("\nThe reference solution, compared with yours (- yours, + reference; comments and what you share left out):"));
    context.out(lineDiff(readFileSync(challenge, "utf8"), readFileSync(solution, "utf8"), style));
  } else context.out(style.dim(`\n${PUBLIC_ONLY_NOTE}`));
  const next = nextUnfinished(context, lesson.meta.id);
  context.out(style.cyan(`\n${next ? `Next: ${next.meta.id} — press n to go on` : "That was the last open lesson — press n to finish"}, q to quit.`));
  for (;;) {
    const event = (await events.next()).value as Event | undefined;
    if (!event || (event.kind === "key" && event.key === "q")) return "quit";
    if (event.kind === "key" && event.key === "n") return "next";
  }
}

/** A tiny async queue of events, fed by key presses and file changes. */
const queue = {
  items: [] as Event[],
  waiting: undefined as ((event: Event) => void) | undefined,
  push(event: Event) {
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) waiting(event);
    else this.items.push(event);
  },
  next(): Promise<IteratorResult<Event>> {
    const item = this.items.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    return new Promise((resolve) => (this.waiting = (event) => resolve({ value: event, done: false })));
  },
};

export const watchCommand: Command = {
  summary: "Re-runs the experiment or the check on every save, lesson after lesson. Keys: r re-run, h hint, n next, q quit.",
  usage: "npm run watch [<id>]",
  flags: {},
  async run(context, args) {
    if (context.json) throw new UsageError("watch is for a person at a terminal and prints no JSON; for JSON use npm run check <id> -- --json");
    if (args.positional.length > 1) throw new UsageError("watch one lesson at a time");
    let lesson = args.positional[0] ? findLesson(context, args.positional[0]).lesson : nextUnfinished(context);
    if (!lesson) {
      context.out(args.positional[0] ? "That lesson could not be loaded: run `npm run lesson <id>` to see why." : "Every lesson is done. Well done!");
      return args.positional[0] ? EXIT.failed : EXIT.ok;
    }
    const interactive = context.interactive;
    if (!interactive) context.err("No terminal: checking once instead of watching.");
    if (interactive) {
      process.stdin.setRawMode(true);
      process.stdin.setEncoding("utf8");
      process.stdin.on("data", (key: string) => {
        if (key === "\u0003") queue.push({ kind: "key", key: "q" });
        else queue.push({ kind: "key", key: key.toLowerCase() });
      });
    }
    try {
      for (;;) {
        const outcome = await watchLesson(context, lesson, queue, interactive);
        if (typeof outcome === "number") return outcome;
        if (outcome === "quit") return EXIT.ok;
        lesson = nextUnfinished(context, lesson.meta.id);
        if (!lesson) {
          context.out(context.style.green("Every lesson is done. Well done!"));
          return EXIT.ok;
        }
      }
    } finally {
      if (interactive) {
        process.stdin.setRawMode(false);
        process.stdin.pause();
      }
    }
  },
};
