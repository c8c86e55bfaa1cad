// The tokenizer interface chat-template works through (@lmkit/core's TokenizerLike, re-exported;
// @lmkit/bpe's Tokenizer satisfies it, so this package does not depend on bpe), and the lookup of
// marker ids.

import type { TokenizerLike } from '@lmkit/core';
import { ChatTemplateError } from './errors.ts';
import { IM_END, IM_SEP, IM_START, THINK_END, THINK_START } from './markers.ts';

export type { TokenizerLike };

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
