import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { corpus } from './__fixtures__/reference.ts';
import { bytePairMerge, heapMerge } from './byte-pair-merge.ts';
import type { RankTable } from './rank-table.ts';
import { trainBpe } from './train.ts';

/** The plain definition: merge the lowest-ranked adjacent pair (leftmost on ties) until none. */
function naiveMerge(table: RankTable, bytes: Uint8Array): number[] {
  let parts = Array.from(bytes, (_, i) => [i, i + 1]);
  for (;;) {
    let best = -1;
    let bestRank = Infinity;
    for (let i = 0; i + 1 < parts.length; i++) {
      const r = table.get(bytes, parts[i][0], parts[i + 1][1]);
      if (r >= 0 && r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    if (best < 0) break;
    parts = [
      ...parts.slice(0, best),
      [parts[best][0], parts[best + 1][1]],
      ...parts.slice(best + 2),
    ];
  }
  return parts.map(([s, e]) => table.get(bytes, s, e));
}

describe('byte-pair merging', () => {
  let table: RankTable;
  beforeAll(async () => {
    const tokenizer = await trainBpe({
      texts: [corpus('shakespeare').slice(0, 60_000)],
      vocabSize: 700,
      pattern: String.raw`[\s\S]{1,64}`,
    });
    table = tokenizer.ranks;
  });

  const bytesOf = fc
    .array(fc.constantFrom(...'ae tnsoh\nrTHE'.split('').map((c) => c.charCodeAt(0))), {
      minLength: 1,
      maxLength: 300,
    })
    .map((a) => Uint8Array.from(a));

  it('rescan, heap and the plain definition agree on random byte strings', () => {
    fc.assert(
      fc.property(bytesOf, (bytes) => {
        const expected = naiveMerge(table, bytes);
        const rescan: number[] = [];
        bytePairMerge(table, bytes, bytes.length, rescan);
        const heap: number[] = [];
        heapMerge(table, bytes, bytes.length, heap);
        expect(rescan).toEqual(expected);
        expect(heap).toEqual(expected);
      }),
      { seed: 3, numRuns: 400 },
    );
  });

  it('merges a long run of one letter into the same ids as the plain definition', () => {
    const bytes = new TextEncoder().encode('e'.repeat(2000));
    const heap: number[] = [];
    heapMerge(table, bytes, bytes.length, heap);
    expect(heap).toEqual(naiveMerge(table, bytes));
  });
});
