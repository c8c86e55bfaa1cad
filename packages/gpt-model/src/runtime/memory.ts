// The one memory estimate of lmkit, checked before allocating: weights, gradients, optimizer state
// and the activations of one pass, in float32. The wasm backend's heap is capped at 4 GiB
// (`wasmHeapLimitBytes`), so a config that will not fit there fails early with a clear error.
import { totalmem } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { type GPTConfig, parameterCount } from '../config.ts';
import { GPTModelError } from '../errors.ts';

/** The wasm backend's heap (32-bit addresses): the only place this limit is written. */
export const wasmHeapLimitBytes = 4 * 2 ** 30;

export interface MemoryEstimateOptions {
  /** Default 1. */
  batchSize?: number;
  /** Default the config's block size. */
  sequenceLength?: number;
  /** Training keeps activations for the backward pass and a gradient for every weight. */
  training?: boolean;
  /** Optimizer state held beside the weights: 'adamw' keeps two moments per weight. Default none. */
  optimizer?: 'adamw';
}

export interface MemoryEstimate {
  weightsBytes: number;
  gradientsBytes: number;
  optimizerBytes: number;
  activationsBytes: number;
  totalBytes: number;
}

/**
 * A rough upper estimate of float32 memory at the peak of one pass. Training, per layer: ~20
 * (B, T, C)-sized tensors (LayerNorms, qkv, MLP at 4C, residuals) and ~3 attention maps
 * (B, H, T, T); then logits, softmax and their gradient over (B, T, V). Inference keeps one
 * layer's tensors (~12 C and 2 attention rows per token) and the logits.
 */
export function estimateMemory(
  config: GPTConfig,
  options: MemoryEstimateOptions = {},
): MemoryEstimate {
  const B = options.batchSize ?? 1;
  const T = options.sequenceLength ?? config.blockSize;
  const { nLayer: L, nEmbd: C, nHead: H, vocabSize: V } = config;
  const parameterBytes = parameterCount(config) * 4;
  const weightsBytes = parameterBytes;
  const gradientsBytes = options.training ? parameterBytes : 0;
  const optimizerBytes = options.optimizer === 'adamw' ? 2 * parameterBytes : 0;
  const perToken = options.training ? L * (20 * C + 3 * H * T) + 3 * V : 12 * C + 2 * H * T + V;
  const activationsBytes = B * T * perToken * 4;
  return {
    weightsBytes,
    gradientsBytes,
    optimizerBytes,
    activationsBytes,
    totalBytes: weightsBytes + gradientsBytes + optimizerBytes + activationsBytes,
  };
}

/** The memory a backend can use: the wasm heap, else 80% of the machine's memory. */
export function memoryLimitBytes(backend: string = tf.getBackend()): number {
  return backend === 'wasm' ? wasmHeapLimitBytes : 0.8 * totalmem();
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(2)} GiB`;

/** Throws before allocating when the current backend is wasm and the estimate exceeds its heap. */
export function assertFitsBackend(config: GPTConfig, options: MemoryEstimateOptions = {}): void {
  if (tf.getBackend() !== 'wasm') return;
  const estimate = estimateMemory(config, options);
  if (estimate.totalBytes <= wasmHeapLimitBytes) return;
  const what = options.training ? 'training' : 'inference';
  const held = estimate.weightsBytes + estimate.gradientsBytes + estimate.optimizerBytes;
  throw new GPTModelError(
    `${what} with this config needs about ${gib(estimate.totalBytes)} (weights ${gib(held)}, activations ${gib(estimate.activationsBytes)} at batch ${options.batchSize ?? 1} × ${options.sequenceLength ?? config.blockSize} tokens), over the wasm backend's ${gib(wasmHeapLimitBytes)} heap; use the cpu backend (setBackend('cpu'): no heap cap, and @lmkit/tfjs-native's kernels run there too), the "tensorflow" backend (\`pnpm add @tensorflow/tfjs-node\`, then setBackend('tensorflow')), or a smaller batch, sequence or model`,
  );
}
