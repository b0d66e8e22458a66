// "Did you mean": the known names nearest to a misspelt one, by edit
// distance or substring. Pure.


/** Edit distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Up to three known ids closest to `wanted`: substrings first, then by edit distance. */
export function nearest(wanted: string, known: string[]): string[] {
  const scored = known
    .map((id) => ({ id, score: id.includes(wanted) || wanted.includes(id) ? 0 : editDistance(wanted, id) }))
    .filter(({ score, id }) => score <= Math.max(2, Math.floor(id.length / 3)))
    .sort((a, b) => a.score - b.score || a.id.localeCompare(b.id));
  return scored.slice(0, 3).map(({ id }) => id);
}
