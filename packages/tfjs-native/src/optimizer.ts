// Fused optimizer ops: `adamwUpdate` runs one PyTorch-style AdamW step for a parameter through the
// native LmkitAdamW kernel (one pass, new param/m/v tensors) and `sumOfSquares` the global-norm sum
// for gradient clipping through LmkitSumOfSquares; both fall back to the same tfjs-ops arithmetic.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { TfjsNativeError } from './errors.ts';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const adamwKernelName = 'LmkitAdamW';
export const sumOfSquaresKernelName = 'LmkitSumOfSquares';

/** The addon functions this family adds. */
export interface OptimizerAddon {
  /** One AdamW pass into outParam/outM/outV (same length as param, grad, m, v). */
  adamw(
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
    outParam: Float32Array,
    outM: Float32Array,
    outV: Float32Array,
    beta1: number,
    beta2: number,
    epsilon: number,
    shrink: number,
    stepSize: number,
    sqrtCorrection2: number,
    gradScale: number,
  ): void;
  /** Σ x² accumulated in double, independent of the thread count. */
  sumOfSquares(x: Float32Array): number;
}

/** Names of the addon functions above (a stale build lacking one is not used). */
export const optimizerAddonFunctions: readonly string[] = ['adamw', 'sumOfSquares'];

/** LmkitAdamW's attributes (the kernel's contract: callers may runKernel it directly). */
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

function checkAttributes(attrs: AdamWAttributes): void {
  const fail = (what: string, fix: string) => new TfjsNativeError(`adamwUpdate: ${what}; ${fix}`);
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

function checkTensors(options: AdamWUpdateOptions): void {
  const { param } = options;
  for (const key of ['param', 'gradient', 'firstMoment', 'secondMoment'] as const) {
    const tensor = options[key];
    if (tensor.dtype !== 'float32')
      throw new TfjsNativeError(
        `adamwUpdate: ${key} has dtype ${tensor.dtype}; AdamW runs on float32, cast it with tf.cast(x, 'float32')`,
      );
    if (!tf.util.arraysEqual(tensor.shape, param.shape))
      throw new TfjsNativeError(
        `adamwUpdate: ${key} has shape [${tensor.shape}] but param has [${param.shape}]; gradient and moments must match their parameter`,
      );
  }
}

/** The float32 constants of one update, derived in double as the fallback derives them. */
function derived(attrs: AdamWAttributes) {
  return {
    shrink: 1 - attrs.learningRate * attrs.weightDecay,
    stepSize: attrs.learningRate / (1 - attrs.beta1 ** attrs.step),
    sqrtCorrection2: Math.sqrt(1 - attrs.beta2 ** attrs.step),
  };
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
  checkTensors(options);
  const { param, gradient, firstMoment, secondMoment } = options;
  if (tf.getKernel(adamwKernelName, tf.getBackend())) {
    const inputs = { param, grad: gradient, m: firstMoment, v: secondMoment };
    const [p, m, v] = tf
      .engine()
      .runKernel(adamwKernelName, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    return { param: p, firstMoment: m, secondMoment: v };
  }
  const { shrink, stepSize, sqrtCorrection2 } = derived(attrs);
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
  if (allFloat && tensors.length > 0 && tf.getKernel(sumOfSquaresKernelName, tf.getBackend())) {
    const inputs = Object.fromEntries(tensors.map((tensor, index) => [`x${index}`, tensor]));
    return tf.engine().runKernel(sumOfSquaresKernelName, inputs, {}) as tf.Scalar;
  }
  return tf.tidy(() =>
    tensors.length === 0
      ? tf.scalar(0)
      : (tf.sum(tf.stack(tensors.map((tensor) => tf.sum(tf.square(tensor))))) as tf.Scalar),
  );
}

function requireFloat32(kernel: string, inputs: Record<string, TensorInfo>): void {
  for (const [name, info] of Object.entries(inputs)) {
    if (info.dtype !== 'float32')
      throw new TfjsNativeError(
        `${kernel}: input ${name} has dtype ${info.dtype}; it takes float32 only, cast it first`,
      );
  }
}

const adamwKernel: KernelFactory = (addon, backendName) => (args) => {
  const inputs = args.inputs as {
    param: TensorInfo;
    grad: TensorInfo;
    m: TensorInfo;
    v: TensorInfo;
  };
  requireFloat32(adamwKernelName, inputs);
  const attrs = args.attrs as unknown as AdamWAttributes;
  checkAttributes(attrs);
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const shape = [...inputs.param.shape];
  // Allocate every output before taking views: a wasm heap may grow (and move) on allocation.
  const outputs = [memory.allocate(shape), memory.allocate(shape), memory.allocate(shape)];
  const { shrink, stepSize, sqrtCorrection2 } = derived(attrs);
  addon.adamw(
    memory.view(inputs.param),
    memory.view(inputs.grad),
    memory.view(inputs.m),
    memory.view(inputs.v),
    outputs[0].view(),
    outputs[1].view(),
    outputs[2].view(),
    attrs.beta1,
    attrs.beta2,
    attrs.epsilon,
    shrink,
    stepSize,
    sqrtCorrection2,
    attrs.gradientScale,
  );
  return outputs.map((output) => output.info);
};

const sumOfSquaresKernel: KernelFactory = (addon, backendName) => (args) => {
  const inputs = args.inputs as Record<string, TensorInfo>;
  requireFloat32(sumOfSquaresKernelName, inputs);
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([]);
  let total = 0;
  for (const info of Object.values(inputs)) total += addon.sumOfSquares(memory.view(info));
  out.view()[0] = total;
  return out.info;
};

export const optimizerKernels: Record<string, KernelFactory> = {
  [adamwKernelName]: adamwKernel,
  [sumOfSquaresKernelName]: sumOfSquaresKernel,
};
