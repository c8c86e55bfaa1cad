import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from './random.ts';

describe('SeededRandom', () => {
  it('gives xoshiro128** known values for seed 0 (SplitMix32 seeding)', () => {
    const random = new SeededRandom(0);
    const first = [random.nextUint32(), random.nextUint32(), random.nextUint32()];
    // Recomputed independently below from the published algorithm.
    const s = new Uint32Array(4);
    let x = 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    const rotl = (v: number, k: number) => ((v << k) | (v >>> (32 - k))) >>> 0;
    const expected: number[] = [];
    for (let n = 0; n < 3; n++) {
      expected.push(Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0);
      const t = s[1] << 9;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 11);
    }
    expect(first).toEqual(expected);
  });

  it('resumes from a JSON round trip of its state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(50), (seed, skip) => {
        const a = new SeededRandom(seed);
        for (let i = 0; i < skip; i++) a.next();
        const b = SeededRandom.fromState(JSON.parse(JSON.stringify(a.state())));
        for (let i = 0; i < 10; i++) expect(b.nextUint32()).toBe(a.nextUint32());
      }),
    );
  });

  it('refuses a malformed state, naming it', () => {
    expect(() => SeededRandom.fromState({ s: [0, 0, 0, 0] })).toThrow(/four uint32 words/);
    expect(() => SeededRandom.fromState({ s: [1, 2, 3] } as never)).toThrow(/\[1,2,3\]/);
  });

  it('keeps nextInt in range and shuffles to a permutation', () => {
    const random = new SeededRandom(7);
    for (let i = 0; i < 1000; i++) {
      const v = random.nextInt(6);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(6);
    }
    expect(() => random.nextInt(0)).toThrow(/n must be an integer/);
    const items = Array.from({ length: 20 }, (_, i) => i);
    expect([...random.shuffle([...items])].sort((p, q) => p - q)).toEqual(items);
  });

  it('draws standard normals with mean near 0 and variance near 1', () => {
    const values = new SeededRandom(3).normalArray(20000, 1);
    const mean = values.reduce((p, v) => p + v, 0) / values.length;
    const variance = values.reduce((p, v) => p + (v - mean) ** 2, 0) / values.length;
    expect(Math.abs(mean)).toBeLessThan(0.03);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });
});
