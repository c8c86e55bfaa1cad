// Direct Preference Optimization on the shared training loop (checkpoints, resume after a kill,
// metrics file, plots, signals): the policy is wrapped in an objective whose `loss` is DPO's, the
// reference model's log-probabilities are computed once and cached in the run folder, and each
// step's rewards, accuracy and margin go into the metrics file (`extra`) and the log.
// B = pairs per micro-batch; a batch holds 2B rows (chosen rows, then rejected), T = sequenceLength.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRandom } from '@lmkit/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  batchLogProbs,
  buildPreferenceBatch,
  type DpoLossTensors,
  dpoLoss,
  dpoMetrics,
  type LogitsModel,
  maskedLogProbSums,
  type PreferenceBatch,
  type PreferenceExample,
} from './dpo-loss.ts';
import { TrainerConfigError } from './errors.ts';
import { type RunFolderOptions, runFolderOptions } from './loop/run-folder.ts';
import { type BatchSource, runTraining, type TrainingResult } from './loop/train-loop.ts';
import type { TrainableModel } from './model.ts';
import {
  resolveTrainingConfig,
  sftDefaultConfig,
  type TrainingConfigInput,
} from './training-config.ts';

/** A policy DPO can train: the trainer's model with logits (@lmkit/gpt-model's GPT). */
export type DpoPolicy = TrainableModel & LogitsModel;

export interface DpoOptions extends RunFolderOptions {
  /** The model being aligned, usually the SFT checkpoint. */
  policy: DpoPolicy;
  /** The frozen reference, usually a second copy of the same checkpoint. */
  reference: LogitsModel;
  /** Rendered pairs (chat-template `render`, its loss mask marks the reply). */
  pairs: readonly PreferenceExample[];
  /** Held-out pairs: validation loss, accuracy and margin at each evaluation. */
  valPairs?: readonly PreferenceExample[];
  /** Strength of the KL anchor to the reference; default 0.1. */
  beta?: number;
  /** Passes over the pairs when the config sets no budget; default 1. */
  epochs?: number;
  /**
   * Training config over SFT's defaults (peak 1e-4 cosine → 0, no weight decay) with a peak of
   * 5e-6 as DPO papers use for full models; `batchSize` counts rows, two per pair (even).
   */
  config?: TrainingConfigInput;
  padTokenId?: number;
}

/** Cursor of the pair order: epoch and position in that epoch's seeded order. */
interface DpoCursor {
  epoch: number;
  index: number;
}

export async function dpo(options: DpoOptions): Promise<TrainingResult> {
  const { policy, pairs } = options;
  const beta = options.beta ?? 0.1;
  if (!(beta > 0)) throw new TrainerConfigError(`beta ${beta} must be above 0 (0.1 is usual)`);
  if (pairs.length === 0) throw new TrainerConfigError('dpo needs at least one preference pair');
  const input = options.config ?? {};
  const longest =
    Math.max(
      ...[...pairs, ...(options.valPairs ?? [])].flatMap((p) => [
        p.chosen.ids.length,
        p.rejected.ids.length,
      ]),
    ) - 1;
  const sequenceLength = input.sequenceLength ?? Math.min(longest, policy.config.blockSize);
  const batchSize = input.batchSize ?? 8;
  if (batchSize % 2 !== 0) {
    throw new TrainerConfigError(
      `batchSize ${batchSize} counts rows, two per pair; make it even (e.g. ${batchSize + 1})`,
    );
  }
  const pairsPerBatch = batchSize / 2;
  const epochs = options.epochs ?? 1;
  const budget =
    (input.maxSteps ?? input.maxTokens ?? input.maxMinutes)
      ? {}
      : { maxSteps: Math.max(1, Math.floor((epochs * pairs.length) / pairsPerBatch)) };
  const config = resolveTrainingConfig(
    {
      sequenceLength,
      batchSize,
      ...budget,
      ...input,
      schedule: { maxLearningRate: 5e-6, warmupSteps: 1, ...input.schedule },
    },
    sftDefaultConfig,
  );
  const batchOf = (picked: readonly PreferenceExample[]) =>
    buildPreferenceBatch(picked, {
      maxSequenceLength: config.sequenceLength,
      padTo: config.sequenceLength,
      padTokenId: options.padTokenId,
    });

  mkdirSync(options.outDir, { recursive: true });
  const reference = await cachedReferenceLogProbs(
    options,
    [...pairs, ...(options.valPairs ?? [])],
    batchOf,
    pairsPerBatch,
  );
  const objective = new DpoObjective(policy, beta);

  const evaluate = options.valPairs?.length
    ? async () => {
        const val = options.valPairs!;
        const limit = Math.min(val.length, config.evalBatches * pairsPerBatch);
        const results: DpoLossTensors[] = [];
        for (let start = 0; start < limit; start += pairsPerBatch) {
          const indices = [...Array(Math.min(pairsPerBatch, limit - start)).keys()].map(
            (k) => start + k,
          );
          const batch = batchOf(indices.map((i) => val[i]));
          const policyLogProbs = batchLogProbs(policy, batch);
          results.push(
            dpoLoss({
              policy: policyLogProbs,
              reference: referenceRows(
                reference,
                indices.map((i) => pairs.length + i),
              ),
              beta,
            }),
          );
          policyLogProbs.dispose();
        }
        const merged = await mergeMetrics(results);
        const { loss, ...extra } = merged;
        return { loss, extra };
      }
    : undefined;

  options.log?.(
    `DPO: ${pairs.length} pairs (${options.valPairs?.length ?? 0} held out), beta ${beta}, ${pairsPerBatch} pairs per micro-batch, rows of ${config.sequenceLength} steps`,
  );
  return runTraining({
    kind: 'dpo',
    model: objective,
    config,
    openSource: async (cursor) => {
      let { epoch, index } = (cursor as DpoCursor | undefined) ?? { epoch: 0, index: 0 };
      const orderOf = (e: number) =>
        new SeededRandom(config.seed * 1_000_003 + e).shuffle([...pairs.keys()]);
      let order = orderOf(epoch);
      const source: BatchSource = {
        next() {
          const picked: number[] = [];
          while (picked.length < pairsPerBatch) {
            if (index >= order.length) {
              epoch += 1;
              index = 0;
              order = orderOf(epoch);
            }
            picked.push(order[index++]);
          }
          const batch = batchOf(picked.map((i) => pairs[i]));
          objective.nextReference = referenceRows(reference, picked);
          return {
            batchSize: batch.rows,
            sequenceLength: batch.sequenceLength,
            inputs: batch.inputs,
            targets: batch.targets,
            lossMask: batch.mask,
          };
        },
        cursor: (): DpoCursor => ({ epoch, index }),
      };
      return source;
    },
    evaluate,
    stepExtras: async () => {
      const { loss: _, ...extra } = await objective.takeMetrics();
      options.log?.(
        `dpo rewards: chosen ${extra.chosenReward.toFixed(4)} rejected ${extra.rejectedReward.toFixed(4)} accuracy ${extra.accuracy.toFixed(3)} margin ${extra.margin.toFixed(4)}`,
      );
      return extra;
    },
    ...runFolderOptions(options),
  });
}

