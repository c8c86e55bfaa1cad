import { describe, expect, it } from 'vitest';
import { permutation, randomFromWords, randomWords, SeededRandom, uniformInt } from './index.ts';

const RECORDED_42 = [2837322924, 544945897, 479756282];
const RECORDED_PERMUTATION_7 = [2, 1, 7, 4, 3, 5, 6, 0];

describe('SeededRandom', () => {
  it('repeats a stream from a seed and resumes it from a saved state', () => {
    const a = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    const saved = JSON.parse(JSON.stringify(randomWords(a)));
    const rest = Array.from({ length: 5 }, () => a.nextUint32());
    const b = new SeededRandom(42);
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    const c = randomFromWords(saved);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).toEqual(rest);
    expect(new SeededRandom(43).nextUint32()).not.toBe(first[0]);
  });

  it('draws integers below the bound roughly uniformly', () => {
    const random = new SeededRandom(1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[uniformInt(random, 6)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(() => uniformInt(random, 0)).toThrow(/bound 0/);
  });

  it('keeps the seeded outputs datasets had before moving onto @lmkit/core', () => {
    // Recorded from datasets' own xoshiro128** before the move: same seeding, same draws.
    const random = new SeededRandom(42);
    expect(Array.from({ length: 3 }, () => random.nextUint32())).toEqual(RECORDED_42);
    expect(Array.from(permutation(8, new SeededRandom(7)))).toEqual(RECORDED_PERMUTATION_7);
  });

  it('permutes every index exactly once', () => {
    const order = permutation(1000, new SeededRandom(7));
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(order.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects a malformed state', () => {
    expect(() => randomFromWords([1, 2, 3])).toThrow(/not four uint32/);
    expect(() => randomFromWords([0, 0, 0, 0])).toThrow(/not four uint32/);
  });
});
