// Public API of @lmkit/trainer.
export {
  AdamW,
  type AdamWApplyOptions,
  type AdamWMoments,
  type AdamWOptions,
  decaysWeight,
  fusedAdamWAvailable,
  fusedAdamWKernelName,
} from './adamw.ts';
export { bitsPerByte, utf8ByteLength } from './bits-per-byte.ts';
export {
  CHECKPOINT_FORMAT_VERSION,
  type CheckpointManifest,
  checkpointName,
  listCheckpoints,
  readTrainerState,
  type TrainerState,
  verifyCheckpoint,
  writeCheckpoint,
} from './checkpoint.ts';
export {
  CheckpointCorruptError,
  TrainerConfigError,
  TrainerError,
  TrainingDivergedError,
} from './errors.ts';
export {
  accumulateGradients,
  clipByGlobalNorm,
  clipCoefficient,
  globalNorm,
  gradientAccumulationSteps,
} from './gradients.ts';
export { type LoadedCheckpoint, loadCheckpoint } from './load-checkpoint.ts';
export { assertStepFits, estimateStepMemoryBytes } from './memory.ts';
export { modelFlopsUtilization } from './mfu.ts';
export type { GenerateOptions, TokenizerLike, TrainableModel } from './model.ts';
export { type PlotOptions, type PlotSeries, renderPng, renderSvg, writeLossPlots } from './plot.ts';
export { encodePng } from './png.ts';
export { type PretrainOptions, pretrain, splitRows } from './pretrain.ts';
export { createProgress, type ProgressOptions, progressBar } from './progress.ts';
export { Random, type RandomState } from './random.ts';
export { latestCheckpointOrThrow } from './resume.ts';
export {
  type CosineSchedule,
  cosineLearningRate,
  type LearningRateSchedule,
  learningRateAt,
  type WarmupStableDecaySchedule,
  warmupStableDecayLearningRate,
} from './schedule.ts';
export { replyStopRate, type SftCursor, type SftOptions, sft, sftDefaultConfig } from './sft.ts';
export { buildSftRows, gatherRows, type SftExample, type SftRows } from './sft-rows.ts';
export {
  type EvalMetrics,
  formatEvalLine,
  formatStepLine,
  type MetricsRecord,
  readMetrics,
  type TrainStepMetrics,
} from './step-log.ts';
export {
  type Batch,
  type BatchSource,
  runTraining,
  type TrainingLoopOptions,
  type TrainingResult,
} from './train-loop.ts';
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
