// The native elementwise kernels (Exp, Tanh, Add, Sub, Multiply, RealDiv, Equal, Sum, Identity)
// against the stock kernels on wasm and cpu: broadcasting, special values, fallbacks, and the
// gradients of a small attention-and-GELU function built from them.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  elementwiseRelativeError,
  randomTensor,
  relativeError,
  skipReason,
} from './__fixtures__/helpers.ts';
import { installNative, uninstallNative } from './__fixtures__/runtime.ts';
import { nativeKernelNames } from './index.ts';

describe.skipIf(skipReason !== '').each(['wasm', 'cpu'] as const)(
  'native elementwise kernels on %s',
  (backend) => {
    beforeAll(async () => {
      await tf.setBackend(backend);
    });
    afterEach(() => {
      uninstallNative(backend);
    });

    async function stockAndNative(
      f: () => tf.Tensor | tf.Tensor[],
    ): Promise<[tf.Tensor[], tf.Tensor[]]> {
      uninstallNative(backend);
      const stock = [f()].flat();
      const result = await installNative(backend);
      expect(result.kernels).toEqual(nativeKernelNames);
      return [stock, [f()].flat()];
    }

    async function expectClose(f: () => tf.Tensor | tf.Tensor[], tolerance = 1e-6) {
      const [stock, native] = await stockAndNative(f);
      native.forEach((t, i) => {
        expect(t.shape).toEqual(stock[i].shape);
        expect(t.dtype).toBe(stock[i].dtype);
        expect(relativeError(t, stock[i])).toBeLessThanOrEqual(tolerance);
      });
    }

    it('Exp and Tanh match over a wide range, with NaN and ±Infinity', async () => {
      const x = tf.concat([
        tf.mul(randomTensor([4000]), 30),
        tf.tensor1d([0, -0.001, 1e-6, 88, -87, 100, -100]),
      ]);
      await expectClose(() => [tf.exp(tf.mul(x, 0.5)), tf.tanh(x)], 1e-6);
      const finite = tf.mul(randomTensor([4000]), 40);
      const [[stockExp], [nativeExp]] = await stockAndNative(() => tf.exp(finite));
      expect(elementwiseRelativeError(nativeExp, stockExp)).toBeLessThan(1e-6);
      await installNative(backend);
      const special = tf.tensor1d([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]);
      const e = tf.exp(special).dataSync();
      expect(Number.isNaN(e[0])).toBe(true);
      expect([e[1], e[2]]).toEqual([Number.POSITIVE_INFINITY, 0]);
      const t = tf.tanh(special).dataSync();
      expect(Number.isNaN(t[0])).toBe(true);
      expect([t[1], t[2]]).toEqual([1, -1]);
    });

    it.each([
      [
        [4, 5],
        [4, 5],
      ],
      [[4, 5], [5]],
      [
        [4, 1],
        [1, 5],
      ],
      [
        [2, 3, 4],
        [3, 1],
      ],
      [[], [3, 4]],
      [[3, 4], []],
      [
        [2, 1, 3, 1],
        [1, 4, 1, 5],
      ],
      [[0, 3], [3]],
    ])('Add, Sub, Multiply, RealDiv broadcast %j with %j', async (aShape, bShape) => {
      const a = randomTensor(aShape);
      const b = tf.add(randomTensor(bShape), 2); // keep divisors away from 0
      await expectClose(() => [tf.add(a, b), tf.sub(a, b), tf.mul(a, b), tf.div(a, b)], 1e-6);
    });

    it('Equal broadcasts and returns bool', async () => {
      const a = tf.tensor2d([1, 2, 3, 2, 2, 5], [2, 3]);
      const b = tf.tensor2d([2, 5], [2, 1]);
      await installNative(backend);
      const eq = tf.equal(a, b);
      expect(eq.dtype).toBe('bool');
      expect([...eq.dataSync()]).toEqual([0, 1, 0, 0, 0, 1]);
    });

    it.each([
      [[6, 7], -1, false],
      [[6, 7], 0, true],
      [[2, 3, 4, 5], [1, 2], false],
      [[2, 3, 4, 5], [0, 1, 2, 3], false],
      [[2, 3, 4, 5], [0, 2], true],
      [[3, 1000], 1, false],
      [[4, 5, 6], null, false], // null: no axis, i.e. all of them
      [[4, 5, 6], null, true],
    ])('Sum of %j over axis %j (keepDims %s)', async (shape, axis, keepDims) => {
      const x = randomTensor(shape);
      await expectClose(() => tf.sum(x, axis ?? undefined, keepDims), 1e-5);
    });

    it('falls back to the stock kernels for int32', async () => {
      await installNative(backend);
      const sum = tf.add(tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3, 4], 'int32'));
      expect(sum.dtype).toBe('int32');
      expect([...sum.dataSync()]).toEqual([4, 6]);
      expect([...tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 1).dataSync()]).toEqual([3, 7]);
    });

    it('Identity shares data safely: a clone outlives its disposed source', async () => {
      await installNative(backend);
      const x = randomTensor([3, 4]);
      const values = x.dataSync().slice();
      const before = tf.backend().numDataIds();
      const copy = tf.clone(x);
      if (backend === 'wasm') expect(tf.backend().numDataIds()).toBe(before);
      x.dispose();
      expect(copy.dataSync()).toEqual(values);
      copy.dispose();
      expect(tf.backend().numDataIds()).toBe(before - 1);
    });

    it('gives the same gradients for attention + GELU + cross-entropy', async () => {
      const x = randomTensor([2, 8, 16]);
      const w = tf.mul(randomTensor([16, 16]), 0.3);
      const bias = randomTensor([16]);
      const labels = tf.oneHot(
        tf.tensor1d([1, 5, 3, 0, 7, 2, 2, 9, 1, 5, 3, 0, 7, 2, 2, 9], 'int32'),
        16,
      );
      const loss = (xs: tf.Tensor, ws: tf.Tensor, bs: tf.Tensor) => {
        const h = tf.add(tf.matMul(tf.reshape(xs, [16, 16]), ws), bs);
        const g = tf.mul(
          tf.mul(h, 0.5),
          tf.add(tf.tanh(tf.mul(tf.add(h, tf.mul(tf.pow(h, 3), 0.044715)), 0.79788456)), 1),
        );
        const q = tf.reshape(g, [2, 8, 16]);
        const attn = tf.softmax(tf.div(tf.matMul(q, q, false, true), 4));
        const y = tf.reshape(tf.matMul(attn, q), [16, 16]);
        const logits = tf.sub(y, tf.logSumExp(y, -1, true));
        return tf.neg(tf.mean(tf.sum(tf.mul(logits, labels), -1)));
      };
      await expectClose(() => tf.grads(loss)([x, w, bias]), 1e-4);
    });

    it('leaves no tensors behind', async () => {
      await installNative(backend);
      const a = randomTensor([8, 16]);
      const b = randomTensor([16]);
      const run = () =>
        tf.tidy(() => tf.sum(tf.exp(tf.tanh(tf.add(tf.mul(a, b), tf.sub(a, b)))), -1));
      run().dispose();
      const tensors = tf.memory().numTensors;
      const dataIds = tf.backend().numDataIds();
      for (let i = 0; i < 10; i++) run().dispose();
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.backend().numDataIds()).toBe(dataIds);
    });
  },
);
