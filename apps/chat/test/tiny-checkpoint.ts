// Builds a tiny chat checkpoint folder for tests: a BPE tokenizer trained on a slice of Tiny
// Shakespeare with the chat markers as special tokens, and a seeded random 2-layer GPT sized to
// it, saved the way the trainer saves (config.json, model.safetensors, tokenizer.json, manifest).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatSpecialTokens, saveTokenizer, trainBpe } from '@lmkit/bpe';
import { GPT } from '@lmkit/gpt-model';
import { AdamW, writeCheckpoint } from '@lmkit/trainer';

const shakespeare = new URL('../../../data/text/tinyshakespeare.txt', import.meta.url);

/** A base model's tokenizer knows only the document separator, no chat markers. */
const baseSpecialTokens = ['<|endoftext|>'];

async function tinyTokenizer(base = false) {
  const text = readFileSync(shakespeare, 'utf8').slice(0, 20_000);
  const specialTokens = base ? baseSpecialTokens : chatSpecialTokens;
  return trainBpe({
    texts: text.split('\n\n'),
    vocabSize: 256 + 64 + specialTokens.length,
    pattern: 'cl100k_base',
    specialTokens,
  });
}

function tinyModel(vocabSize: number, blockSize: number) {
  const config = { vocabSize, blockSize, nLayer: 2, nHead: 2, nEmbd: 32, dropout: 0, bias: true };
  return new GPT(config, { seed: 42 });
}

/**
 * A trainer run folder written by the trainer itself (writeCheckpoint: weights, optimizer
 * moments, state, tokenizer.json, manifest), one `step-NNNNNNNN` folder per entry.
 */
export async function buildTrainerRun(
  root: string,
  checkpoints: { step: number; blockSize: number }[],
) {
  const tokenizer = await tinyTokenizer();
  for (const { step, blockSize } of checkpoints) {
    const model = tinyModel(tokenizer.vocabSize, blockSize);
    const optimizer = new AdamW(model.parameters);
    const state = {
      step,
      tokensSeen: 0,
      trainingTimeMs: 0,
      dataCursor: null,
      random: null,
      config: {},
      kind: 'sft',
    };
    await writeCheckpoint({
      root,
      step,
      model,
      optimizer,
      state,
      tokenizerJson: tokenizer.toJSON(),
    });
    optimizer.dispose();
    model.dispose();
  }
}

export async function buildTinyCheckpoint(
  dir: string,
  options: { blockSize?: number; manifest?: boolean; base?: boolean } = {},
) {
  const tokenizer = await tinyTokenizer(options.base);
  const model = tinyModel(tokenizer.vocabSize, options.blockSize ?? 128);
  await model.save(dir);
  model.dispose();
  await saveTokenizer(tokenizer, join(dir, 'tokenizer.json'));
  if (options.manifest !== false) {
    const files: Record<string, { sha256: string; bytes: number }> = {};
    for (const name of readdirSync(dir).sort()) {
      const bytes = readFileSync(join(dir, name));
      files[name] = {
        sha256: createHash('sha256').update(bytes).digest('hex'),
        bytes: bytes.length,
      };
    }
    const manifest = { formatVersion: 1, step: 0, createdAt: new Date(0).toISOString(), files };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  }
  return { tokenizer };
}
