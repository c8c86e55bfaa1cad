import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BpeError } from './errors.ts';
import { RankTable } from './rank-table.ts';

const encoder = new TextEncoder();
// Ranks 0..5 and a gap at 6; the longest token is 'hello' (5 bytes).
const words = ['a', 'b', 'ab', 'hello', 'é', ' a'];
const table = new RankTable([...words.map((w) => encoder.encode(w)), undefined]);

/** A string of the table's pieces and a few other characters (ASCII and not). */
const textOf = fc
  .array(fc.constantFrom('a', 'b', 'h', 'e', 'l', 'o', ' ', 'é', 'x', '\u{1f600}'), {
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

describe('RankTable', () => {
  it('finds each token by its bytes and nothing else', () => {
    words.forEach((w, rank) => {
      const bytes = encoder.encode(`xx${w}x`);
      expect(table.get(bytes, 2, bytes.length - 1)).toBe(rank);
    });
    const other = encoder.encode('hell helloo ba');
    expect([table.get(other, 0, 4), table.get(other, 5, 11), table.get(other, 12, 14)]).toEqual([
      -1, -1, -1,
    ]);
    expect([table.has(5), table.has(6), table.has(-1), table.size, table.maxTokenBytes]).toEqual([
      true,
      false,
      false,
      6,
      5,
    ]);
  });

  it('getAscii agrees with get on ASCII text, says -2 for any other, at every length', () => {
    fc.assert(
      fc.property(textOf, fc.nat(), (text, cut) => {
        const start = cut % (text.length + 1);
        const ascii = table.getAscii(text, start, text.length);
        const piece = text.slice(start);
        if (/[^\x00-\x7f]/.test(piece)) {
          expect(ascii).toBe(-2);
        } else {
          const bytes = encoder.encode(piece);
          expect(ascii).toBe(table.get(bytes, 0, bytes.length));
        }
      }),
      { seed: 11, numRuns: 2000 },
    );
    expect(table.getAscii('hello world', 0, 5)).toBe(3);
    expect(table.getAscii('hello world', 0, 11)).toBe(-1);
    expect(table.getAscii('hello wörld', 0, 11)).toBe(-2);
  });

  it('pairRank is the rank of the two tokens side by side, repeatedly (cached)', () => {
    const pairs: [number, number, number][] = [
      [0, 1, 2],
      [1, 0, -1],
      [0, 0, -1],
      [3, 3, -1],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [a, b, rank] of pairs) expect(table.pairRank(a, b)).toBe(rank);
    }
  });

  it('a table from toData answers as the original', () => {
    const copy = RankTable.fromData(table.toData());
    expect(copy.getAscii(' a', 0, 2)).toBe(5);
    expect(copy.pairRank(0, 1)).toBe(2);
  });

  it('refuses duplicate and empty tokens, naming the ranks', () => {
    expect(() => new RankTable([encoder.encode('ab'), encoder.encode('ab')])).toThrow(
      /ranks 0 and 1 have the same bytes/,
    );
    expect(() => new RankTable([new Uint8Array(0)])).toThrow(BpeError);
  });
});
