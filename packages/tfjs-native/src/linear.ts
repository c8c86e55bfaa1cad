// A dense layer as one op: `linear(x, w, b?)` = x·W + b through the native LmkitLinear kernel (the
// bias written first, then one sgemm accumulating into it) with a gradient of two sgemms and a
// threaded column sum (LmkitColumnSum) for the bias; from tfjs ops when not installed.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { TfjsNativeError } from './errors.ts';
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

/** x (N, K) · w (K, M) + b (M), fused when the native kernel is installed. */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (
    x.rank !== 2 ||
    w.rank !== 2 ||
    x.shape[1] !== w.shape[0] ||
    (b && b.shape[0] !== w.shape[1])
  ) {
    throw new TfjsNativeError(
      `linear needs x (N, K), w (K, M) and b (M); got [${x.shape}], [${w.shape}]${b ? ` and [${b.shape}]` : ''}`,
    );
  }
  const native =
    x.dtype === 'float32' &&
    w.dtype === 'float32' &&
    (!b || b.dtype === 'float32') &&
    tf.getKernel(linearKernelName, tf.getBackend()) !== undefined;
  if (native) {
    const inputs: tf.NamedTensorMap = b ? { x, w, b } : { x, w };
    return tf.engine().runKernel(linearKernelName, inputs, {}) as tf.Tensor2D;
  }
  const y = tf.matMul(x, w) as tf.Tensor2D;
  return b ? (tf.add(y, b) as tf.Tensor2D) : y;
}

/** Column sums of a 2-D tensor (the bias gradient), native and threaded when installed. */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  if (x.dtype === 'float32' && tf.getKernel(columnSumKernelName, tf.getBackend())) {
    return tf.engine().runKernel(columnSumKernelName, { x }, {}) as tf.Tensor1D;
  }
  return tf.sum(x, 0);
}

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

/** LmkitLinear's gradients: two sgemms and the threaded column sum. Registered by whoever installs the family (gpt-model's runtime or installNativeKernels). */
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
