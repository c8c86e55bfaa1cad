// A cloze task from any text: given a few lines, pick the true next line among four (three
// distractors drawn from elsewhere in the same text). Built from held-out text in the repository
// (Tiny Shakespeare: public-domain plays; `heldOutText` takes its tail, as nanoGPT's validation
// split does), so the speedrun shows a score against chance (1/4) with nothing downloaded.

import { SeededRandom } from '@lmkit/core';
import { EvalsError } from './errors.ts';
import type { MultipleChoiceItem } from './multiple-choice.ts';

export interface ClozeOptions {
  text: string;
  /** Items to make; default 200. */
  count?: number;
  /** Lines of context before the line to guess; default 3. */
  contextLines?: number;
  /** Choices per item, the true line included; default 4. */
  choices?: number;
  /** Lines shorter than this (in characters) are not asked for nor used as distractors; default 12. */
  minLineLength?: number;
  seed?: number;
}

/**
 * Items whose context is `contextLines` consecutive lines (each ending in a newline) and whose
 * choices are candidate next lines; the same options always give the same items.
 */
export function clozeTask(options: ClozeOptions): MultipleChoiceItem[] {
  const count = options.count ?? 200;
  const contextLines = options.contextLines ?? 3;
  const choices = options.choices ?? 4;
  const minLength = options.minLineLength ?? 12;
  const lines = options.text.split('\n').map((line) => line.trimEnd());
  const long = (i: number) => lines[i].trim().length >= minLength;
  const targets: number[] = [];
  for (let i = contextLines; i < lines.length; i++) {
    if (!long(i)) continue;
    let context = true;
    for (let j = i - contextLines; j < i; j++) context &&= lines[j].trim() !== '';
    if (context) targets.push(i);
  }
  const pool = [...new Set(lines.filter((_, i) => long(i)))];
  if (targets.length < count || pool.length < choices * 2) {
    throw new EvalsError(
      `the text gives ${targets.length} lines with ${contextLines} lines of context (need count ${count}) and ${pool.length} distinct lines (need ${choices * 2}); pass more text or a smaller count`,
    );
  }
  const random = new SeededRandom(options.seed ?? 0);
  const pick = (n: number) => random.nextInt(n);
  // A partial Fisher–Yates shuffle picks `count` distinct targets.
  for (let i = 0; i < count; i++) {
    const j = i + pick(targets.length - i);
    [targets[i], targets[j]] = [targets[j], targets[i]];
  }
  return targets
    .slice(0, count)
    .sort((a, b) => a - b)
    .map((index) => {
      const truth = lines[index];
      const options = new Set([truth]);
      while (options.size < choices) options.add(pool[pick(pool.length)]);
      const shuffled = [...options];
      for (let i = shuffled.length - 1; i > 0; i--) {
        const j = pick(i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      return {
        id: `line-${index + 1}`,
        context: `${lines.slice(index - contextLines, index).join('\n')}\n`,
        choices: shuffled,
        label: shuffled.indexOf(truth),
      };
    });
}

/** The last `fraction` of a text, from a line start (nanoGPT holds out the last 10%). */
export function heldOutText(text: string, fraction = 0.1): string {
  if (!(fraction > 0 && fraction <= 1))
    throw new EvalsError(`fraction ${fraction} must be in (0, 1], e.g. 0.1`);
  const cut = text.indexOf('\n', Math.floor(text.length * (1 - fraction)));
  return cut === -1 ? text : text.slice(cut + 1);
}
