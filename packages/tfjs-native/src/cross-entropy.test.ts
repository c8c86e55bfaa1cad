// The cross-entropy kernels through the runtime's `crossEntropy`: native loss and gradients
// against the tfjs ops it runs without them and the definition, thread counts, masks, bad input.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, describe, expect, it } from 'vitest';
import { randomTensor, relativeError, skipReason } from './__fixtures__/helpers.ts';
import { crossEntropy, installNative, uninstallNative } from './__fixtures__/runtime.ts';
import { crossEntropyKernelName, setNativeThreads } from './index.ts';

function inputs(rows: number, vocab: number, seed: number) {
  const logits = tf.mul(randomTensor([rows, vocab]), 6) as tf.Tensor2D;
  const ids = Array.from({ length: rows }, (_, i) => (i * 7919 + seed * 104729) % vocab);
  const targets = tf.tensor1d(ids, 'int32');
  // A loss mask with some zeros, normalised like a mean over the kept rows.
  const kept = ids.map((_, i) => (i % 5 === 3 ? 0 : 1));
  const count = kept.reduce((a: number, b) => a + b, 0);
  const weights = tf.tensor1d(kept.map((k) => k / count));
  return { logits, targets, weights };
}

/** Loss and dLogits of 3·crossEntropy (the 3 checks the upstream gradient is used). */
function lossAndGrads(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D) {
  const f = (z: tf.Tensor) =>
    tf.mul(crossEntropy(z as tf.Tensor2D, targets, weights), 3) as tf.Scalar;
  return { loss: crossEntropy(logits, targets, weights), dz: tf.grad(f)(logits) };
}

/** dWeights of 3·crossEntropy (the kernel's gradient in the weights). */
function weightsGrad(logits: tf.Tensor2D, targets: tf.Tensor1D, weights: tf.Tensor1D) {
  const f = (w: tf.Tensor) =>
    tf.mul(crossEntropy(logits, targets, w as tf.Tensor1D), 3) as tf.Scalar;
  return tf.grad(f)(weights);
}

/** Its definition in float64: 3·(logsumexp(logitsᵢ) − logitsᵢ[targetᵢ]). */
function expectedWeightsGrad(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const ids = targets.arraySync();
  const rows = (logits.arraySync() as number[][]).map((row, i) => {
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    return 3 * (lse - row[ids[i]]);
  });
  return tf.tensor1d(rows);
}

describe.each(['wasm', 'cpu'] as const)('crossEntropy on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
    if (skipReason === '') setNativeThreads(2);
  });

  it('from tfjs ops equals the definition when the kernel is not installed', async () => {
    await tf.setBackend(backend);
    expect(tf.getKernel(crossEntropyKernelName, backend)).toBeUndefined();
    const z = [
      [1, 2, 3],
      [0, -1, 4],
    ];
    const loss = crossEntropy(
      tf.tensor2d(z),
      tf.tensor1d([2, 0], 'int32'),
      tf.tensor1d([0.25, 0.75]),
    );
    const lse = (row: number[]) => Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
    const expected = 0.25 * (lse(z[0]) - 3) + 0.75 * (lse(z[1]) - 0);
    expect(loss.dataSync()[0]).toBeCloseTo(expected, 5);
  });

  it.skipIf(skipReason !== '')(
    'the fused kernels match the tfjs ops in loss and gradients, odd shapes too',
    async () => {
      await tf.setBackend(backend);
      for (const [rows, vocab, seed] of [
        [1, 1, 1],
        [3, 7, 2],
        [64, 257, 3],
        [33, 1500, 4],
      ]) {
        const { logits, targets, weights } = inputs(rows, vocab, seed);
        const reference = lossAndGrads(logits, targets, weights);
        const result = await installNative(backend);
        expect(result.kernels).toContain(crossEntropyKernelName);
        const fused = lossAndGrads(logits, targets, weights);
        expect(relativeError(fused.loss, reference.loss)).toBeLessThan(1e-5);
        expect(relativeError(fused.dz, reference.dz)).toBeLessThan(1e-5);
        const dw = weightsGrad(logits, targets, weights);
        expect(relativeError(dw, expectedWeightsGrad(logits, targets))).toBeLessThan(1e-5);
        uninstallNative(backend);
      }
    },
  );

  it.skipIf(skipReason !== '')('gives the same bits on 1 and 4 threads', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const { logits, targets, weights } = inputs(200, 513, 5);
    setNativeThreads(1);
    const one = lossAndGrads(logits, targets, weights);
    setNativeThreads(4);
    const four = lossAndGrads(logits, targets, weights);
    expect([...four.loss.dataSync()]).toEqual([...one.loss.dataSync()]);
    expect([...four.dz.dataSync()]).toEqual([...one.dz.dataSync()]);
  });

  it.skipIf(skipReason !== '')('rejects a target id outside the vocabulary', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const logits = randomTensor([2, 5]) as tf.Tensor2D;
    expect(() =>
      crossEntropy(logits, tf.tensor1d([1, 5], 'int32'), tf.tensor1d([0.5, 0.5])),
    ).toThrow(/target 5 at row 1 is outside \[0, 5\)/);
  });

  it('rejects mismatched shapes and float targets with the fix', async () => {
    await tf.setBackend(backend);
    const logits = randomTensor([2, 5]) as tf.Tensor2D;
    expect(() =>
      crossEntropy(logits, tf.tensor1d([1, 2, 3], 'int32'), tf.tensor1d([0.5, 0.5])),
    ).toThrow(/targets \(N\).*got \[2,5\], \[3\] and \[2\]/);
    expect(() => crossEntropy(logits, tf.tensor1d([1, 2]), tf.tensor1d([0.5, 0.5]))).toThrow(
      /must be int32.*tf\.cast/,
    );
  });
});
