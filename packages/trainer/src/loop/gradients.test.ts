import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestBackend } from '../__fixtures__/backend.ts';
import { TrainerConfigError } from '../errors.ts';
import {
  accumulateGradients,
  clipByGlobalNorm,
  clipCoefficient,
  globalNorm,
  gradientAccumulationSteps,
} from './gradients.ts';

beforeAll(useTestBackend);

describe('global-norm clipping', () => {
  it('reports the norm over all tensors and scales down only above the limit', () => {
    const grads: Record<string, tf.Tensor> = { a: tf.tensor1d([3, 0]), b: tf.tensor2d([[0, 4]]) };
    expect(globalNorm(grads)).toBeCloseTo(5, 6);
    expect(clipByGlobalNorm(grads, 1)).toBeCloseTo(5, 6);
    expect(globalNorm(grads)).toBeCloseTo(1, 5);
    expect(Array.from(grads.a.dataSync())[0]).toBeCloseTo(0.6, 5);
    expect(clipByGlobalNorm(grads, 10)).toBeCloseTo(1, 5);
    expect(globalNorm(grads)).toBeCloseTo(1, 5);
    for (const g of Object.values(grads)) g.dispose();
  });

  it('sums odd-sized tensors like a float64 reference (fused or not) and gives the clip scale', () => {
    const grads = {
      a: tf.randomNormal([3, 70_001], 0, 1, 'float32', 4),
      b: tf.randomNormal([17], 0, 1, 'float32', 5),
    };
    let exact = 0;
    for (const g of Object.values(grads)) for (const x of g.dataSync()) exact += x * x;
    expect(Math.abs(globalNorm(grads) - Math.sqrt(exact)) / Math.sqrt(exact)).toBeLessThan(1e-5);
    expect(globalNorm({})).toBe(0);
    expect(clipCoefficient(5, 1)).toBeCloseTo(0.2, 6);
    expect(clipCoefficient(0.5, 1)).toBe(1);
    expect(clipCoefficient(5, undefined)).toBe(1);
    expect(clipCoefficient(Number.NaN, 1)).toBe(1);
    for (const g of Object.values(grads)) g.dispose();
  });
});

describe('gradient accumulation', () => {
  it('derives micro-steps from a total batch in tokens', () => {
    expect(
      gradientAccumulationSteps({ totalBatchTokens: 4096, batchSize: 4, sequenceLength: 256 }),
    ).toBe(4);
    expect(gradientAccumulationSteps({ batchSize: 4, sequenceLength: 256 })).toBe(1);
    expect(() =>
      gradientAccumulationSteps({ totalBatchTokens: 5000, batchSize: 4, sequenceLength: 256 }),
    ).toThrow(/5000 is not a multiple of batchSize × sequenceLength = 1024; use 5120/);
    expect(() =>
      gradientAccumulationSteps({ totalBatchTokens: 512, batchSize: 4, sequenceLength: 256 }),
    ).toThrow(TrainerConfigError);
  });

  it('sums gradients by name', () => {
    const into: Record<string, tf.Tensor> = {};
    accumulateGradients(into, { w: tf.tensor1d([1, 2]) });
    accumulateGradients(into, { w: tf.tensor1d([10, 20]) });
    expect(Array.from(into.w.dataSync())).toEqual([11, 22]);
    into.w.dispose();
  });
});
