// Optimizer kernels: LmkitAdamW, one PyTorch-style AdamW step for a parameter (one pass, new
// param/m/v tensors), and LmkitSumOfSquares, the global-norm sum for gradient clipping. Callers use
// @lmkit/gpt-model/runtime's `adamwUpdate` and `sumOfSquares` (which define the attributes and
// validate them) and fall back to tfjs ops with the same arithmetic when these are not installed.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
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

/** LmkitAdamW's attributes, by name (the contract is gpt-model runtime's `AdamWAttributes`). */
const adamwAttributeNames = [
  'learningRate',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
  'step',
  'gradientScale',
] as const;
type AdamWAttributes = Record<(typeof adamwAttributeNames)[number], number>;

/** A direct runKernel call with a missing or non-finite attribute, or a bad step, is refused. */
function checkAttributes(attrs: AdamWAttributes): void {
  for (const key of adamwAttributeNames) {
    if (!Number.isFinite(attrs[key]))
      throw new TfjsNativeError(
        `${adamwKernelName}: attribute ${key} is ${attrs[key]}, not a finite number; call adamwUpdate from @lmkit/gpt-model/runtime, which fills them in`,
      );
  }
  if (!Number.isInteger(attrs.step) || attrs.step < 1)
    throw new TfjsNativeError(
      `${adamwKernelName}: step ${attrs.step} is not an integer ≥ 1; count updates from 1`,
    );
}

/** The float32 constants of one update, derived in double as the fallback derives them. */
function derived(attrs: AdamWAttributes) {
  return {
    shrink: 1 - attrs.learningRate * attrs.weightDecay,
    stepSize: attrs.learningRate / (1 - attrs.beta1 ** attrs.step),
    sqrtCorrection2: Math.sqrt(1 - attrs.beta2 ** attrs.step),
  };
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
