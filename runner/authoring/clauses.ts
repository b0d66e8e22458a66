// The contract's clauses and the hidden tests that check them. A stub numbers
// each requirement in its doc comments — `[C3] Within a group, tasks start in
// the order run() was called.` — and every hidden test names the clauses it
// checks in its title (or its describe block's): `[C3] tasks of one group
// start in order`, `[C2, C5] …`. verify reports a clause no test names, and a
// test that names a clause the stub does not have. Pure: text in, findings out.

/** `[C3]` or `[C2, C5]`: one or more clause numbers in brackets. */
const TAG = /\[(C\d+(?:\s*,\s*C\d+)*)\]/g;

/** The clause ids a text names, in order of first appearance, each once. */
export function clausesIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(TAG)) {
    for (const id of match[1]!.split(",")) found.add(id.trim());
  }
  return [...found];
}

/** A stub's clauses with the line each is written on (1-based), for messages that point at the stub. */
export function stubClauses(stub: string): Array<{ id: string; line: number }> {
  const seen = new Set<string>();
  const clauses: Array<{ id: string; line: number }> = [];
  stub.split("\n").forEach((text, index) => {
    for (const id of clausesIn(text)) {
      if (seen.has(id)) continue;
      seen.add(id);
      clauses.push({ id, line: index + 1 });
    }
  });
  return clauses;
}

export interface ClauseCoverage {
  /** The stub numbers no clause: the check cannot say anything. */
  unnumbered: boolean;
  /** Clauses of the stub that no test names, with their line in the stub. */
  unchecked: Array<{ id: string; line: number }>;
  /** Clause ids tests name that the stub does not have (a typo, or a clause renumbered). */
  unknown: Array<{ id: string; test: string }>;
  /** Clause id → the tests that name it. */
  checkedBy: Map<string, string[]>;
}

/** Which clauses of `stub` the tests named `testNames` (full names, describe blocks included) check. */
export function clauseCoverage(stub: string, testNames: string[]): ClauseCoverage {
  const clauses = stubClauses(stub);
  const known = new Set(clauses.map((clause) => clause.id));
  const checkedBy = new Map<string, string[]>();
  const unknown: ClauseCoverage["unknown"] = [];
  for (const test of testNames) {
    for (const id of clausesIn(test)) {
      if (!known.has(id)) unknown.push({ id, test });
      else checkedBy.set(id, [...(checkedBy.get(id) ?? []), test]);
    }
  }
  return {
    unnumbered: clauses.length === 0,
    unchecked: clauses.filter((clause) => !checkedBy.has(clause.id)),
    unknown,
    checkedBy,
  };
}
