// Checks token shards against a model's vocabulary before training starts, so a shard made with
// another tokenizer is named up front instead of failing at the step that reaches it. Cheap for
// lmkit's shards (1 KiB: the header records the largest id); shards from other writers (llm.c's
// scripts) are read once and scanned.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DatasetsError } from './errors.ts';
import { largestId, readShardSync } from './shard-file.ts';
import { decodeShardHeader, SHARD_HEADER_BYTES } from './shard-header.ts';

/** A shard holds a token id outside the vocabulary it is used with. */
export class ShardVocabularyError extends DatasetsError {
  override name = 'ShardVocabularyError';
}

export interface ShardLargestId {
  path: string;
  /** The largest id; -1 for an empty shard. */
  largestTokenId: number;
  /** Where it came from: the header (lmkit's writers) or a scan of the tokens. */
  from: 'header' | 'scan';
}

/** The largest token id of a shard, from its header when recorded, else by reading the tokens. */
export function shardLargestTokenId(path: string): ShardLargestId {
  const fd = openSync(path, 'r');
  let header: ReturnType<typeof decodeShardHeader>;
  try {
    const bytes = new Uint8Array(SHARD_HEADER_BYTES);
    const read = readSync(fd, bytes, 0, SHARD_HEADER_BYTES, 0);
    header = decodeShardHeader(bytes.subarray(0, read), {
      fileBytes: fstatSync(fd).size,
      source: path,
    });
  } finally {
    closeSync(fd);
  }
  if (header.largestTokenId !== undefined) {
    return { path, largestTokenId: header.largestTokenId, from: 'header' };
  }
  return { path, largestTokenId: largestId(readShardSync(path).tokens), from: 'scan' };
}

/**
 * Throws a `ShardVocabularyError` naming the first shard that holds an id ≥ `vocabSize`.
 * `what` says which files these are in the message ("training shard").
 *
 * @example checkShardVocabulary({ files: ['train_000001.bin'], vocabSize: 512 })
 *   // ShardVocabularyError: training shard train_000001.bin holds token id 700, outside the
 *   // vocabulary of 512 ids (0..511); …
 */
export function checkShardVocabulary(options: {
  files: readonly string[];
  vocabSize: number;
  what?: string;
}): ShardLargestId[] {
  const { vocabSize } = options;
  const found = options.files.map(shardLargestTokenId);
  const bad = found.find((shard) => shard.largestTokenId >= vocabSize);
  if (bad) {
    throw new ShardVocabularyError(
      `${options.what ?? 'shard'} ${bad.path} holds token id ${bad.largestTokenId}, outside the vocabulary of ${vocabSize} ids (0..${vocabSize - 1}); it was tokenized with another tokenizer: re-tokenize it with the model's tokenizer, or build the model with vocabSize ≥ ${bad.largestTokenId + 1}`,
    );
  }
  return found;
}
