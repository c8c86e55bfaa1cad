// One seeded pseudo-random generator for the whole toolkit: xoshiro128** seeded through SplitMix32.
// Its whole state is four uint32 words, so a checkpoint stores it as JSON and a resumed run draws the
// same numbers. Not cryptographic. Weight initialisation, sampling, shuffles and splits all use it.

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

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/**
 * xoshiro128** seeded through SplitMix32.
 * @example
 * const random = new SeededRandom(42);
 * random.nextInt(6); // 0..5, the same on every run and machine
 * const saved = random.state(); // JSON-safe
 * SeededRandom.fromState(saved).next() === random.next(); // true
 */
export class SeededRandom {
  #s: Uint32Array;
  #spareNormal: number | undefined;

  constructor(seed = 0) {
    const next = splitMix32(seed);
    this.#s = new Uint32Array([next(), next(), next(), next()]);
    if (this.#s.every((word) => word === 0)) this.#s[0] = 1;
  }

  /** A generator that continues exactly where `state` was taken. */
  static fromState(state: RandomState): SeededRandom {
    const words = state?.s;
    if (
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff) ||
      words.every((w) => w === 0)
    ) {
      throw new RangeError(
        `random state ${JSON.stringify(state)} is not four uint32 words (not all zero); pass what state() returned`,
      );
    }
    const random = new SeededRandom(0);
    random.#s = Uint32Array.from(words);
    return random;
  }

  /** A copy of the current state, safe to JSON.stringify. (A pending normal() spare is not kept.) */
  state(): RandomState {
    const [a, b, c, d] = this.#s;
    return { s: [a, b, c, d] };
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.#s;
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

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer in [0, n): floor(next() · n), bias below 2^-32 · n. */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 0xffffffff)
      throw new RangeError(`nextInt(${n}): n must be an integer in [1, 2^32]`);
    return Math.floor(this.next() * n);
  }

  /** A standard normal sample (Box–Muller; the second value is kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== undefined) {
      const value = this.#spareNormal;
      this.#spareNormal = undefined;
      return value;
    }
    const u = 1 - this.next();
    const v = this.next();
    const radius = Math.sqrt(-2 * Math.log(u));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  }

  /** `count` normal samples scaled by `std`, as float32. */
  normalArray(count: number, std: number): Float32Array {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = this.normal() * std;
    return out;
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
