// The one set of sampling flags every lmkit command that generates text takes, with the same
// names, limits and meaning everywhere: --temperature --top-k --top-p --max-new-tokens --seed.
// Defaults differ per command (a server caps replies, a sampler prints a page), limits do not.
import { flag } from './flags.ts';

export interface SamplingDefaults {
  temperature?: number;
  topK?: number;
  topP?: number;
  maxNewTokens?: number;
  /** Undefined: a random seed per run (say so in the description). */
  seed?: number;
}

/** The sampling flags, with `defaults` shown in the help and filled in when a flag is absent. */
export function samplingFlags(defaults: SamplingDefaults = {}) {
  return {
    temperature: flag.number({
      description: 'sampling temperature; 0 picks the most likely token (greedy)',
      min: 0,
      max: 100,
      default: defaults.temperature,
      example: '0.8',
    }),
    'top-k': flag.number({
      description: 'sample among the K most likely tokens only (default: all)',
      integer: true,
      min: 1,
      default: defaults.topK,
      placeholder: 'K',
      example: '50',
    }),
    'top-p': flag.number({
      description: 'sample among the most likely tokens whose probabilities sum to P (nucleus)',
      above: 0,
      max: 1,
      default: defaults.topP,
      placeholder: 'P',
      example: '0.95',
    }),
    'max-new-tokens': flag.number({
      description: 'new tokens at most per reply or sample',
      integer: true,
      min: 1,
      default: defaults.maxNewTokens,
      example: '200',
    }),
    seed: flag.number({
      description:
        defaults.seed === undefined
          ? 'seed of the sampler; the same seed repeats the same text (default: random)'
          : 'seed of the sampler; the same seed repeats the same text',
      integer: true,
      min: 0,
      max: 2 ** 32 - 1,
      default: defaults.seed,
      example: '1',
    }),
  };
}

/** The sampling values of parsed flags as generate options (absent ones left out). */
export function samplingOptions(values: {
  temperature?: number;
  topK?: number;
  topP?: number;
  maxNewTokens?: number;
  seed?: number;
}) {
  const options: SamplingDefaults = {};
  for (const key of ['temperature', 'topK', 'topP', 'maxNewTokens', 'seed'] as const) {
    if (values[key] !== undefined) options[key] = values[key];
  }
  return options;
}
