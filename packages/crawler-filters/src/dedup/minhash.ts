// MinHash signatures as FineWeb computes them: word 5-grams of normalised text, 14 buckets × 8 hashes.
// Shingles get a 32-bit key; the 112 hash functions are simple tabulation hashes of its 4 bytes
// (3-independent, min-wise within a small bias, Pătrașcu & Thorup 2012), all integer, on typed arrays.

import { SeededRandom } from '@lmkit/core';
import { CrawlerFiltersError } from '../errors.ts';
import { createSimdKernel, type SimdMinHashKernel } from './minhash-simd.ts';

export interface MinHashConfig {
  /** Words per shingle. Default 5 (FineWeb). */
  ngram: number;
  /** LSH buckets (bands). Default 14 (FineWeb). */
  buckets: number;
  /** Hashes per bucket. Default 8 (FineWeb); 14 × 8 = 112 hashes. */
  hashesPerBucket: number;
  /** Seed of the hash family; equal seeds give comparable signatures. Default 1 (FineWeb). */
  seed: number;
}

export interface MinHasherOptions extends Partial<MinHashConfig> {
  /**
   * `auto` (default) runs the inner loop as a WebAssembly SIMD kernel where available; `js` keeps
   * it in JavaScript. Both give identical signatures.
   */
  engine?: 'auto' | 'js';
}

export const defaultMinHashConfig: Readonly<MinHashConfig> = Object.freeze({
  ngram: 5,
  buckets: 14,
  hashesPerBucket: 8,
  seed: 1,
});

/** Value of every slot of a signature of a text with no words. */
export const EMPTY_SLOT = 0xffffffff;

const PUNCTUATION = /[\p{P}\p{S}]+/gu;
const WHITESPACE = /\s+/u;
/** Byte positions of the 32-bit shingle key: 4 tables of 256 entries each, per hash function. */
const KEY_BYTES = 4;
const UNKNOWN = 0;
const WORD = 1;
const SKIP = 2;
const SPACE = 3;

/** Character class under FineWeb's normalisation: whitespace separates, punctuation vanishes. */
function classify(char: string): number {
  if (/^\s$/u.test(char)) return SPACE;
  if (/^[\p{P}\p{S}]$/u.test(char)) return SKIP;
  return WORD;
}

/**
 * FineWeb's text normalisation before shingling: lowercase, punctuation and symbols removed,
 * whitespace runs collapsed. `normalizeForMinHash("Hello,  World!")` → `"hello world"`.
 */
export function normalizeForMinHash(text: string): string {
  return text.toLowerCase().replace(PUNCTUATION, '').split(WHITESPACE).filter(Boolean).join(' ');
}

function fmix32(value: number): number {
  let h = value;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function checkPositiveInteger(name: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new CrawlerFiltersError(
      'invalid-minhash-config',
      `MinHash ${name} ${value} is not an integer in 1..${max}; pass e.g. ${name}: ${defaultMinHashConfig[name as keyof MinHashConfig]}`,
    );
  }
}

/**
 * Computes MinHash signatures. Holds the hash family (about 460 kB of tables for 112 hashes).
 *
 * @example
 * const hasher = new MinHasher({ ngram: 5, buckets: 14, hashesPerBucket: 8, seed: 1 });
 * estimateJaccard(hasher.signature(a), hasher.signature(b)); // ≈ Jaccard of their 5-gram sets
 */
export class MinHasher {
  readonly config: Readonly<MinHashConfig>;
  /** buckets × hashesPerBucket. */
  readonly hashCount: number;
  /** (KEY_BYTES × 256) rows of hashCount values: row (byte position p, byte value v) is p*256+v. */
  private readonly table: Uint32Array;
  private wordHashes = new Uint32Array(1024);
  private shingleKeys = new Uint32Array(1024);
  private readonly kernel: SimdMinHashKernel | undefined;
  /** Memo of `classify` per UTF-16 code unit (0 = not yet classified). */
  private readonly charClasses = new Uint8Array(65536);

  constructor(options: MinHasherOptions = {}) {
    const config: MinHashConfig = {
      ngram: options.ngram ?? defaultMinHashConfig.ngram,
      buckets: options.buckets ?? defaultMinHashConfig.buckets,
      hashesPerBucket: options.hashesPerBucket ?? defaultMinHashConfig.hashesPerBucket,
      seed: options.seed ?? defaultMinHashConfig.seed,
    };
    checkPositiveInteger('ngram', config.ngram, 64);
    checkPositiveInteger('buckets', config.buckets, 1024);
    checkPositiveInteger('hashesPerBucket', config.hashesPerBucket, 1024);
    if (!Number.isInteger(config.seed)) {
      throw new CrawlerFiltersError(
        'invalid-minhash-config',
        `MinHash seed ${config.seed} is not an integer; pass an integer such as 1`,
      );
    }
    this.config = Object.freeze(config);
    this.hashCount = config.buckets * config.hashesPerBucket;
    // The tabulation tables: 32-bit draws of @lmkit/core's seeded generator.
    const random = new SeededRandom(fmix32(config.seed ^ 0x6d696e68));
    this.table = new Uint32Array(KEY_BYTES * 256 * this.hashCount);
    for (let i = 0; i < this.table.length; i++) this.table[i] = random.nextUint32();
    this.kernel =
      options.engine === 'js' ? undefined : createSimdKernel(this.table, this.hashCount);
  }

