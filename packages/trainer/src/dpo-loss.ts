// Direct Preference Optimization's arithmetic (Rafailov et al. 2023, the sigmoid loss TRL uses by
// default): for a pair, Δ = (log π(chosen) − log π_ref(chosen)) − (log π(rejected) − log π_ref(rejected)),
// loss = −log σ(β·Δ). Log-probabilities are sums over the chat template's trained tokens (the
// assistant's reply and its <|im_end|>). Shapes: B pairs → 2B rows (chosen rows, then rejected), T steps, V vocabulary.

import * as tf from '@tensorflow/tfjs-core';
import { TrainerConfigError } from './errors.ts';
import type { SftExample } from './loop/sft-rows.ts';

/** One rendered preference pair (chat-template `render` of prompt + chosen, prompt + rejected). */
export interface PreferenceExample {
  chosen: SftExample;
  rejected: SftExample;
}

/** 2B rows of T steps: row r predicts targets[r][t] from inputs[r][..t], counted where mask is 1. */
export interface PreferenceBatch {
  inputs: Int32Array;
  targets: Int32Array;
  mask: Float32Array;
  /** 2 × pairs: chosen rows first, then rejected rows in the same order. */
  rows: number;
  sequenceLength: number;
}

/**
 * Pads the pairs' sequences (right, with `padTokenId`, mask 0) to the longest one, at most
 * `maxSequenceLength` steps; a longer sequence is an error (crop it when rendering: `maxTokens`).
 */
export function buildPreferenceBatch(
  pairs: readonly PreferenceExample[],
  options: {
    maxSequenceLength: number;
    padTokenId?: number;
    /** Pad every row to exactly this many steps (a training loop's fixed T); default the longest. */
    padTo?: number;
  },
): PreferenceBatch {
  if (pairs.length === 0)
    throw new TrainerConfigError('a preference batch needs at least one pair');
  const sequences = [...pairs.map((p) => p.chosen), ...pairs.map((p) => p.rejected)];
  for (const [i, s] of sequences.entries()) {
    const side = i < pairs.length ? 'chosen' : 'rejected';
    const pair = i % pairs.length;
    if (s.ids.length !== s.lossMask.length || s.ids.length < 2) {
      throw new TrainerConfigError(
        `pair ${pair} (${side}): ${s.ids.length} ids and ${s.lossMask.length} mask values; render it again (at least 2 tokens, one mask value per token)`,
      );
    }
    if (s.ids.length - 1 > options.maxSequenceLength) {
      throw new TrainerConfigError(
        `pair ${pair} (${side}) has ${s.ids.length} tokens, over the context of ${options.maxSequenceLength} + 1; render with maxTokens ${options.maxSequenceLength + 1}`,
      );
    }
    if (!s.lossMask.slice(1).some((m) => m === 1)) {
      throw new TrainerConfigError(
        `pair ${pair} (${side}) has no trained token (its loss mask is all 0); the reply must be an assistant message`,
      );
    }
  }
  const T = options.padTo ?? Math.max(...sequences.map((s) => s.ids.length - 1));
  const rows = sequences.length;
  const pad = options.padTokenId ?? 0;
  const inputs = new Int32Array(rows * T).fill(pad);
  const targets = new Int32Array(rows * T).fill(pad);
  const mask = new Float32Array(rows * T);
  sequences.forEach((s, r) => {
    for (let t = 0; t + 1 < s.ids.length; t++) {
      inputs[r * T + t] = s.ids[t];
      targets[r * T + t] = s.ids[t + 1];
      mask[r * T + t] = s.lossMask[t + 1];
    }
  });
  return { inputs, targets, mask, rows, sequenceLength: T };
}

/** Σ_t mask · ln softmax(logits)[target] per row: (R, T, V) logits → (R). */
export function maskedLogProbSums(
  logits: tf.Tensor3D,
  targets: tf.Tensor2D,
  mask: tf.Tensor2D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const logProbs = tf.logSoftmax(logits, -1);
    const picked = tf.sum(
      tf.mul(logProbs, tf.oneHot(tf.cast(targets, 'int32'), logits.shape[2])),
      -1,
    ); // (R, T)
    return tf.sum(tf.mul(picked, mask), -1) as tf.Tensor1D;
  });
}

/** A model that gives logits: @lmkit/gpt-model's GPT. */
export interface LogitsModel {
  logits(ids: tf.Tensor2D, options?: { training?: boolean; seed?: number }): tf.Tensor3D;
}

