// FineWeb's own quality rules ("custom filters"): terminal punctuation, duplicated-line characters,
// short lines, newlines per word. Thresholds from FINEWEB.md; reasons follow datatrove's names.

import type { Document, Verdict } from '../document.ts';
import { filterStage, type Stage } from '../stage.ts';
import { findDuplicates, tokenizeWords } from './text-units.ts';

export interface FineWebQualityOptions {
  /** Drop when the fraction of lines ending in `. ' " ! ?` is at most this. Default 0.12. */
  minTerminalPunctuationFraction?: number;
  /** Drop when characters in duplicated lines are at least this fraction. Default 0.01. */
  maxDuplicateLineCharFraction?: number;
  /** Drop when lines of ≤ `shortLineLength` characters are at least this fraction. Default 0.67. */
  maxShortLineFraction?: number;
  /** Default 30. */
  shortLineLength?: number;
  /** Drop when newlines per word exceed this. Default 0.3. */
  maxNewlinesPerWord?: number;
}

export const fineWebQualityDefaults = Object.freeze({
  minTerminalPunctuationFraction: 0.12,
  maxDuplicateLineCharFraction: 0.01,
  maxShortLineFraction: 0.67,
  shortLineLength: 30,
  maxNewlinesPerWord: 0.3,
} satisfies Required<FineWebQualityOptions>);

const TERMINAL = /[.'"!?]$/u;

/** The FineWeb quality rules for one text. */
export function fineWebQuality(text: string, options: FineWebQualityOptions = {}): Verdict {
  const o = { ...fineWebQualityDefaults, ...options };
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) return { keep: false, reason: 'empty' };
  if (o.minTerminalPunctuationFraction !== undefined) {
    const ending = lines.filter((line) => TERMINAL.test(line)).length;
    if (ending / lines.length <= o.minTerminalPunctuationFraction)
      return { keep: false, reason: 'line_punct_ratio' };
  }
  if (o.maxDuplicateLineCharFraction !== undefined) {
    const characters = Math.max(text.replaceAll('\n', '').length, 1);
    if (findDuplicates(lines).characters / characters >= o.maxDuplicateLineCharFraction)
      return { keep: false, reason: 'char_dup_ratio' };
  }
  if (o.maxShortLineFraction !== undefined) {
    const short = lines.filter((line) => line.length <= o.shortLineLength).length;
    if (short / lines.length >= o.maxShortLineFraction)
      return { keep: false, reason: 'short_line_ratio' };
  }
  if (o.maxNewlinesPerWord !== undefined) {
    const newlines = text.split('\n').length - 1;
    const words = Math.max(tokenizeWords(text).length, 1);
    if (newlines / words > o.maxNewlinesPerWord) return { keep: false, reason: 'list_ratio' };
  }
  return { keep: true };
}

/** Stage `fineweb_quality`. */
export function fineWebQualityStage(options: FineWebQualityOptions = {}): Stage {
  const resolved = Object.freeze({ ...options });
  return filterStage({
    name: 'fineweb_quality',
    filter: (doc: Document) => fineWebQuality(doc.text, resolved),
  });
}
