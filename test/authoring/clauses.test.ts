import { describe, expect, test } from "vitest";
import { clauseCoverage, clausesIn, stubClauses } from "../../runner/authoring/clauses.ts";

const stub = [
  "export interface Limiter {",
  "  /**",
  "   * - [C1] Runs the task once a slot is free.",
  "   * - [C2] Within a group, tasks start in the order run() was called.",
  "   */",
  "  run(): void;",
  "  /** [C3] A snapshot: editing it changes nothing inside. See also [C1]. */",
  "  stats(): void;",
  "}",
].join("\n");

describe("contract clauses", () => {
  test("a title names one clause, several in one bracket, or several brackets", () => {
    expect(clausesIn("[C3] tasks start in order")).toEqual(["C3"]);
    expect(clausesIn("[C2, C5] a slot is released once")).toEqual(["C2", "C5"]);
    expect(clausesIn("limiter > [C1] runs > [C4]")).toEqual(["C1", "C4"]);
    expect(clausesIn("no clause here [c1] [C] [Cx]")).toEqual([]);
  });

  test("the stub's clauses come with the line they are written on, each once", () => {
    expect(stubClauses(stub)).toEqual([
      { id: "C1", line: 3 },
      { id: "C2", line: 4 },
      { id: "C3", line: 7 },
    ]);
  });

  test("a clause no test names is unchecked; a clause the stub lacks is unknown", () => {
    const coverage = clauseCoverage(stub, ["limiter > [C1] runs a task", "[C3, C9] stats is a snapshot"]);
    expect(coverage.unnumbered).toBe(false);
    expect(coverage.unchecked).toEqual([{ id: "C2", line: 4 }]);
    expect(coverage.unknown).toEqual([{ id: "C9", test: "[C3, C9] stats is a snapshot" }]);
    expect(coverage.checkedBy.get("C3")).toEqual(["[C3, C9] stats is a snapshot"]);
  });

  test("every clause named by some test leaves nothing unchecked", () => {
    const coverage = clauseCoverage(stub, ["[C1] a", "[C2] b", "[C3] c"]);
    expect(coverage.unchecked).toEqual([]);
    expect(coverage.unknown).toEqual([]);
  });

  test("a stub with no numbered clause is reported as unnumbered", () => {
    expect(clauseCoverage("export function f(): void {}", ["[C1] x"]).unnumbered).toBe(true);
  });
});
