// A rough upper estimate of the memory one training step needs, so a batch that cannot fit fails
// with advice before the backend runs out of memory mid-step. Float32 everywhere; counts weights,
// gradients, two AdamW moments, and per-layer activations kept for the backward pass.
import { type GPTConfig, parameterCount } from '@lmkit/gpt-model';
import { TrainerConfigError } from './errors.ts';

/** Bytes a step of `batchSize × sequenceLength` is estimated to hold at its peak. */
export function estimateStepMemoryBytes(options: {
  config: GPTConfig;
  batchSize: number;
  sequenceLength: number;
}): number {
  const { config, batchSize: B, sequenceLength: T } = options;
  const { nLayer: L, nEmbd: C, nHead: H, vocabSize: V } = config;
  const weights = parameterCount(config) * 4 * 4;
  // Per layer: ~20 (B, T, C)-sized tensors (LayerNorms, qkv, MLP at 4C, residuals) and ~3
  // attention maps (B, H, T, T); then logits, softmax and their gradient over (B, T, V).
  const perLayerFloats = 20 * B * T * C + 3 * B * H * T * T;
  const headFloats = 3 * B * T * V;
  return weights + 4 * (L * perLayerFloats + headFloats);
}

/** Throws a TrainerConfigError when the estimate exceeds `limitBytes`. */
export function assertStepFits(options: {
  config: GPTConfig;
  batchSize: number;
  sequenceLength: number;
  limitBytes: number;
}): void {
  const needed = estimateStepMemoryBytes(options);
  if (needed <= options.limitBytes) return;
  const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
  const fitting = Math.max(1, Math.floor((options.batchSize * options.limitBytes) / needed / 2));
  throw new TrainerConfigError(
    `batch ${options.batchSize} × ${options.sequenceLength} tokens needs about ${gib(needed)}, over the ${gib(options.limitBytes)} memory limit; lower batchSize to ${fitting} or less and keep the total batch with totalBatchTokens (gradient accumulation)`,
  );
}
