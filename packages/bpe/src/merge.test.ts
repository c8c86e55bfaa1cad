import { describe, expect, it } from 'vitest';
import { mergePair, pairCounts } from './index.ts';

describe('BPE primitives', () => {
  it('reproduces minbpe: "aaabdaaabac" with 3 merges gives [258, 100, 258, 97, 99]', () => {
    let ids = Array.from(new TextEncoder().encode('aaabdaaabac'));
    for (let newId = 256; newId < 259; newId++) {
      const counts = pairCounts(ids);
      let best = '';
      let bestCount = -1;
      for (const [key, count] of counts) {
        if (count > bestCount) {
          best = key;
          bestCount = count;
        }
      }
      const [left, right] = best.split(',').map(Number);
      ids = mergePair(ids, [left, right], newId);
    }
    expect(ids).toEqual([258, 100, 258, 97, 99]);
  });

  it('merges left to right without overlap', () => {
    expect(mergePair([1, 1, 1], [1, 1], 9)).toEqual([9, 1]);
    expect(pairCounts([1, 2, 3, 1, 2]).get('1,2')).toBe(2);
  });
});