/** The policy as the loop sees it: its weights and saving, with DPO's loss as `loss`. */
class DpoObjective implements TrainableModel {
  nextReference: Float32Array | undefined;
  private kept: DpoLossTensors[] = [];
  constructor(
    private readonly policy: DpoPolicy,
    private readonly beta: number,
  ) {}
  get config() {
    return this.policy.config;
  }
  get parameters() {
    return this.policy.parameters;
  }
  loss(
    ids: tf.Tensor2D,
    targets: tf.Tensor2D,
    options: { lossMask?: tf.Tensor2D; training?: boolean; seed?: number } = {},
  ): tf.Scalar {
    if (!this.nextReference || !options.lossMask)
      throw new TrainerConfigError(
        'the DPO objective needs a batch from its own source (reference log-probs and a loss mask)',
      );
    const logits = this.policy.logits(ids, { training: options.training, seed: options.seed });
    const result = dpoLoss({
      policy: maskedLogProbSums(logits, targets, options.lossMask),
      reference: this.nextReference,
      beta: this.beta,
    });
    this.kept.push({
      loss: tf.keep(tf.clone(result.loss)),
      chosenRewards: tf.keep(tf.clone(result.chosenRewards)),
      rejectedRewards: tf.keep(tf.clone(result.rejectedRewards)),
    });
    return result.loss;
  }
  /** Metrics of the micro-batches since the last call (then released). */
  async takeMetrics() {
    const kept = this.kept;
    this.kept = [];
    return mergeMetrics(kept);
  }
  generate(...args: Parameters<TrainableModel['generate']>) {
    return this.policy.generate(...args);
  }
  resizeVocabulary(vocabSize: number, options?: { seed?: number }) {
    this.policy.resizeVocabulary(vocabSize, options);
  }
  save(dir: string) {
    return this.policy.save(dir);
  }
}

/** Metrics over several loss results, pair-weighted; disposes them. */
async function mergeMetrics(results: DpoLossTensors[]) {
  let pairs = 0;
  const sum = { loss: 0, chosenReward: 0, rejectedReward: 0, accuracy: 0, margin: 0 };
  for (const result of results) {
    const n = result.chosenRewards.shape[0];
    const m = await dpoMetrics(result);
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += m[key] * n;
    pairs += n;
    tf.dispose([result.loss, result.chosenRewards, result.rejectedRewards]);
  }
  for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] /= Math.max(1, pairs);
  return sum;
}

/** Rows [chosen…, rejected…] of the reference sums for pairs `indices` (cache: 2 per pair). */
function referenceRows(cache: Float32Array, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * 2);
  indices.forEach((pair, i) => {
    out[i] = cache[2 * pair];
    out[indices.length + i] = cache[2 * pair + 1];
  });
  return out;
}

/**
 * The reference's log-probability sums, [chosen, rejected] per pair, computed once and stored in
 * `outDir/reference-logprobs.json` with a fingerprint of the pairs; a resumed run reads them back.
 */
async function cachedReferenceLogProbs(
  options: DpoOptions,
  all: readonly PreferenceExample[],
  batchOf: (pairs: readonly PreferenceExample[]) => PreferenceBatch,
  pairsPerBatch: number,
): Promise<Float32Array> {
  const path = join(options.outDir, 'reference-logprobs.json');
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify(
        all.map((p) => [p.chosen.ids, p.chosen.lossMask, p.rejected.ids, p.rejected.lossMask]),
      ),
    )
    .digest('hex');
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, 'utf8')) as {
      fingerprint: string;
      values: number[];
    };
    if (saved.fingerprint === fingerprint) return Float32Array.from(saved.values);
    options.log?.(
      `${path} was computed for other pairs; computing the reference log-probabilities again`,
    );
  }
  const values = new Float32Array(all.length * 2);
  for (let start = 0; start < all.length; start += pairsPerBatch) {
    const picked = all.slice(start, start + pairsPerBatch);
    const sums = batchLogProbs(options.reference, batchOf(picked));
    const data = await sums.data();
    sums.dispose();
    picked.forEach((_, i) => {
      values[2 * (start + i)] = data[i];
      values[2 * (start + i) + 1] = data[picked.length + i];
    });
  }
  writeFileSync(
    path,
    JSON.stringify({ fingerprint, pairs: all.length, values: Array.from(values) }),
  );
  return values;
}
