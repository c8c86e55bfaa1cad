// GPT-2's tanh-GELU kernels: LmkitGelu (one pass forward) and LmkitGeluGrad (one pass backward).
// Callers use @lmkit/gpt-model/runtime's `gelu`, which runs them when installed and the same
// formula from tfjs ops otherwise.

import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const geluKernelName = 'LmkitGelu';
export const geluGradKernelName = 'LmkitGeluGrad';

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

/** LmkitGelu's gradient (through LmkitGeluGrad). Registered with the family. */
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
