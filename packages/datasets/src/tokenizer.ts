// The tokenizer interface datasets works through (@lmkit/core's TokenizerLike, re-exported; @lmkit/bpe's
// Tokenizer satisfies it), and how a tokenizer reaches worker threads: as a module path, an exported
// factory and its arguments, loaded again in each worker (a live object cannot cross threads).

import type { TokenizerLike } from '@lmkit/core';

export type { TokenizerLike };

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
