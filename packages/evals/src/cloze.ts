// A cloze task from any text: given a little context, pick the true continuation among four (three
// distractors drawn from elsewhere in the same text). Two units: the next line (verse, the default:
// Tiny Shakespeare, public-domain plays whose tail `heldOutText` takes, as nanoGPT's validation split
// does) or the next sentence (prose: web documents with one paragraph per line, split into sentences
// by the runtime's Intl.Segmenter). Built from held-out text, so the speedrun shows a score against
// chance (1/4) with nothing downloaded.

import { SeededRandom } from '@lmkit/core';
import { EvalsError } from './errors.ts';
import type { MultipleChoiceItem } from './multiple-choice.ts';

export type ClozeUnit = 'line' | 'sentence';

export interface ClozeOptions {
  text: string;
  /**
   * What to guess: `'line'` (default) the next line, for verse and line-oriented text; `'sentence'`
   * the next sentence, for prose with one paragraph per line (context stays within a block of
   * non-blank lines, so a blank line between documents is never crossed).
   */
  unit?: ClozeUnit;
  /** Items to make; default 200. */
  count?: number;
  /** Unit 'line': lines of context before the line to guess; default 3. */
  contextLines?: number;
  /** Unit 'sentence': sentences of context before the sentence to guess; default 2. */
  contextSentences?: number;
  /** Choices per item, the true one included; default 4. */
  choices?: number;
  /** Unit 'line': lines shorter than this (in characters) are not asked for nor used as distractors; default 12. */
  minLineLength?: number;
  /** Unit 'sentence': the same for sentences; default 20. */
  minSentenceLength?: number;
  /** Unit 'sentence': the Intl.Segmenter locale that finds sentence ends; default 'en'. */
  locale?: string;
  seed?: number;
}

/** One place an item can ask about: its context, the true continuation and what goes before any choice. */
interface Candidate {
  id: string;
  context: string;
  answer: string;
  /** Put before every choice of the item (the separator the true one follows in the text). */
  prefix: string;
}

/**
 * Items whose context is a few consecutive units and whose choices are candidate next units; the
 * same options always give the same items. Unit 'line': the context is `contextLines` lines, each
 * ending in a newline, and the choices are lines. Unit 'sentence': the context is the text of
 * `contextSentences` sentences as written, and each choice is a sentence after the separator the true
 * one follows (a space inside a paragraph, a newline at a paragraph's start), so `context + choice`
 * of the right choice is the text itself.
 */
