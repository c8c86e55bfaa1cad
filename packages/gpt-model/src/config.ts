// GPT-2 model configuration, presets and size arithmetic (parameters, FLOPs per token).
// Follows nanoGPT's GPTConfig; the LM head is tied to the token embedding, so it adds no parameters.
import { GPTModelError } from './errors.ts';

export interface GPTConfig {
  /** Vocabulary size (rows of the token embedding). GPT-2: 50257. */
  vocabSize: number;
  /** Context length (rows of the position embedding). GPT-2: 1024. */
  blockSize: number;
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads; must divide nEmbd. */
  nHead: number;
  /** Embedding width. */
  nEmbd: number;
  /** Dropout probability during training. */
  dropout: number;
  /** Whether linear layers and LayerNorms carry biases (GPT-2: true). */
  bias: boolean;
}

const gpt2Base = { vocabSize: 50257, blockSize: 1024, dropout: 0, bias: true } as const;

export const presets = {
  gpt2: { ...gpt2Base, nLayer: 12, nHead: 12, nEmbd: 768 },
  'gpt2-medium': { ...gpt2Base, nLayer: 24, nHead: 16, nEmbd: 1024 },
  'gpt2-large': { ...gpt2Base, nLayer: 36, nHead: 20, nEmbd: 1280 },
  'gpt2-xl': { ...gpt2Base, nLayer: 48, nHead: 25, nEmbd: 1600 },
  /** Test-sized: trains in milliseconds on a CPU. */
  tiny: { vocabSize: 256, blockSize: 64, nLayer: 2, nHead: 2, nEmbd: 64, dropout: 0, bias: true },
  /** Bench config (a): 4 layers, 4 heads, 128 wide, context 128, vocab 4096. */
  'cpu-small': {
    vocabSize: 4096,
    blockSize: 128,
    nLayer: 4,
    nHead: 4,
    nEmbd: 128,
    dropout: 0,
    bias: true,
  },
  /** Bench config (b): 6 layers, 6 heads, 384 wide, context 256, vocab 8192. */
  'cpu-medium': {
    vocabSize: 8192,
    blockSize: 256,
    nLayer: 6,
    nHead: 6,
    nEmbd: 384,
    dropout: 0,
    bias: true,
  },
} as const satisfies Record<string, GPTConfig>;

export type PresetName = keyof typeof presets;

/** Throws a GPTModelError naming the first field that cannot describe a GPT. */
export function validateConfig(config: GPTConfig): void {
  for (const key of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const) {
    const value = config[key];
    if (!Number.isInteger(value) || value < 1)
      throw new GPTModelError(`config.${key} is ${value}; it must be a positive integer`);
  }
  if (config.nEmbd % config.nHead !== 0)
    throw new GPTModelError(
      `config.nEmbd (${config.nEmbd}) is not divisible by config.nHead (${config.nHead}); pick a head count that divides the width`,
    );
  if (!(config.dropout >= 0 && config.dropout < 1))
    throw new GPTModelError(`config.dropout is ${config.dropout}; it must be in [0, 1)`);
}

/** Trainable parameters, counting the tied LM head once. */
export function parameterCount(config: GPTConfig): number {
  const { vocabSize: V, blockSize: T, nLayer: L, nEmbd: C, bias } = config;
  const b = bias ? 1 : 0;
  const layerNorm = C + b * C;
  const attention = C * 3 * C + b * 3 * C + C * C + b * C;
  const mlp = C * 4 * C + b * 4 * C + 4 * C * C + b * C;
  return V * C + T * C + L * (2 * layerNorm + attention + mlp) + layerNorm;
}

/**
 * Training FLOPs per token (forward and backward), as in the PaLM appendix that nanoGPT uses for
 * MFU: 6·N for the weights (N without position embeddings) plus 12·L·C·T for attention.
 */
export function flopsPerToken(config: GPTConfig, sequenceLength = config.blockSize): number {
  const nonEmbedding = parameterCount(config) - config.blockSize * config.nEmbd;
  return 6 * nonEmbedding + 12 * config.nLayer * config.nEmbd * sequenceLength;
}
