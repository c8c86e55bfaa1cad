// The AdamW and sum-of-squares kernels through the runtime's `adamwUpdate` and `sumOfSquares`: the
// tfjs-ops fallback against PyTorch's AdamW in float64, then the native kernels against it over several steps, thread counts and
// odd sizes, and the errors bad input gets.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { afterEach, describe, expect, it } from 'vitest';
import { relativeError, skipReason } from './__fixtures__/helpers.ts';
import {
  type AdamWUpdateOptions,
  adamwUpdate,
  installNative,
  sumOfSquares,
  uninstallNative,
} from './__fixtures__/runtime.ts';
import {
  adamwKernelName,
  defaultThreads,
  setNativeThreads,
  sumOfSquaresKernelName,
  TfjsNativeError,
} from './index.ts';

const hyper = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8, learningRate: 3e-3 };

/** PyTorch's AdamW for one value in float64. */
function referenceAdamW(p0: number, grads: number[], weightDecay: number, scale: number) {
  let [p, m, v] = [p0, 0, 0];
  grads.forEach((raw, i) => {
    const g = raw * scale;
    const t = i + 1;
    p *= 1 - hyper.learningRate * weightDecay;
    m = hyper.beta1 * m + (1 - hyper.beta1) * g;
    v = hyper.beta2 * v + (1 - hyper.beta2) * g * g;
    const denominator = Math.sqrt(v) / Math.sqrt(1 - hyper.beta2 ** t) + hyper.epsilon;
    p -= (hyper.learningRate / (1 - hyper.beta1 ** t)) * (m / denominator);
  });
  return p;
}

/** Uniform in [-1, 1) from an explicit seed, so two runs see the same numbers. */
const seeded = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

/** Positions where two equally long arrays differ bitwise (NaN equals NaN). */
function mismatches(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) count++;
  return count + Math.abs(a.length - b.length);
}

interface Run {
  param: tf.Tensor;
  firstMoment: tf.Tensor;
  secondMoment: tf.Tensor;
}

/** `steps` updates of a seeded parameter with seeded gradients; returns the final state. */
function run(options: { shape: number[]; steps: number; weightDecay: number; scale: number }): Run {
  let state: Run = {
    param: seeded(options.shape, 1),
    firstMoment: tf.zeros(options.shape),
    secondMoment: tf.zeros(options.shape),
  };
  for (let step = 1; step <= options.steps; step++) {
    const gradient = tf.mul(seeded(options.shape, 100 + step), step);
    const next = adamwUpdate({
      ...hyper,
      ...state,
      gradient,
      step,
      weightDecay: options.weightDecay,
      gradientScale: options.scale,
    });
    for (const tensor of [gradient, state.param, state.firstMoment, state.secondMoment])
      tensor.dispose();
    state = next;
  }
  return state;
}

const cases = [
  { shape: [1], weightDecay: 0, scale: 1 },
  { shape: [7, 33], weightDecay: 0.1, scale: 1 },
  { shape: [3, 23_339], weightDecay: 0.1, scale: 0.37 },
  { shape: [70_001], weightDecay: 0, scale: 0.5 },
];

