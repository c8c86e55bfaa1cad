import { describe, expect, it } from 'vitest';
import { Random } from './random.ts';

describe('Random', () => {
  it('is seeded, and continues exactly from a JSON round trip of its state', () => {
    const a = new Random(42);
    expect(new Random(42).next()).toBe(a.next());
    expect(new Random(43).next()).not.toBe(new Random(42).next());
    for (let i = 0; i < 5; i++) a.nextUint32();
    const b = Random.fromState(JSON.parse(JSON.stringify(a.state())));
    const fromA = Array.from({ length: 20 }, () => a.nextUint32());
    expect(Array.from({ length: 20 }, () => b.nextUint32())).toEqual(fromA);
  });

  it('draws uniform floats in [0, 1) and shuffles into a permutation', () => {
    const random = new Random(7);
    const values = Array.from({ length: 10_000 }, () => random.next());
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    expect(values.reduce((s, v) => s + v, 0) / values.length).toBeCloseTo(0.5, 1);
    const shuffled = random.shuffle([...Array(50).keys()]);
    expect([...shuffled].sort((x, y) => x - y)).toEqual([...Array(50).keys()]);
    expect(shuffled).not.toEqual([...Array(50).keys()]);
  });
});