  /** Which inner loop this hasher runs. */
  get engine(): 'wasm-simd' | 'js' {
    return this.kernel ? 'wasm-simd' : 'js';
  }

  /** The 112 (by default) minima of the text's shingle hashes; a text without words gives all EMPTY_SLOT. */
  signature(text: string): Uint32Array {
    const wordCount = this.hashWords(text);
    if (wordCount === 0) return new Uint32Array(this.hashCount).fill(EMPTY_SLOT);
    const n = Math.min(this.config.ngram, wordCount);
    const count = wordCount - n + 1;
    if (this.shingleKeys.length < count) this.shingleKeys = new Uint32Array(this.wordHashes.length);
    const words = this.wordHashes;
    const keys = this.shingleKeys;
    for (let start = 0; start < count; start++) {
      let key = 0x2545f491;
      for (let j = start; j < start + n; j++) {
        key = Math.imul(((key << 5) | (key >>> 27)) ^ words[j], 0x9e3779b1);
      }
      keys[start] = fmix32(key ^ n);
    }
    if (this.kernel) return this.kernel.signature(keys, count);
    const signature = new Uint32Array(this.hashCount).fill(EMPTY_SLOT);
    for (let i = 0; i < count; i++) this.update(signature, keys[i]);
    return signature;
  }

  /**
   * Hashes each word of the text, normalised as `normalizeForMinHash` does, in one pass without
   * building the normalised string; returns the word count (hashes in `wordHashes`).
   */
  private hashWords(text: string): number {
    const lower = text.toLowerCase();
    const classes = this.charClasses;
    let count = 0;
    let hash = 0x811c9dc5;
    let length = 0;
    for (let i = 0; i <= lower.length; i++) {
      let code = 32;
      let kind = SPACE;
      if (i < lower.length) {
        code = lower.charCodeAt(i);
        if (code >= 0xd800 && code < 0xdc00 && i + 1 < lower.length) {
          const point = lower.codePointAt(i)!;
          kind = classify(String.fromCodePoint(point));
          if (kind === WORD) {
            hash = Math.imul(hash ^ code, 0x01000193);
            code = lower.charCodeAt(++i);
          } else {
            i++;
          }
        } else {
          kind = classes[code];
          if (kind === UNKNOWN) kind = classes[code] = classify(String.fromCharCode(code));
        }
      }
      if (kind === WORD) {
        hash = Math.imul(hash ^ code, 0x01000193);
        length++;
      } else if (kind === SPACE && length > 0) {
        if (count === this.wordHashes.length) this.growWords();
        this.wordHashes[count++] = fmix32(hash ^ length);
        hash = 0x811c9dc5;
        length = 0;
      }
    }
    return count;
  }

  private growWords(): void {
    const grown = new Uint32Array(this.wordHashes.length * 2);
    grown.set(this.wordHashes);
    this.wordHashes = grown;
  }

  /** Folds one 32-bit shingle key into the running minima: 4 table rows XORed per hash function. */
  private update(signature: Uint32Array, key: number): void {
    const k = this.hashCount;
    const t = this.table;
    const r0 = (key & 255) * k;
    const r1 = (256 + ((key >>> 8) & 255)) * k;
    const r2 = (512 + ((key >>> 16) & 255)) * k;
    const r3 = (768 + (key >>> 24)) * k;
    for (let i = 0; i < k; i++) {
      const value = (t[r0 + i] ^ t[r1 + i] ^ t[r2 + i] ^ t[r3 + i]) >>> 0;
      if (value < signature[i]) signature[i] = value;
    }
  }
}

/** True when the signature came from a text without words (such texts never count as duplicates). */
export function isEmptySignature(signature: Uint32Array): boolean {
  for (let i = 0; i < signature.length; i++) if (signature[i] !== EMPTY_SLOT) return false;
  return true;
}

/** Fraction of equal slots: an unbiased estimate of the Jaccard similarity of the two shingle sets. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length || a.length === 0) {
    throw new CrawlerFiltersError(
      'signature-length-mismatch',
      `signatures of lengths ${a.length} and ${b.length} cannot be compared; compute both with the same MinHasher config`,
    );
  }
  let equal = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) equal++;
  return equal / a.length;
}

/** True when the two signatures agree on every hash of at least one bucket (an LSH candidate pair). */
export function sharesBucket(
  a: Uint32Array,
  b: Uint32Array,
  config: Pick<MinHashConfig, 'buckets' | 'hashesPerBucket'> = defaultMinHashConfig,
): boolean {
  for (let bucket = 0; bucket < config.buckets; bucket++) {
    let same = true;
    const start = bucket * config.hashesPerBucket;
    for (let i = start; i < start + config.hashesPerBucket; i++) {
      if (a[i] !== b[i]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}
