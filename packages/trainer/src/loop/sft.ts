// Supervised fine-tuning on rendered conversations: the shared loop over padded or packed rows,
// loss only where the mask is 1, epochs in a seeded order; validation loss on held-out
// conversations and the share of sampled replies that end with the stop token within budget.

import { SeededRandom } from '@lmkit/core';
import * as tf from '@tensorflow/tfjs-core';
import { TrainerConfigError } from '../errors.ts';
import type { TrainableModel } from '../model.ts';
import {
  resolveTrainingConfig,
  sftDefaultConfig,
  sftDefaultEpochs,
  type TrainingConfigInput,
} from '../training-config.ts';
import { type RunFolderOptions, runFolderOptions } from './run-folder.ts';
import { buildSftRows, gatherRows, type SftExample, type SftRows } from './sft-rows.ts';
import { type BatchSource, runTraining, type TrainingResult } from './train-loop.ts';
import { checkBatchVocabulary } from './vocabulary.ts';

/** SFT's defaults live with the training config's schema (training-config.ts). */
export { sftDefaultConfig } from '../training-config.ts';

export interface SftOptions extends RunFolderOptions {
  /** The base model (e.g. from loadCheckpoint); its vocabulary grows to `vocabSize` first. */
  model: TrainableModel;
  examples: readonly SftExample[];
  valExamples?: readonly SftExample[];
  /** The chat tokenizer's vocabulary size (base + chat markers); grows the embedding if larger. */
  vocabSize?: number;
  /** 'pad' (default): one conversation per row; 'pack': concatenated and cut every T tokens. */
  packing?: 'pad' | 'pack';
  padTokenId?: number;
  /** Passes over the examples when the config has no step budget; default 2. */
  epochs?: number;
  /** Training config over `sftDefaultConfig`; the schedule defaults to cosine 1e-4 → 0. */
  config?: TrainingConfigInput;
  /** Reply check at each evaluation: prompts ending in the assistant header, the stop id. */
  replyEval?: { prompts: number[][]; stopTokenId: number; maxNewTokens: number };
}

/** Cursor of the SFT source: epoch and position in that epoch's seeded row order. */
export interface SftCursor {
  epoch: number;
  index: number;
}

function epochOrder(rows: number, seed: number, epoch: number): number[] {
  return new SeededRandom(seed * 1_000_003 + epoch).shuffle([...Array(rows).keys()]);
}

function openSftSource(
  rows: SftRows,
  batchSize: number,
  seed: number,
  cursor: SftCursor,
): BatchSource {
  let { epoch, index } = cursor;
  let order = epochOrder(rows.rows, seed, epoch);
  return {
    next() {
      const picked: number[] = [];
      while (picked.length < batchSize) {
        if (index >= order.length) {
          epoch += 1;
          index = 0;
          order = epochOrder(rows.rows, seed, epoch);
        }
        picked.push(order[index++]);
      }
      return gatherRows(rows, picked);
    },
    cursor: (): SftCursor => ({ epoch, index }),
  };
}

