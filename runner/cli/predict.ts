// `npm run lesson <id> -- --predict`: before the experiment runs, the learner
// answers the lesson's predictions (okpy's "unlock", for experiment output):
// one key per multiple-choice question, a line for a free-text one, at a
// terminal; from `--answers 2,b,…` anywhere else. Each answer is judged at
// once (a wrong guess gets the answer and its why) and recorded in progress;
// after the run, each prediction is shown beside the output line it was about.

import { createInterface } from "node:readline/promises";
import type { Lesson } from "../course/catalog.ts";
import type { Prediction } from "../course/predictions.ts";
import { choiceKey, judgeAnswer, predictionScore, recordPredictions, splitAnswers } from "../learner/predictions.ts";
import { loadProgress } from "../learner/progress.ts";
import { UsageError, type Args, type Context, type FlagSpec } from "./args.ts";
import type { Paging } from "./pager.ts";

export const predictFlags: FlagSpec = { predict: "boolean", answers: "string" };

export interface Answered {
  prediction: Prediction;
  /** The answer given (a choice's text when picked by key). */
  given: string;
  right: boolean;
}

/**
 * What `--predict` / `--answers` ask for: undefined for a plain run, else the
 * scripted answers (or none: ask at the terminal). Every usage problem is found
 * here, before anything is printed or run.
 */
export function planPredictions(context: Context, args: Args, lesson: Lesson): { answers?: string[] } | undefined {
  const flag = args.flags.get("answers");
  if (!args.flags.has("predict") && flag === undefined) return undefined;
  const { predictions } = lesson;
  if (predictions.length === 0) {
    if (flag !== undefined) throw new UsageError(`lesson "${lesson.meta.id}" has no predictions to answer`);
    context.err(`Lesson "${lesson.meta.id}" has no predictions; running it as usual.`);
    return undefined;
  }
  if (typeof flag !== "string") {
    if (context.interactive && !context.json) return {};
    throw new UsageError(`--predict asks its questions at a terminal and never waits without one${context.json ? " (nor with --json)" : ""}: give the answers instead, one per question in order, like --answers ${predictions.map((p) => (p.choices ? "1" : "<answer>")).join(",")}`);
  }
  const { answers, problem } = splitAnswers(flag, predictions.length);
  if (!answers) throw new UsageError(problem!);
  answers.forEach((answer, index) => {
    const judged = judgeAnswer(predictions[index]!, answer);
    if ("invalid" in judged) throw new UsageError(`--answers: answer ${index + 1} "${answer}" to "${predictions[index]!.question}": ${judged.invalid}`);
  });
  return { answers };
}

/**
 * Shows the prompt and waits for one key the question accepts; Ctrl-C stops the
 * run as it would anywhere else. The terminal is raw before the prompt shows, so
 * a key pressed at once is not echoed.
 */
function readKey(prompt: string, accepts: (key: string) => boolean): Promise<string> {
  const { stdin } = process;
  return new Promise((resolve) => {
    const finish = () => {
      stdin.off("data", onData);
      stdin.setRawMode(false);
      stdin.pause();
    };
    const onData = (key: string) => {
      if (key === "\u0003") {
        finish();
        process.kill(process.pid, "SIGINT");
      } else if (accepts(key)) {
        finish();
        resolve(key);
      }
    };
    stdin.setRawMode(true);
    stdin.setEncoding("utf8");
    stdin.on("data", onData);
    stdin.resume();
    process.stdout.write(prompt);
  });
}

async function readLine(prompt: string): Promise<string> {
  const lines = createInterface({ input: process.stdin, output: process.stdout });
  lines.on("SIGINT", () => {
    lines.close();
    process.kill(process.pid, "SIGINT");
  });
  try {
    return await lines.question(prompt);
  } finally {
    lines.close();
  }
}

