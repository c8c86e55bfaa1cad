import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CrawlerFiltersError } from '../errors.ts';
import { nearDuplicatePairs, sampleTexts, shingleSet } from '../testing/near-duplicates.ts';
import {
  EMPTY_SLOT,
  estimateJaccard,
  isEmptySignature,
  MinHasher,
  normalizeForMinHash,
  sharesBucket,
} from './minhash.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../data');

describe('normalizeForMinHash', () => {
  it.each([
    ['Hello,  World!', 'hello world'],
    ["Don't\tstop -- me\n\nnow…", 'dont stop me now'],
    ['  ', ''],
    ['Ünïcödé «quotes» ÀB', 'ünïcödé quotes àb'],
  ])('%j → %j', (input, expected) => {
    expect(normalizeForMinHash(input)).toBe(expected);
  });
});

describe('MinHasher', () => {
  const hasher = new MinHasher({ ngram: 5, buckets: 14, hashesPerBucket: 8, seed: 1 });
  const text = 'the quick brown fox jumps over the lazy dog and runs far away into the woods';

  it('gives 112 slots, equal for texts equal after normalisation', () => {
    const signature = hasher.signature(text);
    expect(signature).toHaveLength(112);
    expect(
      hasher.signature(
        'The QUICK, brown fox; jumps over  the lazy dog and runs far away into the woods!',
      ),
    ).toEqual(signature);
    expect(estimateJaccard(signature, hasher.signature(text))).toBe(1);
  });

  it('depends on the seed and on word order', () => {
    const other = new MinHasher({ seed: 2 });
    expect(estimateJaccard(hasher.signature(text), other.signature(text))).toBeLessThan(0.1);
    const reversed = text.split(' ').reverse().join(' ');
    expect(estimateJaccard(hasher.signature(text), hasher.signature(reversed))).toBeLessThan(0.1);
  });

  it('marks texts without words as empty and hashes short texts as one shingle', () => {
    expect(isEmptySignature(hasher.signature(' ... !!! '))).toBe(true);
    expect(hasher.signature('')[0]).toBe(EMPTY_SLOT);
    const short = hasher.signature('two words');
    expect(isEmptySignature(short)).toBe(false);
    expect(hasher.signature('Two, words.')).toEqual(short);
  });

  it('hashes astral characters, drops emoji symbols, and treats non-breaking space as a separator', () => {
    expect(hasher.signature('a 😀 b c d e')).toEqual(hasher.signature('a b c d e'));
    expect(hasher.signature('a\u00a0b c d e')).toEqual(hasher.signature('a b c d e'));
    expect(hasher.signature('𝒜 b c d e')).not.toEqual(hasher.signature('b c d e'));
  });

  it('hashes any string exactly as its normalizeForMinHash form (property)', () => {
    const piece = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 6 }),
      fc.constantFrom(' ', '\n', '\u00a0', '\u3000', '—', '...', "'s", 'É', 'ß', '😀', '𝒜', 'İ'),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join('');
        expect(hasher.signature(text)).toEqual(hasher.signature(normalizeForMinHash(text)));
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('rejects bad configs and mismatched signatures with clear errors', () => {
    expect(() => new MinHasher({ buckets: 0 })).toThrow(/buckets 0 is not an integer in 1\.\.1024/);
    expect(() => new MinHasher({ seed: 1.5 })).toThrow(CrawlerFiltersError);
    expect(() => estimateJaccard(new Uint32Array(3), new Uint32Array(4))).toThrow(
      /same MinHasher config/,
    );
  });

  it('matches exact Jaccard on small synthetic sets without bias', () => {
    // 40 pairs of texts over disjoint made-up words: the shingle sets overlap by construction.
    let signedError = 0;
    for (let pair = 0; pair < 40; pair++) {
      const shared = Array.from({ length: 60 + pair * 3 }, (_, i) => `w${pair}s${i}`);
      const onlyA = Array.from({ length: 40 }, (_, i) => `w${pair}a${i}`);
      const onlyB = Array.from({ length: 40 }, (_, i) => `w${pair}b${i}`);
      const a = [...shared, ...onlyA].join(' ');
      const b = [...shared, ...onlyB].join(' ');
      const setA = shingleSet(a);
      const setB = shingleSet(b);
      const intersection = [...setA].filter((s) => setB.has(s)).length;
      const truth = intersection / (setA.size + setB.size - intersection);
      signedError += estimateJaccard(hasher.signature(a), hasher.signature(b)) - truth;
    }
    expect(Math.abs(signedError / 40)).toBeLessThan(0.02);
  });
});

describe('MinHash accuracy on 200 real-text pairs at known Jaccard (0.1 to 0.95)', () => {
  const hasher = new MinHasher();
  let rows: { jaccard: number; estimate: number; caught: boolean }[] = [];

  beforeAll(() => {
    const texts = sampleTexts({ dataDir });
    const pairs = nearDuplicatePairs({ texts, count: 200, seed: 1 });
    rows = pairs.map((pair) => {
      const a = hasher.signature(pair.original);
      const b = hasher.signature(pair.copy);
      return { jaccard: pair.jaccard, estimate: estimateJaccard(a, b), caught: sharesBucket(a, b) };
    });
  });

  it('spreads the pairs across the range', () => {
    expect(Math.min(...rows.map((r) => r.jaccard))).toBeLessThan(0.15);
    expect(Math.max(...rows.map((r) => r.jaccard))).toBeGreaterThan(0.9);
  });

  it('estimates with mean signed error within ±0.01 and mean |error| ≤ 0.04', () => {
    const errors = rows.map((r) => r.estimate - r.jaccard);
    const signed = errors.reduce((sum, e) => sum + e, 0) / errors.length;
    const absolute = errors.reduce((sum, e) => sum + Math.abs(e), 0) / errors.length;
    expect(Math.abs(signed)).toBeLessThanOrEqual(0.01);
    expect(absolute).toBeLessThanOrEqual(0.04);
  });

  it('catches ≥ 90 % of pairs at J ≥ 0.8 and ≤ 5 % below 0.5 with 14 buckets × 8', () => {
    const high = rows.filter((r) => r.jaccard >= 0.8);
    const low = rows.filter((r) => r.jaccard < 0.5);
    expect(high.length).toBeGreaterThan(25);
    expect(low.length).toBeGreaterThan(80);
    expect(high.filter((r) => r.caught).length / high.length).toBeGreaterThanOrEqual(0.9);
    expect(low.filter((r) => r.caught).length / low.length).toBeLessThanOrEqual(0.05);
  });
});

describe('MinHasher engines', () => {
  it('gives bit-identical signatures from the WebAssembly SIMD kernel and the JavaScript loop', () => {
    const simd = new MinHasher();
    const js = new MinHasher({ engine: 'js' });
    expect(simd.engine).toBe('wasm-simd');
    expect(js.engine).toBe('js');
    const texts = sampleTexts({ dataDir }).slice(0, 40);
    // A text longer than one kernel call (16,384 shingles) too.
    texts.push(Array.from({ length: 20_000 }, (_, i) => `w${i % 7919}`).join(' '), 'one', '');
    for (const text of texts) expect(simd.signature(text)).toEqual(js.signature(text));
    // Hash counts that are not a multiple of 4 fall back to JavaScript.
    expect(new MinHasher({ buckets: 3, hashesPerBucket: 3 }).engine).toBe('js');
  });
});
