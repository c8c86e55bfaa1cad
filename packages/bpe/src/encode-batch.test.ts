import { describe, expect, it } from 'vitest';
import { corpus, ourTokenizer } from './__fixtures__/reference.ts';
import { EncodePool, encodeBatch } from './encode-batch.ts';

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

describe('EncodePool', () => {
  it('keeps its workers across batches and gives the same ids as one thread', async () => {
    const t = await ourTokenizer('o200k_base');
    const pool = new EncodePool({ tokenizer: t, threads: 2 });
    try {
      const text = corpus('code');
      const first = Array.from({ length: 5 }, (_, i) => text.slice(i * 3_000, (i + 1) * 3_000));
      const second = [corpus('chinese').slice(0, 4_000), 'x'];
      const [a, b] = await Promise.all([pool.encode(first), pool.encode(second)]);
      expect(a).toEqual(first.map((s) => t.encode(s)));
      expect(b).toEqual(second.map((s) => t.encode(s)));
      expect(await pool.encode([])).toEqual([]);
    } finally {
      await pool.close();
    }
  });
});
