// The LayerNorm kernels through the runtime's `layerNorm`: the native forward kernel and the
// one-call gradient (dx, dgamma, dbeta) against the tfjs-ops formula, with and without beta.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, describe, expect, it } from 'vitest';
import { randomTensor, relativeError, skipReason } from './__fixtures__/helpers.ts';
import { gelu, installNative, layerNorm, uninstallNative } from './__fixtures__/runtime.ts';
import { layerNormKernelName } from './index.ts';

describe.each(['wasm', 'cpu'] as const)('layerNorm on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
  });

  it('normalises each row to mean 0, variance 1 before scale and shift (tfjs ops path)', async () => {
    await tf.setBackend(backend);
    expect(tf.getKernel(layerNormKernelName, backend)).toBeUndefined();
    const y = layerNorm(
      tf.tensor2d([1, 2, 3, 4, 10, 10, 10, 14], [2, 4]),
      tf.ones([4]) as tf.Tensor1D,
    );
    const rows = y.arraySync() as number[][];
    for (const row of rows) {
      const mean = row.reduce((s, v) => s + v, 0) / 4;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / 4;
      expect(mean).toBeCloseTo(0, 5);
      expect(variance).toBeCloseTo(1, 3);
    }
  });

  it.skipIf(skipReason !== '').each([true, false])(
    'the fused kernels match the formula, forward and gradients (beta: %s)',
    async (withBeta) => {
      await tf.setBackend(backend);
      const x = tf.add(tf.mul(randomTensor([15, 48]), 3), 1) as tf.Tensor2D;
      const gamma = tf.add(randomTensor([48]), 1) as tf.Tensor1D;
      const beta = randomTensor([48]) as tf.Tensor1D;
      const dy = randomTensor([15, 48]);
      const run = () => {
        const y = layerNorm(x, gamma, withBeta ? beta : undefined);
        if (!withBeta) {
          const f = (xs: tf.Tensor, g: tf.Tensor) =>
            tf.sum(tf.mul(layerNorm(xs as tf.Tensor2D, g as tf.Tensor1D), dy));
          return [y, ...tf.grads(f)([x, gamma])];
        }
        const f = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.mul(layerNorm(xs as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D), dy));
        return [y, ...tf.grads(f)([x, gamma, beta])];
      };
      const composite = run();
      const result = await installNative(backend);
      expect(result.kernels).toContain(layerNormKernelName);
      const fused = run();
      expect(relativeError(fused[0], composite[0])).toBeLessThan(1e-5);
      expect(fused).toHaveLength(withBeta ? 4 : 3);
      for (let i = 1; i < fused.length; i++) {
        expect(fused[i].shape).toEqual(composite[i].shape);
        expect(relativeError(fused[i], composite[i])).toBeLessThan(1e-4);
      }
    },
  );

  it.skipIf(skipReason !== '')(
    'fused LayerNorm and GELU gradients leave no tensors behind',
    async () => {
      await tf.setBackend(backend);
      await installNative(backend);
      const x = randomTensor([4, 32]) as tf.Tensor2D;
      const gamma = randomTensor([32]) as tf.Tensor1D;
      const beta = randomTensor([32]) as tf.Tensor1D;
      const f = (xs: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(gelu(layerNorm(xs as tf.Tensor2D, g as tf.Tensor1D, b as tf.Tensor1D)));
      tf.dispose(tf.grads(f)([x, gamma, beta]));
      const tensors = tf.memory().numTensors;
      const dataIds = tf.backend().numDataIds();
      for (let i = 0; i < 5; i++) tf.dispose(tf.grads(f)([x, gamma, beta]));
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(dataIds);
    },
  );
});
