// Reward-model training on the shared loop (checkpoints, resume, metrics, plots): Bradley–Terry
// on rendered preference pairs, the accuracy and margin of each step in the metrics file (`extra`),
// and held-out accuracy at each evaluation. B = pairs per micro-batch, 2B rows per batch.

import { SeededRandom } from '@lmkit/core';
import * as tf from '@tensorflow/tfjs-core';
import type { PreferenceExample } from './dpo-loss.ts';
import { TrainerConfigError } from './errors.ts';
import { type RunFolderOptions, runFolderOptions } from './loop/run-folder.ts';
import { type BatchSource, runTraining, type TrainingResult } from './loop/train-loop.ts';
import { buildRewardRows, type RewardModel } from './reward-model.ts';
import {
  resolveTrainingConfig,
  sftDefaultConfig,
  type TrainingConfigInput,
} from './training-config.ts';

export interface RewardTrainingOptions extends RunFolderOptions {
  model: RewardModel;
  /** Rendered pairs: the whole conversation with the chosen, and with the rejected reply. */
  pairs: readonly PreferenceExample[];
  valPairs?: readonly PreferenceExample[];
  /** Passes over the pairs when the config sets no budget; default 1. */
  epochs?: number;
  /** Over SFT's defaults with a peak of 1e-5; `batchSize` counts rows, two per pair (even). */
  config?: TrainingConfigInput;
}

/** Accuracy (chosen reward above rejected) and mean margin of pairs under `model`. */
export async function rewardAccuracy(
  model: RewardModel,
  pairs: readonly PreferenceExample[],
  pairsPerCall = 8,
) {
  let wins = 0;
  let margin = 0;
  for (let start = 0; start < pairs.length; start += pairsPerCall) {
    const picked = pairs.slice(start, start + pairsPerCall);
    const scores = await model.score([
      ...picked.map((p) => p.chosen.ids),
      ...picked.map((p) => p.rejected.ids),
    ]);
    picked.forEach((_, i) => {
      const difference = scores[i] - scores[picked.length + i];
      if (difference > 0) wins++;
      margin += difference;
    });
  }
  return { accuracy: wins / pairs.length, margin: margin / pairs.length };
}

export async function trainRewardModel(options: RewardTrainingOptions): Promise<TrainingResult> {
  const { model, pairs } = options;
  if (pairs.length === 0)
    throw new TrainerConfigError('reward-model training needs at least one pair');
  const input = options.config ?? {};
  const longest = Math.max(
    ...[...pairs, ...(options.valPairs ?? [])].flatMap((p) => [
      p.chosen.ids.length,
      p.rejected.ids.length,
    ]),
  );
  const sequenceLength = input.sequenceLength ?? Math.min(longest, model.config.blockSize);
  const batchSize = input.batchSize ?? 8;
  if (batchSize % 2 !== 0)
    throw new TrainerConfigError(
      `batchSize ${batchSize} counts rows, two per pair; make it even (e.g. ${batchSize + 1})`,
    );
  const pairsPerBatch = batchSize / 2;
  const budget =
    (input.maxSteps ?? input.maxTokens ?? input.maxMinutes)
      ? {}
      : {
          maxSteps: Math.max(1, Math.floor(((options.epochs ?? 1) * pairs.length) / pairsPerBatch)),
        };
  const config = resolveTrainingConfig(
    {
      sequenceLength,
      batchSize,
      ...budget,
      ...input,
      schedule: { maxLearningRate: 1e-5, warmupSteps: 1, ...input.schedule },
    },
    sftDefaultConfig,
  );
  let stepWins = 0;
  let stepMargin = 0;
  let stepPairs = 0;
  const evaluate = options.valPairs?.length
    ? async () => {
        const val = options.valPairs!.slice(0, config.evalBatches * pairsPerBatch);
        const { accuracy, margin } = await rewardAccuracy(model, val, pairsPerBatch);
        const rows = buildRewardRows(
          [...val.map((p) => p.chosen.ids), ...val.map((p) => p.rejected.ids)],
          config.sequenceLength,
          config.sequenceLength,
        );
        const shape: [number, number] = [rows.rows, rows.sequenceLength];
        const value = tf.tidy(() =>
          model.loss(tf.tensor2d(rows.inputs, shape, 'int32'), tf.zeros(shape, 'int32'), {
            lossMask: tf.tensor2d(rows.last, shape),
          }),
        );
        const loss = (await value.data())[0];
        value.dispose();
        return { loss, extra: { accuracy, margin } };
      }
    : undefined;
  options.log?.(
    `reward model: ${pairs.length} pairs (${options.valPairs?.length ?? 0} held out), ${pairsPerBatch} pairs per micro-batch, rows of ${config.sequenceLength} tokens`,
  );
  return runTraining({
    kind: 'reward',
    model,
    config,
    openSource: async (cursor) => {
      let { epoch, index } = (cursor as { epoch: number; index: number } | undefined) ?? {
        epoch: 0,
        index: 0,
      };
      const orderOf = (e: number) =>
        new SeededRandom(config.seed * 1_000_003 + e).shuffle([...pairs.keys()]);
      let order = orderOf(epoch);
      const source: BatchSource = {
        async next() {
          const picked: PreferenceExample[] = [];
          while (picked.length < pairsPerBatch) {
            if (index >= order.length) {
              epoch += 1;
              index = 0;
              order = orderOf(epoch);
            }
            picked.push(pairs[order[index++]]);
          }
          // The step's accuracy and margin, before the update (as the loss is).
          const before = await rewardAccuracy(model, picked, pairsPerBatch);
          stepWins += before.accuracy * picked.length;
          stepMargin += before.margin * picked.length;
          stepPairs += picked.length;
          const rows = buildRewardRows(
            [...picked.map((p) => p.chosen.ids), ...picked.map((p) => p.rejected.ids)],
            config.sequenceLength,
            config.sequenceLength,
          );
          return {
            batchSize: rows.rows,
            sequenceLength: rows.sequenceLength,
            inputs: rows.inputs,
            targets: new Int32Array(rows.inputs.length),
            lossMask: rows.last,
          };
        },
        cursor: () => ({ epoch, index }),
      };
      return source;
    },
    evaluate,
    stepExtras: async () => {
      const extra = { accuracy: stepWins / stepPairs, margin: stepMargin / stepPairs };
      stepWins = stepMargin = stepPairs = 0;
      return extra;
    },
    ...runFolderOptions(options),
  });
}
