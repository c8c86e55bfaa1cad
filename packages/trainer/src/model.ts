// The structural model type the trainer drives: @lmkit/gpt-model's GPT satisfies it, and tests
// may pass a tiny hand-made model with the same shape.
import type { GPTConfig } from '@lmkit/gpt-model';
import type * as tf from '@tensorflow/tfjs-core';

export interface GenerateOptions {
  maxNewTokens: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  stop?: number[];
  seed?: number;
}

/** What the trainer needs from a model (a subset of gpt-model's GPT). */
export interface TrainableModel {
  readonly config: GPTConfig;
  /** Hugging Face GPT-2 names → variables. */
  readonly parameters: Map<string, tf.Variable>;
  /** Mean next-token cross-entropy in nats over positions where the mask is 1. */
  loss(
    ids: tf.Tensor2D,
    targets: tf.Tensor2D,
    options?: { lossMask?: tf.Tensor2D; training?: boolean; seed?: number },
  ): tf.Scalar;
  generate(prompt: number[], options: GenerateOptions): AsyncGenerator<number>;
  resizeVocabulary(vocabSize: number, options?: { seed?: number }): void;
  /** Writes config.json and model.safetensors into `dir`. */
  save(dir: string): Promise<void>;
}

/** Structural tokenizer (implemented by @lmkit/bpe's Tokenizer). */
export interface TokenizerLike {
  readonly vocabSize: number;
  encodeOrdinary(text: string): number[];
  encode(
    text: string,
    options?: { allowedSpecial?: 'all' | readonly string[] | ReadonlySet<string> },
  ): number[];
  decode(ids: readonly number[]): string;
  specialTokenId(name: string): number | undefined;
}
