// Gopher repetition filter (Rae et al. 2021, as datatrove ran it for FineWeb): drops documents whose
// duplicated paragraphs, lines or n-grams cover too much of the text. Thresholds from FINEWEB.md.
// N-grams are hashed to 53-bit keys over word ids (a collision is about 1 in 2^53 per pair).

import type { Document, Verdict } from '../document.ts';
import { filterStage, type Stage } from '../stage.ts';
import { findDuplicates, tokenizeWords } from './text-units.ts';

export interface GopherRepetitionOptions {
  /** Max fraction of paragraphs (split on `\n{2,}`) that repeat an earlier one. Default 0.3. */
  duplicateParagraphFraction?: number;
  /** Max fraction of characters in repeated paragraphs. Default 0.2. */
  duplicateParagraphCharFraction?: number;
  /** Max fraction of lines (split on `\n+`) that repeat an earlier one. Default 0.3. */
  duplicateLineFraction?: number;
  /** Max fraction of characters in repeated lines. Default 0.2. */
  duplicateLineCharFraction?: number;
  /** [n, max fraction of characters in the most frequent n-gram]. Default [[2,0.2],[3,0.18],[4,0.16]]. */
  topNGramCharFractions?: readonly (readonly [number, number])[];
  /** [n, max fraction of characters in repeated n-grams]. Default 5→0.15 … 10→0.10. */
  duplicateNGramCharFractions?: readonly (readonly [number, number])[];
}

export const gopherRepetitionDefaults = Object.freeze({
  duplicateParagraphFraction: 0.3,
  duplicateParagraphCharFraction: 0.2,
  duplicateLineFraction: 0.3,
  duplicateLineCharFraction: 0.2,
  topNGramCharFractions: [
    [2, 0.2],
    [3, 0.18],
    [4, 0.16],
  ],
  duplicateNGramCharFractions: [
    [5, 0.15],
    [6, 0.14],
    [7, 0.13],
    [8, 0.12],
    [9, 0.11],
    [10, 0.1],
  ],
} satisfies Required<GopherRepetitionOptions>);

/** Words as integer ids plus prefix sums of their lengths, so n-grams are hashed, not joined. */
interface WordTable {
  ids: Int32Array;
  /** lengthsBefore[i] = total length of words 0..i-1. */
  lengthsBefore: Float64Array;
}

function wordTable(words: readonly string[]): WordTable {
  const idOf = new Map<string, number>();
  const ids = new Int32Array(words.length);
  const lengthsBefore = new Float64Array(words.length + 1);
  for (let i = 0; i < words.length; i++) {
    let id = idOf.get(words[i]);
    if (id === undefined) {
      id = idOf.size + 1;
      idOf.set(words[i], id);
    }
    ids[i] = id;
    lengthsBefore[i + 1] = lengthsBefore[i] + words[i].length;
  }
  return { ids, lengthsBefore };
}

/** A 53-bit key for the n-gram starting at `start` (two 32-bit multiplicative hashes combined). */
function gramKey(ids: Int32Array, start: number, n: number): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = start; i < start + n; i++) {
    a = Math.imul(a ^ ids[i], 0x01000193);
    b = Math.imul(b ^ ids[i], 0x5bd1e995) ^ (b >>> 15);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** Characters covered by the most frequent n-gram (words joined by spaces) times its count. */
function topNGramCharacters(table: WordTable, n: number): number {
  const counts = new Map<number, number>();
  let best = 0;
  const { ids, lengthsBefore } = table;
  for (let i = 0; i + n <= ids.length; i++) {
    const key = gramKey(ids, i, n);
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    const length = lengthsBefore[i + n] - lengthsBefore[i] + n - 1;
    if (count * length > best) best = count * length;
  }
  return best;
}

/** Characters in n-grams that repeat an earlier n-gram, skipping past each repeat (datatrove's rule). */
function duplicateNGramCharacters(table: WordTable, n: number): number {
  const seen = new Set<number>();
  const { ids, lengthsBefore } = table;
  let repeated = 0;
  let index = 0;
  while (index < ids.length - n + 1) {
    const key = gramKey(ids, index, n);
    if (seen.has(key)) {
      repeated += lengthsBefore[index + n] - lengthsBefore[index];
      index += n;
    } else {
      seen.add(key);
      index++;
    }
  }
  return repeated;
}

/** The Gopher repetition rules for one text. Reasons follow datatrove's names (`dup_para_frac`, ...). */
export function gopherRepetition(text: string, options: GopherRepetitionOptions = {}): Verdict {
  const o = { ...gopherRepetitionDefaults, ...options };
  const length = Math.max(text.length, 1);
  const paragraphs = text.trim().split(/\n{2,}/u);
  const para = findDuplicates(paragraphs);
  if (
    o.duplicateParagraphFraction !== undefined &&
    para.elements / paragraphs.length > o.duplicateParagraphFraction
  )
    return { keep: false, reason: 'dup_para_frac' };
  if (
    o.duplicateParagraphCharFraction !== undefined &&
    para.characters / length > o.duplicateParagraphCharFraction
  )
    return { keep: false, reason: 'dup_para_char_frac' };
  const lines = text.split(/\n+/u);
  const line = findDuplicates(lines);
  if (
    o.duplicateLineFraction !== undefined &&
    line.elements / lines.length > o.duplicateLineFraction
  )
    return { keep: false, reason: 'dup_line_frac' };
  if (
    o.duplicateLineCharFraction !== undefined &&
    line.characters / length > o.duplicateLineCharFraction
  )
    return { keep: false, reason: 'dup_line_char_frac' };
  const table = wordTable(tokenizeWords(text));
  for (const [n, fraction] of o.topNGramCharFractions ?? []) {
    if (table.ids.length < n) continue;
    if (topNGramCharacters(table, n) / length > fraction)
      return { keep: false, reason: `top_${n}_gram` };
  }
  for (const [n, fraction] of o.duplicateNGramCharFractions ?? []) {
    if (duplicateNGramCharacters(table, n) / length > fraction)
      return { keep: false, reason: `duplicated_${n}_n_grams` };
  }
  return { keep: true };
}

/** Stage `gopher_repetition`. */
export function gopherRepetitionStage(options: GopherRepetitionOptions = {}): Stage {
  const resolved = Object.freeze({ ...options });
  return filterStage({
    name: 'gopher_repetition',
    filter: (doc: Document) => gopherRepetition(doc.text, resolved),
  });
}
