// The training config: every field with its default, validated from untrusted JSON (a config
// file plus flag overrides) with errors that name the field, the value and the fix.
import { TrainerConfigError } from './errors.ts';
import type {
  CosineSchedule,
  LearningRateSchedule,
  WarmupStableDecaySchedule,
} from './schedule.ts';

export interface TrainingConfig {
  /** Sequences per micro-batch (B). Default 8. */
  batchSize: number;
  /** Tokens per sequence (T); at most the model's block size. Default 128. */
  sequenceLength: number;
  /** Tokens per optimizer step; a multiple of B × T (gradient accumulation). Default B × T. */
  totalBatchTokens?: number;
  /** Learning-rate schedule. Default cosine, peak 6e-4, floor 6e-5, warm-up 100, decay to maxSteps. */
  schedule: LearningRateSchedule;
  /** Step budget in optimizer steps. At least one of maxSteps / maxTokens / maxMinutes. */
  maxSteps?: number;
  /** Step budget in tokens (rounded down to whole steps). */
  maxTokens?: number;
  /** Wall-clock budget in minutes of training (evaluation excluded). */
  maxMinutes?: number;
  /** Global gradient-norm clip; undefined turns it off. Default 1. */
  gradientClip?: number;
  /** AdamW settings. Defaults 0.9, 0.95, 1e-8, 0.1. */
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Evaluate every N steps (and at the end); undefined turns it off. Default 250. */
  evalEvery?: number;
  /** Validation batches per evaluation. Default 20. */
  evalBatches: number;
  /** Print a text sample every N steps; undefined turns it off. */
  sampleEvery?: number;
  /** Tokens per sample. Default 64. */
  sampleTokens: number;
  /** Checkpoint every N steps (and at the end and on SIGINT/SIGTERM). Default 500. */
  checkpointEvery?: number;
  /** Checkpoints kept. Default 3. */
  keepLast: number;
  /** Seed of the run's random generator (dropout, shuffling). Default 1337. */
  seed: number;
  /** Peak FLOP/s the MFU column divides by. Default 1.9e11 (this machine's float32 sgemm). */
  peakFlopsPerSecond: number;
  /** Memory a step may use; undefined skips the check. */
  memoryLimitBytes?: number;
}

/** What a caller or a JSON file may give: any subset, with a partial schedule. */
export type TrainingConfigInput = Omit<Partial<TrainingConfig>, 'schedule'> & {
  schedule?: Partial<
    { kind: 'cosine' | 'wsd' | 'constant' } & Omit<WarmupStableDecaySchedule, never> &
      CosineSchedule
  >;
};

type FieldKind =
  | 'positiveInteger'
  | 'nonNegativeInteger'
  | 'positiveNumber'
  | 'fraction'
  | 'number';

const fields: Record<Exclude<keyof TrainingConfig, 'schedule'>, FieldKind> = {
  batchSize: 'positiveInteger',
  sequenceLength: 'positiveInteger',
  totalBatchTokens: 'positiveInteger',
  maxSteps: 'nonNegativeInteger',
  maxTokens: 'positiveInteger',
  maxMinutes: 'positiveNumber',
  gradientClip: 'positiveNumber',
  beta1: 'fraction',
  beta2: 'fraction',
  epsilon: 'positiveNumber',
  weightDecay: 'number',
  evalEvery: 'positiveInteger',
  evalBatches: 'positiveInteger',
  sampleEvery: 'positiveInteger',
  sampleTokens: 'positiveInteger',
  checkpointEvery: 'positiveInteger',
  keepLast: 'positiveInteger',
  seed: 'nonNegativeInteger',
  peakFlopsPerSecond: 'positiveNumber',
  memoryLimitBytes: 'positiveNumber',
};

export const defaultTrainingConfig: Readonly<Partial<TrainingConfig>> = Object.freeze({
  batchSize: 8,
  sequenceLength: 128,
  gradientClip: 1,
  beta1: 0.9,
  beta2: 0.95,
  epsilon: 1e-8,
  weightDecay: 0.1,
  evalEvery: 250,
  evalBatches: 20,
  sampleTokens: 64,
  checkpointEvery: 500,
  keepLast: 3,
  seed: 1337,
  peakFlopsPerSecond: 1.9e11,
});

function checkField(name: string, kind: FieldKind, value: unknown): void {
  const fail = (want: string, fix: string) =>
    new TrainerConfigError(
      `config field ${name}: expected ${want}, got ${JSON.stringify(value)}; ${fix}`,
    );
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw fail('a finite number', `write e.g. "${name}": 1 (or leave it out for the default)`);
  }
  if (kind === 'positiveInteger' && !(Number.isInteger(value) && value > 0)) {
    throw fail('a positive integer', 'use a whole number ≥ 1');
  }
  if (kind === 'nonNegativeInteger' && !(Number.isInteger(value) && value >= 0)) {
    throw fail('an integer ≥ 0', 'use a whole number');
  }
  if (kind === 'positiveNumber' && !(value > 0)) throw fail('a number > 0', 'use a positive value');
  if (kind === 'fraction' && !(value >= 0 && value < 1))
    throw fail('a number in [0, 1)', 'use e.g. 0.9');
}

