// MinHash: @lmkit/crawler-filters' MinHasher against the `minhash` npm package, both with 112
// hashes (14 buckets × 8) over the same word 5-grams: accuracy on 200 real-text pairs of known
// Jaccard (0.1–0.95), then signature speed on the same texts (our SIMD and plain-JS inner loops).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  estimateJaccard,
  MinHasher,
  normalizeForMinHash,
  sharesBucket,
} from '@lmkit/crawler-filters/dedup';
import { nearDuplicatePairs, sampleTexts } from '@lmkit/crawler-filters/testing';
import { bench } from './harness.ts';

interface NpmMinhash {
  hashvalues: number[];
  update(shingle: string): void;
  jaccard(other: NpmMinhash): number;
}

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'data');

function shingles(text: string): string[] {
  const words = normalizeForMinHash(text).split(' ').filter(Boolean);
  const n = Math.min(5, words.length);
  const out: string[] = [];
  for (let i = 0; i + n <= words.length && n > 0; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

export async function run() {
  const require = createRequire(import.meta.url);
  const { Minhash } = require('minhash') as {
    Minhash: new (config: { numPerm: number; seed: number }) => NpmMinhash;
  };
  const npmSignature = (text: string) => {
    const minhash = new Minhash({ numPerm: 112, seed: 1 });
    for (const shingle of shingles(text)) minhash.update(shingle);
    return minhash;
  };
  const hasher = new MinHasher({ ngram: 5, buckets: 14, hashesPerBucket: 8, seed: 1 });
  const jsHasher = new MinHasher({ engine: 'js' });
  const texts = sampleTexts({ dataDir });
  const pairs = nearDuplicatePairs({ texts, count: 200, seed: 1 });

  const rows: string[] = [];
  for (const [name, signature] of [
    ['@lmkit/crawler-filters MinHasher', (t: string) => Uint32Array.from(hasher.signature(t))],
    ['minhash 0.0.9 (npm)', (t: string) => Uint32Array.from(npmSignature(t).hashvalues)],
  ] as const) {
    let signed = 0;
    let absolute = 0;
    let high = 0;
    let highCaught = 0;
    let low = 0;
    let lowCaught = 0;
    for (const pair of pairs) {
      const a = signature(pair.original);
      const b = signature(pair.copy);
      const error = estimateJaccard(a, b) - pair.jaccard;
      signed += error;
      absolute += Math.abs(error);
      if (pair.jaccard >= 0.8) {
        high++;
        if (sharesBucket(a, b)) highCaught++;
      }
      if (pair.jaccard < 0.5) {
        low++;
        if (sharesBucket(a, b)) lowCaught++;
      }
    }
    rows.push(
      `| ${name} | ${(signed / pairs.length).toFixed(4)} | ${(absolute / pairs.length).toFixed(4)} | ` +
        `${((100 * highCaught) / high).toFixed(1)} % (${highCaught}/${high}) | ${((100 * lowCaught) / low).toFixed(1)} % (${lowCaught}/${low}) |`,
    );
  }
  console.log(
    '\n## MinHash accuracy, 200 pairs of real text at known Jaccard 0.1–0.95 (112 hashes, 14 × 8 buckets)',
  );
  console.log(
    '| engine | mean signed error | mean abs error | caught, J ≥ 0.8 | caught, J < 0.5 |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) console.log(row);

  const corpus = texts.slice(0, 300);
  const megabytes = Buffer.byteLength(corpus.join('\n')) / 1e6;
  bench({
    title: `MinHash signatures (112 hashes, word 5-grams), ${corpus.length} texts, ${megabytes.toFixed(2)} MB`,
    units: { amount: megabytes, label: 'MB' },
    rounds: 5,
    baseline: 'minhash 0.0.9 (npm)',
    contenders: [
      {
        name: '@lmkit/crawler-filters MinHasher (wasm SIMD)',
        run: () => corpus.map((t) => hasher.signature(t)[0]),
      },
      {
        name: '@lmkit/crawler-filters MinHasher (engine js)',
        run: () => corpus.map((t) => jsHasher.signature(t)[0]),
      },
      { name: 'minhash 0.0.9 (npm)', run: () => corpus.map((t) => npmSignature(t).hashvalues[0]) },
    ],
  });
}
