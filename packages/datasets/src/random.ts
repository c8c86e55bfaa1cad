// A small seeded PRNG (xoshiro128**) whose whole state is four uint32, so a data cursor can carry it
// as JSON and resume the exact same stream. Seeding expands one integer with splitmix32.
// Not cryptographic; meant for shuffling and sampling reproducibly.

export type RandomState = [number, number, number, number];

/** Holds the generator state; `state()` snapshots it, `new SeededRandom(state)` restores it. */
export class SeededRandom {
  #s: Uint32Array;

  constructor(seedOrState: number | readonly number[] = 0) {
    this.#s = new Uint32Array(4);
    if (typeof seedOrState === 'number') {
      let x = seedOrState >>> 0;
      for (let i = 0; i < 4; i++) {
        x = (x + 0x9e3779b9) >>> 0;
        let z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        this.#s[i] = (z ^ (z >>> 16)) >>> 0;
      }
    } else {
      if (
        seedOrState.length !== 4 ||
        !seedOrState.every((v) => Number.isInteger(v) && v >= 0 && v <= 0xffffffff)
      ) {
        throw new RangeError(
          `random state ${JSON.stringify(seedOrState)} is not four uint32; pass a state from state()`,
        );
      }
      this.#s.set(seedOrState);
    }
    if (this.#s.every((v) => v === 0)) this.#s[0] = 1; // the all-zero state is a fixed point
  }

  /** Next uint32. */
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

  /** Uniform float in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [0, n), without modulo bias. */
  nextInt(n: number): number {
    if (n <= 0x100000000 && n > 0) {
      const limit = 4294967296 - (4294967296 % n);
      for (;;) {
        const x = this.nextUint32();
        if (x < limit) return x % n;
      }
    }
    throw new RangeError(`nextInt bound ${n} must be in 1..2^32`);
  }

  state(): RandomState {
    return [this.#s[0], this.#s[1], this.#s[2], this.#s[3]];
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** Fisher–Yates permutation of 0..n-1 drawn from `random`. */
export function permutation(n: number, random: SeededRandom): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = random.nextInt(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
