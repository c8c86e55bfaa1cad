// Builds a tiny chat checkpoint folder for tests: a BPE tokenizer trained on a slice of Tiny
// Shakespeare with the chat markers as special tokens, and a seeded random 2-layer GPT sized to
// it, saved the way the trainer saves (config.json, model.safetensors, tokenizer.json, manifest).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chatSpecialTokens, saveTokenizer, trainBpe } from '@lmkit/bpe';
import { GPT } from '@lmkit/gpt-model';

const shakespeare = new URL('../../../data/text/tinyshakespeare.txt', import.meta.url);

export async function buildTinyCheckpoint(
  dir: string,
  options: { blockSize?: number; manifest?: boolean } = {},
) {
  const text = readFileSync(shakespeare, 'utf8').slice(0, 20_000);
  const tokenizer = await trainBpe({
    texts: text.split('\n\n'),
    vocabSize: 256 + 64 + chatSpecialTokens.length,
    pattern: 'cl100k_base',
    specialTokens: chatSpecialTokens,
  });
  const model = new GPT(
    {
      vocabSize: tokenizer.vocabSize,
      blockSize: options.blockSize ?? 128,
      nLayer: 2,
      nHead: 2,
      nEmbd: 32,
      dropout: 0,
      bias: true,
    },
    { seed: 42 },
  );
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