/** The batch's per-row log-probability sums under `model` (2B). */
export function batchLogProbs(
  model: LogitsModel,
  batch: PreferenceBatch,
  options: { training?: boolean; seed?: number } = {},
): tf.Tensor1D {
  return tf.tidy(() => {
    const shape: [number, number] = [batch.rows, batch.sequenceLength];
    const logits = model.logits(tf.tensor2d(batch.inputs, shape, 'int32'), options);
    return maskedLogProbSums(
      logits,
      tf.tensor2d(batch.targets, shape, 'int32'),
      tf.tensor2d(batch.mask, shape),
    );
  });
}

export interface DpoLossTensors {
  /** Mean over pairs of −log σ(β·Δ). */
  loss: tf.Scalar;
  /** β·(log π − log π_ref) of the chosen replies (B). */
  chosenRewards: tf.Tensor1D;
  /** β·(log π − log π_ref) of the rejected replies (B). */
  rejectedRewards: tf.Tensor1D;
}

/**
 * The DPO loss from per-row log-probability sums of the policy (a tensor, so gradients flow) and
 * the reference (2B each, chosen rows first).
 *
 * @example
 * // β 0.1, policy [−10, −12], reference [−11, −11] (one pair): Δ = (1) − (−1) = 2,
 * // loss = −log σ(0.2) = 0.598, rewards chosen 0.1, rejected −0.1
 */
export function dpoLoss(options: {
  policy: tf.Tensor1D;
  reference: tf.Tensor1D | Float32Array | readonly number[];
  beta: number;
}): DpoLossTensors {
  const { beta } = options;
  if (!(beta > 0))
    throw new TrainerConfigError(`beta ${beta} must be above 0 (DPO papers use 0.1 to 0.5)`);
  const rows = options.policy.shape[0];
  if (rows % 2 !== 0)
    throw new TrainerConfigError(
      `${rows} log-probability rows; DPO needs chosen and rejected rows, 2 per pair`,
    );
  return tf.tidy(() => {
    const reference =
      options.reference instanceof tf.Tensor
        ? options.reference
        : tf.tensor1d(Array.from(options.reference));
    const rewards = tf.mul(tf.sub(options.policy, reference), beta);
    const pairs = rows / 2;
    const chosenRewards = tf.slice(rewards, 0, pairs) as tf.Tensor1D;
    const rejectedRewards = tf.slice(rewards, pairs, pairs) as tf.Tensor1D;
    const loss = meanNegativeLogSigmoid(tf.sub(chosenRewards, rejectedRewards) as tf.Tensor1D);
    return { loss, chosenRewards, rejectedRewards };
  });
}

/**
 * mean(−log σ(x)) over a vector, as logSoftmax([x, 0])[0]: stable for any x, and built from ops
 * whose gradients the runtime registers (Softplus, Log1p and logSigmoid's saved input are not
 * usable here). DPO and the Bradley–Terry reward loss both end in it.
 */
export function meanNegativeLogSigmoid(x: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const n = x.shape[0];
    const column = tf.reshape(x, [n, 1]);
    const logSigmoid = tf.slice(
      tf.logSoftmax(tf.concat([column, tf.zeros([n, 1])], 1), -1),
      [0, 0],
      [n, 1],
    );
    return tf.neg(tf.mean(logSigmoid)) as tf.Scalar;
  });
}

export interface DpoMetrics {
  loss: number;
  /** Mean reward of the chosen replies. */
  chosenReward: number;
  rejectedReward: number;
  /** Share of pairs whose chosen reward exceeds the rejected one. */
  accuracy: number;
  /** Mean of chosen − rejected reward. */
  margin: number;
}

/** The step-log numbers of a DPO loss (read asynchronously, so it runs on WebGPU too). */
export async function dpoMetrics(tensors: DpoLossTensors): Promise<DpoMetrics> {
  const [loss, chosen, rejected] = await Promise.all([
    tensors.loss.data(),
    tensors.chosenRewards.data(),
    tensors.rejectedRewards.data(),
  ]);
  let wins = 0;
  let margin = 0;
  for (let i = 0; i < chosen.length; i++) {
    if (chosen[i] > rejected[i]) wins++;
    margin += chosen[i] - rejected[i];
  }
  const mean = (values: ArrayLike<number>) =>
    Array.from(values).reduce((a, b) => a + b, 0) / values.length;
  return {
    loss: loss[0],
    chosenReward: mean(chosen),
    rejectedReward: mean(rejected),
    accuracy: wins / chosen.length,
    margin: margin / chosen.length,
  };
}
