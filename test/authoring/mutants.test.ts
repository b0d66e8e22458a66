import { describe, expect, test } from "vitest";
import { applyMutant, readMutants } from "../../runner/authoring/mutants.ts";

describe("mutants.yaml", () => {
  test("a mutant may edit an alternative solution (`of: alternatives/<file>.ts`); the reference when absent", () => {
    const { mutants, problems } = readMutants([
      { name: "on-the-reference", why: "x", edits: [{ find: "a", replace: "b" }] },
      { name: "on-an-alternative", why: "y", of: "alternatives/class-based.ts", edits: [{ find: "a", replace: "b" }] },
    ]);
    expect(problems).toEqual([]);
    expect(mutants.map((mutant) => mutant.of)).toEqual([undefined, "alternatives/class-based.ts"]);
  });

  test("`of` that names anything but a file in alternatives/ is reported, and the mutant left out", () => {
    for (const of of ["challenge.ts", "../../secret.ts", "alternatives/../x.ts", 3]) {
      const { mutants, problems } = readMutants([{ name: "m", why: "w", of, edits: [{ find: "a", replace: "b" }] }]);
      expect(mutants, String(of)).toEqual([]);
      expect(problems[0], String(of)).toContain("`of` names the alternative solution it edits");
    }
  });

  test("edits apply in order, each to text that occurs exactly once", () => {
    const mutant = { name: "m", why: "w", edits: [{ find: "a + b", replace: "a - b" }, { find: "- b", replace: "- b - 1" }] };
    expect(applyMutant("return a + b;", mutant)).toEqual({ source: "return a - b - 1;" });
    expect(applyMutant("a + b; a + b;", mutant).problem).toContain("occurs more than once");
  });
});