/** One answer from a person at the terminal: a key that names a choice, or a line that is not empty. */
async function askAtTerminal(prediction: Prediction): Promise<string> {
  const valid = (typed: string) => !("invalid" in judgeAnswer(prediction, typed));
  // Written as it is: the prompt stays on the answer's line, which context.out would end.
  if (prediction.choices) {
    const key = await readKey(`Your answer (${choiceKey(0)}-${choiceKey(prediction.choices.length - 1)}): `, valid);
    process.stdout.write(`${key}\n`);
    return key;
  }
  for (;;) {
    const line = await readLine("Your answer: ");
    if (valid(line)) return line;
  }
}

/**
 * Asks every prediction, judges and records the answers. What was paged so far
 * (the lesson text) is shown first, and the questions go straight to the
 * terminal, not through the pager. Prints nothing with --json.
 */
export async function askPredictions(context: Context, page: Paging, lesson: Lesson, plan: { answers?: string[] }, progressFile: string): Promise<Answered[]> {
  await page.done();
  const { style } = context;
  const say = (text: string) => void (context.json || context.out(text));
  const total = lesson.predictions.length;
  say(style.bold(`\nPredict before it runs: ${total === 1 ? "one question" : `${total} questions`} about the experiment's output.`));
  const answered: Answered[] = [];
  for (const [index, prediction] of lesson.predictions.entries()) {
    say(`\n${style.bold(`${index + 1}.`)} ${prediction.question}`);
    for (const [i, choice] of (prediction.choices ?? []).entries()) say(`   ${style.cyan(`${choiceKey(i)})`)} ${choice}`);
    const input = plan.answers ? plan.answers[index]! : await askAtTerminal(prediction);
    const judged = judgeAnswer(prediction, input);
    if ("invalid" in judged) throw new Error(`an answer planPredictions accepted is invalid: ${judged.invalid}`);
    if (plan.answers) say(`${style.bold("Your answer:")} ${input}${judged.given === input ? "" : ` (${judged.given})`}`);
    answered.push({ prediction, ...judged });
    if (judged.right) say(style.green(`✓ Right: ${prediction.answer}.`));
    else say(`${style.red(`✗ Not quite: it is ${prediction.answer}.`)} ${prediction.why}`);
  }
  if (lesson.folder) {
    const { warning } = recordPredictions(progressFile, lesson.meta.id, answered.map(({ prediction, right }) => ({ question: prediction.question, right })));
    if (warning) context.err(style.yellow(warning));
  }
  say(style.dim("\nNow the experiment runs; its output shows the answers."));
  return answered;
}

/** After the run: each prediction beside the output line that answers it. */
export function reportPredictions(context: Context, answered: Answered[], output: string[]): void {
  const { style } = context;
  const right = answered.filter((answer) => answer.right).length;
  context.out(style.bold(`\nYour predictions: ${right} of ${answered.length} right`));
  for (const { prediction, given, right } of answered) {
    const line = output.find((printed) => printed.includes(prediction.line));
    const mark = right ? style.green("✓") : style.red("✗");
    context.out(`${mark} ${prediction.question} ${style.dim(`you said ${given}, the output says:`)}`);
    context.out(line === undefined ? style.yellow(`  (this run printed no line with "${prediction.line}")`) : `  ${style.dim("│")} ${line}`);
  }
}

/** The answers as `lesson --json` reports them. */
export function predictionsJson(answered: Answered[]) {
  return answered.map(({ prediction, given, right }) => ({ question: prediction.question, answer: given, right, expected: prediction.answer }));
}

/** The one-line note that a lesson has predictions (and how the learner did), for a plain run. */
export function predictionHint(context: Context, lesson: Lesson, progressFile: string): string | undefined {
  const { predictions } = lesson;
  if (predictions.length === 0) return undefined;
  const command = context.style.cyan(`npm run lesson ${lesson.meta.id} -- --predict`);
  const { answered, rightFirstTime } = predictionScore(predictions, loadProgress(progressFile).progress.lessons[lesson.meta.id]);
  const count = predictions.length === 1 ? "a question" : `${predictions.length} questions`;
  if (answered === 0) return context.style.dim(`Predict before you look: ${command} asks ${count} about the output before it runs.\n`);
  return context.style.dim(`Predictions: ${answered} of ${predictions.length} answered, ${rightFirstTime} right the first time; ${command} asks again.\n`);
}
