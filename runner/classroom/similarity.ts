// How alike two TypeScript sources are, whatever their names, comments,
// literals and layout: winnowing (Schleimer, Wilkerson and Aiken, "Winnowing:
// local algorithms for document fingerprinting", SIGMOD 2003, the method
// behind MOSS) over normalised tokens, and the Jaccard index of the two sets
// of fingerprints. Pure.
//
// Tokens come from js-tokens (a tiny, dependency-free tokenizer that never
// throws, whatever it is given): TypeScript's own compiler is the native
// TypeScript 7 here, with no JavaScript API, and a type annotation tokenizes
// as JavaScript's identifiers and punctuators do. Then every name becomes
// one token ($id), every string, number, template piece and regular
// expression one token of its kind, keywords and punctuators stay as they
// are, and comments, whitespace, semicolons and trailing commas go: a copy
// with names changed, comments rewritten and the layout reformatted
// normalises to the same tokens.

import jsTokens from "js-tokens";

/** Tokens per k-gram: a run shorter than this never counts as shared. */
export const K = 10;
/** Winnowing window: every shared run of at least K + WINDOW - 1 = 15 tokens is found. */
export const WINDOW = 6;
/** Only the start of an enormous submission is compared (a flood of code says nothing more). */
export const MAX_SOURCE_CHARS = 256 * 1024;

/** JavaScript's and TypeScript's keywords and built-in type names: structure, not a name someone chose. */
const KEYWORDS = new Set(
  (
    "abstract any as asserts async await bigint boolean break case catch class const constructor continue debugger declare default delete do else enum export extends " +
    "false finally for from function get if implements import in infer instanceof interface is keyof let namespace never new null number object of override private " +
    "protected public readonly return satisfies set static string super switch symbol this throw true try type typeof undefined unique unknown var void while with yield"
  ).split(" "),
);

/** The source as normalised tokens (see above). */
export function normalisedTokens(source: string): string[] {
  const tokens: string[] = [];
  for (const token of jsTokens(source.slice(0, MAX_SOURCE_CHARS))) {
    switch (token.type) {
      case "WhiteSpace":
      case "LineTerminatorSequence":
      case "SingleLineComment":
      case "MultiLineComment":
      case "HashbangComment":
        break;
      case "IdentifierName":
        tokens.push(KEYWORDS.has(token.value) ? token.value : "$id");
        break;
      case "PrivateIdentifier":
        tokens.push("$id");
        break;
      case "StringLiteral":
      case "NoSubstitutionTemplate":
        tokens.push("$str");
        break;
      case "TemplateHead":
      case "TemplateMiddle":
      case "TemplateTail":
        tokens.push(`$template-${token.type.slice(8).toLowerCase()}`);
        break;
      case "NumericLiteral":
        tokens.push("$num");
        break;
      case "RegularExpressionLiteral":
        tokens.push("$re");
        break;
      default:
        // Semicolons are optional in TypeScript, and formatters add or drop them.
        if (token.value !== ";") tokens.push(token.value);
    }
  }
  // A trailing comma before a closing bracket is a formatter's choice too.
  return tokens.filter((token, index) => token !== "," || !/^[)\]}>]$/.test(tokens[index + 1] ?? ""));
}

/** FNV-1a, 32 bits. */
function fnv(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

/** The hash of every run of `k` tokens. */
export function kgramHashes(tokens: string[], k = K): number[] {
  const codes = tokens.map(fnv);
  const hashes: number[] = [];
  for (let start = 0; start + k <= codes.length; start++) {
    let hash = 0x811c9dc5;
    for (let i = start; i < start + k; i++) hash = Math.imul(hash ^ codes[i]!, 0x01000193);
    hashes.push(hash >>> 0);
  }
  return hashes;
}

/**
 * Winnowing: in every window of `window` consecutive hashes, the smallest
 * (the rightmost of equals), each position taken once. A sequence shorter
 * than one window gives its smallest hash.
 */
export function winnow(hashes: number[], window = WINDOW): Set<number> {
  const selected = new Set<number>();
  if (hashes.length === 0) return selected;
  if (hashes.length <= window) {
    selected.add(Math.min(...hashes));
    return selected;
  }
  let last = -1;
  for (let start = 0; start + window <= hashes.length; start++) {
    let min = start;
    for (let i = start + 1; i < start + window; i++) if (hashes[i]! <= hashes[min]!) min = i;
    if (min !== last) {
      selected.add(hashes[min]!);
      last = min;
    }
  }
  return selected;
}

/** A source's fingerprints. */
export const fingerprints = (source: string): Set<number> => winnow(kgramHashes(normalisedTokens(source)));

/** `set` without what it shares with `base` (the stub everyone starts from). */
export function without(set: Set<number>, base: Set<number>): Set<number> {
  return new Set([...set].filter((hash) => !base.has(hash)));
}

/** |A ∩ B| / |A ∪ B|: 1 for the same fingerprints, 0 for none shared (and for two empty sets). */
export function jaccard(a: Set<number>, b: Set<number>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const hash of small) if (large.has(hash)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}
