// Memory estimates checked before allocating: the wasm backend's heap is capped at 4 GiB, so a
// config whose weights and activations will not fit there fails early with a clear error.
import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, parameterCount } from './config.ts';
import { GPTModelError } from './errors.ts';

export const wasmHeapLimitBytes = 4 * 2 ** 30;

export interface MemoryEstimateOptions {
  batchSize?: number;
  sequenceLength?: number;
  /** Training keeps activations for the backward pass and gradients for every weight. */
  training?: boolean;
}

export interface MemoryEstimate {
  weightsBytes: number;
  activationsBytes: number;
  totalBytes: number;
}

/** Rough float32 memory need: weights (and gradients), plus the activations of one pass. */
export function estimateMemory(
  config: GPTConfig,
  options: MemoryEstimateOptions = {},
): MemoryEstimate {
  const B = options.batchSize ?? 1;
  const T = options.sequenceLength ?? config.blockSize;
  const { nLayer: L, nEmbd: C, nHead: H, vocabSize: V } = config;
  const weightsBytes = parameterCount(config) * 4 * (options.training ? 2 : 1);
  // Per layer, the tensors a block keeps (≈ 34·C per token plus 5·H·T attention scores per token,
  // the Korthikanti et al. count) and, per token, the logits with their softmax and gradient.
  const perToken = options.training ? L * (34 * C + 5 * H * T) + 3 * V : 12 * C + 2 * H * T + V;
  const activationsBytes = B * T * perToken * 4;
  return { weightsBytes, activationsBytes, totalBytes: weightsBytes + activationsBytes };
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Throws before allocating when the current backend is wasm and the estimate exceeds its heap. */
export function assertFitsBackend(config: GPTConfig, options: MemoryEstimateOptions = {}): void {
  if (tf.getBackend() !== 'wasm') return;
  const estimate = estimateMemory(config, options);
  if (estimate.totalBytes <= wasmHeapLimitBytes) return;
  const what = options.training ? 'training' : 'inference';
  throw new GPTModelError(
    `${what} with this config needs about ${gib(estimate.totalBytes)} (weights ${gib(estimate.weightsBytes)}, activations ${gib(estimate.activationsBytes)} at batch ${options.batchSize ?? 1} × ${options.sequenceLength ?? config.blockSize} tokens), over the wasm backend's ${gib(wasmHeapLimitBytes)} heap; use the cpu backend (setBackend('cpu'): no heap cap, and @lmkit/tfjs-native's kernels run there too), the "tensorflow" backend (\`pnpm add @tensorflow/tfjs-node\`, then setBackend('tensorflow')), or a smaller batch, sequence or model`,
  );
}
