// A reward model: a GPT backbone with a scalar head on the last token's final hidden state, as
// Hugging Face's GPT2ForSequenceClassification (one label, `score.weight` of shape [1, C], no
// bias), trained with the Bradley–Terry loss −log σ(r(chosen) − r(rejected)). Saved like any
// checkpoint: config.json and model.safetensors, the head stored beside the GPT-2 weights.
// Shapes: R rows (chosen rows, then rejected), T steps, C channels.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeSafetensors,
  encodeSafetensors,
  type GPT,
  loadGPT2,
  type SafetensorsTensor,
  toFloat32,
} from '@lmkit/gpt-model';
import * as tf from '@tensorflow/tfjs-core';
import { meanNegativeLogSigmoid } from './dpo-loss.ts';
import { TrainerConfigError } from './errors.ts';
import type { TrainableModel } from './model.ts';

export const REWARD_HEAD = 'score.weight';

export class RewardModel implements TrainableModel {
  readonly parameters: Map<string, tf.Variable>;
  private readonly head: tf.Variable;

  /** `head`: [1, C] weights; default N(0, 0.02²) from `seed` (the backbone keeps its weights). */
  constructor(
    readonly backbone: GPT,
    options: { head?: Float32Array; seed?: number } = {},
  ) {
    const C = backbone.config.nEmbd;
    const values =
      options.head ??
      tf.tidy(
        () =>
          tf.randomNormal([C], 0, 0.02, 'float32', options.seed ?? 0).dataSync() as Float32Array,
      );
    if (values.length !== C)
      throw new TrainerConfigError(
        `reward head has ${values.length} values; the backbone has ${C} channels`,
      );
    this.head = tf.variable(
      tf.tensor2d(values, [1, C]),
      true,
      `${backbone.variablePrefix}${REWARD_HEAD}`,
    );
    this.parameters = new Map([...backbone.parameters, [REWARD_HEAD, this.head]]);
  }

  get config() {
    return this.backbone.config;
  }

  /** Rewards (R) of padded rows: the head on the hidden state at each row's last real token. */
  rewards(
    ids: tf.Tensor2D,
    last: tf.Tensor2D,
    options: { training?: boolean; seed?: number } = {},
  ): tf.Tensor1D {
    return tf.tidy(() => {
      const [R, T] = ids.shape;
      const C = this.backbone.config.nEmbd;
      const hidden = tf.reshape(this.backbone.hidden(ids, options), [R, T, C]);
      const picked = tf.sum(tf.mul(hidden, tf.reshape(last, [R, T, 1])), 1); // (R, C)
      return tf.reshape(tf.matMul(picked, this.head, false, true), [R]) as tf.Tensor1D;
    });
  }

  /**
   * The Bradley–Terry loss as the training loop calls it: `ids` are 2B rows (chosen, then
   * rejected), `lossMask` marks each row's last real token (`buildRewardBatch`); targets unused.
   */
  loss(
    ids: tf.Tensor2D,
    _targets: tf.Tensor2D,
    options: { lossMask?: tf.Tensor2D; training?: boolean; seed?: number } = {},
  ): tf.Scalar {
    if (!options.lossMask)
      throw new TrainerConfigError(
        'the reward model needs rows from buildRewardBatch (a last-token mask)',
      );
    return tf.tidy(() => {
      const rewards = this.rewards(ids, options.lossMask!, options);
      const pairs = ids.shape[0] / 2;
      return meanNegativeLogSigmoid(
        tf.sub(tf.slice(rewards, 0, pairs), tf.slice(rewards, pairs, pairs)) as tf.Tensor1D,
      );
    });
  }

  /** Rewards of token sequences (each at most the block size), read back. */
  async score(sequences: readonly (readonly number[])[]): Promise<Float32Array> {
    const batch = buildRewardRows(sequences, this.config.blockSize);
    const shape: [number, number] = [sequences.length, batch.sequenceLength];
    const rewards = tf.tidy(() =>
      this.rewards(tf.tensor2d(batch.inputs, shape, 'int32'), tf.tensor2d(batch.last, shape)),
    );
    const values = (await rewards.data()) as Float32Array;
    rewards.dispose();
    return values;
  }

  generate(): AsyncGenerator<number, unknown> {
    throw new TrainerConfigError(
      'a reward model scores text; it does not generate it (sample from the policy instead)',
    );
  }

  resizeVocabulary(vocabSize: number, options?: { seed?: number }): void {
    this.backbone.resizeVocabulary(vocabSize, options);
  }

  /** config.json and model.safetensors with `score.weight` beside the GPT-2 weights. */
  async save(dir: string): Promise<void> {
    await this.backbone.save(dir);
    const path = join(dir, 'model.safetensors');
    const saved = decodeSafetensors(readFileSync(path));
    const tensors: Record<string, SafetensorsTensor> = {
      ...saved.tensors,
      [REWARD_HEAD]: {
        dtype: 'F32',
        shape: [1, this.config.nEmbd],
        data: (await this.head.data()) as Float32Array,
      },
    };
    writeFileSync(path, encodeSafetensors(tensors, { ...saved.metadata, lmkit_head: 'reward' }));
  }

  dispose(): void {
    this.head.dispose();
    this.backbone.dispose();
  }
}

/** Loads a reward model saved by `RewardModel.save` (or a GPT checkpoint plus a fresh head). */
export async function loadRewardModel(
  dir: string,
  options: { seed?: number } = {},
): Promise<RewardModel> {
  const backbone = await loadGPT2(dir);
  const head = decodeSafetensors(readFileSync(join(dir, 'model.safetensors'))).tensors[REWARD_HEAD];
  return new RewardModel(backbone, {
    head: head ? toFloat32(head) : undefined,
    seed: options.seed,
  });
}

/** Rows padded to the longest sequence, with a one-hot mask at each row's last token. */
export function buildRewardRows(
  sequences: readonly (readonly number[])[],
  maxLength: number,
  padTo?: number,
) {
  const T = padTo ?? Math.max(...sequences.map((s) => s.length));
  const inputs = new Int32Array(sequences.length * T);
  const last = new Float32Array(sequences.length * T);
  sequences.forEach((s, r) => {
    if (s.length === 0 || s.length > Math.min(maxLength, T)) {
      throw new TrainerConfigError(
        `sequence ${r} has ${s.length} tokens; a reward model reads 1 to ${Math.min(maxLength, T)} (render with maxTokens ${maxLength})`,
      );
    }
    inputs.set(s, r * T);
    last[r * T + s.length - 1] = 1;
  });
  return { inputs, last, rows: sequences.length, sequenceLength: T };
}
