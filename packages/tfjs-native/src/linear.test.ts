// The dense-layer kernels through the runtime's `linear` and `columnSum`, against the same math
// from tfjs ops: values and all three
// gradients, with and without bias, odd sizes, 1 vs several threads, and bad shapes.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, describe, expect, it } from 'vitest';
import { randomTensor, relativeError, skipReason } from './__fixtures__/helpers.ts';
import { columnSum, installNative, linear, uninstallNative } from './__fixtures__/runtime.ts';
import { linearKernelName, setNativeThreads } from './index.ts';

function valueAndGrads(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D | undefined, dy: tf.Tensor) {
  const f = (...args: tf.Tensor[]) =>
    tf.sum(
      tf.mul(linear(args[0] as tf.Tensor2D, args[1] as tf.Tensor2D, args[2] as tf.Tensor1D), dy),
    );
  const inputs = b ? [x, w, b] : [x, w];
  return [linear(x, w, b), ...tf.grads(f)(inputs)];
}

describe.each(['wasm', 'cpu'] as const)('linear on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
    if (skipReason === '') setNativeThreads(2);
  });

  it.skipIf(skipReason !== '')('matches matMul + add in values and gradients', async () => {
    await tf.setBackend(backend);
    for (const [n, k, m, withBias] of [
      [1, 1, 1, true],
      [7, 5, 3, false],
      [33, 17, 130, true],
      [128, 64, 96, true],
    ] as const) {
      const x = randomTensor([n, k]) as tf.Tensor2D;
      const w = randomTensor([k, m]) as tf.Tensor2D;
      const b = withBias ? (randomTensor([m]) as tf.Tensor1D) : undefined;
      const dy = randomTensor([n, m]);
      const reference = valueAndGrads(x, w, b, dy);
      const result = await installNative(backend);
      expect(result.kernels).toContain(linearKernelName);
      const fused = valueAndGrads(x, w, b, dy);
      expect(fused.length).toBe(reference.length);
      fused.forEach((t, i) => {
        expect(t.shape).toEqual(reference[i].shape);
        expect(relativeError(t, reference[i])).toBeLessThan(1e-5);
      });
      uninstallNative(backend);
    }
  });

  it.skipIf(skipReason !== '')('sums columns the same on 1 and 3 threads', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const x = randomTensor([300, 517]) as tf.Tensor2D;
    setNativeThreads(1);
    const one = columnSum(x).dataSync();
    setNativeThreads(3);
    const three = columnSum(x).dataSync();
    expect([...three]).toEqual([...one]);
    expect(relativeError(columnSum(x), tf.sum(x, 0))).toBeLessThan(1e-5);
  });

  it('rejects mismatched shapes, naming them', async () => {
    await tf.setBackend(backend);
    const x = randomTensor([4, 3]) as tf.Tensor2D;
    expect(() => linear(x, randomTensor([4, 2]) as tf.Tensor2D)).toThrow(
      /x \(N, K\), w \(K, M\).*got \[4,3\], \[4,2\]/,
    );
  });
});
