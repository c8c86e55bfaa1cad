import { describe, expect, it } from 'vitest';
import { permutation, SeededRandom } from './index.ts';

describe('SeededRandom', () => {
  it('repeats a stream from a seed and resumes it from a saved state', () => {
    const a = new SeededRandom(42);
    const first = Array.from({ length: 5 }, () => a.nextUint32());
    const saved = JSON.parse(JSON.stringify(a.state()));
    const rest = Array.from({ length: 5 }, () => a.nextUint32());
    const b = new SeededRandom(42);
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(first);
    const c = new SeededRandom(saved);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).toEqual(rest);
    expect(new SeededRandom(43).nextUint32()).not.toBe(first[0]);
  });

  it('draws integers below the bound roughly uniformly', () => {
    const random = new SeededRandom(1);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 6000; i++) counts[random.nextInt(6)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(150);
    expect(() => random.nextInt(0)).toThrow(/bound 0/);
  });

  it('permutes every index exactly once', () => {
    const order = permutation(1000, new SeededRandom(7));
    expect([...order].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(order.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects a malformed state', () => {
    expect(() => new SeededRandom([1, 2, 3])).toThrow(/not four uint32/);
  });
});
