// Speedrun presets: how much data, how big a tokenizer and model, how long to train.
// `small` is the default (≤ 15 minutes on 2 CPU cores); `tiny` is the end-to-end test's;
// `gpt2` is the 124M model for a real machine (hours on a CPU; see the README).
import { UsageError } from '@lmkit/cli-kit';
import type { TrainingConfigInput } from '@lmkit/trainer';

export interface SpeedrunPreset {
  /** Pages from data/html taken into the crawl (all 106 when undefined). */
  maxPages?: number;
  /** Tokenizer vocabulary, chat markers included. */
  vocabSize: number;
  /** Tokens per shard; the first shard is the validation split. */
  tokensPerShard: number;
  model: { nLayer: number; nHead: number; nEmbd: number; blockSize: number; dropout: number };
  pretrain: {
    batchSize: number;
    sequenceLength: number;
    maxSteps: number;
    maxMinutes?: number;
    learningRate: number;
    warmupSteps: number;
    evalEvery: number;
    evalBatches: number;
  };
  sft: {
    batchSize: number;
    sequenceLength: number;
    maxSteps: number;
    maxMinutes?: number;
    learningRate: number;
    evalEvery: number;
    identityConversations: number;
    /** Conversations held out for validation (by hash), as a fraction. */
    validationFraction: number;
  };
  eval: { maxNewTokens: number; replyPrompts: number };
  /**
   * Tensor backend of the training and eval stages (default 'auto'). `gpt2` needs `cpu`: its
   * training step is far over the wasm heap's 4 GiB, and the native kernels run on cpu too.
   */
  backend?: 'auto' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';
  /** Seed of the training runs (weights' dropout, data order); default: the trainer's 1337. */
  seed?: number;
  /** Runs the filter stage as Slurm jobs (`--slurm`), optionally on one partition. */
  slurm?: { partition?: string };
}

export const speedrunPresets = {
  tiny: {
    maxPages: 24,
    vocabSize: 512,
    tokensPerShard: 16_384,
    model: { nLayer: 2, nHead: 2, nEmbd: 64, blockSize: 64, dropout: 0 },
    pretrain: {
      batchSize: 4,
      sequenceLength: 64,
      maxSteps: 40,
      learningRate: 3e-3,
      warmupSteps: 5,
      evalEvery: 20,
      evalBatches: 2,
    },
    sft: {
      batchSize: 4,
      sequenceLength: 64,
      maxSteps: 20,
      learningRate: 1e-3,
      evalEvery: 10,
      identityConversations: 40,
      validationFraction: 0.1,
    },
    eval: { maxNewTokens: 16, replyPrompts: 4 },
  },
  small: {
    vocabSize: 2048,
    tokensPerShard: 65_536,
    model: { nLayer: 4, nHead: 4, nEmbd: 128, blockSize: 256, dropout: 0 },
    pretrain: {
      batchSize: 4,
      sequenceLength: 256,
      maxSteps: 1500,
      maxMinutes: 6,
      learningRate: 2e-3,
      warmupSteps: 50,
      evalEvery: 100,
      evalBatches: 8,
    },
    sft: {
      batchSize: 4,
      sequenceLength: 256,
      maxSteps: 600,
      maxMinutes: 3,
      learningRate: 5e-4,
      evalEvery: 100,
      identityConversations: 300,
      validationFraction: 0.05,
    },
    eval: { maxNewTokens: 64, replyPrompts: 16 },
  },
  gpt2: {
    backend: 'cpu',
    vocabSize: 16_384,
    tokensPerShard: 1_000_000,
    model: { nLayer: 12, nHead: 12, nEmbd: 768, blockSize: 1024, dropout: 0 },
    pretrain: {
      batchSize: 4,
      sequenceLength: 1024,
      maxSteps: 5000,
      learningRate: 6e-4,
      warmupSteps: 200,
      evalEvery: 250,
      evalBatches: 20,
    },
    sft: {
      batchSize: 4,
      sequenceLength: 1024,
      maxSteps: 1000,
      learningRate: 1e-4,
      evalEvery: 200,
      identityConversations: 1000,
      validationFraction: 0.05,
    },
    eval: { maxNewTokens: 128, replyPrompts: 32 },
  },
} as const satisfies Record<string, SpeedrunPreset>;

export type SpeedrunPresetName = keyof typeof speedrunPresets;

/**
 * The trainer configs of a preset's pretrain and SFT stages: the one mapping from preset fields
 * to @lmkit/trainer's config (the stages call these instead of copying fields by hand).
 * `seed` (the speedrun's --seed) seeds the training run; undefined keeps the trainer's 1337.
 */
export function pretrainConfig(preset: SpeedrunPreset): TrainingConfigInput {
  const p = preset.pretrain;
  return {
    batchSize: p.batchSize,
    sequenceLength: p.sequenceLength,
    maxSteps: p.maxSteps,
    maxMinutes: p.maxMinutes,
    evalEvery: p.evalEvery,
    evalBatches: p.evalBatches,
    checkpointEvery: p.evalEvery,
    ...(preset.seed === undefined ? {} : { seed: preset.seed }),
    schedule: {
      kind: 'cosine',
      maxLearningRate: p.learningRate,
      minLearningRate: p.learningRate / 10,
      warmupSteps: p.warmupSteps,
      decaySteps: p.maxSteps,
    },
  };
}

export function sftConfig(preset: SpeedrunPreset): TrainingConfigInput {
  const s = preset.sft;
  return {
    batchSize: s.batchSize,
    sequenceLength: s.sequenceLength,
    maxSteps: s.maxSteps,
    maxMinutes: s.maxMinutes,
    evalEvery: s.evalEvery,
    evalBatches: 4,
    checkpointEvery: s.evalEvery,
    ...(preset.seed === undefined ? {} : { seed: preset.seed }),
    schedule: {
      kind: 'cosine',
      maxLearningRate: s.learningRate,
      minLearningRate: 0,
      warmupSteps: Math.max(1, Math.round(s.maxSteps / 20)),
      decaySteps: s.maxSteps,
    },
  };
}

/** A preset with the command line's --backend and --seed applied (both recorded in the markers). */
export function withRunFlags(
  preset: SpeedrunPreset,
  flags: {
    backend?: SpeedrunPreset['backend'];
    seed?: number;
    slurm?: boolean;
    slurmPartition?: string;
  },
): SpeedrunPreset {
  if (flags.slurmPartition !== undefined && !flags.slurm) {
    throw new UsageError('--slurm-partition applies to --slurm runs; add --slurm');
  }
  return {
    ...preset,
    ...(flags.slurm
      ? {
          slurm: flags.slurmPartition === undefined ? {} : { partition: flags.slurmPartition },
        }
      : {}),
    ...(flags.backend === undefined ? {} : { backend: flags.backend }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
  };
}
