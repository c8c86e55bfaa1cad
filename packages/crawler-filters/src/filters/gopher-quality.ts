// Gopher quality filter (Rae et al. 2021, FineWeb-era datatrove): word count and length, symbol
// ratios, bullet and ellipsis lines, alphabetic words, stop words. Thresholds from FINEWEB.md.

import type { Document, Verdict } from '../document.ts';
import { filterStage, type Stage } from '../stage.ts';
import { isSymbolToken, tokenizeWords } from './text-units.ts';

export interface GopherQualityOptions {
  /** Minimum words (punctuation-only tokens excluded). Default 50. */
  minWords?: number;
  /** Maximum words. Default 100,000. */
  maxWords?: number;
  /** Minimum mean word length in characters. Default 3. */
  minMeanWordLength?: number;
  /** Maximum mean word length. Default 10. */
  maxMeanWordLength?: number;
  /** Maximum count of `#`, and of `...`/`…`, per word. Default 0.1. */
  maxSymbolWordRatio?: number;
  /** Maximum fraction of lines starting with `•` or `-`. Default 0.9. */
  maxBulletLineFraction?: number;
  /** Maximum fraction of lines ending with `...` or `…`. Default 0.3. */
  maxEllipsisLineFraction?: number;
  /** Minimum fraction of words with an alphabetic character. Default 0.8. */
  minAlphabeticWordFraction?: number;
  /** Minimum occurrences of stop words (FineWeb-era: occurrences, not distinct words). Default 2. */
  minStopWords?: number;
  /** Default: the, be, to, of, and, that, have, with. Matched case-sensitively, as datatrove did. */
  stopWords?: readonly string[];
}

export const gopherQualityDefaults = Object.freeze({
  minWords: 50,
  maxWords: 100_000,
  minMeanWordLength: 3,
  maxMeanWordLength: 10,
  maxSymbolWordRatio: 0.1,
  maxBulletLineFraction: 0.9,
  maxEllipsisLineFraction: 0.3,
  minAlphabeticWordFraction: 0.8,
  minStopWords: 2,
  stopWords: ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'],
} satisfies Required<GopherQualityOptions>);

function count(text: string, needle: string): number {
  let total = 0;
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + needle.length))
    total++;
  return total;
}

/** The Gopher quality rules for one text; reasons follow datatrove (`gopher_short_doc`, ...). */
export function gopherQuality(text: string, options: GopherQualityOptions = {}): Verdict {
  const o = { ...gopherQualityDefaults, ...options };
  const words = tokenizeWords(text);
  const wordCount = Math.max(words.length, 1);
  const nonSymbol = words.filter((word) => !isSymbolToken(word));
  if (o.minWords !== undefined && nonSymbol.length < o.minWords)
    return { keep: false, reason: 'gopher_short_doc' };
  if (o.maxWords !== undefined && nonSymbol.length > o.maxWords)
    return { keep: false, reason: 'gopher_long_doc' };
  let letters = 0;
  for (const word of nonSymbol) letters += word.length;
  const meanLength = nonSymbol.length > 0 ? letters / nonSymbol.length : 0;
  if (o.minMeanWordLength !== undefined && meanLength < o.minMeanWordLength)
    return { keep: false, reason: 'gopher_below_avg_threshold' };
  if (o.maxMeanWordLength !== undefined && meanLength > o.maxMeanWordLength)
    return { keep: false, reason: 'gopher_above_avg_threshold' };
  if (o.maxSymbolWordRatio !== undefined) {
    if (count(text, '#') / wordCount > o.maxSymbolWordRatio)
      return { keep: false, reason: 'gopher_too_many_hashes' };
    if ((count(text, '...') + count(text, '…')) / wordCount > o.maxSymbolWordRatio)
      return { keep: false, reason: 'gopher_too_many_ellipsis' };
  }
  const lines = text.split(/\r\n|\r|\n/u);
  if (o.maxBulletLineFraction !== undefined) {
    const bullets = lines.filter((line) => /^\s*[•-]/u.test(line)).length;
    if (bullets / lines.length > o.maxBulletLineFraction)
      return { keep: false, reason: 'gopher_too_many_bullets' };
  }
  if (o.maxEllipsisLineFraction !== undefined) {
    const ellipses = lines.filter((line) => /(\.\.\.|…)\s*$/u.test(line)).length;
    if (ellipses / lines.length > o.maxEllipsisLineFraction)
      return { keep: false, reason: 'gopher_too_many_end_ellipsis' };
  }
  if (o.minAlphabeticWordFraction !== undefined) {
    const alphabetic = words.filter((word) => /\p{L}/u.test(word)).length;
    if (alphabetic / wordCount < o.minAlphabeticWordFraction)
      return { keep: false, reason: 'gopher_below_alpha_threshold' };
  }
  if (o.minStopWords !== undefined) {
    const stop = new Set(o.stopWords);
    let occurrences = 0;
    for (const word of words) if (stop.has(word)) occurrences++;
    if (occurrences < o.minStopWords) return { keep: false, reason: 'gopher_enough_stop_words' };
  }
  return { keep: true };
}

/** Stage `gopher_quality`. */
export function gopherQualityStage(options: GopherQualityOptions = {}): Stage {
  const resolved = Object.freeze({ ...options });
  return filterStage({
    name: 'gopher_quality',
    filter: (doc: Document) => gopherQuality(doc.text, resolved),
  });
}