function resolveSchedule(input: unknown, maxSteps: number | undefined): LearningRateSchedule {
  const raw = (input ?? {}) as Record<string, unknown>;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new TrainerConfigError(
      `config field schedule: expected an object, got ${JSON.stringify(input)}`,
    );
  }
  const kind = raw.kind ?? 'cosine';
  const maxLearningRate = (raw.maxLearningRate as number) ?? 6e-4;
  checkField('schedule.maxLearningRate', 'positiveNumber', maxLearningRate);
  const known = [
    'kind',
    'maxLearningRate',
    'minLearningRate',
    'warmupSteps',
    'decaySteps',
    'totalSteps',
  ];
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      throw new TrainerConfigError(
        `config field schedule.${key} is unknown; known fields: ${known.join(', ')}`,
      );
    }
  }
  if (kind === 'constant') return { kind, maxLearningRate };
  const minLearningRate = (raw.minLearningRate as number) ?? maxLearningRate / 10;
  checkField('schedule.minLearningRate', 'number', minLearningRate);
  const warmupSteps = (raw.warmupSteps as number) ?? 100;
  checkField('schedule.warmupSteps', 'nonNegativeInteger', warmupSteps);
  const total = (raw.totalSteps as number) ?? maxSteps;
  if (kind === 'cosine') {
    const decaySteps = (raw.decaySteps as number) ?? total;
    if (decaySteps === undefined) {
      throw new TrainerConfigError(
        'config field schedule.decaySteps is required when the budget is not in steps; set it to the expected number of steps',
      );
    }
    checkField('schedule.decaySteps', 'positiveInteger', decaySteps);
    return { kind, maxLearningRate, minLearningRate, warmupSteps, decaySteps };
  }
  if (kind === 'wsd') {
    if (total === undefined) {
      throw new TrainerConfigError(
        'config field schedule.totalSteps is required for the wsd schedule when maxSteps is not set',
      );
    }
    const decaySteps = (raw.decaySteps as number) ?? Math.max(1, Math.round(total * 0.2));
    checkField('schedule.decaySteps', 'positiveInteger', decaySteps);
    return { kind, maxLearningRate, minLearningRate, warmupSteps, totalSteps: total, decaySteps };
  }
  throw new TrainerConfigError(
    `config field schedule.kind: "${String(kind)}" is not one of cosine, wsd, constant`,
  );
}

/**
 * Validates a partial config (from a JSON file and flags) over `defaults` and returns it frozen.
 * Unknown fields are errors (a typo must not be silently ignored).
 */
export function resolveTrainingConfig(
  input: unknown,
  defaults: Readonly<Partial<TrainingConfig>> = defaultTrainingConfig,
): Readonly<TrainingConfig> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new TrainerConfigError(
      `training config must be a JSON object, got ${JSON.stringify(input)}`,
    );
  }
  const raw = input as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (key !== 'schedule' && !(key in fields)) {
      throw new TrainerConfigError(
        `config field ${key} is unknown; known fields: schedule, ${Object.keys(fields).join(', ')}`,
      );
    }
  }
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(raw)) if (value !== undefined) merged[key] = value;
  for (const [name, kind] of Object.entries(fields)) {
    if (merged[name] !== undefined) checkField(name, kind, merged[name]);
  }
  for (const name of [
    'batchSize',
    'sequenceLength',
    'evalBatches',
    'sampleTokens',
    'keepLast',
    'seed',
  ]) {
    if (merged[name] === undefined)
      throw new TrainerConfigError(`config field ${name} is required`);
  }
  if (
    merged.maxSteps === undefined &&
    merged.maxTokens === undefined &&
    merged.maxMinutes === undefined
  ) {
    throw new TrainerConfigError(
      'the config sets no budget; give maxSteps, maxTokens or maxMinutes',
    );
  }
  const tokensPerStep =
    (merged.totalBatchTokens as number | undefined) ??
    (merged.batchSize as number) * (merged.sequenceLength as number);
  const stepsFromTokens =
    merged.maxTokens === undefined
      ? undefined
      : Math.floor((merged.maxTokens as number) / tokensPerStep);
  const plannedSteps = (merged.maxSteps as number | undefined) ?? stepsFromTokens;
  merged.schedule = resolveSchedule(raw.schedule ?? defaults.schedule, plannedSteps);
  return Object.freeze(merged as unknown as TrainingConfig);
}

/** The number of optimizer steps the budget allows (Infinity when only minutes bound it). */
export function plannedSteps(config: TrainingConfig): number {
  const tokensPerStep = config.totalBatchTokens ?? config.batchSize * config.sequenceLength;
  const fromTokens =
    config.maxTokens === undefined ? Infinity : Math.floor(config.maxTokens / tokensPerStep);
  return Math.min(config.maxSteps ?? Infinity, fromTokens);
}
