// Predictions: questions a lesson asks about its experiment's output before it
// runs (`npm run lesson <id> -- --predict`), written as ```predict blocks of
// YAML under `## Experiment`. Each names the part of an Expected Output line
// that shows its answer, and the answer must be inside it: a prediction can
// never disagree with what the experiment prints once that output matches.
// Pure: the lesson's sections and expected blocks in, predictions and
// file:line problems out.

import type { Document, LineCounter } from "yaml";
import { ELLIPSIS, normalizeLines, type ExpectedBlock } from "../experiment/match.ts";
import { lineOfKey, yaml } from "./frontmatter.ts";
import { codeBlocks, type CodeBlock, type Problem, type Section } from "./lesson-file.ts";

export interface Prediction {
  question: string;
  /** The options of a multiple-choice question, in order; absent for a free-text answer. */
  choices?: string[];
  answer: string;
  /** Why the answer is what it is, shown to a learner who guessed wrong. */
  why: string;
  /** Text of an Expected Output line that shows the answer (all of it, or the telling part). */
  line: string;
  /** Line in the lesson file where the block's YAML starts. */
  at: number;
}

const FIELDS = ["question", "choices", "answer", "line", "why"] as const;
/** One key press per choice: 1-9 or a-i. */
const MAX_CHOICES = 9;

export const isPredictBlock = (info: string): boolean => info.split(/\s+/)[0] === "predict";

