// Choosing the next token from one row of logits: greedy at temperature 0, otherwise softmax at a
// temperature restricted to the top k and/or the top-p nucleus of the sorted distribution.
import type { SamplingOptions, SeededRandom } from '@lmkit/core';
import { GPTModelError } from './errors.ts';

export type { SamplingOptions };

export function checkSamplingOptions(options: SamplingOptions): void {
  const { temperature = 1, topK, topP } = options;
  if (typeof temperature !== 'number' || !(temperature >= 0) || !Number.isFinite(temperature))
    throw new GPTModelError(`temperature is ${temperature}; use 0 (greedy) or a positive number`);
  if (topK !== undefined && (!Number.isInteger(topK) || topK < 1))
    throw new GPTModelError(`topK is ${topK}; use a positive integer or leave it out`);
  if (topP !== undefined && !(topP > 0 && topP <= 1))
    throw new GPTModelError(`topP is ${topP}; use a number in (0, 1] or leave it out`);
}

export function argmax(row: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
}

/** Indices of the k largest values, largest first. */
function topIndices(row: ArrayLike<number>, k: number): number[] {
  if (k >= row.length) {
    return Array.from({ length: row.length }, (_, i) => i).sort((a, b) => row[b] - row[a]);
  }
  // Keep a sorted window of the best k seen so far; cheap for the small k used in sampling.
  const best: number[] = [];
  for (let i = 0; i < row.length; i++) {
    const value = row[i];
    if (best.length === k && value <= row[best[k - 1]]) continue;
    let at = best.length === k ? k - 1 : best.length;
    while (at > 0 && row[best[at - 1]] < value) at--;
    best.splice(at, 0, i);
    if (best.length > k) best.pop();
  }
  return best;
}

export function sampleToken(
  row: Float32Array,
  options: SamplingOptions,
  rng: SeededRandom,
): number {
  const temperature = options.temperature ?? 1;
  if (temperature === 0) return argmax(row);
  const restricted = options.topK !== undefined || options.topP !== undefined;
  const candidates = restricted
    ? topIndices(row, Math.min(options.topK ?? row.length, row.length))
    : null;
  const count = candidates ? candidates.length : row.length;
  const max = candidates ? row[candidates[0]] : row[argmax(row)];
  const weights = new Float64Array(count);
  let total = 0;
  for (let i = 0; i < count; i++) {
    const value = row[candidates ? candidates[i] : i];
    weights[i] = Math.exp((value - max) / temperature);
    total += weights[i];
  }
  let kept = count;
  if (options.topP !== undefined && options.topP < 1) {
    let cumulative = 0;
    for (kept = 0; kept < count; ) {
      cumulative += weights[kept++] / total;
      if (cumulative >= options.topP) break;
    }
    total = 0;
    for (let i = 0; i < kept; i++) total += weights[i];
  }
  let u = rng.next() * total;
  for (let i = 0; i < kept; i++) {
    u -= weights[i];
    if (u < 0) return candidates ? candidates[i] : i;
  }
  return candidates ? candidates[kept - 1] : kept - 1;
}
