// Speedrun presets: how much data, how big a tokenizer and model, how long to train.
// `small` is the default (≤ 15 minutes on 2 CPU cores); `tiny` is the end-to-end test's;
// `gpt2` is the 124M model for a real machine (hours on a CPU; see the README).
// One zod schema describes a preset; the TypeScript type is inferred from it, and a preset built
// by hand (tests, --backend/--seed) is checked against it with a message naming the field.
import { describeIssue, issuePath, UsageError } from '@lmkit/cli-kit';
import type { TrainingConfigInput } from '@lmkit/trainer';
import { z } from 'zod';

const count = () => z.number().int().min(1);
const fraction = () => z.number().gt(0).lt(1);

/** One training phase's budget and learning rate (every trained stage has these). */
const phaseSchema = z.strictObject({
  /** Rows per micro-batch (reward model and DPO: two rows per pair, so even). */
  batchSize: count(),
  maxSteps: count(),
  /** Wall-clock budget in minutes; the phase stops at whichever of it and maxSteps comes first. */
  maxMinutes: z.number().gt(0).optional(),
  /** Peak of the cosine schedule. */
  learningRate: z.number().gt(0),
  evalEvery: count(),
});
const pairPhaseSchema = phaseSchema.extend({
  batchSize: count().refine((rows) => rows % 2 === 0, {
    message: 'counts rows, two per pair; make it even',
  }),
});

export const speedrunPresetSchema = z.strictObject({
  /** Pages from data/html taken into the crawl (all 106 when undefined). */
  maxPages: count().optional(),
  /** Tokenizer vocabulary (with <|endoftext|>; the chat markers are added at SFT unless reserved). */
  vocabSize: z.number().int().min(260),
  /**
   * Reserve the chat markers at tokenizer training instead of adding them at SFT (the recipe adds
   * them at post-training; default false). Kept as a switch to measure both ways.
   */
  reserveChatMarkers: z.boolean().optional(),
  /** Tokens per shard; the first shard is the validation split. */
  tokensPerShard: count(),
  model: z.strictObject({
    nLayer: count(),
    nHead: count(),
    nEmbd: count(),
    blockSize: count(),
    dropout: z.number().min(0).lt(1),
  }),
  pretrain: phaseSchema.extend({
    sequenceLength: count(),
    warmupSteps: z.number().int().min(0),
    evalBatches: count(),
  }),
  sft: phaseSchema.extend({
    sequenceLength: count(),
    identityConversations: z.number().int().min(0),
    /** Conversations held out for validation (by hash), as a fraction. */
    validationFraction: fraction(),
  }),
  /** Preference stage: a reward model and DPO on oasst1's ranked replies, from the SFT model. */
  preference: z.strictObject({
    /** oasst1 trees held out (every pair of a tree on one side); SFT does not train on them either. */
    validationFraction: fraction(),
    /** Training pairs used at most (all when undefined). */
    maxPairs: count().optional(),
    reward: pairPhaseSchema,
    dpo: pairPhaseSchema.extend({ beta: z.number().gt(0) }),
    /** One round of online DPO after the offline one: sample, score with the reward model, DPO. */
    online: z
      .strictObject({
        prompts: count(),
        samples: z.number().int().min(2),
        maxNewTokens: count(),
        maxSteps: count(),
      })
      .optional(),
  }),
  eval: z.strictObject({
    maxNewTokens: count(),
    replyPrompts: count(),
    /** Items of each cloze task (Tiny Shakespeare, web text). */
    clozeItems: count(),
  }),
  /**
   * Tensor backend of the training and eval stages (default 'auto'). `gpt2` needs `cpu`: its
   * training step is far over the wasm heap's 4 GiB, and the native kernels run on cpu too.
   */
  backend: z.enum(['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu']).optional(),
  /** Seed of the training runs (weights' dropout, data order); default: the trainer's 1337. */
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional(),
  /** Runs the filter stage as Slurm jobs (`--slurm`), optionally on one partition. */
  slurm: z.strictObject({ partition: z.string().min(1).optional() }).optional(),
});

export type SpeedrunPreset = z.infer<typeof speedrunPresetSchema>;

/** A preset checked against the schema; a wrong field is a UsageError naming it and its limit. */
export function checkPreset(preset: unknown, name = 'preset'): SpeedrunPreset {
  const parsed = speedrunPresetSchema.safeParse(preset);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issuePath(issue.path);
  throw new UsageError(
    `${name}${field ? `.${field}` : ''}: ${describeIssue(issue)}; fix it in apps/speedrun/src/presets.ts`,
  );
}

