// The CLI's run config: one zod schema lists every field once, with its limits and description.
// The same schema checks the JSON file given to --config (unknown fields are errors) and gives
// the flags that override it (outDir is --out); the training fields are @lmkit/trainer's schema.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  checkInput,
  checkOutputFolder,
  describeIssue,
  type FlagSpec,
  flag,
  issuePath,
  kebabCase,
  UsageError,
} from '@lmkit/cli-kit';
import { type GPTConfig, presets } from '@lmkit/gpt-model';
import {
  resolveTrainingConfig,
  TrainerConfigError,
  type TrainingConfigInput,
  type TrainingDefaults,
} from '@lmkit/trainer';
import { z } from 'zod';
import { backendFlags, flagOfField, trainingFlags } from './args.ts';

const path = () => z.string().min(1);
const modelShape = z.strictObject({
  vocabSize: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
  blockSize: z.number().int().min(1).optional(),
  nLayer: z.number().int().min(1).optional(),
  nHead: z.number().int().min(1).optional(),
  nEmbd: z.number().int().min(1).optional(),
  dropout: z.number().min(0).lt(1).optional(),
  bias: z.boolean().optional(),
});

/** The run config file's fields (each also a flag, except `training` and an object `model`). */
export const runConfigSchema = z.strictObject({
  model: z
    .union([z.string().min(1), modelShape])
    .optional()
    .describe(
      `a gpt-model preset (${Object.keys(presets).join(', ')}); in --config also an object of GPT config fields`,
    ),
  modelSeed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1)
    .optional()
    .describe('seed of the weight initialisation (default 1337)'),
  text: path().optional().describe('train on this UTF-8 text as bytes (vocabulary 256)'),
  valFraction: z
    .number()
    .gt(0)
    .lt(1)
    .optional()
    .describe('share of the text (or conversations) kept for validation (default 0.1)'),
  train: z.array(path()).min(1).optional().describe('token shards (llm.c .bin) instead of --text'),
  val: z.array(path()).optional().describe('validation shards'),
  tokenizer: path()
    .optional()
    .describe('bpe tokenizer.json for samples, bits per byte and checkpoints'),
  outDir: path().optional().describe('run folder: metrics.jsonl, loss.svg/png, checkpoints/'),
  backend: z
    .enum(['auto', 'webgpu', 'tensorflow', 'wasm', 'cpu'])
    .optional()
    .describe('TensorFlow.js backend (default auto)'),
  native: z.boolean().optional(),
  samplePrompt: z.string().optional().describe('prompt of the samples printed during training'),
  base: path().optional().describe('SFT: base checkpoint folder (from lmkit-train pretrain)'),
  conversations: path()
    .optional()
    .describe('SFT: oasst1 trees JSONL, or chat JSONL ({"messages": [...]} per line)'),
  conversationFormat: z
    .enum(['oasst-trees', 'chat-jsonl'])
    .optional()
    .describe('SFT: default oasst-trees when the file name has "oasst"'),
  packing: z
    .enum(['pad', 'pack'])
    .optional()
    .describe('SFT: one conversation per row (pad, default) or packed rows'),
  epochs: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('SFT: passes over the data when no step budget is given (default 2)'),
  replyPrompts: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe('SFT: validation prompts sampled at each evaluation (default 8)'),
  training: z.record(z.string(), z.unknown()).optional(),
});

export type RunConfig = Omit<z.infer<typeof runConfigSchema>, 'training'> & {
  training?: TrainingConfigInput;
};

const renamed: Record<string, string> = { outDir: 'out' };
const notFlags = new Set(['training', 'native', 'backend']);
const pathFields = ['text', 'tokenizer', 'outDir', 'base', 'conversations'] as const;

/** The run-config fields as flags (`--out` for outDir, lists for train/val). */
export const runFlags: FlagSpec = Object.fromEntries(
  Object.entries(runConfigSchema.shape)
    .filter(([field]) => !notFlags.has(field))
    .map(([field, schema]) => {
      const name = renamed[field] ?? kebabCase(field);
      const description = (schema as z.ZodType).description ?? '';
      if (field === 'train' || field === 'val') {
        return [name, flag.list({ description, placeholder: 'A,B' })];
      }
      if (field === 'model') return [name, flag.string({ description, placeholder: 'NAME' })];
      const placeholder = pathFields.includes(field as never)
        ? field === 'outDir' || field === 'base'
          ? 'DIR'
          : 'FILE'
        : undefined;
      return [name, flag.zod(schema as z.ZodType, { placeholder })];
    }),
);

export const configFlag = {
  config: flag.string({
    description:
      'JSON run config: these flags\' fields in camelCase (outDir for --out), plus "training"',
    placeholder: 'FILE',
  }),
};

/** Every flag a training command takes. */
export const runCommandFlags: FlagSpec = {
  ...configFlag,
  ...runFlags,
  ...backendFlags,
  ...trainingFlags,
};

type Values = Record<string, unknown>;

