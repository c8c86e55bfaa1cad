// What every evaluation needs of a language model: the log-probability of each token given the
// ones before it. `gptScorer` gives that for @lmkit/gpt-model's GPT (sequences of a batch padded on
// the right, which a causal model cannot see; only (B, T) values are read back, asynchronously, so
// it runs on WebGPU too). Any other model plugs in by implementing `SequenceScorer`.

import { type GPT, tf } from '@lmkit/gpt-model';
import { EvalsError } from './errors.ts';

export interface SequenceScorer {
  /** Tokens the model sees at once; a scored sequence may hold one more (the last is only predicted). */
  readonly contextLength: number;
  /**
   * For each sequence, `out[t] = ln p(ids[t + 1] | ids[0..t])` for t = 0 … length − 2.
   *
   * @example
   * await scorer.tokenLogProbs([[5, 9, 2]]) // [Float64Array [ln p(9 | 5), ln p(2 | 5 9)]]
   */
  tokenLogProbs(sequences: readonly (readonly number[])[]): Promise<Float64Array[]>;
}

export interface GptScorerOptions {
  /** Sequences per forward pass; default 8. */
  batchSize?: number;
}

export function gptScorer(model: GPT, options: GptScorerOptions = {}): SequenceScorer {
  const batchSize = options.batchSize ?? 8;
  const contextLength = model.config.blockSize;
  return {
    contextLength,
    async tokenLogProbs(sequences) {
      const out: Float64Array[] = [];
      for (let start = 0; start < sequences.length; start += batchSize) {
        const batch = sequences.slice(start, start + batchSize);
        for (const [i, ids] of batch.entries()) {
          if (ids.length < 2 || ids.length > contextLength + 1) {
            throw new EvalsError(
              `sequence ${start + i} has ${ids.length} tokens; a scored sequence needs 2 to ${contextLength + 1} (the context + 1); crop it first`,
            );
          }
        }
        const steps = Math.max(...batch.map((ids) => ids.length)) - 1;
        const inputs = batch.map((ids) => padded(ids.slice(0, -1), steps));
        const targets = batch.map((ids) => padded(ids.slice(1), steps));
        const picked = tf.tidy(() => {
          const logits = model.logits(inputs); // (B, T, V)
          const logProbs = tf.logSoftmax(logits, -1);
          const oneHot = tf.oneHot(tf.tensor2d(targets, undefined, 'int32'), logits.shape[2]);
          return tf.sum(tf.mul(logProbs, oneHot), -1); // (B, T)
        });
        const values = await picked.data();
        picked.dispose();
        for (const [i, ids] of batch.entries()) {
          out.push(Float64Array.from(values.subarray(i * steps, i * steps + ids.length - 1)));
        }
      }
      return out;
    },
  };
}

function padded(ids: readonly number[], length: number): number[] {
  const row = ids.slice();
  while (row.length < length) row.push(0);
  return row;
}

/** Sum of `ln p(continuation | context)`, the context cropped from the left to fit the model. */
export async function continuationLogProbs(
  scorer: SequenceScorer,
  pairs: readonly { context: readonly number[]; continuation: readonly number[] }[],
): Promise<number[]> {
  const sequences = pairs.map(({ context, continuation }) => {
    if (continuation.length === 0)
      throw new EvalsError('a continuation has no tokens; give it at least one');
    if (continuation.length > scorer.contextLength) {
      throw new EvalsError(
        `a continuation of ${continuation.length} tokens does not fit the model's context of ${scorer.contextLength}; shorten it`,
      );
    }
    const room = scorer.contextLength + 1 - continuation.length;
    if (context.length === 0) {
      throw new EvalsError(
        'a context has no tokens, so the first continuation token has nothing to be predicted from; start it with <|endoftext|>',
      );
    }
    return [...context.slice(Math.max(0, context.length - room)), ...continuation];
  });
  const logProbs = await scorer.tokenLogProbs(sequences);
  return pairs.map((pair, i) => {
    const values = logProbs[i];
    let sum = 0;
    for (let t = values.length - pair.continuation.length; t < values.length; t++) sum += values[t];
    return sum;
  });
}
