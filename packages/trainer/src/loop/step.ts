// One optimizer step's arithmetic: the gradients of `accumulation` micro-batches summed by
// parameter name, then their global norm. Reads go through `await tensor.data()` so a step also
// runs on backends without synchronous reads (WebGPU).
import type { SeededRandom } from '@lmkit/core';
import { sumOfSquares } from '@lmkit/gpt-model/runtime';
import * as tf from '@tensorflow/tfjs-core';
import type { TrainableModel } from '../model.ts';
import { accumulateGradients } from './gradients.ts';
import type { BatchSource } from './train-loop.ts';
import { checkBatchVocabulary } from './vocabulary.ts';

export interface StepGradients {
  /** Summed gradients by parameter name (the caller disposes them). */
  gradients: Record<string, tf.Tensor>;
  /** Mean loss over the micro-batches, in nats. */
  loss: number;
}

/** Forward and backward passes over `accumulation` micro-batches from `source`. */
export async function computeGradients(options: {
  model: TrainableModel;
  source: BatchSource;
  accumulation: number;
  random: SeededRandom;
  /** 1-based step number, for error messages. */
  step: number;
}): Promise<StepGradients> {
  const { model, source, accumulation, random } = options;
  const variables = [...model.parameters.values()];
  const nameOf = new Map([...model.parameters].map(([name, v]) => [v.name, name]));
  const gradients: Record<string, tf.Tensor> = {};
  let loss = 0;
  for (let micro = 0; micro < accumulation; micro++) {
    const batch = await source.next();
    checkBatchVocabulary(batch, model.config.vocabSize, `training step ${options.step}`);
    const seed = random.nextUint32();
    const shape: [number, number] = [batch.batchSize, batch.sequenceLength];
    const inputs = tf.tensor2d(batch.inputs, shape, 'int32');
    const targets = tf.tensor2d(batch.targets, shape, 'int32');
    const lossMask = batch.lossMask ? tf.tensor2d(batch.lossMask, shape, 'float32') : undefined;
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() =>
          tf.div(model.loss(inputs, targets, { lossMask, training: true, seed }), accumulation),
        ) as tf.Scalar,
      variables,
    );
    loss += (await value.data())[0];
    tf.dispose([value, inputs, targets]);
    lossMask?.dispose();
    const named: Record<string, tf.Tensor> = {};
    for (const [variableName, gradient] of Object.entries(grads)) {
      named[nameOf.get(variableName) ?? variableName] = gradient;
    }
    accumulateGradients(gradients, named);
  }
  return { gradients, loss };
}

/** The L2 norm over all gradients together (read asynchronously). */
export async function gradientNorm(gradients: Readonly<Record<string, tf.Tensor>>) {
  const tensors = Object.values(gradients);
  if (tensors.length === 0) return 0;
  const squared = sumOfSquares(tensors);
  const value = (await squared.data())[0];
  squared.dispose();
  return Math.sqrt(value);
}
