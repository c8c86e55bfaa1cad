// The native BatchMatMul against TensorFlow.js's stock kernel on wasm and cpu: random shapes,
// transposes, broadcast batch dims, empty and int32 inputs, gradients, and no leaked memory.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomTensor, relativeError, skipReason } from './__fixtures__/helpers.ts';
import { installNative, uninstallNative } from './__fixtures__/runtime.ts';

type Case = [aShape: number[], bShape: number[], transposeA: boolean, transposeB: boolean];
const cases: Case[] = [
  [[64, 48], [48, 32], false, false],
  [[48, 64], [48, 32], true, false],
  [[64, 48], [32, 48], false, true],
  [[48, 64], [32, 48], true, true],
  [[6, 17, 9], [6, 9, 13], false, false],
  [[2, 4, 16, 8], [2, 4, 16, 8], false, true],
  [[2, 4, 16, 8], [2, 4, 16, 8], true, false],
  [[3, 5, 7], [7, 4], false, false],
  [[5, 7], [4, 7, 6], false, false],
  [[1, 5, 7], [4, 6, 7], false, true],
  [[1, 9], [9, 1], false, false],
  [[2, 1, 33], [2, 1, 33], true, false],
];

describe.skipIf(skipReason !== '').each(['wasm', 'cpu'] as const)(
  'native BatchMatMul on %s',
  (backend) => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });
    afterEach(() => {
      uninstallNative(backend);
    });

    /** Runs `f` with the stock kernel, then with the native one; returns both results. */
    async function stockAndNative<T>(f: () => T): Promise<[T, T]> {
      uninstallNative(backend);
      const stock = f();
      const result = await installNative(backend, { threads: 2, kernels: ['BatchMatMul'] });
      expect(result).toMatchObject({
        installed: true,
        kernels: ['BatchMatMul'],
        name: 'tfjs-native',
      });
      return [stock, f()];
    }

    it.each(cases)(
      'a %j · b %j (transposeA %s, transposeB %s) matches stock',
      async (aShape, bShape, tA, tB) => {
        const a = randomTensor(aShape);
        const b = randomTensor(bShape);
        const [stock, native] = await stockAndNative(() => tf.matMul(a, b, tA, tB));
        expect(native.shape).toEqual(stock.shape);
        expect(relativeError(native, stock)).toBeLessThan(1e-5);
      },
    );

    it('broadcasts batch dims on both sides ([2,1] with [1,3]) like an explicit broadcast', async () => {
      const a = randomTensor([2, 1, 3, 4]);
      const b = randomTensor([1, 3, 4, 5]);
      const [reference, native] = await stockAndNative(() =>
        tf.matMul(tf.broadcastTo(a, [2, 3, 3, 4]), tf.broadcastTo(b, [2, 3, 4, 5])),
      );
      const direct = tf.matMul(a, b);
      expect(direct.shape).toEqual([2, 3, 3, 5]);
      expect(relativeError(direct, reference)).toBeLessThan(1e-5);
      expect(relativeError(native, reference)).toBeLessThan(1e-5);
    });

    it('handles empty outputs and an empty inner dimension', async () => {
      await installNative(backend, { kernels: ['BatchMatMul'] });
      expect(tf.matMul(tf.zeros([0, 4]), randomTensor([4, 3])).shape).toEqual([0, 3]);
      const zeroInner = tf.matMul(tf.ones([3, 0]), tf.ones([0, 2]));
      expect(zeroInner.shape).toEqual([3, 2]);
      expect([...zeroInner.dataSync()]).toEqual([0, 0, 0, 0, 0, 0]);
    });

    // (tfjs-core's BatchMatMul gradient does not reduce broadcast batch dims, so same-rank operands.)
    it('gives the same gradients through tf.grads (the gradient is itself BatchMatMul)', async () => {
      const a = randomTensor([2, 3, 8, 5]);
      const b = randomTensor([2, 3, 6, 5]);
      const w = randomTensor([2, 3, 8, 6]);
      const loss = (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, false, true), w));
      const [stock, native] = await stockAndNative(() => tf.grads(loss)([a, b]));
      expect(native[0].shape).toEqual([2, 3, 8, 5]);
      expect(native[1].shape).toEqual([2, 3, 6, 5]);
      expect(relativeError(native[0], stock[0])).toBeLessThan(1e-5);
      expect(relativeError(native[1], stock[1])).toBeLessThan(1e-5);
    });

    it('leaves no tensors or backend data behind', async () => {
      await installNative(backend, { kernels: ['BatchMatMul'] });
      const a = randomTensor([4, 16, 8]);
      const b = randomTensor([4, 8, 16]);
      tf.matMul(a, b).dispose();
      const tensors = tf.memory().numTensors;
      const dataIds = tf.backend().numDataIds();
      for (let i = 0; i < 20; i++) tf.matMul(a, b, false, false).dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(dataIds);
    });

    it('restores the kernel it replaced on uninstall', async () => {
      uninstallNative(backend);
      const stock = tf.getKernel('BatchMatMul', backend);
      await installNative(backend, { kernels: ['BatchMatMul'] });
      await installNative(backend, { kernels: ['BatchMatMul'] }); // idempotent: still remembers the stock kernel
      expect(tf.getKernel('BatchMatMul', backend)).not.toBe(stock);
      expect(uninstallNative(backend)).toEqual(['BatchMatMul']);
      expect(tf.getKernel('BatchMatMul', backend)).toBe(stock);
    });
  },
);

describe.skipIf(skipReason !== '')('native BatchMatMul, non-float inputs', () => {
  it('passes int32 matmuls on cpu to the stock kernel', async () => {
    await tf.setBackend('cpu');
    await installNative('cpu', { kernels: ['BatchMatMul'] });
    const product = tf.matMul(
      tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'),
      tf.tensor2d([5, 6, 7, 8], [2, 2], 'int32'),
    );
    expect(product.dtype).toBe('int32');
    expect([...product.dataSync()]).toEqual([19, 22, 43, 50]);
    uninstallNative('cpu');
  });
});

it.runIf(skipReason !== '')('native kernel tests are skipped', () => {
  console.warn(`tfjs-native: ${skipReason}`);
});
