// A learner's answers to a lesson's predictions: which choice a key or a typed
// answer means, whether it is right, and the record progress keeps of it
// (right the first time or not). Pure, except recordPredictions, which goes
// through progress.ts's one atomic update.

import type { Prediction } from "../course/predictions.ts";
import { updateProgress, type LessonProgress, type PredictionRecord } from "./progress.ts";

const LETTERS = "abcdefghi";

/** How the choices are labelled and keyed: 1) … 2) …, answered by digit or letter. */
export const choiceKey = (index: number): string => String(index + 1);

export type Judged = { right: boolean; given: string } | { invalid: string };

const normalise = (text: string) => text.trim().replace(/\s+/g, " ").toLowerCase();

/** The numbers in a text, thousands separators dropped: "t=12,000 ms" has one, 12000. */
const numbersIn = (text: string) => (text.replace(/(\d)[,_](?=\d{3}\b)/g, "$1").match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number);

function sameText(given: string, answer: string): boolean {
  if (normalise(given) === normalise(answer)) return true;
  // A numeric answer is a count or a time: "05", "450 ms" and "t=450" all say 450, "4 or 5" says nothing.
  const numbers = numbersIn(given);
  return answer.trim() !== "" && Number.isFinite(Number(answer)) && numbers.length === 1 && numbers[0] === Number(answer);
}

/**
 * Judges one answer: for a multiple-choice question a digit (1-9), a letter
 * (a-i) or the choice's own text; for a free-text one, the text, compared
 * without case or extra spaces. `given` is the choice's text when it was picked
 * by key. An answer that names no choice is invalid, not wrong.
 */
export function judgeAnswer(prediction: Prediction, input: string): Judged {
  const typed = input.trim();
  const { choices } = prediction;
  if (!choices) {
    if (typed === "") return { invalid: "type an answer" };
    return { right: sameText(typed, prediction.answer), given: typed };
  }
  const byKey = /^\d$/.test(typed) ? Number(typed) - 1 : /^[a-i]$/i.test(typed) ? LETTERS.indexOf(typed.toLowerCase()) : -1;
  const index = byKey >= 0 && byKey < choices.length ? byKey : choices.findIndex((choice) => sameText(typed, choice));
  if (index === -1) return { invalid: `answer with ${choiceKey(0)}-${choiceKey(choices.length - 1)} (or ${LETTERS[0]}-${LETTERS[choices.length - 1]})` };
  return { right: choices[index] === prediction.answer, given: choices[index]! };
}

/** `--answers 2,b,5`: one answer per prediction, in order. */
export function splitAnswers(flag: string, count: number): { answers?: string[]; problem?: string } {
  const answers = flag.split(",").map((answer) => answer.trim());
  if (answers.length !== count) return { problem: `--answers has ${answers.length} answer(s) for ${count} prediction(s): give one per question, in order, separated by commas` };
  return { answers };
}

/** Adds one answer to a prediction's record: the first answer decides "right first time", later ones only count. */
export function withAnswer(record: PredictionRecord | undefined, right: boolean, now: string): PredictionRecord {
  if (!record) return { rightFirstTime: right, tries: 1, ...(right ? { rightAt: now } : {}) };
  return { ...record, tries: record.tries + 1, ...(right && !record.rightAt ? { rightAt: now } : {}) };
}

/** The lesson's prediction records, by question; anything else in the file (hand-edited) reads as none. */
export function predictionRecords(entry: LessonProgress | undefined): Record<string, PredictionRecord> {
  const records = entry?.predictions;
  return typeof records === "object" && records !== null && !Array.isArray(records) ? records : {};
}

/** Records a run's answers in progress, in one atomic write. */
export function recordPredictions(progressFile: string, id: string, answers: Array<{ question: string; right: boolean }>, now = new Date().toISOString()) {
  return updateProgress(progressFile, id, (entry) => {
    const records = { ...predictionRecords(entry) };
    for (const { question, right } of answers) records[question] = withAnswer(records[question], right, now);
    entry.predictions = records;
  });
}

/** "2 of 3 answered, 1 right the first time", for the lesson's hint line. */
export function predictionScore(predictions: Prediction[], entry: LessonProgress | undefined): { answered: number; rightFirstTime: number } {
  const records = predictionRecords(entry);
  const mine = predictions.map((prediction) => records[prediction.question]).filter((record) => record !== undefined);
  return { answered: mine.length, rightFirstTime: mine.filter((record) => record.rightFirstTime).length };
}