export const speedrunPresets = {
  tiny: {
    maxPages: 24,
    vocabSize: 512,
    tokensPerShard: 16_384,
    // A 256-token context (training still uses 64-token rows) so that oasst1 preference pairs fit.
    model: { nLayer: 2, nHead: 2, nEmbd: 64, blockSize: 256, dropout: 0 },
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
    preference: {
      validationFraction: 0.2,
      maxPairs: 40,
      reward: { batchSize: 4, maxSteps: 6, learningRate: 1e-4, evalEvery: 3 },
      dpo: { batchSize: 4, maxSteps: 6, learningRate: 1e-4, evalEvery: 3, beta: 0.1 },
      online: { prompts: 3, samples: 2, maxNewTokens: 8, maxSteps: 2 },
    },
    eval: { maxNewTokens: 16, replyPrompts: 4, clozeItems: 12 },
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
    preference: {
      validationFraction: 0.2,
      reward: { batchSize: 8, maxSteps: 150, maxMinutes: 1.25, learningRate: 1e-4, evalEvery: 50 },
      // About one pass over the ~330 training pairs: more overfits them (held-out implicit-reward
      // accuracy fell from 0.62 at 100 steps to 0.50–0.55 at 150; measured, see the README).
      dpo: {
        batchSize: 8,
        maxSteps: 100,
        maxMinutes: 1.5,
        learningRate: 5e-5,
        evalEvery: 50,
        beta: 0.1,
      },
    },
    eval: { maxNewTokens: 64, replyPrompts: 16, clozeItems: 100 },
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
    preference: {
      validationFraction: 0.1,
      reward: { batchSize: 8, maxSteps: 300, learningRate: 1e-5, evalEvery: 100 },
      dpo: { batchSize: 8, maxSteps: 300, learningRate: 5e-6, evalEvery: 100, beta: 0.1 },
      online: { prompts: 64, samples: 4, maxNewTokens: 256, maxSteps: 50 },
    },
    eval: { maxNewTokens: 128, replyPrompts: 32, clozeItems: 200 },
  },
} as const satisfies Record<string, SpeedrunPreset>;

export type SpeedrunPresetName = keyof typeof speedrunPresets;

type Phase = z.infer<typeof phaseSchema> & { sequenceLength?: number; evalBatches?: number };

/**
 * The one mapping from a preset's training phase to @lmkit/trainer's config: budget, evaluation
 * and checkpoint cadence, seed (the speedrun's --seed; undefined keeps the trainer's 1337) and a
 * cosine schedule from the phase's peak down to `minLearningRate` after `warmupSteps`.
 */
function phaseConfig(
  phase: Phase,
  seed: number | undefined,
  schedule: { minLearningRate: number; warmupSteps: number },
): TrainingConfigInput {
  return {
    batchSize: phase.batchSize,
    ...(phase.sequenceLength === undefined ? {} : { sequenceLength: phase.sequenceLength }),
    maxSteps: phase.maxSteps,
    maxMinutes: phase.maxMinutes,
    evalEvery: phase.evalEvery,
    evalBatches: phase.evalBatches ?? 4,
    checkpointEvery: phase.evalEvery,
    ...(seed === undefined ? {} : { seed }),
    schedule: {
      kind: 'cosine',
      maxLearningRate: phase.learningRate,
      decaySteps: phase.maxSteps,
      ...schedule,
    },
  };
}

/** Post-training phases: 5% warm-up, then cosine down to 0. */
export const postTrainingConfig = (phase: Phase, seed: number | undefined) =>
  phaseConfig(phase, seed, {
    minLearningRate: 0,
    warmupSteps: Math.max(1, Math.round(phase.maxSteps / 20)),
  });

/** Pre-training: the preset's warm-up, then cosine down to a tenth of the peak. */
export const pretrainConfig = (preset: SpeedrunPreset) =>
  phaseConfig(preset.pretrain, preset.seed, {
    minLearningRate: preset.pretrain.learningRate / 10,
    warmupSteps: preset.pretrain.warmupSteps,
  });
export const sftConfig = (preset: SpeedrunPreset) => postTrainingConfig(preset.sft, preset.seed);
export const rewardConfig = (preset: SpeedrunPreset) =>
  postTrainingConfig(preset.preference.reward, preset.seed);
export const dpoConfig = (preset: SpeedrunPreset) =>
  postTrainingConfig(preset.preference.dpo, preset.seed);

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
  return checkPreset({
    ...preset,
    ...(flags.slurm
      ? {
          slurm: flags.slurmPartition === undefined ? {} : { partition: flags.slurmPartition },
        }
      : {}),
    ...(flags.backend === undefined ? {} : { backend: flags.backend }),
    ...(flags.seed === undefined ? {} : { seed: flags.seed }),
  });
}
