// Seeded randomness for datasets, on @lmkit/core's one generator (xoshiro128** seeded through
// SplitMix32). What stays here: the loader cursor's state as four plain words (the format saved in
// checkpoints) and an unbiased integer draw (rejection sampling), which datasets' shuffles and
// identity samples have always used, so their seeded outputs stay the same.

import { SeededRandom } from '@lmkit/core';

export { SeededRandom };

/** The generator state as a loader cursor stores it: four uint32 words. */
export type RandomWords = [number, number, number, number];

/** A generator continuing from four saved words (a loader cursor's `rng`). */
export function randomFromWords(words: readonly number[]): SeededRandom {
  if (words.length !== 4) {
    throw new RangeError(
      `random state ${JSON.stringify(words)} is not four uint32; pass a state from randomWords()`,
    );
  }
  return SeededRandom.fromState({ s: [words[0], words[1], words[2], words[3]] });
}

/** The generator's state as four words. */
export function randomWords(random: SeededRandom): RandomWords {
  return [...random.state().s];
}

/** Uniform integer in [0, n) without modulo bias (rejection sampling on 32-bit draws). */
export function uniformInt(random: SeededRandom, n: number): number {
  if (!(n > 0 && n <= 0x100000000)) throw new RangeError(`bound ${n} must be in 1..2^32`);
  const limit = 4294967296 - (4294967296 % n);
  for (;;) {
    const x = random.nextUint32();
    if (x < limit) return x % n;
  }
}

/** Fisher–Yates permutation of 0..n-1 drawn from `random`. */
export function permutation(n: number, random: SeededRandom): Uint32Array {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = uniformInt(random, i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}
