// Checks that token ids lie inside the model's vocabulary, so shards made with another tokenizer
// fail with a clear message instead of an out-of-range gather: whole shards before step 1 (from
// their headers, which record the largest id), and each batch as it is read.
import { shardLargestTokenId } from '@lmkit/datasets';
import { TrainerConfigError } from '../errors.ts';

function outsideVocabulary(where: string, id: number, vocabSize: number): TrainerConfigError {
  return new TrainerConfigError(
    `${where}: token id ${id} is outside the model's vocabulary of ${vocabSize} ids (0..${vocabSize - 1}); the data was tokenized with another tokenizer: re-tokenize it with the model's tokenizer, or build the model with vocabSize ≥ ${id + 1}`,
  );
}

/** Throws when any input or target id is outside 0..vocabSize-1; `where` names the data. */
export function checkBatchVocabulary(
  batch: { inputs: Int32Array; targets: Int32Array },
  vocabSize: number,
  where: string,
): void {
  for (const ids of [batch.inputs, batch.targets]) {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= vocabSize || id < 0) throw outsideVocabulary(where, id, vocabSize);
    }
  }
}

/**
 * Throws for the first shard holding an id ≥ vocabSize, naming it (`what`: "training shard").
 * Reads 1 KiB per shard written by lmkit (the header records the largest id); others are scanned.
 */
export function checkShardsVocabulary(
  files: readonly string[],
  vocabSize: number,
  what: string,
): void {
  for (const file of files) {
    const { largestTokenId } = shardLargestTokenId(file);
    if (largestTokenId >= vocabSize) {
      throw outsideVocabulary(`${what} ${file}`, largestTokenId, vocabSize);
    }
  }
}
