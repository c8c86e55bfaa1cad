// LayerNorm over the last axis as one fused op: `layerNorm(x, gamma, beta?, epsilon)` runs the
// native LmkitLayerNorm kernel (and LmkitLayerNormGrad for dx, dgamma or dbeta, one pass each)
// when installed, and the same formula from tfjs ops otherwise.

import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const layerNormKernelName = 'LmkitLayerNorm';
export const layerNormGradKernelName = 'LmkitLayerNormGrad';

/** (x - mean) / sqrt(var + epsilon) · gamma + beta over the last axis (GPT-2: epsilon 1e-5). */
export function layerNorm<T extends tf.Tensor>(
  x: T,
  gamma: tf.Tensor1D,
  beta?: tf.Tensor1D,
  epsilon = 1e-5,
): T {
  const native = tf.getKernel(layerNormKernelName, tf.getBackend());
  if (
    native &&
    x.dtype === 'float32' &&
    gamma.dtype === 'float32' &&
    (!beta || beta.dtype === 'float32')
  ) {
    const inputs: tf.NamedTensorMap = beta ? { x, gamma, beta } : { x, gamma };
    return tf.engine().runKernel(layerNormKernelName, inputs, { epsilon, hasBeta: !!beta }) as T;
  }
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const centred = tf.sub(x, mean);
    const variance = tf.mean(tf.square(centred), -1, true);
    const scaled = tf.mul(tf.mul(centred, tf.rsqrt(tf.add(variance, epsilon))), gamma);
    return (beta ? tf.add(scaled, beta) : scaled) as T;
  });
}

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

/** LmkitLayerNorm's gradients (one LmkitLayerNormGrad call per input). Registered by whoever installs the family (gpt-model's runtime or installNativeKernels). */
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
