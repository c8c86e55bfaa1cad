// Softmax cross-entropy kernels: LmkitCrossEntropy returns Σᵢ weightsᵢ · (logsumexp(logitsᵢ) −
// logitsᵢ[targetsᵢ]) and the row log-sum-exps (one pass), LmkitCrossEntropyGrad the logits'
// gradient (one pass). Callers use @lmkit/gpt-model/runtime's `crossEntropy`, which runs them when
// installed and tfjs ops otherwise.
import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFactory } from './kernel-factory.ts';
import { tensorMemory } from './tensor-memory.ts';

export const crossEntropyKernelName = 'LmkitCrossEntropy';
export const crossEntropyGradKernelName = 'LmkitCrossEntropyGrad';

/** The addon functions this family adds. */
export interface CrossEntropyAddon {
  /** Writes each row's log-sum-exp into lseOut; returns Σ weights·(lse − logits[target]). */
  crossEntropy(
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    lseOut: Float32Array,
    vocab: number,
  ): number;
  /** out = (softmax(logits) − onehot(targets)) · weights · dy, row by row. */
  crossEntropyGrad(
    logits: Float32Array,
    targets: Int32Array,
    weights: Float32Array,
    lse: Float32Array,
    dy: number,
    out: Float32Array,
    vocab: number,
  ): void;
}

export const crossEntropyAddonFunctions: readonly string[] = ['crossEntropy', 'crossEntropyGrad'];

/**
 * logits[i, ids[i]] for each row i, through a one-hot product (its gradient needs no
 * UnsortedSegmentSum, which stock wasm lacks; int32 then cast: wasm's OneHot writes integer bits
 * into float32 outputs).
 */
function pick(logits: tf.Tensor, ids: tf.Tensor): tf.Tensor {
  const vocab = logits.shape[1] as number;
  if (vocab === 1) return tf.reshape(logits, [-1]);
  return tf.sum(tf.mul(logits, tf.cast(tf.oneHot(ids as tf.Tensor1D, vocab), 'float32')), -1);
}

const forward: KernelFactory = (addon, backendName) => (args) => {
  const { logits, targets, weights } = args.inputs as Record<string, TensorInfo>;
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const rows = logits.shape[0];
  const lse = memory.allocate([rows]);
  const loss = memory.allocate([]);
  const total = addon.crossEntropy(
    memory.view(logits),
    memory.viewInt32(targets),
    memory.view(weights),
    lse.view(),
    logits.shape[1],
  );
  loss.view()[0] = total;
  return [loss.info, lse.info];
};

const backward: KernelFactory = (addon, backendName) => (args) => {
  const { logits, targets, weights, lse, dy } = args.inputs as Record<string, TensorInfo>;
  const memory = tensorMemory(backendName, args.backend as KernelBackend);
  const out = memory.allocate([...logits.shape]);
  const scale = memory.view(dy)[0];
  addon.crossEntropyGrad(
    memory.view(logits),
    memory.viewInt32(targets),
    memory.view(weights),
    memory.view(lse),
    scale,
    out.view(),
    logits.shape[1],
  );
  return out.info;
};

export const crossEntropyKernels: Record<string, KernelFactory> = {
  [crossEntropyKernelName]: forward,
  [crossEntropyGradKernelName]: backward,
};

/** LmkitCrossEntropy's gradients. Registered with the family. */
export const crossEntropyGradients: tf.GradConfig[] = [
  {
    kernelName: crossEntropyKernelName,
    inputsToSave: ['logits', 'targets', 'weights'],
    outputsToSave: [false, true],
    gradFunc: (dys, saved) => {
      const [dLoss] = dys as tf.Tensor[];
      const [logits, targets, weights, lse] = saved;
      return {
        logits: () =>
          tf
            .engine()
            .runKernel(
              crossEntropyGradKernelName,
              { logits, targets, weights, lse, dy: dLoss },
              {},
            ) as tf.Tensor,
        // ∂loss/∂weightᵢ = lseᵢ − logitsᵢ[targetᵢ]; ids get no gradient.
        weights: () => {
          const picked = pick(logits, targets);
          return tf.mul(tf.sub(lse, picked), dLoss);
        },
        targets: () => tf.zerosLike(targets),
      };
    },
  },
];
