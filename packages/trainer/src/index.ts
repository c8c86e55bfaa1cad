// Public API of @lmkit/trainer.

/** @deprecated `SeededRandom` from @lmkit/core (the same generator). */
export { type RandomState, SeededRandom as Random } from '@lmkit/core';
// Checkpoint reading lives in @lmkit/gpt-model (below the trainer); re-exported for earlier callers.
export {
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  checkpointName,
  type LoadedCheckpoint,
  listCheckpoints,
  loadCheckpoint,
  readTrainerState,
  type TrainerState,
  verifyCheckpoint,
} from '@lmkit/gpt-model';
export {
  checkpointBytes,
  removeTemporaryCheckpoints,
  writeCheckpoint,
} from './checkpoint/checkpoint.ts';
export { latestCheckpointOrThrow } from './checkpoint/resume.ts';
export { type DpoOptions, type DpoPolicy, dpo } from './dpo.ts';
export {
  batchLogProbs,
  buildPreferenceBatch,
  type DpoLossTensors,
  type DpoMetrics,
  dpoLoss,
  dpoMetrics,
  type LogitsModel,
  maskedLogProbSums,
  meanNegativeLogSigmoid,
  type PreferenceBatch,
  type PreferenceExample,
} from './dpo-loss.ts';
export { type OnlineDpoOptions, type OnlineDpoRound, onlineDpo } from './dpo-online.ts';
export {
  CheckpointCorruptError,
  CheckpointWriteError,
  TrainerConfigError,
  TrainerError,
  TrainingDivergedError,
} from './errors.ts';
export {
  AdamW,
  type AdamWApplyOptions,
  type AdamWMoments,
  type AdamWOptions,
  decaysWeight,
  fusedAdamWAvailable,
  fusedAdamWKernelName,
} from './loop/adamw.ts';
export { bitsPerByte, utf8ByteLength } from './loop/bits-per-byte.ts';
export { eventLine, type TrainingEvent, type TrainingEventListener } from './loop/events.ts';
export {
  accumulateGradients,
  clipByGlobalNorm,
  clipCoefficient,
  globalNorm,
  gradientAccumulationSteps,
} from './loop/gradients.ts';
export { assertStepFits, estimateStepMemoryBytes } from './loop/memory.ts';
export { modelFlopsUtilization } from './loop/mfu.ts';
export { type PretrainOptions, pretrain, splitRows } from './loop/pretrain.ts';
export {
  replyStopRate,
  type SftCursor,
  type SftOptions,
  sft,
  sftDefaultConfig,
} from './loop/sft.ts';
export { buildSftRows, gatherRows, type SftExample, type SftRows } from './loop/sft-rows.ts';
export { computeGradients, gradientNorm, type StepGradients } from './loop/step.ts';
export {
  type Batch,
  type BatchSource,
  runTraining,
  type TrainingLoopOptions,
  type TrainingResult,
} from './loop/train-loop.ts';
export type { GenerateOptions, TokenizerLike, TrainableModel } from './model.ts';
export {
  type PlotOptions,
  type PlotSeries,
  renderPng,
  renderSvg,
  writeLossPlots,
} from './report/plot.ts';
export {
  type EvalMetrics,
  formatEvalLine,
  formatStepLine,
  type MetricsRecord,
  readMetrics,
  type TrainStepMetrics,
} from './report/step-log.ts';
export { type RewardTrainingOptions, rewardAccuracy, trainRewardModel } from './reward.ts';
export { buildRewardRows, loadRewardModel, REWARD_HEAD, RewardModel } from './reward-model.ts';
export {
  type CosineSchedule,
  cosineLearningRate,
  type LearningRateSchedule,
  learningRateAt,
  type WarmupStableDecaySchedule,
  warmupStableDecayLearningRate,
} from './schedule.ts';
export {
  defaultTrainingConfig,
  plannedSteps,
  type ResolveOptions,
  resolveTrainingConfig,
  scheduleInputSchema,
  sftDefaultEpochs,
  type TrainingConfig,
  type TrainingConfigInput,
  type TrainingDefaults,
  trainingConfigSchema,
} from './training-config.ts';
