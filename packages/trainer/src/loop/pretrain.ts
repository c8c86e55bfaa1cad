// Pre-training: next-token cross-entropy over llm.c shards read by @lmkit/datasets' BatchLoader,
// with validation loss and bits per byte on the validation shards and text samples.
import { BatchLoader, type LoaderCursor } from '@lmkit/datasets';
import * as tf from '@tensorflow/tfjs-core';
import type { TokenizerLike, TrainableModel } from '../model.ts';
import { resolveTrainingConfig, type TrainingConfigInput } from '../training-config.ts';
import { bitsPerByte, utf8ByteLength } from './bits-per-byte.ts';
import { type RunFolderOptions, runFolderOptions } from './run-folder.ts';
import { type Batch, type BatchSource, runTraining, type TrainingResult } from './train-loop.ts';
import { checkBatchVocabulary, checkShardsVocabulary } from './vocabulary.ts';

export interface PretrainOptions extends RunFolderOptions {
  /** A freshly initialised model (its weights are replaced when resuming). */
  model: TrainableModel;
  /** Training shards. */
  trainFiles: string[];
  /** Validation shards (evaluated from their start each time); none turns evaluation off. */
  valFiles?: string[];
  /** Training config (validated; see TrainingConfig for fields and defaults). */
  config: TrainingConfigInput;
  /** For samples and bits per byte. */
  tokenizer?: TokenizerLike;
  /** Prompt of the periodic samples; default a newline. */
  samplePrompt?: string;
  /** Shuffle training windows (seeded); default true. */
  shuffle?: boolean;
}

/** Splits loader rows (B, T+1) into inputs and targets (B, T). */
export function splitRows(tokens: Int32Array, batchSize: number, sequenceLength: number): Batch {
  const T = sequenceLength;
  const inputs = new Int32Array(batchSize * T);
  const targets = new Int32Array(batchSize * T);
  for (let row = 0; row < batchSize; row++) {
    inputs.set(tokens.subarray(row * (T + 1), row * (T + 1) + T), row * T);
    targets.set(tokens.subarray(row * (T + 1) + 1, (row + 1) * (T + 1)), row * T);
  }
  return { batchSize, sequenceLength, inputs, targets };
}

/** Runs pre-training to the config's budget; returns the result of the loop. */
export async function pretrain(options: PretrainOptions): Promise<TrainingResult> {
  const config = resolveTrainingConfig(options.config);
  const { model, tokenizer } = options;
  // Before step 1: every shard's largest id (recorded in lmkit shard headers) fits the model.
  checkShardsVocabulary(options.trainFiles, model.config.vocabSize, 'training shard');
  checkShardsVocabulary(options.valFiles ?? [], model.config.vocabSize, 'validation shard');
  const { batchSize, sequenceLength } = config;
  const shuffle = options.shuffle ?? true;
  const openSource = async (cursor: unknown): Promise<BatchSource> => {
    const loader = await BatchLoader.open({
      files: options.trainFiles,
      batchSize,
      sequenceLength,
      seed: config.seed,
      shuffle,
      cursor: cursor as LoaderCursor | undefined,
    });
    return {
      next: () => splitRows(loader.next().tokens, batchSize, sequenceLength),
      cursor: () => loader.cursor(),
    };
  };
  let validationBytes: number | undefined;
  const evaluate = options.valFiles?.length
    ? async () => {
        const loader = await BatchLoader.open({
          files: options.valFiles!,
          batchSize,
          sequenceLength,
          shuffle: false,
        });
        const batches = Math.min(config.evalBatches, loader.batchesPerEpoch);
        let lossSum = 0;
        let bytes = 0;
        for (let i = 0; i < batches; i++) {
          const batch = splitRows(loader.next().tokens, batchSize, sequenceLength);
          checkBatchVocabulary(batch, model.config.vocabSize, 'validation');
          const value = tf.tidy(() => {
            const shape: [number, number] = [batchSize, sequenceLength];
            const x = tf.tensor2d(batch.inputs, shape, 'int32');
            const y = tf.tensor2d(batch.targets, shape, 'int32');
            return model.loss(x, y, { training: false });
          });
          lossSum += (await value.data())[0];
          value.dispose();
          if (tokenizer && validationBytes === undefined) {
            for (let row = 0; row < batchSize; row++) {
              const ids = batch.targets.subarray(row * sequenceLength, (row + 1) * sequenceLength);
              bytes += utf8ByteLength(tokenizer.decode([...ids]));
            }
          }
        }
        if (tokenizer && validationBytes === undefined) validationBytes = bytes;
        const loss = lossSum / batches;
        const tokens = batches * batchSize * sequenceLength;
        return {
          loss,
          bitsPerByte:
            validationBytes === undefined
              ? undefined
              : bitsPerByte({ lossNats: loss, tokens, bytes: validationBytes }),
        };
      }
    : undefined;
  const sample =
    tokenizer && options.samplePrompt !== undefined
      ? async (seed: number) => {
          const { blockSize } = model.config;
          const prompt = tokenizer
            .encodeOrdinary(options.samplePrompt ?? '\n')
            .slice(-(blockSize - 1));
          const out: number[] = [];
          for await (const id of model.generate(prompt, {
            maxNewTokens: Math.min(config.sampleTokens, blockSize - prompt.length),
            temperature: 1,
            topK: 200,
            seed,
          })) {
            out.push(id);
          }
          return tokenizer.decode([...prompt, ...out]);
        }
      : undefined;
  return runTraining({
    kind: 'pretrain',
    model,
    config,
    openSource,
    evaluate,
    sample,
    ...runFolderOptions(options),
  });
}
