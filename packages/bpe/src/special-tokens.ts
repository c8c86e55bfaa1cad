// Special tokens: strings such as `<|endoftext|>` that map to one reserved id outside the byte-level
// vocabulary. Finding them in text, and resolving which ones a caller allows.
import { END_OF_TEXT, IM_END, IM_SEP, IM_START } from '@lmkit/core';
import { BpeError } from './errors.ts';

export type AllowedSpecial = 'all' | readonly string[] | ReadonlySet<string>;

/** The chat markers and document separator used across lmkit. */
export const chatSpecialTokens: readonly string[] = Object.freeze([
  END_OF_TEXT,
  IM_START,
  IM_SEP,
  IM_END,
]);

/** Special tokens of the OpenAI encodings (ids from tiktoken). */
export const builtinSpecialTokens = Object.freeze({
  r50k_base: Object.freeze({ '<|endoftext|>': 50256 }),
  cl100k_base: Object.freeze({
    '<|endoftext|>': 100257,
    '<|fim_prefix|>': 100258,
    '<|fim_middle|>': 100259,
    '<|fim_suffix|>': 100260,
    '<|endofprompt|>': 100276,
  }),
  o200k_base: Object.freeze({ '<|endoftext|>': 199999, '<|endofprompt|>': 200018 }),
});

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** A global RegExp matching any of `names`, longest first; undefined when there are none. */
export function specialTokenRegExp(names: Iterable<string>): RegExp | undefined {
  const sorted = [...names].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  if (sorted.length === 0) return undefined;
  return new RegExp(sorted.map(escapeRegExp).join('|'), 'gu');
}

/** Resolves `allowedSpecial` against the known names; an unknown name is an error. */
export function resolveAllowed(
  allowed: AllowedSpecial | undefined,
  known: ReadonlyMap<string, number>,
): ReadonlySet<string> {
  if (allowed === undefined) return new Set();
  if (allowed === 'all') return new Set(known.keys());
  const set = allowed instanceof Set ? allowed : new Set(allowed as readonly string[]);
  for (const name of set) {
    if (!known.has(name)) {
      throw new BpeError(
        `allowedSpecial names ${JSON.stringify(name)}, which is not a special token of this tokenizer; known: ${[...known.keys()].join(', ') || '(none)'}`,
      );
    }
  }
  return set;
}
