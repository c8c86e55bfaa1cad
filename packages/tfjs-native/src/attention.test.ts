// The causal attention kernels through the runtime's `causalAttention`: its tfjs-ops path is
// causal, the native kernels match it in
// values and gradients over odd shapes on wasm and cpu, threads do not change a bit of the
// result, and bad shapes are refused with the value, the limit and the fix.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
import { afterEach, describe, expect, it } from 'vitest';
import { randomTensor, relativeError, skipReason } from './__fixtures__/helpers.ts';
import { causalAttention, installNative, uninstallNative } from './__fixtures__/runtime.ts';
import {
  causalAttentionKernelName,
  defaultThreads,
  setNativeThreads,
  TfjsNativeError,
} from './index.ts';

interface Case {
  batch: number;
  steps: number;
  nHead: number;
  headSize: number;
}

const cases: Case[] = [
  { batch: 2, steps: 5, nHead: 3, headSize: 7 },
  { batch: 1, steps: 1, nHead: 2, headSize: 8 },
  { batch: 1, steps: 19, nHead: 1, headSize: 12 },
  { batch: 3, steps: 17, nHead: 2, headSize: 16 },
  { batch: 2, steps: 24, nHead: 2, headSize: 33 },
  // Past the kernel's 64-row blocks: a partial last block and keys from earlier blocks.
  { batch: 1, steps: 150, nHead: 2, headSize: 12 },
];

/** qkv (B·T, 3C) scaled so the softmax rows are far from uniform, and an upstream gradient. */
function inputs({ batch, steps, nHead, headSize }: Case) {
  const width = nHead * headSize;
  return {
    qkv: tf.mul(randomTensor([batch * steps, 3 * width]), 2) as tf.Tensor2D,
    dy: randomTensor([batch * steps, width]),
  };
}

/** y and dL/dqkv for L = Σ y·dy. */
function valueAndGrad(qkv: tf.Tensor2D, dy: tf.Tensor, shape: Case): tf.Tensor[] {
  const f = (x: tf.Tensor) => tf.sum(tf.mul(causalAttention(x as tf.Tensor2D, shape), dy));
  return [causalAttention(qkv, shape), tf.grads(f)([qkv])[0]];
}

describe.each(['wasm', 'cpu'] as const)('causalAttention on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
    if (skipReason === '') setNativeThreads(defaultThreads());
  });

  it('lets each position see only itself and earlier ones (tfjs ops path)', async () => {
    await tf.setBackend(backend);
    expect(tf.getKernel(causalAttentionKernelName, backend)).toBeUndefined();
    const shape = { batch: 1, steps: 4, nHead: 2 };
    const qkv = randomTensor([4, 12]) as tf.Tensor2D;
    const y = causalAttention(qkv, shape).arraySync() as number[][];
    // Row 0 attends to itself only: its output is its own value vector.
    const v0 = (tf.slice(qkv, [0, 8], [1, 4]).arraySync() as number[][])[0];
    for (const [d, value] of y[0].entries()) expect(value).toBeCloseTo(v0[d], 5);
    // Changing the last position leaves every earlier output as it was.
    const changed = tf.concat([tf.slice(qkv, [0, 0], [3, 12]), tf.fill([1, 12], 5)]) as tf.Tensor2D;
    const y2 = causalAttention(changed, shape).arraySync() as number[][];
    for (let r = 0; r < 3; r++) {
      for (const [d, value] of y[r].entries()) expect(y2[r][d]).toBeCloseTo(value, 6);
    }
    expect(Math.abs(y2[3][0] - y[3][0])).toBeGreaterThan(1e-3);
  });

  it.skipIf(skipReason !== '').each(cases)(
    'native kernels match the formula in value and gradient (B $batch, T $steps, H $nHead, hs $headSize)',
    async (shape) => {
      await tf.setBackend(backend);
      const { qkv, dy } = inputs(shape);
      const expected = valueAndGrad(qkv, dy, shape);
      const result = await installNative(backend);
      expect(result.kernels).toContain(causalAttentionKernelName);
      const actual = valueAndGrad(qkv, dy, shape);
      expect(actual[0].shape).toEqual([shape.batch * shape.steps, shape.nHead * shape.headSize]);
      expect(relativeError(actual[0], expected[0])).toBeLessThan(1e-5);
      expect(actual[1].shape).toEqual(qkv.shape);
      expect(relativeError(actual[1], expected[1])).toBeLessThan(1e-4);
    },
  );

  it.skipIf(skipReason !== '')('gives bit-identical results on 1, 2 and 3 threads', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const shape = { batch: 3, steps: 70, nHead: 3, headSize: 20 };
    const { qkv, dy } = inputs(shape);
    const runs = [1, 2, 3].map((threads) => {
      setNativeThreads(threads);
      return valueAndGrad(qkv, dy, shape).map((t) => t.dataSync());
    });
    for (const run of runs.slice(1)) {
      expect(run[0]).toEqual(runs[0][0]);
      expect(run[1]).toEqual(runs[0][1]);
    }
  });

  it.skipIf(skipReason !== '')('leaves no tensors behind in forward and backward', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const shape = { batch: 2, steps: 6, nHead: 2, headSize: 4 };
    const { qkv, dy } = inputs(shape);
    tf.dispose(valueAndGrad(qkv, dy, shape));
    const tensors = tf.memory().numTensors;
    const dataIds = tf.backend().numDataIds();
    for (let i = 0; i < 3; i++) tf.dispose(valueAndGrad(qkv, dy, shape));
    expect(tf.memory().numTensors).toBe(tensors);
    expect(tf.backend().numDataIds()).toBe(dataIds);
  });

  it('refuses bad shapes with the value, the limit and the fix', async () => {
    await tf.setBackend(backend);
    if (skipReason === '') await installNative(backend);
    const qkv = tf.zeros([6, 12]) as tf.Tensor2D;
    const bad = (x: tf.Tensor2D, shape: { batch: number; steps: number; nHead: number }) => () =>
      causalAttention(x, shape);
    expect(bad(qkv, { batch: 2, steps: 3, nHead: 5 })).toThrow(
      /C divisible by nHead 5, got \[6,12\]; pass the c_attn output/,
    );
    expect(bad(qkv, { batch: 2, steps: 2, nHead: 2 })).toThrow(
      /\(batch·steps, 3·C\) = \(4, 3·C\) with C divisible by nHead 2, got \[6,12\]/,
    );
    expect(bad(tf.zeros([6, 10]) as tf.Tensor2D, { batch: 2, steps: 3, nHead: 1 })).toThrow(
      /got \[6,10\]/,
    );
    expect(bad(qkv, { batch: 0, steps: 3, nHead: 2 })).toThrow(
      /batch must be an integer ≥ 1, got 0/,
    );
    expect(bad(qkv, { batch: 2, steps: 1.5, nHead: 2 })).toThrow(/steps must be an integer/);
    if (skipReason === '') {
      // Callers that run the kernel directly get its own checks.
      const direct = (attrs: { batch: number; steps: number; nHead: number }) => () =>
        tf.engine().runKernel(causalAttentionKernelName, { qkv }, attrs);
      expect(direct({ batch: 2, steps: 3, nHead: 5 })).toThrow(
        /C = 4 is not divisible by nHead = 5; choose nHead dividing C/,
      );
      expect(direct({ batch: 2, steps: 2, nHead: 2 })).toThrow(
        /\(batch·steps, 3·C\) = \(4, 3·C\), got \[6,12\]; pass the output of the c_attn/,
      );
      expect(direct({ batch: 0, steps: 3, nHead: 2 })).toThrow(TfjsNativeError);
    }
  });
});
