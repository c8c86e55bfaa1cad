// The CLI's JSON config file: model shape, data, tokenizer, run folder, backend and the training
// config (validated by @lmkit/trainer). Flags override fields; unknown fields are errors.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type GPTConfig, presets } from '@lmkit/gpt-model';
import { TrainerConfigError, type TrainingConfigInput } from '@lmkit/trainer';
import { numberFlag, type ParsedArgs, stringFlag } from './args.ts';

export interface RunConfig {
  /** A preset name or a full GPT config. */
  model?: string | Partial<GPTConfig>;
  /** Seed of the weight initialisation; default 1337. */
  modelSeed?: number;
  /** A UTF-8 text file tokenized as bytes (no merges), split train / validation by position. */
  text?: string;
  /** Share of the text (from its end) kept for validation; default 0.1. */
  valFraction?: number;
  /** Token shards instead of text. */
  train?: string[];
  val?: string[];
  /** bpe tokenizer.json for samples and bits per byte (and copied into checkpoints). */
  tokenizer?: string;
  /** Run folder; default runs/train/<command>. */
  outDir?: string;
  backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu';
  /** @lmkit/tfjs-native's kernels: true requires them, false turns them off; default: used when built. */
  native?: boolean;
  samplePrompt?: string;
  /** SFT: base checkpoint folder. */
  base?: string;
  /** SFT: conversations file (oasst1 trees or chat JSONL). */
  conversations?: string;
  conversationFormat?: 'oasst-trees' | 'chat-jsonl';
  packing?: 'pad' | 'pack';
  epochs?: number;
  /** SFT: prompts sampled at each evaluation to measure replies that stop. */
  replyPrompts?: number;
  training?: TrainingConfigInput;
}

const knownFields = [
  'model',
  'modelSeed',
  'text',
  'valFraction',
  'train',
  'val',
  'tokenizer',
  'outDir',
  'backend',
  'native',
  'samplePrompt',
  'base',
  'conversations',
  'conversationFormat',
  'packing',
  'epochs',
  'replyPrompts',
  'training',
];

const trainingFlags = [
  'batchSize',
  'sequenceLength',
  'totalBatchTokens',
  'maxSteps',
  'maxTokens',
  'maxMinutes',
  'gradientClip',
  'beta1',
  'beta2',
  'epsilon',
  'weightDecay',
  'evalEvery',
  'evalBatches',
  'sampleEvery',
  'sampleTokens',
  'checkpointEvery',
  'keepLast',
  'seed',
  'peakFlopsPerSecond',
  'memoryLimitBytes',
];

const scheduleFlags: Record<string, string> = {
  lr: 'maxLearningRate',
  minLr: 'minLearningRate',
  warmupSteps: 'warmupSteps',
  decaySteps: 'decaySteps',
};

/** Reads `--config` (paths inside it resolve against its folder) and applies flag overrides. */
export function loadRunConfig(flags: ParsedArgs['flags']): RunConfig {
  const path = stringFlag(flags, 'config');
  let config: RunConfig = {};
  if (path) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new TrainerConfigError(
        `--config ${path}: ${(error as Error).message}; give a JSON file`,
      );
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new TrainerConfigError(`--config ${path}: expected a JSON object`);
    }
    for (const key of Object.keys(raw)) {
      if (!knownFields.includes(key)) {
        throw new TrainerConfigError(
          `--config ${path}: field ${key} is unknown; known fields: ${knownFields.join(', ')}`,
        );
      }
    }
    config = raw as RunConfig;
    const base = dirname(resolve(path));
    for (const key of ['text', 'tokenizer', 'outDir', 'base', 'conversations'] as const) {
      if (typeof config[key] === 'string') config[key] = resolve(base, config[key] as string);
    }
    for (const key of ['train', 'val'] as const) {
      if (Array.isArray(config[key])) config[key] = config[key]!.map((p) => resolve(base, p));
    }
  }
  const training: Record<string, unknown> = { ...(config.training ?? {}) };
  const schedule: Record<string, unknown> = { ...(training.schedule as object) };
  for (const name of trainingFlags) {
    const value = numberFlag(flags, name);
    if (value !== undefined) training[name] = value;
  }
  for (const [flag, field] of Object.entries(scheduleFlags)) {
    const value = numberFlag(flags, flag);
    if (value !== undefined) schedule[field] = value;
  }
  const kind = stringFlag(flags, 'schedule');
  if (kind) schedule.kind = kind;
  training.schedule = schedule;
  const strings = [
    'text',
    'tokenizer',
    'outDir',
    'base',
    'conversations',
    'samplePrompt',
    'backend',
    'model',
    'packing',
    'conversationFormat',
  ] as const;
  const out: RunConfig = { ...config, training: training as TrainingConfigInput };
  for (const name of strings) {
    const value = stringFlag(flags, name === 'outDir' ? 'out' : name);
    if (value !== undefined) (out as Record<string, unknown>)[name] = resolvePathField(name, value);
  }
  for (const name of ['train', 'val'] as const) {
    const value = stringFlag(flags, name);
    if (value !== undefined) out[name] = value.split(',').map((p) => resolve(p));
  }
  for (const name of ['valFraction', 'epochs', 'modelSeed', 'replyPrompts'] as const) {
    const value = numberFlag(flags, name);
    if (value !== undefined) out[name] = value;
  }
  if (typeof flags.get('native') === 'boolean') out.native = flags.get('native') as boolean;
  if (out.backend && !['auto', 'tensorflow', 'wasm', 'cpu'].includes(out.backend)) {
    throw new TrainerConfigError(
      `backend "${out.backend}" is not one of auto, tensorflow, wasm, cpu`,
    );
  }
  return out;
}

function resolvePathField(name: string, value: string): string {
  return ['text', 'tokenizer', 'outDir', 'base', 'conversations'].includes(name)
    ? resolve(value)
    : value;
}

/** The GPT config a run asks for: a preset name or fields over a small default. */
export function modelConfig(model: RunConfig['model'], vocabSize: number): GPTConfig {
  if (typeof model === 'string') {
    const preset = (presets as Record<string, GPTConfig>)[model];
    if (!preset) {
      throw new TrainerConfigError(
        `model preset "${model}" is unknown; use one of ${Object.keys(presets).join(', ')} or an object`,
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