/** The section's lines without its ```predict blocks: the learner reads the lesson before answering. */
export function withoutPredictBlocks(lines: string[]): string[] {
  const kept: string[] = [];
  let fence: string | undefined;
  let hiding = false;
  for (const line of lines) {
    const match = /^\s*(```+|~~~+)\s*(.*)$/.exec(line);
    if (match && fence === undefined) {
      fence = match[1]!;
      hiding = isPredictBlock(match[2]!.trim());
    } else if (match && match[1]!.startsWith(fence!) && match[2]!.trim() === "") {
      fence = undefined;
      if (hiding) {
        hiding = false;
        continue;
      }
    }
    if (!hiding) kept.push(line);
  }
  return kept;
}

/** The literal text of every Expected Output line, split at inline `...` (which matches anything). */
function literalParts(expected: ExpectedBlock[]): string[] {
  return expected.flatMap((block) => normalizeLines(block.lines.join("\n"))).filter((line) => line.trim() !== ELLIPSIS).flatMap((line) => line.split(ELLIPSIS));
}

function readBlock(block: CodeBlock, parts: string[], file: string): { prediction?: Prediction; problems: Problem[] } {
  const counter = new (yaml().LineCounter)();
  // failsafe: every value stays the string the author wrote (`answer: 1.10` is not 1.1, `no` is not false).
  const document = yaml().parseDocument(block.code, { schema: "failsafe", lineCounter: counter, uniqueKeys: true, prettyErrors: false });
  const fence = block.line - 1;
  const problem = (line: number, message: string): Problem => ({ file, line, message });
  if (document.errors.length > 0) {
    return {
      problems: document.errors.map((error) =>
        problem(
          block.line + counter.linePos(error.pos[0]).line - 1,
          `this predict block is not valid YAML: ${error.message.split("\n")[0]} — quote a value that contains ": " or "#", or write long text as \`why: >\` with the text indented below`,
        ),
      ),
    };
  }
  const data = document.toJS() as unknown;
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { problems: [problem(fence, "a predict block is a YAML mapping: `question:`, `choices:` (optional), `answer:`, `line:` and `why:`")] };
  }
  const values = data as Record<string, unknown>;
  const at = (key: string) => lineOfKey(document as Document, counter as LineCounter, key, block.line);
  const problems: Problem[] = [];
  for (const key of Object.keys(values)) {
    if (!(FIELDS as readonly string[]).includes(key)) problems.push(problem(at(key), `unknown field \`${key}\` in a predict block; the fields are ${FIELDS.join(", ")}`));
  }
  // ` #` ends a plain YAML value: `line: took #2 invoice` would silently read "took".
  for (const pair of yaml().isMap(document.contents) ? document.contents.items : []) {
    const { key, value } = pair as { key: { value?: unknown }; value: { comment?: string; value?: unknown } | null };
    if (value?.comment !== undefined && typeof value.value === "string") {
      problems.push(problem(at(String(key.value)), `\`${String(key.value)}\` reads "${value.value}": a " #" starts a YAML comment, so quote the value ("…")`));
    }
  }
  const text = (key: string, fix: string): string | undefined => {
    const value = values[key];
    if (typeof value === "string" && value.trim() !== "") return value.trim();
    problems.push(problem(value === undefined ? fence : at(key), `${value === undefined ? "missing" : "empty or not text:"} \`${key}\` in a predict block: ${fix}`));
    return undefined;
  };
  const question = text("question", "the question the learner answers before the experiment runs");
  const answer = text("answer", "the answer, as the experiment prints it");
  const line = text("line", "the Expected Output line (or the part of it) that shows the answer");
  const why = text("why", "why the output is what it is, in the lesson's terms, shown after a wrong guess");
  let choices: string[] | undefined;
  if (values.choices !== undefined) {
    const list = values.choices;
    const valid = Array.isArray(list) && list.every((choice) => typeof choice === "string" && choice.trim() !== "");
    choices = valid ? (list as string[]).map((choice) => choice.trim()) : undefined;
    if (!choices || choices.length < 2 || choices.length > MAX_CHOICES || new Set(choices).size !== choices.length) {
      problems.push(problem(at("choices"), `\`choices\` should be a list of 2 to ${MAX_CHOICES} different answers, like \`choices: [4, 5, 8]\` (or leave it out for a free-text answer)`));
    } else if (answer !== undefined && !choices.includes(answer)) {
      problems.push(problem(at("answer"), `the answer \`${answer}\` is not one of the choices ${choices.map((choice) => `\`${choice}\``).join(", ")}`));
    }
  }
  if (line !== undefined && !parts.some((part) => part.includes(line))) {
    problems.push(problem(at("line"), `\`line\` "${line}" is in no line of the Expected Output: copy the line that shows the answer (or its telling part, not across a \`...\`) from it`));
  } else if (line !== undefined && answer !== undefined && !line.includes(answer)) {
    problems.push(problem(at("answer"), `the answer \`${answer}\` is not in its line "${line}": the answer must be what the experiment prints there`));
  }
  if (problems.length > 0 || question === undefined || answer === undefined || line === undefined || why === undefined) return { problems };
  return { prediction: { question, ...(choices ? { choices } : {}), answer, why, line, at: block.line }, problems };
}

/**
 * The lesson's predictions, from the ```predict blocks under `## Experiment`,
 * each checked against the Expected Output; a predict block anywhere else is a
 * problem (it would be shown as text).
 */
export function readPredictions(sections: Section[], expected: ExpectedBlock[], file: string): { predictions: Prediction[]; problems: Problem[] } {
  const parts = literalParts(expected);
  const predictions: Prediction[] = [];
  const problems: Problem[] = [];
  for (const section of sections) {
    for (const block of codeBlocks(section).filter((candidate) => isPredictBlock(candidate.info))) {
      if (section.title !== "Experiment") {
        problems.push({ file, line: block.line - 1, message: `a predict block belongs under \`## Experiment\`, not \`## ${section.title}\`: move it there` });
        continue;
      }
      const read = readBlock(block, parts, file);
      problems.push(...read.problems);
      if (read.prediction) predictions.push(read.prediction);
    }
  }
  const questions = new Set<string>();
  for (const prediction of predictions) {
    // Progress is kept by question: two equal questions would share one record.
    if (questions.has(prediction.question)) problems.push({ file, line: prediction.at, message: `the question "${prediction.question}" is asked twice: give each prediction its own question` });
    questions.add(prediction.question);
  }
  return { predictions, problems };
}