function readConfigFile(file: string): RunConfig {
  checkInput('--config', file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TrainerConfigError(`--config ${file}: ${(error as Error).message}; give a JSON file`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new TrainerConfigError(`--config ${file}: expected a JSON object`);
  }
  const parsed = runConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
      throw new TrainerConfigError(
        `--config ${file}: field ${issue.keys[0]} is unknown; known fields: ${Object.keys(runConfigSchema.shape).join(', ')}`,
      );
    }
    throw new TrainerConfigError(
      `--config ${file}: field ${issuePath(issue.path)} ${describeIssue(issue)}`,
    );
  }
  const config = parsed.data as RunConfig;
  const base = dirname(resolve(file));
  for (const key of pathFields) if (config[key]) config[key] = resolve(base, config[key]);
  for (const key of ['train', 'val'] as const) {
    if (config[key]) config[key] = config[key].map((p) => resolve(base, p));
  }
  return config;
}

/**
 * Reads `--config` (paths inside it resolve against its folder) and applies the flags over it;
 * `fromFlags` records which training fields a flag set, so errors can name that flag.
 */
export function loadRunConfig(values: Values): RunConfig & { fromFlags: Set<string> } {
  const config = values.config ? readConfigFile(values.config as string) : {};
  const out: RunConfig = { ...config };
  for (const field of Object.keys(runConfigSchema.shape)) {
    if (notFlags.has(field)) continue;
    const key = (renamed[field] ?? field).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    let value = values[key];
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    if (pathFields.includes(field as never)) value = resolve(value as string);
    if (field === 'train' || field === 'val') value = (value as string[]).map((p) => resolve(p));
    (out as Values)[field] = value;
  }
  if (values.backend !== undefined) out.backend = values.backend as RunConfig['backend'];
  if (values.native !== undefined) out.native = values.native as boolean;
  const training: Values = { ...(config.training ?? {}) };
  const schedule: Values = { ...(training.schedule as Values) };
  const fromFlags = new Set<string>();
  for (const [path, name] of Object.entries(flagOfField)) {
    const value = values[name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())];
    if (value === undefined) continue;
    fromFlags.add(path);
    if (path.startsWith('schedule.')) schedule[path.slice('schedule.'.length)] = value;
    else training[path] = value;
  }
  if (Object.keys(schedule).length > 0) training.schedule = schedule;
  out.training = training as TrainingConfigInput;
  return { ...out, fromFlags };
}

/** Checks the run's files before any work: inputs exist, the output folder can be written. */
export function checkRunPaths(run: RunConfig): void {
  if (run.text) checkInput('--text', run.text);
  if (run.tokenizer) checkInput('--tokenizer', run.tokenizer);
  for (const file of run.train ?? []) checkInput('--train', file);
  for (const file of run.val ?? []) checkInput('--val', file);
  if (run.conversations) checkInput('--conversations', run.conversations);
  if (run.base) checkInput('--base', run.base, 'folder');
  if (run.outDir) checkOutputFolder('--out', run.outDir);
}

/**
 * Validates the training fields now, with errors that name the flag a value came from (or the
 * config file's field), so a bad value is reported before any data is read.
 */
export function checkTraining(
  run: RunConfig & { fromFlags: Set<string> },
  defaults: TrainingDefaults,
  options: { budgetOptional?: boolean } = {},
): void {
  const fieldName = (path: string) => {
    const name = flagOfField[path];
    if (!name) return `training.${path}`;
    const [head, tail] = path.split('.');
    const given =
      tail === undefined
        ? (run.training as Values | undefined)?.[head]
        : (run.training?.schedule as Values | undefined)?.[tail];
    const fromFile = given !== undefined && !run.fromFlags.has(path);
    return fromFile ? `training.${path} (--${name})` : `--${name}`;
  };
  const input = { ...run.training };
  if (
    options.budgetOptional &&
    input.maxSteps === undefined &&
    input.maxTokens === undefined &&
    input.maxMinutes === undefined
  ) {
    input.maxSteps = 1;
  }
  try {
    resolveTrainingConfig(input, defaults, { fieldName });
  } catch (error) {
    if (error instanceof TrainerConfigError) throw new UsageError(error.message);
    throw error;
  }
}

/** The GPT config a run asks for: a preset name or fields over a small default. */
export function modelConfig(model: RunConfig['model'], vocabSize: number): GPTConfig {
  if (typeof model === 'string') {
    const preset = (presets as Record<string, GPTConfig>)[model];
    if (!preset) {
      throw new UsageError(
        `--model ${model} is not a preset; use one of ${Object.keys(presets).join(', ')} (or a "model" object in --config)`,
      );
    }
    return { ...preset, vocabSize };
  }
  return {
    blockSize: 64,
    nLayer: 4,
    nHead: 4,
    nEmbd: 128,
    dropout: 0,
    bias: true,
    ...model,
    vocabSize: model?.vocabSize ?? vocabSize,
  };
}

/** T for a run: the given sequence length, else the default capped at the model's block size. */
export function sequenceLengthFor(
  run: RunConfig,
  defaults: TrainingDefaults,
  blockSize: number,
): number {
  return run.training?.sequenceLength ?? Math.min(defaults.sequenceLength ?? blockSize, blockSize);
}
