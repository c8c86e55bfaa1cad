// A seeded pseudo-random generator (xoshiro128**) whose whole state is four uint32 words, so a
// checkpoint can store it as JSON and a resumed run draws the same numbers. Not cryptographic.

/** JSON-serialisable generator state. */
export interface RandomState {
  s: [number, number, number, number];
}

function splitMix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** xoshiro128** seeded through SplitMix32. */
export class Random {
  private s: Uint32Array;

  constructor(seed = 0) {
    const next = splitMix32(seed);
    this.s = new Uint32Array([next(), next(), next(), next()]);
    if (this.s.every((word) => word === 0)) this.s[0] = 1;
  }

  /** A generator that continues exactly where `state` was taken. */
  static fromState(state: RandomState): Random {
    const random = new Random(0);
    random.s = Uint32Array.from(state.s);
    return random;
  }

  /** A copy of the current state, safe to JSON.stringify. */
  state(): RandomState {
    const [a, b, c, d] = this.s;
    return { s: [a, b, c, d] };
  }

  /** The next uint32. */
  nextUint32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.nextInt(i + 1);
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
