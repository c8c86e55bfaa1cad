// Exactness against the references: gpt-tokenizer's TestPlans.txt, js-tiktoken on random awkward
// strings and on whole corpora (Shakespeare, Chinese man pages, TypeScript source).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { awkwardString } from './__fixtures__/arbitraries.ts';
import { corpus, ourTokenizer, referenceTokenizer, testPlans } from './__fixtures__/reference.ts';
import type { BuiltinPatternName } from './patterns.ts';

const names: BuiltinPatternName[] = ['r50k_base', 'cl100k_base', 'o200k_base'];

describe('encodings equal the references', () => {
  const plans = testPlans().filter((p) => (names as string[]).includes(p.encoding));

  it('covers every TestPlans.txt case of r50k_base, cl100k_base and o200k_base', async () => {
    expect(plans.length).toBeGreaterThan(150);
    for (const plan of plans) {
      const tokenizer = await ourTokenizer(plan.encoding as BuiltinPatternName);
      expect(tokenizer.encode(plan.sample, { allowedSpecial: 'all' }), plan.sample).toEqual(
        plan.encoded,
      );
    }
  });

  for (const name of names) {
    it(`${name}: equals js-tiktoken on random awkward strings`, async () => {
      const ours = await ourTokenizer(name);
      const reference = referenceTokenizer(name);
      fc.assert(
        fc.property(awkwardString, (text) => {
          expect(ours.encodeOrdinary(text)).toEqual(reference.encode(text, [], []));
        }),
        { seed: 7, numRuns: 1000 },
      );
    });

    it(`${name}: equals js-tiktoken on Shakespeare, Chinese and TypeScript`, async () => {
      const ours = await ourTokenizer(name);
      const reference = referenceTokenizer(name);
      for (const which of ['shakespeare', 'chinese', 'code'] as const) {
        const text = which === 'shakespeare' ? corpus(which).slice(0, 200_000) : corpus(which);
        ours.clearCache();
        const ids = ours.encodeOrdinary(text);
        expect(ids).toEqual(reference.encode(text, [], []));
        expect(ours.decode(ids)).toBe(text);
      }
    });
  }

  it('encodes pieces longer than the rescan limit through the heap path, as the reference', async () => {
    const ours = await ourTokenizer('cl100k_base');
    const reference = referenceTokenizer('cl100k_base');
    for (const text of ['a'.repeat(700), ' '.repeat(500), '😀'.repeat(150), 'xyzzy'.repeat(120)]) {
      expect(ours.encodeOrdinary(text)).toEqual(reference.encode(text, [], []));
    }
  });
});
