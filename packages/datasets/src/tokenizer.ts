// The tokenizer interface datasets works through (declared here; @lmkit/bpe's Tokenizer satisfies
// it structurally), and how a tokenizer reaches worker threads: as a module path, an exported
// factory and its arguments, loaded again in each worker (a live object cannot cross threads).

export interface TokenizerLike {
  /** Largest id + 1, special tokens included. */
  readonly vocabSize: number;
  encodeOrdinary(text: string): number[];
  encode(
    text: string,
    options?: { allowedSpecial?: 'all' | readonly string[] | ReadonlySet<string> },
  ): number[];
  decode(ids: readonly number[]): string;
  specialTokenId(name: string): number | undefined;
}

/**
 * A tokenizer each worker builds for itself: `(await import(module))[exportName](...args)`.
 * With @lmkit/bpe: `{ module: import.meta.resolve('@lmkit/bpe'), exportName: 'loadTokenizer',
 * args: ['tokenizer.json'] }`. `module` is an absolute path or a file: URL; `args` must be
 * structured-cloneable. The export may return the tokenizer or a promise of it.
 */
export interface TokenizerFactory {
  module: string;
  exportName?: string;
  args?: unknown[];
}

export function isTokenizerLike(value: unknown): value is TokenizerLike {
  return typeof (value as TokenizerLike | null)?.encodeOrdinary === 'function';
}
