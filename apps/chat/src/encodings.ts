// The OpenAI encodings offered by the tokenizer playground: @lmkit/bpe's getEncoding, whose rank
// data ships inside the package (nothing downloads). The chat markers get the ids OpenAI's chat
// formats use, so conversations render as those models see them.
import { getEncoding } from '@lmkit/bpe';
import type { TokenizerLike } from './engine.ts';
import type { EncodingSet, EncodingSource } from './token-routes.ts';

/** Chat marker ids per encoding (cl100k: the gpt-3.5/gpt-4 ChatML ids; o200k: gpt-4o's). */
const chatMarkerIds = {
  cl100k_base: { '<|im_start|>': 100264, '<|im_end|>': 100265, '<|im_sep|>': 100266 },
  o200k_base: { '<|im_start|>': 200003, '<|im_end|>': 200004, '<|im_sep|>': 200005 },
} as const;

const descriptions = {
  cl100k_base: 'GPT-4 / GPT-3.5 (100k tokens)',
  o200k_base: 'GPT-4o (200k tokens)',
} as const;

export function openAiEncodings(): EncodingSet {
  const set = new Map<string, EncodingSource>();
  for (const name of ['cl100k_base', 'o200k_base'] as const) {
    let loaded: TokenizerLike | undefined;
    set.set(name, {
      description: descriptions[name],
      // Loaded on first use (the rank data takes a moment to decode), then kept.
      async load() {
        loaded ??= getEncoding(name, { specialTokens: chatMarkerIds[name] });
        return loaded;
      },
    });
  }
  return set;
}
