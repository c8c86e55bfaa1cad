import { describe, expect, it } from 'vitest';
import { corpus, ourTokenizer } from './__fixtures__/reference.ts';
import { encodeBatch } from './encode-batch.ts';

describe('encodeBatch', () => {
  it('encodes across worker threads exactly as one thread, in input order', async () => {
    const t = (await ourTokenizer('cl100k_base')).withSpecialTokens(['<|im_end|>']);
    const text = corpus('shakespeare').slice(0, 40_000) + corpus('chinese').slice(0, 5_000);
    const texts = Array.from({ length: 9 }, (_, i) => text.slice(i * 5_000, (i + 1) * 5_000));
    texts.push('', 'bye<|im_end|>');
    const ids = await encodeBatch({
      tokenizer: t,
      texts,
      threads: 2,
      allowedSpecial: ['<|im_end|>'],
    });
    expect(ids).toEqual(texts.map((s) => t.encode(s, { allowedSpecial: ['<|im_end|>'] })));
    await expect(encodeBatch({ tokenizer: t, texts: ['a<|im_end|>'], threads: 1 })).rejects.toThrow(
      /text 0: .*not allowed/,
    );
  });
});
