// Predict blocks: read from `## Experiment`, checked against the Expected Output
// at their own line, and hidden from the lesson a learner reads.
import { describe, expect, test } from "vitest";
import { readPredictions, withoutPredictBlocks } from "../../runner/course/predictions.ts";
import { splitLesson } from "../../runner/course/lesson-file.ts";
import type { ExpectedBlock } from "../../runner/experiment/match.ts";

/** A lesson body with `blocks` under Experiment, and an Expected Output block starting at its line. */
function lesson(blocks: string, expected: string[]) {
  const text = `---\nid: x\n---\n\n## Experiment\n\nText.\n\n${blocks}\n## Expected Output\n\n\`\`\`text\n${expected.join("\n")}\n\`\`\`\n`;
  const split = splitLesson(text);
  const output: ExpectedBlock[] = [{ lines: expected, unordered: false, line: text.split("\n").indexOf("```text") + 2 }];
  return readPredictions(split.sections, output, "lesson.md");
}

const block = (yaml: string) => `\`\`\`predict\n${yaml}\n\`\`\`\n`;
const OUTPUT = ["t=0 took #2 invoice (p1)", "renders: 5 for 4 reports", "took ... ms", "..."];

describe("readPredictions", () => {
  test("a multiple-choice and a free-text prediction, with the line of their YAML", () => {
    const { predictions, problems } = lesson(
      block("question: How many renders?\nchoices: [4, 5, 8]\nanswer: 5\nline: \"renders: 5 for 4 reports\"\nwhy: Client 4's first report was rendered for nobody.") +
        "\n" +
        block("question: Which job is taken first?\nanswer: invoice\nline: \"took #2 invoice\"\nwhy: >\n  It has the lowest priority number:\n  p1."),
      OUTPUT,
    );
    expect(problems).toEqual([]);
    expect(predictions).toEqual([
      { question: "How many renders?", choices: ["4", "5", "8"], answer: "5", line: "renders: 5 for 4 reports", why: "Client 4's first report was rendered for nobody.", at: 10 },
      { question: "Which job is taken first?", answer: "invoice", line: "took #2 invoice", why: "It has the lowest priority number: p1.", at: 18 },
    ]);
  });

  test("values stay the text the author wrote (YAML's failsafe schema)", () => {
    const { predictions } = lesson(block("question: Which version?\nchoices: [1.10, 'no']\nanswer: 1.10\nline: v1.10\nwhy: It says so."), ["running v1.10"]);
    expect(predictions[0]!.choices).toEqual(["1.10", "no"]);
  });

  test("an answer that is not in its line is reported at the answer's line", () => {
    const { predictions, problems } = lesson(block("question: How many renders?\nchoices: [4, 5]\nanswer: 4\nline: renders: 5 for 4 reports\nwhy: x"), OUTPUT);
    // `line: renders: 5 …` is not valid YAML either: reported first, at its line.
    expect(predictions).toEqual([]);
    expect(problems.map((problem) => problem.line)).toEqual([13]);
    const quoted = lesson(block("question: How many renders?\nchoices: [3, 5]\nanswer: 3\nline: \"renders: 5 for\"\nwhy: x"), OUTPUT);
    expect(quoted.problems).toEqual([{ file: "lesson.md", line: 12, message: 'the answer `3` is not in its line "renders: 5 for": the answer must be what the experiment prints there' }]);
  });

  test("a line that the Expected Output does not have, or that spans a `...`, is reported", () => {
    expect(lesson(block("question: q\nanswer: 5\nline: renders: 5 for 5\nwhy: x").replace("line: renders: 5 for 5", 'line: "renders: 5 for 5"'), OUTPUT).problems[0]).toMatchObject({ line: 12, message: expect.stringContaining('`line` "renders: 5 for 5" is in no line of the Expected Output') });
    // "took 3 ms" matches `took ... ms` in a run, but 3 is not in the lesson: it cannot be the answer.
    expect(lesson(block("question: q\nanswer: 3\nline: took 3 ms\nwhy: x"), OUTPUT).problems[0]!.message).toContain("is in no line of the Expected Output");
    expect(lesson(block("question: q\nanswer: took\nline: took\nwhy: x"), OUTPUT).problems).toEqual([]);
  });

  test("a \" #\" that cuts a value short (a YAML comment) is reported at its key", () => {
    expect(lesson(block("question: Which job first?\nanswer: took\nline: took #2 invoice\nwhy: x"), OUTPUT).problems).toEqual([
      { file: "lesson.md", line: 12, message: '`line` reads "took": a " #" starts a YAML comment, so quote the value ("…")' },
    ]);
  });

  test("choices: 2 to 9 different ones, and the answer among them", () => {
    expect(lesson(block("question: q\nchoices: [5]\nanswer: 5\nline: renders\nwhy: x"), OUTPUT).problems[0]!.message).toContain("`choices` should be a list of 2 to 9 different answers");
    expect(lesson(block("question: q\nchoices: [5, 5]\nanswer: 5\nline: renders\nwhy: x"), OUTPUT).problems[0]!.message).toContain("2 to 9 different");
    expect(lesson(block("question: q\nchoices: [4, 8]\nanswer: 5\nline: renders: 5\nwhy: x").replace("line: renders: 5", 'line: "renders: 5"'), OUTPUT).problems[0]).toMatchObject({ line: 12, message: "the answer `5` is not one of the choices `4`, `8`" });
  });

  test("missing and unknown fields, and a block that is no mapping, each at a line", () => {
    expect(lesson(block("question: q\nanswer: 5"), OUTPUT).problems.map((p) => [p.line, p.message.split(":")[0]])).toEqual([
      [9, "missing `line` in a predict block"],
      [9, "missing `why` in a predict block"],
    ]);
    expect(lesson(block("question: q\nanswer: renders\nline: renders\nwhy: x\nhint: y"), OUTPUT).problems).toEqual([{ file: "lesson.md", line: 14, message: "unknown field `hint` in a predict block; the fields are question, choices, answer, line, why" }]);
    expect(lesson(block("- a list"), OUTPUT).problems[0]).toMatchObject({ line: 9, message: expect.stringContaining("a predict block is a YAML mapping") });
  });

  test("the same question twice is reported: progress keeps answers by question", () => {
    const twice = block("question: q\nanswer: renders\nline: renders\nwhy: x");
    expect(lesson(`${twice}\n${twice}`, OUTPUT).problems).toEqual([{ file: "lesson.md", line: 17, message: 'the question "q" is asked twice: give each prediction its own question' }]);
  });

  test("a lesson without predict blocks has no predictions and no problems", () => {
    expect(lesson("```ts\nconsole.log(1)\n```\n", OUTPUT)).toEqual({ predictions: [], problems: [] });
  });
});

describe("withoutPredictBlocks", () => {
  test("leaves out predict blocks and keeps every other block and line", () => {
    const lines = ["Before.", "```predict", "answer: 5", "```", "", "```ts", "code()", "```", "~~~predict", "```", "~~~", "After."];
    expect(withoutPredictBlocks(lines)).toEqual(["Before.", "", "```ts", "code()", "```", "After."]);
  });
});
