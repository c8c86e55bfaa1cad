// Gradient helpers: global-norm clipping (PyTorch's clip_grad_norm_, as a coefficient the fused
// AdamW applies or as scaled tensors) and the number of micro-steps that gradient accumulation
// needs to reach a total batch given in tokens.
import { sumOfSquares } from '@lmkit/gpt-model/runtime';
import * as tf from '@tensorflow/tfjs-core';
import { TrainerConfigError } from '../errors.ts';

/** The L2 norm over all gradients together, read back as a number. */
export function globalNorm(gradients: Readonly<Record<string, tf.Tensor>>): number {
  const tensors = Object.values(gradients);
  if (tensors.length === 0) return 0;
  const squared = sumOfSquares(tensors);
  const value = squared.dataSync()[0];
  squared.dispose();
  return Math.sqrt(value);
}

/**
 * What clipping multiplies every gradient by: `maxNorm / (norm + 1e-6)` when `norm` exceeds
 * `maxNorm`, else 1 (also when `maxNorm` is undefined or the norm is not finite).
 */
export function clipCoefficient(norm: number, maxNorm: number | undefined): number {
  if (maxNorm === undefined || !Number.isFinite(norm)) return 1;
  return Math.min(1, maxNorm / (norm + 1e-6));
}

/**
 * Scales every gradient by `maxNorm / (norm + 1e-6)` when the global norm exceeds `maxNorm`
 * (in place: the old tensors are disposed and replaced). Returns the norm before clipping.
 * `maxNorm` undefined turns clipping off but still reports the norm.
 */
export function clipByGlobalNorm(
  gradients: Record<string, tf.Tensor>,
  maxNorm: number | undefined,
): number {
  const norm = globalNorm(gradients);
  const coefficient = clipCoefficient(norm, maxNorm);
  if (coefficient === 1) return norm;
  for (const [name, gradient] of Object.entries(gradients)) {
    gradients[name] = tf.tidy(() => tf.mul(gradient, coefficient));
    gradient.dispose();
  }
  return norm;
}

/**
 * Micro-steps per optimizer step: `totalBatchTokens / (batchSize × sequenceLength)`, which must
 * divide exactly. `gradientAccumulationSteps({ totalBatchTokens: 4096, batchSize: 4, sequenceLength: 256 })` → 4.
 */
export function gradientAccumulationSteps(options: {
  totalBatchTokens?: number;
  batchSize: number;
  sequenceLength: number;
}): number {
  const { totalBatchTokens, batchSize, sequenceLength } = options;
  const microTokens = batchSize * sequenceLength;
  if (totalBatchTokens === undefined) return 1;
  if (!Number.isInteger(totalBatchTokens) || totalBatchTokens < microTokens) {
    throw new TrainerConfigError(
      `totalBatchTokens ${totalBatchTokens} is below one micro-batch of ${batchSize} × ${sequenceLength} = ${microTokens} tokens; raise it or lower batchSize`,
    );
  }
  if (totalBatchTokens % microTokens !== 0) {
    throw new TrainerConfigError(
      `totalBatchTokens ${totalBatchTokens} is not a multiple of batchSize × sequenceLength = ${microTokens}; use ${Math.round(totalBatchTokens / microTokens) * microTokens}`,
    );
  }
  return totalBatchTokens / microTokens;
}

/** Adds `next` into the running sums `into` (by name), disposing what it replaces. */
export function accumulateGradients(
  into: Record<string, tf.Tensor>,
  next: Readonly<Record<string, tf.Tensor>>,
): void {
  for (const [name, gradient] of Object.entries(next)) {
    const previous = into[name];
    if (previous) {
      into[name] = tf.add(previous, gradient);
      previous.dispose();
      gradient.dispose();
    } else {
      into[name] = gradient;
    }
  }
}
