// Optimizer ops: `adamwUpdate`, one PyTorch-style AdamW step for a parameter (a kernel family's
// fused LmkitAdamW when installed: one pass, new param/m/v tensors), and `sumOfSquares`, the
// squared global norm for gradient clipping (LmkitSumOfSquares); both fall back to tfjs ops with
// the same arithmetic. Not differentiable (nothing tapes through an optimizer step).
import * as tf from '@tensorflow/tfjs-core';
import { GPTModelError } from '../../errors.ts';
import { hasKernel } from '../families.ts';

export const adamwKernelName = 'LmkitAdamW';
export const sumOfSquaresKernelName = 'LmkitSumOfSquares';

/** LmkitAdamW's attributes (the kernel's contract with the families). */
export interface AdamWAttributes {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Decoupled weight decay (PyTorch's `weight_decay`); 0 for parameters that do not decay. */
  weightDecay: number;
  /** 1-based update count, for bias correction. */
  step: number;
  /** Multiplies the gradient first (clipping coefficient, accumulation average); 1 for none. */
  gradientScale: number;
}

export interface AdamWUpdateOptions extends Omit<AdamWAttributes, 'weightDecay' | 'gradientScale'> {
  param: tf.Tensor;
  gradient: tf.Tensor;
  firstMoment: tf.Tensor;
  secondMoment: tf.Tensor;
  /** Default 0 (no decay). */
  weightDecay?: number;
  /** Default 1. */
  gradientScale?: number;
}

export interface AdamWUpdateResult {
  param: tf.Tensor;
  firstMoment: tf.Tensor;
  secondMoment: tf.Tensor;
}

/** Whether `adamwUpdate` runs a fused kernel on the active backend. */
export function fusedAdamWAvailable(): boolean {
  return hasKernel(adamwKernelName);
}

function checkAttributes(attrs: AdamWAttributes): void {
  const fail = (what: string, fix: string) => new GPTModelError(`adamwUpdate: ${what}; ${fix}`);
  for (const key of ['beta1', 'beta2'] as const) {
    if (!(attrs[key] >= 0 && attrs[key] < 1))
      throw fail(`${key} ${attrs[key]} is outside [0, 1)`, 'use e.g. 0.9 / 0.95');
  }
  if (!Number.isInteger(attrs.step) || attrs.step < 1)
    throw fail(`step ${attrs.step} is not an integer ≥ 1`, 'count updates from 1');
  if (!(attrs.epsilon > 0)) throw fail(`epsilon ${attrs.epsilon} is not > 0`, 'use e.g. 1e-8');
  for (const key of ['learningRate', 'weightDecay', 'gradientScale'] as const) {
    if (!Number.isFinite(attrs[key]))
      throw fail(`${key} ${attrs[key]} is not a finite number`, 'pass a finite value');
  }
}

/**
 * One AdamW step as torch.optim.AdamW does it (decoupled decay, bias correction), with the
 * gradient first multiplied by `gradientScale`. Returns new tensors; the inputs are untouched.
 */
export function adamwUpdate(options: AdamWUpdateOptions): AdamWUpdateResult {
  const attrs: AdamWAttributes = {
    learningRate: options.learningRate,
    beta1: options.beta1,
    beta2: options.beta2,
    epsilon: options.epsilon,
    weightDecay: options.weightDecay ?? 0,
    step: options.step,
    gradientScale: options.gradientScale ?? 1,
  };
  checkAttributes(attrs);
  const { param, gradient, firstMoment, secondMoment } = options;
  for (const [key, tensor] of Object.entries({ param, gradient, firstMoment, secondMoment })) {
    if (tensor.dtype !== 'float32')
      throw new GPTModelError(
        `adamwUpdate: ${key} has dtype ${tensor.dtype}; parameters, gradients and moments are float32, cast it with tf.cast(${key}, 'float32')`,
      );
    if (!tf.util.arraysEqual(tensor.shape, param.shape))
      throw new GPTModelError(
        `adamwUpdate: ${key} has shape [${tensor.shape}] but param has [${param.shape}]; gradient and moments must match their parameter`,
      );
  }
  if (fusedAdamWAvailable()) {
    const inputs = { param, grad: gradient, m: firstMoment, v: secondMoment };
    const [p, m, v] = tf
      .engine()
      .runKernel(adamwKernelName, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { param: p, firstMoment: m, secondMoment: v };
  }
  const stepSize = attrs.learningRate / (1 - attrs.beta1 ** attrs.step);
  const sqrtCorrection2 = Math.sqrt(1 - attrs.beta2 ** attrs.step);
  const shrink = 1 - attrs.learningRate * attrs.weightDecay;
  const [p, m, v] = tf.tidy(() => {
    const g = attrs.gradientScale === 1 ? gradient : tf.mul(gradient, attrs.gradientScale);
    const m = tf.add(tf.mul(firstMoment, attrs.beta1), tf.mul(g, 1 - attrs.beta1));
    const v = tf.add(tf.mul(secondMoment, attrs.beta2), tf.mul(tf.square(g), 1 - attrs.beta2));
    const denominator = tf.add(tf.div(tf.sqrt(v), sqrtCorrection2), attrs.epsilon);
    const base = attrs.weightDecay === 0 ? param : tf.mul(param, shrink);
    return [tf.sub(base, tf.mul(tf.div(m, denominator), stepSize)), m, v];
  });
  return { param: p, firstMoment: m, secondMoment: v };
}

/** Σ over all tensors of Σ x² (the squared global norm), as a float32 scalar. */
export function sumOfSquares(tensors: readonly tf.Tensor[]): tf.Scalar {
  const allFloat = tensors.every((tensor) => tensor.dtype === 'float32');
  if (allFloat && tensors.length > 0 && hasKernel(sumOfSquaresKernelName)) {
    const inputs = Object.fromEntries(tensors.map((tensor, index) => [`x${index}`, tensor]));
    return tf.engine().runKernel(sumOfSquaresKernelName, inputs, {}) as tf.Scalar;
  }
  return tf.tidy(() =>
    tensors.length === 0
      ? tf.scalar(0)
      : (tf.sum(tf.stack(tensors.map((tensor) => tf.sum(tf.square(tensor))))) as tf.Scalar),
  );
}
