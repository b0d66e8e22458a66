// Answers to predictions: what a key or a typed answer means, and the record
// progress keeps (right the first time or not), added to old progress files
// without losing anything in them.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import type { Prediction } from "../../runner/course/predictions.ts";
import { judgeAnswer, predictionScore, recordPredictions, splitAnswers, withAnswer } from "../../runner/learner/predictions.ts";
import { loadProgress } from "../../runner/learner/progress.ts";

const choice: Prediction = { question: "Which first?", choices: ["report", "alert", "email"], answer: "alert", line: "ran alert", why: "p1", at: 1 };
const free: Prediction = { question: "How many?", answer: "3", line: "attempts: 3", why: "counted", at: 5 };

describe("judgeAnswer", () => {
  test("a choice by digit, by letter or by its text", () => {
    expect(judgeAnswer(choice, "2")).toEqual({ right: true, given: "alert" });
    expect(judgeAnswer(choice, "B")).toEqual({ right: true, given: "alert" });
    expect(judgeAnswer(choice, " Alert ")).toEqual({ right: true, given: "alert" });
    expect(judgeAnswer(choice, "a")).toEqual({ right: false, given: "report" });
    expect(judgeAnswer(choice, "3")).toEqual({ right: false, given: "email" });
  });

  test("a key past the last choice, or text that is no choice, is invalid, not wrong", () => {
    expect(judgeAnswer(choice, "4")).toEqual({ invalid: "answer with 1-3 (or a-c)" });
    expect(judgeAnswer(choice, "d")).toEqual({ invalid: "answer with 1-3 (or a-c)" });
    expect(judgeAnswer(choice, "sms")).toEqual({ invalid: "answer with 1-3 (or a-c)" });
  });

  test("free text ignores case and spaces, and numbers compare as numbers", () => {
    expect(judgeAnswer(free, "3")).toEqual({ right: true, given: "3" });
    expect(judgeAnswer(free, " 03 ")).toEqual({ right: true, given: "03" });
    expect(judgeAnswer(free, "4")).toEqual({ right: false, given: "4" });
    expect(judgeAnswer(free, "3 tries")).toMatchObject({ right: true });
    expect(judgeAnswer({ ...free, answer: "12000" }, "t=12,000 ms")).toMatchObject({ right: true });
    expect(judgeAnswer(free, "3 or 4"), "two numbers are no answer to a count").toMatchObject({ right: false });
    expect(judgeAnswer({ ...free, answer: "t=3100" }, "3100"), "only an answer that is a number compares as one").toMatchObject({ right: false });
    expect(judgeAnswer({ ...free, answer: "Job 7 Dead" }, "job  7 dead")).toMatchObject({ right: true });
    expect(judgeAnswer(free, "  ")).toEqual({ invalid: "type an answer" });
  });
});

test("splitAnswers wants exactly one answer per prediction", () => {
  expect(splitAnswers("2, b ,x", 3)).toEqual({ answers: ["2", "b", "x"] });
  expect(splitAnswers("2", 3).problem).toBe("--answers has 1 answer(s) for 3 prediction(s): give one per question, in order, separated by commas");
});

describe("the progress record", () => {
  test("the first answer decides 'right the first time'; later ones count tries and the first right one", () => {
    const wrong = withAnswer(undefined, false, "t1");
    expect(wrong).toEqual({ rightFirstTime: false, tries: 1 });
    const right = withAnswer(wrong, true, "t2");
    expect(right).toEqual({ rightFirstTime: false, tries: 2, rightAt: "t2" });
    expect(withAnswer(right, false, "t3")).toEqual({ rightFirstTime: false, tries: 3, rightAt: "t2" });
    expect(withAnswer(undefined, true, "t1")).toEqual({ rightFirstTime: true, tries: 1, rightAt: "t1" });
  });

  test("is added to a progress file from before predictions, keeping everything in it", () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), "qc-predict-")), "progress.json");
    const old = { version: 1, lessons: { a: { experimentMatchedAt: "x", hintsShown: 2 }, b: { challengePassedAt: "y" } } };
    writeFileSync(file, JSON.stringify(old));
    recordPredictions(file, "a", [{ question: "Which first?", right: false }, { question: "How many?", right: true }], "now");
    recordPredictions(file, "a", [{ question: "Which first?", right: true }], "later");
    const saved = JSON.parse(readFileSync(file, "utf8"));
    expect(saved).toEqual({
      version: 1,
      lessons: {
        a: {
          experimentMatchedAt: "x",
          hintsShown: 2,
          predictions: { "Which first?": { rightFirstTime: false, tries: 2, rightAt: "later" }, "How many?": { rightFirstTime: true, tries: 1, rightAt: "now" } },
        },
        b: { challengePassedAt: "y" },
      },
    });
    expect(predictionScore([choice, free], loadProgress(file).progress.lessons.a)).toEqual({ answered: 2, rightFirstTime: 1 });
    expect(predictionScore([choice, free], loadProgress(file).progress.lessons.b)).toEqual({ answered: 0, rightFirstTime: 0 });
  });
});
