// Mutants are plausible wrong answers, written as edits to the reference
// solution (solutions/<lesson>/mutants.yaml) rather than as whole copies: the
// bug is the diff, and a mutant whose edit no longer applies is reported
// instead of silently drifting away from the solution it mutates. A wrong
// answer written the way an outside reviewer writes one, from their own
// structure, is an edit of the alternative solution it came from (`of:`).

export interface MutantEdit {
  find: string;
  replace: string;
}

export interface Mutant {
  name: string;
  /** One line: what this wrong answer gets wrong. */
  why: string;
  /** The solution it edits, relative to the lesson's solutions folder (an alternatives/*.ts); the reference when absent. */
  of?: string;
  edits: MutantEdit[];
}

export type MutantProblem = { mutant: string; message: string };

/** Parses mutants.yaml's data (already YAML-decoded); returns mutants and problems. */
export function readMutants(data: unknown): { mutants: Mutant[]; problems: string[] } {
  const problems: string[] = [];
  const mutants: Mutant[] = [];
  if (!Array.isArray(data)) {
    return { mutants, problems: ["mutants.yaml should be a list of { name, why, edits: [{ find, replace }] }"] };
  }
  data.forEach((entry: unknown, index) => {
    const where = `mutant #${index + 1}`;
    if (typeof entry !== "object" || entry === null) {
      problems.push(`${where} should be a mapping with name, why and edits`);
      return;
    }
    const { name, why, edits, of } = entry as Record<string, unknown>;
    if (typeof name !== "string" || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(name)) {
      problems.push(`${where}: \`name\` should be a kebab-case string, like "no-cap"`);
      return;
    }
    if (typeof why !== "string" || why.trim() === "") problems.push(`mutant ${name}: \`why\` should say in one line what it gets wrong`);
    if (of !== undefined && (typeof of !== "string" || !/^alternatives\/[\w.-]+\.ts$/.test(of))) {
      problems.push(`mutant ${name}: \`of\` names the alternative solution it edits, like "alternatives/class-based.ts"`);
      return;
    }
    if (!Array.isArray(edits) || edits.length === 0) {
      problems.push(`mutant ${name}: \`edits\` should be a non-empty list of { find, replace }`);
      return;
    }
    const parsed: MutantEdit[] = [];
    for (const edit of edits as unknown[]) {
      const { find, replace } = (edit ?? {}) as Record<string, unknown>;
      if (typeof find !== "string" || find === "" || typeof replace !== "string") {
        problems.push(`mutant ${name}: every edit needs a non-empty \`find\` string and a \`replace\` string`);
        return;
      }
      parsed.push({ find, replace });
    }
    if (mutants.some((m) => m.name === name)) problems.push(`mutant ${name} is defined twice`);
    mutants.push({ name, why: typeof why === "string" ? why.trim() : "", ...(of !== undefined ? { of: of as string } : {}), edits: parsed });
  });
  return { mutants, problems };
}

/** The solution's source with the mutant's edits applied; each `find` must occur exactly once. */
export function applyMutant(solution: string, mutant: Mutant): { source?: string; problem?: string } {
  let source = solution;
  for (const { find, replace } of mutant.edits) {
    const first = source.indexOf(find);
    if (first === -1) return { problem: `mutant ${mutant.name}: its edit no longer applies — this text is not in the solution:\n${find}` };
    if (source.indexOf(find, first + 1) !== -1) return { problem: `mutant ${mutant.name}: this text occurs more than once in the solution; make \`find\` longer:\n${find}` };
    source = source.slice(0, first) + replace + source.slice(first + find.length);
  }
  if (source === solution) return { problem: `mutant ${mutant.name}: its edits change nothing` };
  return { source };
}