/** Fine-tunes `model` on the examples; returns the loop's result. */
export async function sft(options: SftOptions): Promise<TrainingResult> {
  const { model } = options;
  const vocabSize = options.vocabSize ?? model.config.vocabSize;
  if (vocabSize < model.config.vocabSize) {
    throw new TrainerConfigError(
      `vocabSize ${vocabSize} is smaller than the base model's ${model.config.vocabSize}; SFT only grows the vocabulary: use the chat tokenizer built on the base tokenizer`,
    );
  }
  if (vocabSize > model.config.vocabSize) {
    options.log?.(`growing the vocabulary ${model.config.vocabSize} → ${vocabSize} (chat markers)`);
    model.resizeVocabulary(vocabSize, { seed: 0 });
  }
  const input = options.config ?? {};
  const sequenceLength =
    input.sequenceLength ?? Math.min(sftDefaultConfig.sequenceLength!, model.config.blockSize);
  const batchSize = input.batchSize ?? sftDefaultConfig.batchSize!;
  const packing = options.packing ?? 'pad';
  const rows = buildSftRows({
    examples: options.examples,
    sequenceLength,
    packing,
    padTokenId: options.padTokenId,
  });
  if (rows.rows === 0) {
    throw new TrainerConfigError(
      `none of the ${options.examples.length} SFT examples has a masked (assistant) token within ${sequenceLength + 1} tokens; raise sequenceLength or check the loss masks`,
    );
  }
  const tokensPerStep = input.totalBatchTokens ?? batchSize * sequenceLength;
  const rowsPerStep = tokensPerStep / sequenceLength;
  const epochs = options.epochs ?? sftDefaultEpochs;
  const budget =
    (input.maxSteps ?? input.maxTokens ?? input.maxMinutes)
      ? {}
      : { maxSteps: Math.max(1, Math.floor((epochs * rows.rows) / rowsPerStep)) };
  const stepsGuess = input.maxSteps ?? budget.maxSteps ?? 1000;
  const config = resolveTrainingConfig(
    {
      sequenceLength,
      batchSize,
      ...budget,
      ...input,
      schedule: { warmupSteps: Math.max(1, Math.round(stepsGuess * 0.03)), ...input.schedule },
    },
    sftDefaultConfig,
  );
  options.log?.(
    `SFT: ${options.examples.length} conversations → ${rows.rows} rows of ${sequenceLength + 1} tokens (${packing}; ${rows.droppedRows} rows without assistant tokens dropped, ${rows.truncatedExamples} conversations cut)`,
  );
  const valRows = options.valExamples?.length
    ? buildSftRows({
        examples: options.valExamples,
        sequenceLength,
        packing,
        padTokenId: options.padTokenId,
      })
    : undefined;
  const evaluate =
    valRows && valRows.rows > 0
      ? async () => {
          let weighted = 0;
          let count = 0;
          const limit = Math.min(valRows.rows, config.evalBatches * batchSize);
          for (let start = 0; start < limit; start += batchSize) {
            const indices = [...Array(Math.min(batchSize, limit - start)).keys()].map(
              (k) => start + k,
            );
            const batch = gatherRows(valRows, indices);
            checkBatchVocabulary(batch, model.config.vocabSize, 'SFT validation');
            const masked = batch.lossMask.reduce((a, b) => a + b, 0);
            const value = tf.tidy(() => {
              const shape: [number, number] = [batch.batchSize, sequenceLength];
              return model.loss(
                tf.tensor2d(batch.inputs, shape, 'int32'),
                tf.tensor2d(batch.targets, shape, 'int32'),
                { lossMask: tf.tensor2d(batch.lossMask, shape, 'float32'), training: false },
              );
            });
            weighted += (await value.data())[0] * masked;
            value.dispose();
            count += masked;
          }
          return {
            loss: weighted / count,
            stopRate: await replyStopRate(model, options.replyEval),
          };
        }
      : undefined;
  return runTraining({
    kind: 'sft',
    model,
    config,
    openSource: async (cursor) =>
      openSftSource(
        rows,
        batchSize,
        config.seed,
        (cursor as SftCursor | undefined) ?? { epoch: 0, index: 0 },
      ),
    evaluate,
    ...runFolderOptions(options),
  });
}

/** Share of greedy replies that produce the stop token within `maxNewTokens`. */
export async function replyStopRate(
  model: TrainableModel,
  check: SftOptions['replyEval'],
): Promise<number | undefined> {
  if (!check || check.prompts.length === 0) return undefined;
  let ended = 0;
  for (const prompt of check.prompts) {
    // No `stop` option: gpt-model's generate ends quietly on a stop id without yielding it, and
    // this check must see the id to count the reply as ended.
    for await (const id of model.generate(prompt, {
      maxNewTokens: check.maxNewTokens,
      temperature: 0,
    })) {
      if (id === check.stopTokenId) {
        ended++;
        break;
      }
    }
  }
  return ended / check.prompts.length;
}
