// Gopher repetition filter (Rae et al. 2021, as datatrove ran it for FineWeb): drops documents whose
// duplicated paragraphs, lines or n-grams cover too much of the text. Thresholds from FINEWEB.md.

import type { Document, Verdict } from './document.ts';
import { filterStage, type Stage } from './stage.ts';
import { findDuplicates, nGrams, tokenizeWords } from './text-units.ts';

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

function topNGramCharacters(grams: readonly string[]): number {
  const counts = new Map<string, number>();
  let best = 0;
  for (const gram of grams) {
    const count = (counts.get(gram) ?? 0) + 1;
    counts.set(gram, count);
    best = Math.max(best, count * gram.length);
  }
  return best;
}

/** Characters in n-grams that repeat an earlier n-gram, skipping past each repeat (datatrove's rule). */
function duplicateNGramCharacters(words: readonly string[], n: number): number {
  const seen = new Set<string>();
  let repeated = 0;
  let index = 0;
  while (index < words.length - n + 1) {
    const gram = words.slice(index, index + n).join('');
    if (seen.has(gram)) {
      repeated += gram.length;
      index += n;
    } else {
      seen.add(gram);
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
  const words = tokenizeWords(text);
  for (const [n, fraction] of o.topNGramCharFractions ?? []) {
    const grams = nGrams(words, n);
    if (grams.length === 0) continue;
    if (topNGramCharacters(grams) / length > fraction)
      return { keep: false, reason: `top_${n}_gram` };
  }
  for (const [n, fraction] of o.duplicateNGramCharFractions ?? []) {
    if (duplicateNGramCharacters(words, n) / length > fraction)
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
