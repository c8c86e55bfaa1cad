// The training config as one zod schema: every field's type, limits, default and description
// live in its declaration, and the CLI derives its flags from the same schema. Validated from
// untrusted JSON (a config file plus flag overrides) with errors that name the field, the value
// and the fix; cross-field rules (the LR floor under the peak, a budget) are checked after.
import { z } from 'zod';
import { TrainerConfigError } from './errors.ts';
import type {
  CosineSchedule,
  LearningRateSchedule,
  WarmupStableDecaySchedule,
} from './schedule.ts';

const finite = () => z.number({ error: 'expected a finite number' });
const positiveInteger = () =>
  finite()
    .int({ error: 'expected a positive integer' })
    .min(1, { error: 'expected a positive integer' });
const nonNegativeInteger = () =>
  finite().int({ error: 'expected an integer ≥ 0' }).min(0, { error: 'expected an integer ≥ 0' });
const positiveNumber = () => finite().gt(0, { error: 'expected a number > 0' });
const fraction = () =>
  finite()
    .min(0, { error: 'expected a number in [0, 1)' })
    .lt(1, { error: 'expected a number in [0, 1)' });

/** The learning-rate schedule as a config file or flags give it: every field optional. */
export const scheduleInputSchema = z.strictObject({
  kind: z
    .enum(['cosine', 'wsd', 'constant'], { error: 'expected one of cosine, wsd, constant' })
    .optional()
    .describe(
      'learning-rate schedule: cosine, wsd (warm-up, stable, decay) or constant (default cosine)',
    ),
  maxLearningRate: positiveNumber()
    .optional()
    .describe(
      'peak learning rate (default: pretrain 6e-4, sft 1e-4, reward 1e-5, dpo and loop 5e-6)',
    ),
  minLearningRate: finite()
    .min(0, { error: 'expected a number ≥ 0' })
    .optional()
    .describe('learning-rate floor at the end of the decay (default a tenth of the peak)'),
  warmupSteps: nonNegativeInteger().optional().describe('linear warm-up steps (default 100)'),
  decaySteps: positiveInteger()
    .optional()
    .describe('steps of the decay (default: the step budget; wsd: a fifth of it)'),
  totalSteps: positiveInteger().optional().describe('wsd: total steps (default the step budget)'),
});

/** Every training field, each optional here; `resolveTrainingConfig` fills the defaults. */
export const trainingConfigSchema = z.strictObject({
  batchSize: positiveInteger().optional().describe('sequences per micro-batch, B (default 8)'),
  sequenceLength: positiveInteger()
    .optional()
    .describe("tokens per sequence, T; at most the model's block size (default 128)"),
  totalBatchTokens: positiveInteger()
    .optional()
    .describe(
      'tokens per optimizer step, a multiple of B × T: gradient accumulation (default B × T)',
    ),
  maxSteps: positiveInteger().optional().describe('step budget in optimizer steps'),
  maxTokens: positiveInteger()
    .optional()
    .describe('step budget in training tokens (rounded down to whole steps)'),
  maxMinutes: positiveNumber()
    .optional()
    .describe('wall-clock budget in minutes of training (evaluation excluded)'),
  gradientClip: positiveNumber().optional().describe('global gradient-norm clip (default 1)'),
  beta1: fraction().optional().describe('AdamW β1 (default 0.9)'),
  beta2: fraction().optional().describe('AdamW β2 (default 0.95)'),
  epsilon: positiveNumber().optional().describe('AdamW ε (default 1e-8)'),
  weightDecay: finite()
    .min(0, { error: 'expected a number ≥ 0' })
    .optional()
    .describe('AdamW decoupled weight decay (default 0.1)'),
  evalEvery: positiveInteger()
    .optional()
    .describe('evaluate every N steps and at the end (default 250)'),
  evalBatches: positiveInteger()
    .optional()
    .describe('validation batches per evaluation (default 20)'),
  sampleEvery: positiveInteger()
    .optional()
    .describe('print a text sample every N steps (default off)'),
  sampleTokens: positiveInteger().optional().describe('tokens per sample (default 64)'),
  checkpointEvery: positiveInteger()
    .optional()
    .describe('checkpoint every N steps, at the end and on SIGINT/SIGTERM (default 500)'),
  keepLast: positiveInteger().optional().describe('checkpoints kept (default 3)'),
  seed: nonNegativeInteger()
    .max(2 ** 32 - 1, { error: 'expected an integer below 2^32' })
    .optional()
    .describe("seed of the run's random generator: dropout, shuffling (default 1337)"),
  peakFlopsPerSecond: positiveNumber()
    .optional()
    .describe('peak FLOP/s the MFU column divides by (default 1.9e11)'),
  memoryLimitBytes: positiveNumber()
    .optional()
    .describe('memory a step may use (default: not checked)'),
  schedule: scheduleInputSchema.optional(),
});

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

/** Defaults of a config: the training fields plus a partial schedule. */
export type TrainingDefaults = Readonly<Omit<Partial<TrainingConfig>, 'schedule'>> & {
  readonly schedule?: TrainingConfigInput['schedule'];
};

export const defaultTrainingConfig: TrainingDefaults = Object.freeze({
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
  schedule: Object.freeze({ kind: 'cosine', maxLearningRate: 6e-4, warmupSteps: 100 } as const),
});

/**
 * SFT defaults (the one place they live; `sft()` resolves over them): a lower peak decaying to 0,
 * no weight decay, longer rows, frequent evaluation. Warm-up: 3 % of the planned steps.
 */
export const sftDefaultConfig: TrainingDefaults = Object.freeze({
  ...defaultTrainingConfig,
  sequenceLength: 256,
  weightDecay: 0,
  evalEvery: 50,
  checkpointEvery: 200,
  keepLast: 2,
  schedule: Object.freeze({ kind: 'cosine', maxLearningRate: 1e-4, minLearningRate: 0 } as const),
});

