// Checks that every token id of a batch lies inside the model's vocabulary, so shards made with
// another tokenizer fail with a clear message instead of an out-of-range gather.
import { TrainerConfigError } from '../errors.ts';

/** Throws when any input or target id is outside 0..vocabSize-1; `where` names the data. */
export function checkBatchVocabulary(
  batch: { inputs: Int32Array; targets: Int32Array },
  vocabSize: number,
  where: string,
): void {
  for (const ids of [batch.inputs, batch.targets]) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= vocabSize || id < 0) {
        throw new TrainerConfigError(
          `${where}: token id ${id} is outside the model's vocabulary of ${vocabSize} ids (0..${vocabSize - 1}); the data was tokenized with another tokenizer: re-tokenize it with the model's tokenizer, or build the model with vocabSize ≥ ${id + 1}`,
        );
      }
    }
  }
}
