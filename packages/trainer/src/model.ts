// The structural model type the trainer drives: @lmkit/gpt-model's GPT satisfies it, and tests
// may pass a tiny hand-made model with the same shape.
import type { GenerateOptions } from '@lmkit/core';
import type { GPTConfig } from '@lmkit/gpt-model';
import type * as tf from '@tensorflow/tfjs-core';

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
  generate(prompt: number[], options: GenerateOptions): AsyncGenerator<number, unknown>;
  resizeVocabulary(vocabSize: number, options?: { seed?: number }): void;
  /** Writes config.json and model.safetensors into `dir`. */
  save(dir: string): Promise<void>;
}

/** The generation options and tokenizer interface live in @lmkit/core. */
export type { GenerateOptions, TokenizerLike } from '@lmkit/core';
