// The speedrun: the whole recipe from text to model on data that ships with the repo.
// Today it runs the stages the packages provide so far: Tiny Shakespeare → byte tokens with BPE
// merges → llm.c shards (validation first) → report. Later stages join as their packages land.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergePair, pairCounts } from '@lmkit/bpe';
import { encodeShardHeader, SHARD_HEADER_BYTES } from '@lmkit/datasets';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const outDir = resolve(process.argv[2] ?? join(repoRoot, 'runs/speedrun'));
const merges = 32;

const started = performance.now();
const text = readFileSync(join(repoRoot, 'data/text/tinyshakespeare.txt'), 'utf8');
console.log(`[data] Tiny Shakespeare: ${text.length.toLocaleString()} characters`);

let ids = Array.from(new TextEncoder().encode(text));
const byteCount = ids.length;
for (let step = 0; step < merges; step++) {
  let best: string | undefined;
  let bestCount = 0;
  for (const [pair, count] of pairCounts(ids)) {
    if (count > bestCount) {
      best = pair;
      bestCount = count;
    }
  }
  if (!best) break;
  const [left, right] = best.split(',').map(Number);
  ids = mergePair(ids, [left, right], 256 + step);
}
console.log(
  `[tokenizer] ${merges} merges: ${byteCount.toLocaleString()} bytes → ${ids.length.toLocaleString()} tokens (${(byteCount / ids.length).toFixed(2)} bytes/token)`,
);

mkdirSync(outDir, { recursive: true });
const validationTokens = Math.floor(ids.length * 0.1);
const splits = { val: ids.slice(0, validationTokens), train: ids.slice(validationTokens) };
for (const [split, tokens] of Object.entries(splits)) {
  const file = new Uint8Array(SHARD_HEADER_BYTES + 2 * tokens.length);
  file.set(encodeShardHeader({ version: 1, tokenCount: tokens.length }));
  new Uint16Array(file.buffer, SHARD_HEADER_BYTES).set(tokens);
  const path = join(outDir, `shakespeare_${split}_000000.bin`);
  writeFileSync(path, file);
  console.log(`[shards] ${path}: ${tokens.length.toLocaleString()} tokens`);
}
console.log(`[done] ${((performance.now() - started) / 1000).toFixed(1)} s`);
