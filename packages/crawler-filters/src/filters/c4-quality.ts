// C4 quality filter as FineWeb ran it: line-level cleaning (short lines, huge words, "javascript",
// policy boilerplate, citation markers) and document drops; the terminal-punctuation rule is off.

import type { Document } from '../document.ts';
import { type Stage, transformStage } from '../stage.ts';
import { splitSentences } from './text-units.ts';

export interface C4QualityOptions {
  /** Lines with fewer words are removed. Default 3. */
  minWordsPerLine?: number;
  /** Lines with a longer word are removed. Default 1000. */
  maxWordLength?: number;
  /** Remove `[1]`, `[edit]`, `[citation needed]`. Default true. */
  removeCitations?: boolean;
  /** Remove lines not ending in terminal punctuation (C4's rule; FineWeb turned it off). Default false. */
  filterNoTerminalPunctuation?: boolean;
  /** Drop the document on "lorem ipsum". Default true. */
  filterLoremIpsum?: boolean;
  /** Remove lines mentioning "javascript". Default true. */
  filterJavascript?: boolean;
  /** Drop the document on `{`. Default true. */
  filterCurlyBracket?: boolean;
  /** Remove cookie / privacy-policy / terms-of-use lines. Default true. */
  filterPolicy?: boolean;
  /** Drop the document when fewer sentences remain. Default 5. */
  minSentences?: number;
}

export const c4QualityDefaults = Object.freeze({
  minWordsPerLine: 3,
  maxWordLength: 1000,
  removeCitations: true,
  filterNoTerminalPunctuation: false,
  filterLoremIpsum: true,
  filterJavascript: true,
  filterCurlyBracket: true,
  filterPolicy: true,
  minSentences: 5,
} satisfies Required<C4QualityOptions>);

const CITATION = /\[\d*\]|\[edit\]|\[citation needed\]/giu;
const POLICY = [
  'terms of use',
  'privacy policy',
  'cookie policy',
  'uses cookies',
  'use of cookies',
  'use cookies',
];
const TERMINAL = /[.!?"']$/u;

export type C4Result = { keep: true; text: string } | { keep: false; reason: string };

/** Applies the C4 rules to one text: the cleaned text, or a drop with datatrove's reason. */
export function c4Quality(text: string, options: C4QualityOptions = {}): C4Result {
  const o = { ...c4QualityDefaults, ...options };
  const kept: string[] = [];
  let sentences = 0;
  for (const raw of text.split(/\r\n|\r|\n/u)) {
    let line = raw.trim();
    const words = line.split(/\s+/u).filter((word) => word.length > 0);
    if (o.maxWordLength !== undefined && words.some((word) => word.length > o.maxWordLength))
      continue;
    if (o.removeCitations) line = line.replace(CITATION, '');
    if (o.filterNoTerminalPunctuation && (!TERMINAL.test(line) || line.endsWith('...'))) continue;
    if (o.minWordsPerLine !== undefined && words.length < o.minWordsPerLine) continue;
    const lower = line.toLowerCase();
    if (o.filterLoremIpsum && lower.includes('lorem ipsum'))
      return { keep: false, reason: 'lorem_ipsum' };
    if (o.filterJavascript && lower.includes('javascript')) continue;
    if (o.filterCurlyBracket && line.includes('{')) return { keep: false, reason: 'curly_bracket' };
    if (o.filterPolicy && POLICY.some((phrase) => lower.includes(phrase))) continue;
    sentences += splitSentences(line).length;
    kept.push(line);
  }
  if (o.minSentences !== undefined && sentences < o.minSentences)
    return { keep: false, reason: 'too_few_sentences' };
  return { keep: true, text: kept.join('\n').trim() };
}

/** Stage `c4_quality`: rewrites `text` with the kept lines, or drops the document. */
export function c4QualityStage(options: C4QualityOptions = {}): Stage {
  const resolved = Object.freeze({ ...options });
  return transformStage({
    name: 'c4_quality',
    transform: (doc: Document) => {
      const result = c4Quality(doc.text, resolved);
      return result.keep ? { ...doc, text: result.text } : result;
    },
  });
}
