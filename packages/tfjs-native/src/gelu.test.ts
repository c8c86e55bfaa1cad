// The GELU kernels through the runtime's `gelu`: the native forward and gradient kernels against
// the same formula built from tfjs ops (what `gelu` runs when the kernels are not installed).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, describe, expect, it } from 'vitest';
import { randomTensor, relativeError, skipReason } from './__fixtures__/helpers.ts';
import { gelu, installNative, uninstallNative } from './__fixtures__/runtime.ts';
import { geluKernelName } from './index.ts';

describe.each(['wasm', 'cpu'] as const)('gelu on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
  });

  it('computes GPT-2 tanh-GELU from tfjs ops when the kernel is not installed', async () => {
    await tf.setBackend(backend);
    expect(tf.getKernel(geluKernelName, backend)).toBeUndefined();
    const y = gelu(tf.tensor2d([[-3, -1, 0, 0.5, 2]])).dataSync();
    const expected = [-3, -1, 0, 0.5, 2].map(
      (x) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3))),
    );
    for (let i = 0; i < expected.length; i++) expect(y[i]).toBeCloseTo(expected[i], 6);
  });

  it.skipIf(skipReason !== '')(
    'the fused kernel matches the formula, forward and gradient',
    async () => {
      await tf.setBackend(backend);
      const x = tf.mul(randomTensor([64, 48]), 4) as tf.Tensor2D;
      const dy = randomTensor([64, 48]);
      const run = () => [
        gelu(x),
        tf.grad((v: tf.Tensor) => tf.sum(tf.mul(gelu(v as tf.Tensor2D), dy)))(x),
      ];
      const composite = run();
      const result = await installNative(backend);
      expect(result.kernels).toContain(geluKernelName);
      const fused = run();
      expect(relativeError(fused[0], composite[0])).toBeLessThan(1e-6);
      expect(relativeError(fused[1], composite[1])).toBeLessThan(1e-5);
    },
  );
});
