// MinHash dedup end to end: runDedup's four stages through files (signatures, bucket merge,
// clusters, filter) over JSONL with planted near-duplicates, in this thread and in 2 worker threads.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDedup } from '@lmkit/crawler-filters';
import { nearDuplicatePairs, plantedCorpus, sampleTexts } from '@lmkit/crawler-filters/testing';
import { median } from './harness.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

export async function run() {
  const root = await mkdtemp(join(tmpdir(), 'lmkit-bench-dedup-'));
  try {
    const texts = sampleTexts({ dataDir });
    const corpus = plantedCorpus(
      nearDuplicatePairs({ texts, count: 300, seed: 2 }),
      texts.slice(300),
    );
    const files = 4;
    const inputs: string[] = [];
    const perFile = Math.ceil(corpus.documents.length / files);
    for (let i = 0; i < files; i++) {
      const lines = corpus.documents
        .slice(i * perFile, (i + 1) * perFile)
        .map((d) => JSON.stringify(d));
      inputs.push(join(root, `part-${i}.jsonl`));
      await writeFile(inputs[i], `${lines.join('\n')}\n`);
    }
    const megabytes = Buffer.byteLength(corpus.documents.map((d) => d.text).join('\n')) / 1e6;
    console.log(
      `\n## MinHash dedup end to end (runDedup), ${corpus.documents.length} documents, ${megabytes.toFixed(2)} MB, 4 files`,
    );
    console.log('| setup | median ms | documents/s | duplicates removed |');
    console.log('| --- | --- | --- | --- |');
    for (const [name, concurrency] of [
      ['4 tasks, this thread', 1],
      ['4 tasks, 2 worker threads', 2],
    ] as const) {
      const samples: number[] = [];
      let duplicates = 0;
      for (let round = 0; round < 3; round++) {
        const start = performance.now();
        const summary = await runDedup({
          inputs,
          workDir: join(root, 'work'),
          outputDir: join(root, 'out'),
          taskCount: files,
          concurrency,
        });
        samples.push(performance.now() - start);
        duplicates = summary.duplicates;
      }
      const ms = median(samples);
      console.log(
        `| ${name} | ${ms.toFixed(0)} | ${((corpus.documents.length * 1000) / ms).toFixed(0)} | ${duplicates} |`,
      );
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
