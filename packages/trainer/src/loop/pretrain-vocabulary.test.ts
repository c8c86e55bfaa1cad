// A training shard made with another tokenizer is refused before step 1, naming the shard, even
// when its bad id sits where training would reach it only late (or never within the budget).
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeShard } from '@lmkit/datasets';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../__fixtures__/backend.ts';
import { TinyModel } from '../__fixtures__/tiny-model.ts';
import { TrainerConfigError } from '../errors.ts';
import { pretrain } from './pretrain.ts';

beforeAll(async () => {
  await useTestBackend();
});

const pattern = (n: number, vocabSize: number) =>
  Array.from({ length: n }, (_, i) => (i * 5) % vocabSize);

describe('pretrain checks the shards against the vocabulary before step 1', () => {
  it('names the training shard whose last token is outside the vocabulary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trainer-vocab-'));
    const val = join(dir, 'pattern_val_000000.bin');
    const good = join(dir, 'pattern_train_000001.bin');
    const bad = join(dir, 'pattern_train_000002.bin');
    await writeShard(val, pattern(500, 16));
    await writeShard(good, pattern(2000, 16));
    await writeShard(bad, [...pattern(1999, 16), 40]);
    const model = new TinyModel({ vocabSize: 16, blockSize: 16 });
    const outDir = join(dir, 'run');
    const error = await pretrain({
      model,
      trainFiles: [good, bad],
      valFiles: [val],
      outDir,
      shuffle: false,
      log: () => {},
      config: { batchSize: 2, sequenceLength: 8, maxSteps: 3, evalBatches: 1 },
    }).catch((e: unknown) => e);
    model.dispose();
    expect(error).toBeInstanceOf(TrainerConfigError);
    expect((error as Error).message).toBe(
      `training shard ${bad}: token id 40 is outside the model's vocabulary of 16 ids (0..15); the data was tokenized with another tokenizer: re-tokenize it with the model's tokenizer, or build the model with vocabSize ≥ 41`,
    );
    expect(existsSync(join(outDir, 'metrics.jsonl'))).toBe(false);
    expect(existsSync(join(outDir, 'checkpoints'))).toBe(false);
  });
});
