// Native GatherV2 and UnsortedSegmentSum against the stock kernels they replace: embedding-style
// lookups along any axis, index tensors of any rank, the gather gradient, dropped segment ids and
// out-of-range indices.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, describe, expect, it } from 'vitest';
import { randomTensor, skipReason } from './__fixtures__/helpers.ts';
import { installNative, uninstallNative } from './__fixtures__/runtime.ts';

const ids = (values: number[], shape?: number[]) => tf.tensor(values, shape, 'int32');

describe.skipIf(skipReason !== '').each(['wasm', 'cpu'] as const)('gather on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
  });

  it('matches the stock kernels for several axes and index shapes', async () => {
    await tf.setBackend(backend);
    const x = randomTensor([5, 7, 3]);
    const cases: [tf.Tensor, number][] = [
      [ids([4, 0, 0, 2]), 0],
      [ids([6, 1, 3, 3, 0, 5], [2, 3]), 1],
      [ids([2, 1]), 2],
      [ids([1, 2, 0], [3, 1]), -1],
    ];
    const stock = cases.map(([i, axis]) => tf.gather(x, i, axis).arraySync());
    const result = await installNative(backend);
    expect(result.kernels).toContain('GatherV2');
    cases.forEach(([i, axis], k) => {
      expect(tf.gather(x, i, axis).arraySync()).toEqual(stock[k]);
    });
  });

  it('sums segments, dropping ids outside [0, numSegments)', async () => {
    await tf.setBackend(backend);
    const rows = randomTensor([6, 4]);
    const segmentIds = [3, 0, 3, -1, 9, 1];
    const x = rows.arraySync() as number[][];
    const expected = Array.from({ length: 5 }, () => [0, 0, 0, 0]);
    segmentIds.forEach((s, i) => {
      if (s >= 0 && s < 5) for (let c = 0; c < 4; c++) expected[s][c] += x[i][c];
    });
    await installNative(backend);
    const native = tf
      .unsortedSegmentSum(rows, ids(segmentIds) as tf.Tensor1D, 5)
      .arraySync() as number[][];
    expect(native.length).toBe(5);
    native.forEach((row, r) => {
      row.forEach((v, c) => {
        expect(v).toBeCloseTo(expected[r][c], 6);
      });
    });
    expect(native[4]).toEqual([0, 0, 0, 0]);
  });

  it('gives the embedding gradient (repeated ids accumulate)', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const table = randomTensor([4, 3]);
    const lookup = ids([2, 0, 2, 2]);
    const weights = randomTensor([4, 3]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.gather(t, lookup), weights)))(table);
    const w = weights.arraySync() as number[][];
    const g = grad.arraySync() as number[][];
    for (let c = 0; c < 3; c++) {
      expect(g[0][c]).toBeCloseTo(w[1][c], 6);
      expect(g[1][c]).toBe(0);
      expect(g[2][c]).toBeCloseTo(w[0][c] + w[2][c] + w[3][c], 5);
    }
  });

  it('rejects an index outside the gathered axis, naming it', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const x = randomTensor([3, 2]);
    expect(() => tf.gather(x, ids([0, 3]))).toThrow(/index 3 at position 1 is outside \[0, 3\)/);
  });
});
