// Pre-split patterns of the OpenAI encodings, spelled for JavaScript's RegExp (`u` flag, no
// possessive quantifiers, no inline `(?i:...)`). The rewrites match what tiktoken's patterns match:
// `[^\r\n\p{L}\p{N}]?+\p{L}+` cannot backtrack usefully (the optional class excludes letters), and
// `[^\s\p{L}\p{N}]++[\r\n]*` neither (the class excludes \r and \n); the exactness tests prove it.
import { BpeError } from './errors.ts';

export type BuiltinPatternName = 'r50k_base' | 'cl100k_base' | 'o200k_base';

const contraction = "'(?:[sS]|[dD]|[mM]|[tT]|[lL][lL]|[vV][eE]|[rR][eE])";
const upper = String.raw`[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]`;
const lower = String.raw`[\p{Ll}\p{Lm}\p{Lo}\p{M}]`;

/** JavaScript spellings of the built-in split patterns (use with the `gu` flags). */
export const patterns: Readonly<Record<BuiltinPatternName, string>> = Object.freeze({
  r50k_base: String.raw`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
  cl100k_base: String.raw`${contraction}|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
  o200k_base: [
    String.raw`[^\r\n\p{L}\p{N}]?${upper}*${lower}+(?:${contraction})?`,
    String.raw`[^\r\n\p{L}\p{N}]?${upper}+${lower}*(?:${contraction})?`,
    String.raw`\p{N}{1,3}`,
    String.raw` ?[^\s\p{L}\p{N}]+[\r\n/]*`,
    String.raw`\s*[\r\n]+`,
    String.raw`\s+(?!\S)`,
    String.raw`\s+`,
  ].join('|'),
});

/** Spellings found in tiktoken, minbpe and js-tiktoken that mean the same as a built-in. */
const aliases = new Map<string, BuiltinPatternName>([
  [
    String.raw`'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+`,
    'cl100k_base',
  ],
  [
    String.raw`(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    'cl100k_base',
  ],
  [
    String.raw`('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`,
    'cl100k_base',
  ],
]);
for (const name of Object.keys(patterns) as BuiltinPatternName[]) aliases.set(patterns[name], name);

export interface ResolvedPattern {
  /** The JavaScript RegExp source. */
  source: string;
  /** Set when the pattern is one of the built-ins (a hand-written splitter then replaces the RegExp). */
  builtin?: BuiltinPatternName;
}

/**
 * Resolves a pattern given as a built-in name (`'cl100k_base'`), a RegExp, or a RegExp source.
 * Known tiktoken / minbpe spellings of the built-ins resolve to the built-in. A source with
 * possessive quantifiers or inline flags that JavaScript lacks is rejected with the fix.
 */
export function resolvePattern(pattern: string | RegExp): ResolvedPattern {
  const source = typeof pattern === 'string' ? pattern : pattern.source;
  if (Object.hasOwn(patterns, source)) {
    const builtin = source as BuiltinPatternName;
    return { source: patterns[builtin], builtin };
  }
  const alias = aliases.get(source);
  if (alias) return { source: patterns[alias], builtin: alias };
  if (/[?*+}][+]/.test(source.replace(/\\./g, '')) || source.includes('(?i')) {
    throw new BpeError(
      `pattern ${JSON.stringify(source.slice(0, 80))} uses possessive quantifiers or inline flags, which JavaScript's RegExp lacks; rewrite them (see patterns.cl100k_base) or pass a built-in name (r50k_base, cl100k_base, o200k_base)`,
    );
  }
  try {
    new RegExp(source, 'gu');
  } catch (error) {
    throw new BpeError(
      `pattern ${JSON.stringify(source.slice(0, 80))} is not a valid JavaScript RegExp with the u flag: ${(error as Error).message}`,
    );
  }
  return { source };
}
