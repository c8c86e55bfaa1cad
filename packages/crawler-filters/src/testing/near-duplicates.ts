// Test corpora with planted near-duplicates at known Jaccard similarity, shared by the dedup tests
// and the MinHash benchmark. Real text in, seeded word edits, the exact Jaccard of the 5-gram sets out.
// Loading texts from the repo's data/ folder is here too; nothing in the library calls it.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@lmkit/core';
import { Parser } from 'htmlparser2';
import { MinHasher, normalizeForMinHash } from '../dedup/minhash.ts';
import type { Document } from '../document.ts';

/** Floats in [0, 1) from @lmkit/core's seeded generator, as a plain function. */
export function seededRandom(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** The set of word n-grams of the normalised text (a text shorter than n is one shingle). */
export function shingleSet(text: string, ngram = 5): Set<string> {
  const words = normalizeForMinHash(text).split(' ').filter(Boolean);
  const shingles = new Set<string>();
  if (words.length === 0) return shingles;
  const n = Math.min(ngram, words.length);
  for (let i = 0; i + n <= words.length; i++) shingles.add(words.slice(i, i + n).join(' '));
  return shingles;
}

/** Exact Jaccard similarity of the two texts' shingle sets (1 when both are empty). */
export function exactJaccard(a: string, b: string, ngram = 5): number {
  return setJaccard(shingleSet(a, ngram), shingleSet(b, ngram));
}

function setJaccard(setA: Set<string>, setB: Set<string>): number {
  if (setA.size === 0 && setB.size === 0) return 1;
  let shared = 0;
  for (const shingle of setA) if (setB.has(shingle)) shared++;
  return shared / (setA.size + setB.size - shared);
}

export interface NearDuplicatePair {
  original: string;
  copy: string;
  /** The Jaccard the edits aimed for. */
  targetJaccard: number;
  /** The exact Jaccard of the two shingle sets. */
  jaccard: number;
}

export interface EditToJaccardOptions {
  text: string;
  targetJaccard: number;
  /** Replacement words (any real vocabulary). */
  vocabulary: readonly string[];
  random: () => number;
  ngram?: number;
}

/**
 * Replaces randomly chosen words of `text` (in a fixed random order, as many as a binary search
 * finds) so that the copy's shingle Jaccard with the original comes closest to the target.
 */
export function editToJaccard(options: EditToJaccardOptions): NearDuplicatePair {
  const { text, targetJaccard, vocabulary, random } = options;
  const ngram = options.ngram ?? 5;
  const words = text.split(/\s+/u).filter(Boolean);
  const order = words.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const replacements = order.map(() => vocabulary[Math.floor(random() * vocabulary.length)]);
  const edited = (count: number) => {
    const copy = words.slice();
    for (let k = 0; k < count; k++) copy[order[k]] = `${replacements[k]}${k % 7 === 0 ? 'x' : ''}`;
    return copy.join(' ');
  };
  const originalSet = shingleSet(text, ngram);
  const similarity = (copy: string) => setJaccard(originalSet, shingleSet(copy, ngram));
  let low = 0;
  let high = words.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (similarity(edited(middle)) > targetJaccard) low = middle + 1;
    else high = middle;
  }
  let best = edited(low);
  let bestJaccard = similarity(best);
  if (low > 0) {
    const before = edited(low - 1);
    const beforeJaccard = similarity(before);
    if (Math.abs(beforeJaccard - targetJaccard) < Math.abs(bestJaccard - targetJaccard)) {
      best = before;
      bestJaccard = beforeJaccard;
    }
  }
  return { original: text, copy: best, targetJaccard, jaccard: bestJaccard };
}

export interface NearDuplicatePairsOptions {
  /** Distinct source texts, one per pair (at least `count`). */
  texts: readonly string[];
  count: number;
  /** Targets spread evenly over this range. Default [0.1, 0.95]. */
  jaccardRange?: [number, number];
  seed?: number;
  ngram?: number;
}

/** `count` pairs with target Jaccard spread evenly over the range, each from its own text. */
export function nearDuplicatePairs(options: NearDuplicatePairsOptions): NearDuplicatePair[] {
  const [from, to] = options.jaccardRange ?? [0.1, 0.95];
  if (options.texts.length < options.count) {
    throw new Error(
      `nearDuplicatePairs needs ${options.count} texts but got ${options.texts.length}; pass more texts or a smaller count`,
    );
  }
  const random = seededRandom(options.seed ?? 1);
  const vocabulary = [...new Set(options.texts.join(' ').split(/\s+/u))].filter(Boolean);
  return Array.from({ length: options.count }, (_, i) =>
    editToJaccard({
      text: options.texts[i],
      targetJaccard: from + ((to - from) * (i + 0.5)) / options.count,
      vocabulary,
      random,
      ngram: options.ngram,
    }),
  );
}

