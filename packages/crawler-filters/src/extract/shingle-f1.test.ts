import { describe, expect, it } from 'vitest';
import { meanShingleF1, shingleScore } from './shingle-f1.ts';

describe('shingle F1', () => {
  it('is 1/1 for identical texts, whatever the whitespace and punctuation between words', () => {
    expect(
      shingleScore({ predicted: 'one two, three\nfour five', truth: 'one two three four five' }),
    ).toEqual({ precision: 1, recall: 1 });
  });

  it('counts extra shingles against precision and missing ones against recall', () => {
    // truth shingles: [a b c d]; predicted: [a b c d], [b c d e] → tp 1, fp 1, fn 0
    expect(shingleScore({ predicted: 'a b c d e', truth: 'a b c d' })).toEqual({
      precision: 0.5,
      recall: 1,
    });
    // truth: [a b c d], [b c d e], [c d e f]; predicted: [a b c d] → tp 1, fn 2
    expect(shingleScore({ predicted: 'a b c d', truth: 'a b c d e f' })).toEqual({
      precision: 1,
      recall: 1 / 3,
    });
  });

  it('uses counts, so a repeated passage is a false positive', () => {
    const once = 'w x y z';
    expect(shingleScore({ predicted: `${once} ${once}`, truth: once }).precision); // 5 shingles, 1 matches.toBeCloseTo(1 / 5);
  });

  it('handles empty texts and texts shorter than a shingle', () => {
    expect(shingleScore({ predicted: '', truth: '' })).toEqual({ precision: 1, recall: 1 });
    expect(shingleScore({ predicted: '', truth: 'a b c d' })).toEqual({ precision: 0, recall: 0 });
    expect(shingleScore({ predicted: 'hi there', truth: 'hi there' })).toEqual({
      precision: 1,
      recall: 1,
    });
  });

  it('averages precision and recall over pages, then takes F1 of the means', () => {
    const result = meanShingleF1([
      { precision: 1, recall: 0.5 },
      { precision: 0.5, recall: 1 },
    ]);
    expect(result.precision).toBe(0.75);
    expect(result.recall).toBe(0.75);
    expect(result.f1).toBeCloseTo(0.75);
  });
});
