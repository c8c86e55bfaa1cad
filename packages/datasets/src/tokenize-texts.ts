// One batch of documents as tokens: each document is `<|endoftext|>` followed by its ordinary tokens
// (fineweb.py's layout), so text spelling `<|endoftext|>` stays ordinary and never splits a document.

import type { TokenizerLike } from '@lmkit/core';

export interface TokenizedBatch {
  /** All documents' tokens, each led by the separator. */
  tokens: Uint32Array;
  /** Tokens per document (separator included). */
  lengths: Uint32Array;
}

export function tokenizeTexts(
  tokenizer: TokenizerLike,
  separator: number,
  texts: string[],
): TokenizedBatch {
  const parts = texts.map((text) => tokenizer.encodeOrdinary(text));
  const lengths = new Uint32Array(parts.map((p) => p.length + 1));
  const tokens = new Uint32Array(lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const part of parts) {
    tokens[at++] = separator;
    tokens.set(part, at);
    at += part.length;
  }
  return { tokens, lengths };
}
