// The tokenizer interface chat-template works through (declared here; @lmkit/bpe's Tokenizer
// satisfies it structurally, so this package does not depend on bpe), and the lookup of marker ids.

import { ChatTemplateError } from './errors.ts';
import { IM_END, IM_SEP, IM_START, THINK_END, THINK_START } from './markers.ts';

export interface TokenizerLike {
  /** Largest id + 1, special tokens included. */
  readonly vocabSize: number;
  /** Encodes text as ordinary tokens; never yields special ids, even for `<|im_end|>` spelled out. */
  encodeOrdinary(text: string): number[];
  encode(
    text: string,
    options?: { allowedSpecial?: 'all' | readonly string[] | ReadonlySet<string> },
  ): number[];
  decode(ids: readonly number[]): string;
  specialTokenId(name: string): number | undefined;
}

export interface MarkerIds {
  imStart: number;
  imSep: number;
  imEnd: number;
  /** Undefined when the tokenizer has no reasoning markers (then reasoning cannot be rendered). */
  thinkStart: number | undefined;
  thinkEnd: number | undefined;
}

/** Looks up the chat marker ids; throws naming the missing marker and how to add it. */
export function markerIds(tokenizer: TokenizerLike): MarkerIds {
  const required = (name: string) => {
    const id = tokenizer.specialTokenId(name);
    if (id === undefined) {
      throw new ChatTemplateError(
        `the tokenizer has no special token ${name}; train it with the chat markers as special tokens or add them with planChatMarkers()`,
      );
    }
    return id;
  };
  return {
    imStart: required(IM_START),
    imSep: required(IM_SEP),
    imEnd: required(IM_END),
    thinkStart: tokenizer.specialTokenId(THINK_START),
    thinkEnd: tokenizer.specialTokenId(THINK_END),
  };
}
