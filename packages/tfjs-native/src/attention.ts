// Fused causal self-attention on GPT-2's packed qkv (B·T, 3C): the LmkitCausalAttention kernel
// (attributes batch, steps, nHead) and LmkitCausalAttentionGrad, which recomputes the
// probabilities instead of storing them. Callers use @lmkit/gpt-model/runtime's `causalAttention`,
// which runs them when installed and the same math from tfjs ops otherwise.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { TfjsNativeError } from './errors.ts';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const causalAttentionKernelName = 'LmkitCausalAttention';
export const causalAttentionGradKernelName = 'LmkitCausalAttentionGrad';

/** The addon functions this family adds (arrays are read and written in place). */
export interface AttentionAddon {
  /** y (B·T, C) = merged heads of softmax(QKᵀ/√hs, causal)·V for qkv (B·T, 3C). */
  causalAttention(
    batch: number,
    steps: number,
    nHead: number,
    qkv: Float32Array,
    y: Float32Array,
  ): void;
  /** dqkv (B·T, 3C) for upstream dy (B·T, C). */
  causalAttentionGrad(
    batch: number,
    steps: number,
    nHead: number,
    qkv: Float32Array,
    dy: Float32Array,
    dqkv: Float32Array,
  ): void;
}

/** Names of the addon functions above (a stale build lacking one is not used). */
export const attentionAddonFunctions: readonly string[] = [
  'causalAttention',
  'causalAttentionGrad',
];

export interface CausalAttentionShape {
  /** B: sequences in the batch. */
  batch: number;
  /** T: positions per sequence. */
  steps: number;
  /** H: heads; the width C must be divisible by it. */
  nHead: number;
}

function checkCount(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TfjsNativeError(
      `causalAttention ${name} must be an integer ≥ 1, got ${String(value)}; pass the model's ${name}`,
    );
  }
  return value;
}

/** Validates qkv (B·T, 3C) against the shape; returns the width C. */
function checkShape(qkvShape: readonly number[], shape: CausalAttentionShape): number {
  const batch = checkCount('batch', shape.batch);
  const steps = checkCount('steps', shape.steps);
  const nHead = checkCount('nHead', shape.nHead);
  if (qkvShape.length !== 2 || qkvShape[0] !== batch * steps || qkvShape[1] % 3 !== 0) {
    throw new TfjsNativeError(
      `causalAttention needs qkv of shape (batch·steps, 3·C) = (${batch * steps}, 3·C), got [${qkvShape}]; pass the output of the c_attn linear layer reshaped to 2-D`,
    );
  }
  const width = qkvShape[1] / 3;
  if (width % nHead !== 0) {
    throw new TfjsNativeError(
      `causalAttention width C = ${width} is not divisible by nHead = ${nHead}; choose nHead dividing C (head size C/nHead)`,
    );
  }
  return width;
}

const forward: KernelFactory = (addon, backendName) => (args) => {
  const { qkv } = args.inputs as { qkv: TensorInfo };
  const shape = args.attrs as unknown as CausalAttentionShape;
  const width = checkShape(qkv.shape, shape);
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([qkv.shape[0], width]);
  addon.causalAttention(shape.batch, shape.steps, shape.nHead, memory.view(qkv), out.view());
  return out.info;
};

const backward: KernelFactory = (addon, backendName) => (args) => {
  const { qkv, dy } = args.inputs as { qkv: TensorInfo; dy: TensorInfo };
  const shape = args.attrs as unknown as CausalAttentionShape;
  checkShape(qkv.shape, shape);
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([...qkv.shape]);
  addon.causalAttentionGrad(
    shape.batch,
    shape.steps,
    shape.nHead,
    memory.view(qkv),
    memory.view(dy),
    out.view(),
  );
  return out.info;
};

export const attentionKernels: Record<string, KernelFactory> = {
  [causalAttentionKernelName]: forward,
  [causalAttentionGradKernelName]: backward,
};

/** LmkitCausalAttention's gradient (LmkitCausalAttentionGrad recomputes the probabilities). Registered with the family. */
export const attentionGradients: tf.GradConfig[] = [
  {
    kernelName: causalAttentionKernelName,
    inputsToSave: ['qkv'],
    gradFunc: (dy, saved, attrs) => ({
      qkv: () =>
        tf
          .engine()
          .runKernel(
            causalAttentionGradKernelName,
            { qkv: saved[0], dy: dy as tf.Tensor },
            attrs as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
    }),
  },
];