/** SFT's passes over the data when the config sets no step budget. */
export const sftDefaultEpochs = 2;

export interface ResolveOptions {
  /**
   * How messages name a field given its dotted path (`maxSteps`, `schedule.minLearningRate`);
   * default `config field <path>`. The CLI names its flags here.
   */
  fieldName?: (path: string) => string;
}

const defaultFieldName = (path: string) => `config field ${path}`;

function fail(
  error: z.ZodError,
  input: unknown,
  fieldName: (path: string) => string,
): TrainerConfigError {
  const issue = error.issues[0];
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const prefix = path ? `${path}.` : '';
    const known = Object.keys(path ? scheduleInputSchema.shape : trainingConfigSchema.shape).join(
      ', ',
    );
    return new TrainerConfigError(
      `${fieldName(`${prefix}${issue.keys[0]}`)} is unknown; known fields: ${known}`,
    );
  }
  let value: unknown = input;
  for (const key of issue.path) value = (value as Record<PropertyKey, unknown>)?.[key];
  if (issue.code === 'invalid_value') {
    return new TrainerConfigError(
      `${fieldName(path)}: ${JSON.stringify(value)} is not one of cosine, wsd, constant`,
    );
  }
  if (!path) {
    return new TrainerConfigError(
      `training config must be a JSON object, got ${JSON.stringify(input)}`,
    );
  }
  return new TrainerConfigError(
    `${fieldName(path)}: ${issue.message}, got ${JSON.stringify(value)}; give a valid value or leave it out for the default`,
  );
}

function resolveSchedule(
  raw: NonNullable<TrainingConfigInput['schedule']>,
  maxSteps: number | undefined,
  name: (path: string) => string,
): LearningRateSchedule {
  const kind = raw.kind ?? 'cosine';
  const maxLearningRate = raw.maxLearningRate ?? 6e-4;
  if (kind === 'constant') return { kind, maxLearningRate };
  const minLearningRate = raw.minLearningRate ?? maxLearningRate / 10;
  if (minLearningRate > maxLearningRate) {
    throw new TrainerConfigError(
      `${name('schedule.minLearningRate')} ${minLearningRate} is above ${name('schedule.maxLearningRate')} ${maxLearningRate}; the rate decays from the peak to the floor: lower the floor or raise the peak`,
    );
  }
  const warmupSteps = raw.warmupSteps ?? 100;
  const total = raw.totalSteps ?? maxSteps;
  if (kind === 'cosine') {
    const decaySteps = raw.decaySteps ?? total;
    if (decaySteps === undefined) {
      throw new TrainerConfigError(
        `${name('schedule.decaySteps')} is required when the budget is not in steps; set it to the expected number of steps (or give ${name('maxSteps')})`,
      );
    }
    return { kind, maxLearningRate, minLearningRate, warmupSteps, decaySteps };
  }
  if (total === undefined) {
    throw new TrainerConfigError(
      `${name('schedule.totalSteps')} is required for the wsd schedule when ${name('maxSteps')} is not set`,
    );
  }
  const decaySteps = raw.decaySteps ?? Math.max(1, Math.round(total * 0.2));
  return { kind, maxLearningRate, minLearningRate, warmupSteps, totalSteps: total, decaySteps };
}

/**
 * Validates a partial config (from a JSON file and flags) over `defaults` and returns it frozen.
 * Unknown fields are errors (a typo must not be silently ignored).
 */
export function resolveTrainingConfig(
  input: unknown,
  defaults: TrainingDefaults = defaultTrainingConfig,
  options: ResolveOptions = {},
): Readonly<TrainingConfig> {
  const name = options.fieldName ?? defaultFieldName;
  const parsed = trainingConfigSchema.safeParse(input);
  if (!parsed.success) throw fail(parsed.error, input, name);
  const merged: Record<string, unknown> = { ...defaults };
  for (const [key, value] of Object.entries(parsed.data)) {
    if (value !== undefined && key !== 'schedule') merged[key] = value;
  }
  if (
    merged.maxSteps === undefined &&
    merged.maxTokens === undefined &&
    merged.maxMinutes === undefined
  ) {
    throw new TrainerConfigError(
      `the config sets no budget; give ${['maxSteps', 'maxTokens', 'maxMinutes']
        .map(options.fieldName ?? String)
        .join(', ')
        .replace(/, ([^,]*)$/, ' or $1')}`,
    );
  }
  const config = merged as unknown as TrainingConfig;
  const tokensPerStep = config.totalBatchTokens ?? config.batchSize * config.sequenceLength;
  const stepsFromTokens =
    config.maxTokens === undefined ? undefined : Math.floor(config.maxTokens / tokensPerStep);
  if (stepsFromTokens === 0) {
    throw new TrainerConfigError(
      `${name('maxTokens')} ${config.maxTokens} is less than one step of ${tokensPerStep} tokens; raise it to at least ${tokensPerStep}`,
    );
  }
  merged.schedule = resolveSchedule(
    { ...defaults.schedule, ...parsed.data.schedule },
    config.maxSteps ?? stepsFromTokens,
    name,
  );
  return Object.freeze(config);
}

/** The number of optimizer steps the budget allows (Infinity when only minutes bound it). */
export function plannedSteps(config: TrainingConfig): number {
  const tokensPerStep = config.totalBatchTokens ?? config.batchSize * config.sequenceLength;
  const fromTokens =
    config.maxTokens === undefined ? Infinity : Math.floor(config.maxTokens / tokensPerStep);
  return Math.min(config.maxSteps ?? Infinity, fromTokens);
}
