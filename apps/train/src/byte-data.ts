// Text to byte-level training data: UTF-8 bytes are the tokens (a BPE tokenizer with no merges,
// 256 ids), the first (1 - valFraction) of the text trains and the rest validates (nanoGPT's
// Shakespeare-char split), written as llm.c shards: <prefix>_val_000000.bin, <prefix>_train_000001.bin.
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { tokenizerToJSON, trainBpe } from '@lmkit/bpe';
import { writeShard } from '@lmkit/datasets';
import { TrainerConfigError } from '@lmkit/trainer';

export interface ByteData {
  train: string;
  val: string;
  tokenizerJson: unknown;
  trainTokens: number;
  valTokens: number;
}

/** Writes the two shards under `dir` and returns their paths and a byte tokenizer. */
export async function prepareByteData(options: {
  text: string;
  valFraction?: number;
  dir: string;
}): Promise<ByteData> {
  const fraction = options.valFraction ?? 0.1;
  if (!(fraction > 0 && fraction < 1)) {
    throw new TrainerConfigError(`valFraction ${fraction} must lie in (0, 1); use e.g. 0.1`);
  }
  const bytes = readFileSync(options.text);
  const split = Math.floor(bytes.length * (1 - fraction));
  mkdirSync(options.dir, { recursive: true });
  const prefix = basename(options.text)
    .replace(/\.[^.]*$/, '')
    .replace(/[^A-Za-z0-9-]/g, '-');
  const train = join(options.dir, `${prefix}_train_000001.bin`);
  const val = join(options.dir, `${prefix}_val_000000.bin`);
  await writeShard(val, bytes.subarray(split));
  await writeShard(train, bytes.subarray(0, split));
  const tokenizer = await trainBpe({ texts: [], vocabSize: 256, name: 'bytes' });
  return {
    train,
    val,
    tokenizerJson: tokenizerToJSON(tokenizer),
    trainTokens: split,
    valTokens: bytes.length - split,
  };
}
