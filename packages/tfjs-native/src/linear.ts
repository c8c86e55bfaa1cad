// The dense-layer kernels: LmkitLinear, x·W + b (the bias written first, then one sgemm
// accumulating into it), with a gradient of two sgemms and a threaded column sum (LmkitColumnSum)
// for the bias. Callers use @lmkit/gpt-model/runtime's `linear` and `columnSum`, which run these
// when installed and tfjs ops otherwise.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const linearKernelName = 'LmkitLinear';
export const columnSumKernelName = 'LmkitColumnSum';

/** The addon functions this family adds. */
export interface LinearAddon {
  /** out (n, m) = x (n, k) · w (k, m) + b (m; an empty array for no bias). */
  linear(
    x: Float32Array,
    w: Float32Array,
    b: Float32Array,
    out: Float32Array,
    n: number,
    k: number,
    m: number,
  ): void;
  /** out (cols) = the sums of the columns of x (rows, cols). */
  columnSum(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
}

export const linearAddonFunctions: readonly string[] = ['linear', 'columnSum'];

const forward: KernelFactory = (addon, backendName) => (args) => {
  const { x, w, b } = args.inputs as { x: TensorInfo; w: TensorInfo; b?: TensorInfo };
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const [n, k] = x.shape;
  const m = w.shape[1];
  const out = memory.allocate([n, m]);
  addon.linear(
    memory.view(x),
    memory.view(w),
    b ? memory.view(b) : new Float32Array(0),
    out.view(),
    n,
    k,
    m,
  );
  return out.info;
};

const columnSumKernel: KernelFactory = (addon, backendName) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const rows = x.shape.length === 2 ? x.shape[0] : 1;
  const cols = x.shape[x.shape.length - 1];
  const out = memory.allocate([cols]);
  addon.columnSum(memory.view(x), out.view(), rows, cols);
  return out.info;
};

export const linearKernels: Record<string, KernelFactory> = {
  [linearKernelName]: forward,
  [columnSumKernelName]: columnSumKernel,
};

/** LmkitLinear's gradients: two sgemms and the threaded column sum. Registered with the family. */
export const linearGradients: tf.GradConfig[] = [
  {
    kernelName: linearKernelName,
    inputsToSave: ['x', 'w'],
    gradFunc: (dy, saved) => {
      const [x, w] = saved as tf.Tensor2D[];
      const d = dy as tf.Tensor2D;
      return {
        x: () => tf.matMul(d, w, false, true),
        w: () => tf.matMul(x, d, true, false),
        b: () => tf.engine().runKernel(columnSumKernelName, { x: d }, {}) as tf.Tensor,
      };
    },
  },
];