describe.each(['wasm', 'cpu'] as const)('optimizer ops on %s', (backend) => {
  afterEach(() => {
    uninstallNative(backend);
    if (skipReason === '') setNativeThreads(defaultThreads());
  });

  it('the tfjs-ops fallback follows PyTorch AdamW (scale, decay, bias correction)', async () => {
    await tf.setBackend(backend);
    expect(tf.getKernel(adamwKernelName, backend)).toBeUndefined();
    const grads = [0.3, -0.2, 0.05, 1.5];
    for (const [weightDecay, scale] of [
      [0, 1],
      [0.1, 0.25],
    ]) {
      let state: Run = {
        param: tf.tensor1d([0.5]),
        firstMoment: tf.zeros([1]),
        secondMoment: tf.zeros([1]),
      };
      grads.forEach((g, i) => {
        state = adamwUpdate({
          ...hyper,
          ...state,
          gradient: tf.tensor1d([g]),
          step: i + 1,
          weightDecay,
          gradientScale: scale,
        });
      });
      expect(state.param.dataSync()[0]).toBeCloseTo(
        referenceAdamW(0.5, grads, weightDecay, scale),
        6,
      );
    }
    expect(sumOfSquares([tf.tensor1d([3]), tf.tensor2d([[4, 12]])]).dataSync()[0]).toBe(169);
    expect(sumOfSquares([]).dataSync()[0]).toBe(0);
  });

  it.skipIf(skipReason !== '')(
    'the native AdamW kernel matches the fallback over several steps and sizes',
    async () => {
      await tf.setBackend(backend);
      const composite = cases.map((c) => run({ ...c, steps: 4 }));
      const result = await installNative(backend);
      expect(result.kernels).toContain(adamwKernelName);
      const fused = cases.map((c) => run({ ...c, steps: 4 }));
      for (let i = 0; i < cases.length; i++) {
        for (const key of ['param', 'firstMoment', 'secondMoment'] as const) {
          expect(relativeError(fused[i][key], composite[i][key])).toBeLessThan(1e-6);
        }
        // the update moved the parameter: the comparison is not of two untouched copies
        expect(tf.max(fused[i].secondMoment).dataSync()[0]).toBeGreaterThan(0);
      }
      const before = tf.memory().numTensors;
      const next = adamwUpdate({ ...hyper, ...fused[1], gradient: fused[1].param, step: 5 });
      expect(tf.memory().numTensors).toBe(before + 3);
      expect(next.param.dataId).not.toBe(fused[1].param.dataId);
    },
  );

  it.skipIf(skipReason !== '')(
    'sumOfSquares matches the fallback and a float64 sum, over many tensors',
    async () => {
      await tf.setBackend(backend);
      const tensors = [[1], [9, 17], [40_000], [3, 70_001]].map((shape, i) => seeded(shape, i));
      let exact = 0;
      for (const tensor of tensors) for (const x of tensor.dataSync()) exact += x * x;
      const composite = sumOfSquares(tensors).dataSync()[0];
      await installNative(backend);
      expect(tf.getKernel(sumOfSquaresKernelName, backend)).toBeDefined();
      const fused = sumOfSquares(tensors).dataSync()[0];
      expect(Math.abs(fused - exact) / exact).toBeLessThan(1e-6);
      expect(Math.abs(composite - exact) / exact).toBeLessThan(1e-4);
    },
  );

  it.skipIf(skipReason !== '')('gives identical bits on 1 thread and on 4', async () => {
    await tf.setBackend(backend);
    await installNative(backend);
    const shape = [5, 40_001];
    const tensors = [seeded([300_007], 5), seeded([9], 6)];
    setNativeThreads(1);
    const one = run({ shape, steps: 2, weightDecay: 0.1, scale: 0.8 });
    const oneSum = sumOfSquares(tensors).dataSync()[0];
    setNativeThreads(4);
    const four = run({ shape, steps: 2, weightDecay: 0.1, scale: 0.8 });
    const fourSum = sumOfSquares(tensors).dataSync()[0];
    expect(mismatches(four.param.dataSync(), one.param.dataSync())).toBe(0);
    expect(mismatches(four.secondMoment.dataSync(), one.secondMoment.dataSync())).toBe(0);
    expect(fourSum).toBe(oneSum);
  });
});

describe('optimizer op errors', () => {
  const base = (): AdamWUpdateOptions => ({
    ...hyper,
    param: tf.zeros([2, 3]),
    gradient: tf.zeros([2, 3]),
    firstMoment: tf.zeros([2, 3]),
    secondMoment: tf.zeros([2, 3]),
    step: 1,
  });

  it('names the value and the fix', async () => {
    await tf.setBackend('cpu');
    expect(() => adamwUpdate({ ...base(), gradient: tf.zeros([3, 2]) })).toThrow(
      /gradient has shape \[3,2\] but param has \[2,3\]/,
    );
    expect(() => adamwUpdate({ ...base(), firstMoment: tf.zeros([2, 3], 'int32') })).toThrow(
      /firstMoment has dtype int32.*tf\.cast/,
    );
    expect(() => adamwUpdate({ ...base(), step: 0 })).toThrow(/step 0 is not an integer ≥ 1/);
    expect(() => adamwUpdate({ ...base(), beta2: 1 })).toThrow(/beta2 1 is outside \[0, 1\)/);
    expect(() => adamwUpdate({ ...base(), learningRate: Number.NaN })).toThrow(
      /learningRate NaN is not a finite number/,
    );
  });

  it.skipIf(skipReason !== '')('the kernel itself rejects mismatched sizes', async () => {
    await tf.setBackend('cpu');
    await installNative('cpu');
    const inputs = {
      param: tf.zeros([4]),
      grad: tf.zeros([5]),
      m: tf.zeros([4]),
      v: tf.zeros([4]),
    };
    const attrs = { ...hyper, weightDecay: 0, step: 1, gradientScale: 1 };
    expect(() => tf.engine().runKernel(adamwKernelName, inputs, attrs)).toThrow(
      /must have the same length/,
    );
    const same = { ...inputs, grad: tf.zeros([4]) };
    expect(() => tf.engine().runKernel(adamwKernelName, same, { ...attrs, step: 0 })).toThrow(
      /step 0 is not an integer ≥ 1/,
    );
    const { beta2: _beta2, ...missing } = attrs;
    expect(() => tf.engine().runKernel(adamwKernelName, same, missing)).toThrow(TfjsNativeError);
    uninstallNative('cpu');
  });
});
