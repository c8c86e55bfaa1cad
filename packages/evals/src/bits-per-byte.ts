// Bits per byte on held-out text: the negative log-likelihood of every token, summed, in bits,
// divided by the text's UTF-8 bytes. Unlike loss per token it does not depend on the tokenizer, so
// models with different vocabularies compare. The text is cut into windows of the model's context;
// with `<|endoftext|>` in the vocabulary each window starts with it, so every token is predicted.
// Chance is the uniform guess over the vocabulary, log2(V) bits per token, per byte.

import { END_OF_TEXT, type TokenizerLike } from '@lmkit/core';
import { EvalsError } from './errors.ts';
import type { SequenceScorer } from './scorer.ts';

export interface BitsPerByteResult {
  bitsPerByte: number;
  /** Bits per byte of a model that spreads probability evenly over the vocabulary. */
  chance: number;
  tokens: number;
  bytes: number;
}

export async function evaluateBitsPerByte(options: {
  scorer: SequenceScorer;
  tokenizer: TokenizerLike;
  /** Held-out text (not trained on). */
  text: string;
  /** Windows scored per call; default 8. */
  windowsPerCall?: number;
}): Promise<BitsPerByteResult> {
  const { scorer, tokenizer, text } = options;
  const ids = tokenizer.encodeOrdinary(text);
  const bytes = new TextEncoder().encode(text).length;
  if (ids.length < 2)
    throw new EvalsError(`the text has ${ids.length} token(s); bits per byte needs at least 2`);
  const start = tokenizer.specialTokenId(END_OF_TEXT);
  // Without a start token the first token is not predicted: its bytes leave the count too.
  const firstBytes =
    start === undefined ? new TextEncoder().encode(tokenizer.decode([ids[0]])).length : 0;
  const windows: number[][] = [];
  const span = scorer.contextLength;
  // Each window predicts `span` tokens: with a start token, [start, ...span tokens]; without,
  // windows overlap by one token (its last token is the next window's first, unpredicted).
  if (start !== undefined) {
    for (let i = 0; i < ids.length; i += span) windows.push([start, ...ids.slice(i, i + span)]);
  } else {
    for (let i = 0; i + 1 < ids.length; i += span) windows.push(ids.slice(i, i + span + 1));
  }
  let nats = 0;
  let predicted = 0;
  const perCall = options.windowsPerCall ?? 8;
  for (let i = 0; i < windows.length; i += perCall) {
    for (const values of await scorer.tokenLogProbs(windows.slice(i, i + perCall))) {
      for (const value of values) nats -= value;
      predicted += values.length;
    }
  }
  const scoredBytes = bytes - firstBytes;
  return {
    bitsPerByte: nats / Math.LN2 / scoredBytes,
    chance: (predicted * Math.log2(tokenizer.vocabSize)) / scoredBytes,
    tokens: predicted,
    bytes: scoredBytes,
  };
}