export interface PlantedCorpus {
  documents: Document[];
  /** Every planted pair: the copy's id, the original's id and their exact Jaccard. */
  pairs: { originalId: string; copyId: string; jaccard: number }[];
}

/** Documents from pairs (originals, then the extra texts, then the copies), ids `orig-<i>` / `copy-<i>`. */
export function plantedCorpus(
  pairs: readonly NearDuplicatePair[],
  extraTexts: readonly string[] = [],
): PlantedCorpus {
  const documents: Document[] = [];
  for (const [i, pair] of pairs.entries()) {
    documents.push({ id: `orig-${i}`, text: pair.original, metadata: {} });
  }
  for (const [i, text] of extraTexts.entries()) {
    documents.push({ id: `other-${i}`, text, metadata: {} });
  }
  for (const [i, pair] of pairs.entries()) {
    documents.push({ id: `copy-${i}`, text: pair.copy, metadata: {} });
  }
  return {
    documents,
    pairs: pairs.map((pair, i) => ({
      originalId: `orig-${i}`,
      copyId: `copy-${i}`,
      jaccard: pair.jaccard,
    })),
  };
}

/** Visible text of an HTML document (text nodes outside script/style), paragraphs joined by newlines. */
export function htmlText(html: string): string {
  const parts: string[] = [];
  let skipping = 0;
  const parser = new Parser(
    {
      onopentagname(name) {
        if (name === 'script' || name === 'style') skipping++;
      },
      onclosetag(name) {
        if (name === 'script' || name === 'style') skipping = Math.max(0, skipping - 1);
        else if (/^(p|div|li|h[1-6]|br|tr|pre|blockquote)$/u.test(name)) parts.push('\n');
      },
      ontext(text) {
        if (skipping === 0) parts.push(text);
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return parts
    .join('')
    .replace(/[ \t]+/gu, ' ')
    .replace(/\s*\n\s*/gu, '\n')
    .trim();
}

export interface SampleTextsOptions {
  /** The repo's data/ folder. */
  dataDir: string;
  /** Words per Shakespeare passage. Default 300. */
  passageWords?: number;
  /** Skip texts with fewer words. Default 150. */
  minWords?: number;
  /** Cut longer texts to this many words. Default 400. */
  maxWords?: number;
}

/**
 * Real texts for test corpora: the readability pages' article text (data/html/readability/NAME/
 * expected.html), then consecutive passages of data/text/tinyshakespeare.txt. Texts that share a
 * MinHash bucket with an earlier one (the test pages hold a few near-copies) are left out.
 */
export function sampleTexts(options: SampleTextsOptions): string[] {
  const minWords = options.minWords ?? 150;
  const maxWords = options.maxWords ?? 400;
  const passageWords = options.passageWords ?? 300;
  const candidates: string[] = [];
  const pagesDir = join(options.dataDir, 'html', 'readability');
  for (const name of readdirSync(pagesDir).sort()) {
    let html: string;
    try {
      html = readFileSync(join(pagesDir, name, 'expected.html'), 'utf8');
    } catch {
      continue;
    }
    const words = htmlText(html).split(/[ \t]+/u);
    if (words.length >= minWords) candidates.push(words.slice(0, maxWords).join(' '));
  }
  const words = readFileSync(join(options.dataDir, 'text', 'tinyshakespeare.txt'), 'utf8').split(
    /\s+/u,
  );
  for (let i = 0; i + passageWords <= words.length; i += passageWords) {
    candidates.push(words.slice(i, i + passageWords).join(' '));
  }
  const hasher = new MinHasher();
  const seen = new Set<string>();
  const width = hasher.config.hashesPerBucket;
  return candidates.filter((text) => {
    const signature = hasher.signature(text);
    const keys = Array.from(
      { length: hasher.config.buckets },
      (_, bucket) =>
        `${bucket}:${signature.subarray(bucket * width, (bucket + 1) * width).join(',')}`,
    );
    const duplicate = keys.some((key) => seen.has(key));
    for (const key of keys) seen.add(key);
    return !duplicate;
  });
}
