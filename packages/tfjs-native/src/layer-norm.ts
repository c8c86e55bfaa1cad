// LayerNorm over the last axis: the LmkitLayerNorm kernel (attributes epsilon and hasBeta) and
// LmkitLayerNormGrad for dx, dgamma or dbeta, one pass each. Callers use
// @lmkit/gpt-model/runtime's `layerNorm`, which runs them when installed and tfjs ops otherwise.

import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const layerNormKernelName = 'LmkitLayerNorm';
export const layerNormGradKernelName = 'LmkitLayerNormGrad';

const empty = new Float32Array(0);

const forward: KernelFactory = (addon, backendName) => (args) => {
  const { x, gamma, beta } = args.inputs as { x: TensorInfo; gamma: TensorInfo; beta?: TensorInfo };
  const { epsilon } = args.attrs as unknown as { epsilon: number };
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([...x.shape]);
  addon.layerNorm(
    memory.view(x),
    memory.view(gamma),
    beta ? memory.view(beta) : empty,
    out.view(),
    epsilon,
  );
  return out.info;
};

const backward: KernelFactory = (addon, backendName) => (args) => {
  const { dy, x, gamma } = args.inputs as { dy: TensorInfo; x: TensorInfo; gamma: TensorInfo };
  const { epsilon, which } = args.attrs as unknown as { epsilon: number; which: number };
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([...(which === 0 ? x.shape : gamma.shape)]);
  addon.layerNormGrad(
    which,
    memory.view(dy),
    memory.view(x),
    memory.view(gamma),
    out.view(),
    epsilon,
  );
  return out.info;
};

export const layerNormKernels: Record<string, KernelFactory> = {
  [layerNormKernelName]: forward,
  [layerNormGradKernelName]: backward,
};

/** LmkitLayerNorm's gradients (one LmkitLayerNormGrad call per input). Registered with the family. */
export const layerNormGradients: tf.GradConfig[] = [
  {
    kernelName: layerNormKernelName,
    inputsToSave: ['x', 'gamma'],
    gradFunc: (dy, saved, attrs) => {
      const { epsilon, hasBeta } = attrs as unknown as { epsilon: number; hasBeta: boolean };
      // One kernel per gradient: the tape runs each in its own tidy scope.
      const grad = (which: number) => () =>
        tf.engine().runKernel(
          layerNormGradKernelName,
          { dy: dy as tf.Tensor, x: saved[0], gamma: saved[1] },
          {
            epsilon,
            which,
          },
        ) as tf.Tensor;
      const result: Record<string, () => tf.Tensor> = { x: grad(0), gamma: grad(1) };
      if (hasBeta) result.beta = grad(2);
      return result;
    },
  },
];
