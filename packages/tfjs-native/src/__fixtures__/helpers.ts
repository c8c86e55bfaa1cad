// Test helpers: seeded random tensors, a tolerance check, and whether the addon is built here
// (tests that need it skip with that reason when it is not).
import * as tf from '@tensorflow/tfjs-core';
import { nativeStatus } from '../index.ts';

export const status = nativeStatus();
export const skipReason = status.available
  ? ''
  : `native addon unavailable (${status.reason}); install libopenblas-dev and run pnpm rebuild`;

let seed = 1;
export function randomTensor(shape: number[]): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', seed++);
}

/** Max |a - b| relative to the reference's scale. */
export function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const a = actual.dataSync();
  const e = expected.dataSync();
  let maxDiff = 0;
  let scale = 0;
  for (let i = 0; i < e.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - e[i]));
    scale = Math.max(scale, Math.abs(e[i]));
  }
  return maxDiff / Math.max(scale, 1e-6);
}

/** Max over elements of |a - e| / max(|e|, floor): a per-element check for wide-ranged values. */
export function elementwiseRelativeError(
  actual: tf.Tensor,
  expected: tf.Tensor,
  floor = 1e-30,
): number {
  const a = actual.dataSync();
  const e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < e.length; i++) {
    worst = Math.max(worst, Math.abs(a[i] - e[i]) / Math.max(Math.abs(e[i]), floor));
  }
  return worst;
}
