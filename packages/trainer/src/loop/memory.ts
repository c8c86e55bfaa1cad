// Whether one training step fits in memory, so a batch that cannot fit fails with advice before
// the backend runs out of memory mid-step. The estimate itself is the runtime's `estimateMemory`
// (weights, gradients, two AdamW moments, activations kept for the backward pass).
import type { GPTConfig } from '@lmkit/gpt-model';
import { estimateMemory } from '@lmkit/gpt-model/runtime';
import { TrainerConfigError } from '../errors.ts';

/** Bytes a step of `batchSize × sequenceLength` is estimated to hold at its peak (with AdamW). */
export function estimateStepMemoryBytes(options: {
  config: GPTConfig;
  batchSize: number;
  sequenceLength: number;
}): number {
  return estimateMemory(options.config, {
    batchSize: options.batchSize,
    sequenceLength: options.sequenceLength,
    training: true,
    optimizer: 'adamw',
  }).totalBytes;
}

/**
 * Throws a TrainerConfigError when the estimate exceeds `limitBytes`. The advice is a smaller
 * batch (with accumulation) while one fits, else a shorter sequence or, on the wasm backend (its
 * heap is capped at 4 GiB), the cpu backend, which keeps tensors in JS memory without that cap.
 */
export function assertStepFits(options: {
  config: GPTConfig;
  batchSize: number;
  sequenceLength: number;
  limitBytes: number;
  /** The tfjs backend in use, for the advice. */
  backend?: string;
}): void {
  const needed = estimateStepMemoryBytes(options);
  if (needed <= options.limitBytes) return;
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const over = `batch ${options.batchSize} × ${options.sequenceLength} tokens needs about ${gib(needed)}, over the ${gib(options.limitBytes)} memory limit${options.backend === 'wasm' ? ' of the wasm heap' : ''}`;
  const fits = (batchSize: number, sequenceLength: number) =>
    estimateStepMemoryBytes({ ...options, batchSize, sequenceLength }) <= options.limitBytes;
  let batch = options.batchSize - 1;
  while (batch >= 1 && !fits(batch, options.sequenceLength)) batch--;
  if (batch >= 1) {
    throw new TrainerConfigError(
      `${over}; lower batchSize to ${batch} or less and keep the total batch with totalBatchTokens (gradient accumulation)`,
    );
  }
  let sequence = options.sequenceLength - 1;
  while (sequence >= 1 && !fits(1, sequence)) sequence = Math.floor(sequence * 0.9);
  const wasm =
    options.backend === 'wasm'
      ? "use the cpu backend (--backend cpu / setBackend('cpu'): no 4 GiB cap, and @lmkit/tfjs-native's kernels run there too), or "
      : '';
  const shorter =
    sequence >= 1
      ? `train on shorter sequences (sequenceLength ${sequence} fits at batch 1)`
      : 'use a smaller model';
  throw new TrainerConfigError(
    `${over}, even one sequence does not fit; ${wasm}${shorter}, or raise memoryLimitBytes if the estimate is too cautious`,
  );
}
