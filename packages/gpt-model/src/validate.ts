// Input checks for token ids: rectangular, integer, inside the vocabulary and the block size.
// Arrays are checked value by value; tensors by shape only (reading them back would sync).
import * as tf from '@tensorflow/tfjs-core';
import type { GPTConfig } from './config.ts';
import { GPTModelError } from './errors.ts';

export function checkIds(ids: readonly number[], config: GPTConfig, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize)
      throw new GPTModelError(
        `${what}[${i}] is ${id}, outside the vocabulary [0, ${config.vocabSize}); use ids below vocabSize or resizeVocabulary() first`,
      );
  }
}

export function checkLength(length: number, config: GPTConfig, what: string): void {
  if (length > config.blockSize)
    throw new GPTModelError(
      `${what} has ${length} positions, more than the block size ${config.blockSize}; shorten it to at most ${config.blockSize} tokens`,
    );
  if (length < 1) throw new GPTModelError(`${what} is empty; pass at least one token`);
}

/** (B, T) int32 tensor from arrays or a tensor, after checking shape and (for arrays) values. */
export function toIdTensor(
  ids: number[][] | tf.Tensor2D,
  config: GPTConfig,
  what: string,
): tf.Tensor2D {
  if (!Array.isArray(ids)) {
    if (ids.rank !== 2)
      throw new GPTModelError(`${what} has rank ${ids.rank}; pass a (B, T) tensor`);
    checkLength(ids.shape[1], config, what);
    return ids.dtype === 'int32' ? ids : tf.cast(ids, 'int32');
  }
  if (ids.length === 0) throw new GPTModelError(`${what} has no rows; pass at least one sequence`);
  const steps = ids[0].length;
  checkLength(steps, config, `${what}[0]`);
  const flat = new Int32Array(ids.length * steps);
  ids.forEach((row, b) => {
    if (row.length !== steps)
      throw new GPTModelError(
        `${what}[${b}] has ${row.length} tokens but ${what}[0] has ${steps}; rows must have equal length`,
      );
    checkIds(row, config, `${what}[${b}]`);
    flat.set(row, b * steps);
  });
  return tf.tensor2d(flat, [ids.length, steps], 'int32');
}
