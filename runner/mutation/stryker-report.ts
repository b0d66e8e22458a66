// Reads Stryker's JSON report (mutation-testing-report-schema) into the few
// facts the mutation command needs per mutant, including the code it
// replaced, cut from the report's copy of the source: the equivalent-mutants
// entries match on that code, and the survivor list prints it. Pure: the
// caller reads the file.

import type { Location, MutantOutcome, MutantStatus } from "./score.ts";

interface ReportMutant {
  id: string;
  mutatorName: string;
  replacement?: string;
  status: MutantStatus;
  statusReason?: string;
  location: { start: Location; end: Location };
}

interface ReportFile {
  source: string;
  mutants: ReportMutant[];
}

export interface StrykerReport {
  files: Record<string, ReportFile>;
}

/** The text between two 1-based positions (end exclusive), across lines. */
export function sliceSource(source: string, start: Location, end: Location): string {
  const lines = source.split("\n");
  if (start.line === end.line) return (lines[start.line - 1] ?? "").slice(start.column - 1, end.column - 1);
  const first = (lines[start.line - 1] ?? "").slice(start.column - 1);
  const middle = lines.slice(start.line, end.line - 1);
  const last = (lines[end.line - 1] ?? "").slice(0, end.column - 1);
  return [first, ...middle, last].join("\n");
}

/** Every mutant in the report, in file and position order. `file` names are made relative to `root`. */
export function readStrykerReport(report: StrykerReport, relative: (file: string) => string = (file) => file): MutantOutcome[] {
  const mutants: MutantOutcome[] = [];
  for (const [file, { source, mutants: fileMutants }] of Object.entries(report.files ?? {})) {
    for (const mutant of fileMutants) {
      const { start, end } = mutant.location;
      mutants.push({
        id: String(mutant.id),
        status: mutant.status,
        mutator: mutant.mutatorName,
        file: relative(file),
        start,
        end,
        original: sliceSource(source, start, end),
        replacement: mutant.replacement ?? mutant.mutatorName,
        ...(mutant.statusReason ? { reason: mutant.statusReason } : {}),
      });
    }
  }
  return mutants.sort((a, b) => a.file.localeCompare(b.file) || a.start.line - b.start.line || a.start.column - b.start.column);
}
