// Test shards: a repeating pattern with a little seeded noise, written as llm.c shards, and a
// tokenizer that spells id k as the letter at k (one byte per token).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeShard } from '@lmkit/datasets';
import type { TokenizerLike } from '../model.ts';
import { SeededRandom } from '@lmkit/core';

export async function writePatternShards(options: { vocabSize: number; tokens: number; dir?: string; maxId?: number }) {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'trainer-shards-'));
  const random = new SeededRandom(5);
  const make = (n: number) =>
    Array.from({ length: n }, (_, i) => (random.next() < 0.1 ? random.nextInt(options.vocabSize) : (i * 3) % options.vocabSize));
  const val = join(dir, 'pattern_val_000000.bin');
  const train = join(dir, 'pattern_train_000001.bin');
  const trainTokens = make(options.tokens);
  if (options.maxId !== undefined) trainTokens[7] = options.maxId;
  await writeShard(val, make(Math.floor(options.tokens / 4)));
  await writeShard(train, trainTokens);
  return { dir, val, train };
}

export const letterTokenizer = (vocabSize: number): TokenizerLike => ({
  vocabSize,
  encodeOrdinary: (text) => [...text].map((c) => c.charCodeAt(0) - 97),
  encode: (text) => [...text].map((c) => c.charCodeAt(0) - 97),
  decode: (ids) => ids.map((id) => String.fromCharCode(97 + id)).join(''),
  specialTokenId: () => undefined,
});