export function clozeTask(options: ClozeOptions): MultipleChoiceItem[] {
  const unit = options.unit ?? 'line';
  const count = positiveInteger('count', options.count ?? 200, 1);
  const choices = positiveInteger('choices', options.choices ?? 4, 2);
  let built: { candidates: Candidate[]; pool: string[]; context: number };
  if (unit === 'line') {
    misplaced(options, 'line', ['contextSentences', 'minSentenceLength', 'locale']);
    built = lineCandidates(
      options.text,
      positiveInteger('contextLines', options.contextLines ?? 3, 1),
      options.minLineLength ?? 12,
    );
  } else if (unit === 'sentence') {
    misplaced(options, 'sentence', ['contextLines', 'minLineLength']);
    built = sentenceCandidates(
      options.text,
      positiveInteger('contextSentences', options.contextSentences ?? 2, 1),
      options.minSentenceLength ?? 20,
      options.locale ?? 'en',
    );
  } else {
    throw new EvalsError(
      `unit ${JSON.stringify(unit)} is not one of 'line', 'sentence'; pass one of them`,
    );
  }
  const { candidates, pool, context } = built;
  if (candidates.length < count || pool.length < choices * 2) {
    throw new EvalsError(
      `the text gives ${candidates.length} ${unit}s with ${context} ${unit}s of context (need count ${count}) and ${pool.length} distinct ${unit}s (need ${choices * 2}); pass more text or a smaller count`,
    );
  }
  const random = new SeededRandom(options.seed ?? 0);
  const pick = (n: number) => random.nextInt(n);
  // A partial Fisher–Yates shuffle picks `count` distinct candidates, kept in text order.
  const order = candidates.map((_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + pick(order.length - i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((index) => {
      const { id, context, answer, prefix } = candidates[index];
      const options = new Set([answer]);
      while (options.size < choices) options.add(pool[pick(pool.length)]);
      const shuffled = [...options];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = pick(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      return {
        id,
        context,
        choices: shuffled.map((choice) => prefix + choice),
        label: shuffled.indexOf(answer),
      };
    });
}

function lineCandidates(text: string, contextLines: number, minLength: number) {
  const lines = text.split('\n').map((line) => line.trimEnd());
  const long = (i: number) => lines[i].trim().length >= minLength;
  const candidates: Candidate[] = [];
  for (let i = contextLines; i < lines.length; i++) {
    if (!long(i)) continue;
    let context = true;
    for (let j = i - contextLines; j < i; j++) context &&= lines[j].trim() !== '';
    if (!context) continue;
    candidates.push({
      id: `line-${i + 1}`,
      context: `${lines.slice(i - contextLines, i).join('\n')}\n`,
      answer: lines[i],
      prefix: '',
    });
  }
  const pool = [...new Set(lines.filter((_, i) => long(i)))];
  return { candidates, pool, context: contextLines };
}

interface Sentence {
  /** The sentence without surrounding whitespace. */
  text: string;
  /** Offsets of `text` in the whole text. */
  start: number;
  end: number;
  line: number;
  /** Its number within its line, from 1. */
  inLine: number;
  /** Blocks are runs of non-blank lines; context never crosses into another. */
  block: number;
}

function sentenceCandidates(
  text: string,
  contextSentences: number,
  minLength: number,
  locale: string,
) {
  const sentences = splitSentences(text, locale);
  const long = (s: Sentence) => s.text.length >= minLength;
  const candidates: Candidate[] = [];
  for (let i = contextSentences; i < sentences.length; i++) {
    const target = sentences[i];
    const first = sentences[i - contextSentences];
    if (!long(target) || first.block !== target.block) continue;
    const previous = sentences[i - 1];
    candidates.push({
      id: `line-${target.line}-sentence-${target.inLine}`,
      context: text.slice(first.start, previous.end),
      answer: target.text,
      prefix: target.line === previous.line ? ' ' : '\n',
    });
  }
  const pool = [...new Set(sentences.filter(long).map((s) => s.text))];
  return { candidates, pool, context: contextSentences };
}

/**
 * The sentences of each line in order. Intl.Segmenter ends a sentence at every full stop followed by
 * a capital, abbreviations included ("Dr. Smith" gives "Dr." alone), so a one-word piece is joined
 * to the sentence after it on the same line.
 */
function splitSentences(text: string, locale: string): Sentence[] {
  let segmenter: Intl.Segmenter;
  try {
    segmenter = new Intl.Segmenter(locale, { granularity: 'sentence' });
  } catch (error) {
    throw new EvalsError(
      `locale ${JSON.stringify(locale)} is not a valid BCP 47 tag; pass one such as 'en'`,
      {
        cause: error,
      },
    );
  }
  const sentences: Sentence[] = [];
  let offset = 0;
  let block = 0;
  let blank = true;
  text.split('\n').forEach((line, index) => {
    const lineStart = offset;
    offset += line.length + 1;
    if (line.trim() === '') {
      blank = true;
      return;
    }
    if (blank) block++;
    blank = false;
    let pending: number | undefined;
    let inLine = 0;
    for (const { segment, index: at } of segmenter.segment(line)) {
      const body = segment.trim();
      if (body === '') continue;
      const start = lineStart + at + segment.indexOf(body);
      const end = start + body.length;
      const from = pending ?? start;
      const isLast = at + segment.length >= line.length;
      if (!/\s/.test(body) && !isLast) {
        pending = from;
        continue;
      }
      pending = undefined;
      inLine++;
      sentences.push({
        text: text.slice(from, end),
        start: from,
        end,
        line: index + 1,
        inLine,
        block,
      });
    }
  });
  return sentences;
}

function positiveInteger(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new EvalsError(
      `${name} ${value} must be an integer ≥ ${min}; pass e.g. ${Math.max(min, 2)}`,
    );
  return value;
}

function misplaced(options: ClozeOptions, unit: ClozeUnit, names: (keyof ClozeOptions)[]): void {
  const other = unit === 'line' ? 'sentence' : 'line';
  for (const name of names)
    if (options[name] !== undefined)
      throw new EvalsError(
        `${name} applies to unit '${other}', not '${unit}'; drop it or pass unit: '${other}'`,
      );
}

/** The last `fraction` of a text, from a line start (nanoGPT holds out the last 10%). */
export function heldOutText(text: string, fraction = 0.1): string {
  if (!(fraction > 0 && fraction <= 1))
    throw new EvalsError(`fraction ${fraction} must be in (0, 1], e.g. 0.1`);
  const cut = text.indexOf('\n', Math.floor(text.length * (1 - fraction)));
  return cut === -1 ? text : text.slice(cut + 1);
}
