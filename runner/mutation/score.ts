// The arithmetic of a mutation score, apart from Stryker and the disk, so the
// rule the course is held to (every challenge ≥ 90 %) is one tested function.
// Stryker's conventions: a mutant that timed out counts as killed (it made the
// tests hang, which the grader reports), one that no test reached counts as
// survived, and compile or runtime errors and ignored mutants are not counted
// at all. Ours on top: mutants recorded as equivalent (equivalent-mutants.md)
// leave the denominator, since no correct test can kill them.

/** Stryker's mutant states (mutation-testing-report-schema). */
export type MutantStatus = "Killed" | "Survived" | "Timeout" | "NoCoverage" | "CompileError" | "RuntimeError" | "Ignored" | "Pending";

export interface Location {
  /** 1-based, as in Stryker's report. */
  line: number;
  /** 1-based. */
  column: number;
}

/** One mutant of a challenge, as the mutation command uses it. */
export interface MutantOutcome {
  id: string;
  status: MutantStatus;
  mutator: string;
  /** The solution's file, relative to the course root. */
  file: string;
  start: Location;
  /** Exclusive. */
  end: Location;
  /** The code the mutant replaces. */
  original: string;
  replacement: string;
  /** The first test that killed it, or why it errored (Stryker's statusReason). */
  reason?: string;
}

export interface Tally {
  killed: number;
  survived: number;
  timeout: number;
  noCoverage: number;
  /** Survivors and uncovered mutants recorded as equivalent. */
  equivalent: number;
  /** Compile or runtime errors, ignored or never run: not counted, as in Stryker. */
  invalid: number;
  total: number;
}

export const DEFAULT_THRESHOLD = 90;

/** Counts the mutants by state; `equivalentIds` only counts where the mutant was not killed. */
export function tally(mutants: readonly MutantOutcome[], equivalentIds: ReadonlySet<string> = new Set()): Tally {
  const counts: Tally = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, equivalent: 0, invalid: 0, total: mutants.length };
  for (const mutant of mutants) {
    if (mutant.status === "Killed") counts.killed++;
    else if (mutant.status === "Timeout") counts.timeout++;
    else if (mutant.status === "Survived" || mutant.status === "NoCoverage") {
      if (equivalentIds.has(mutant.id)) counts.equivalent++;
      else if (mutant.status === "Survived") counts.survived++;
      else counts.noCoverage++;
    } else counts.invalid++;
  }
  return counts;
}

/**
 * killed / (all − equivalent), in percent, where killed includes timeouts and
 * "all" leaves out invalid mutants. Undefined when no mutant is left to kill.
 */
export function mutationScore(counts: Tally): number | undefined {
  const detected = counts.killed + counts.timeout;
  const counted = detected + counts.survived + counts.noCoverage;
  return counted === 0 ? undefined : (detected / counted) * 100;
}

/** A challenge with nothing left to kill passes: there is no mutant its tests miss. */
export function meetsThreshold(score: number | undefined, threshold: number): boolean {
  return score === undefined || score >= threshold;
}

/** Mutants a test should still kill (or that should be recorded as equivalent), in file order. */
export function survivors(mutants: readonly MutantOutcome[], equivalentIds: ReadonlySet<string> = new Set()): MutantOutcome[] {
  return mutants
    .filter((mutant) => (mutant.status === "Survived" || mutant.status === "NoCoverage") && !equivalentIds.has(mutant.id))
    .sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column || a.mutator.localeCompare(b.mutator) || a.replacement.localeCompare(b.replacement));
}
