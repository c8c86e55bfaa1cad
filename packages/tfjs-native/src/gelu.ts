// GPT-2's tanh-GELU as one fused op: `gelu(x)` runs the native LmkitGelu kernel (one pass
// forward, one pass backward through LmkitGeluGrad) when installed, and the same formula from
// tfjs ops otherwise, so callers need not know whether the addon is there.

import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const geluKernelName = 'LmkitGelu';
export const geluGradKernelName = 'LmkitGeluGrad';

const geluScale = Math.sqrt(2 / Math.PI);

/** 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), fused when the native kernel is installed. */
export function gelu<T extends tf.Tensor>(x: T): T {
  if (x.dtype === 'float32' && tf.getKernel(geluKernelName, tf.getBackend())) {
    return tf.engine().runKernel(geluKernelName, { x }, {}) as T;
  }
  return tf.tidy(() => {
    const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), geluScale);
    return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1)) as T;
  });
}

const forward: KernelFactory = (addon, backendName) => (args) => {
  const { x } = args.inputs as { x: TensorInfo };
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([...x.shape]);
  addon.unary(2, memory.view(x), out.view());
  return out.info;
};

const backward: KernelFactory = (addon, backendName) => (args) => {
  const { dy, x } = args.inputs as { dy: TensorInfo; x: TensorInfo };
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([...x.shape]);
  addon.geluGrad(memory.view(x), memory.view(dy), out.view());
  return out.info;
};

export const geluKernels: Record<string, KernelFactory> = {
  [geluKernelName]: forward,
  [geluGradKernelName]: backward,
};

/** LmkitGelu's gradient (through LmkitGeluGrad). Registered by whoever installs the family (gpt-model's runtime or installNativeKernels). */
export const geluGradients: tf.GradConfig[] = [
  {
    kernelName: geluKernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved) => ({
      x: () =>
        tf
          .engine()
          .runKernel(geluGradKernelName, { dy: dy as tf.Tensor, x: saved[0] }, {}) as tf.Tensor,
    }),
  },
];
