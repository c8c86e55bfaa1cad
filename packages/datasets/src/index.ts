// Public API of @lmkit/datasets.
export {
  type Batch,
  BatchLoader,
  type BatchLoaderOptions,
  type LoaderCursor,
} from './batch-loader.ts';
export { DatasetsError } from './errors.ts';
export { permutation, type RandomState, SeededRandom } from './random.ts';
export {
  decodeShard,
  encodeShard,
  maxTokenId,
  type ReadShardOptions,
  readShard,
  readShardSync,
  type ShardContents,
  type ShardVersion,
  writeShard,
} from './shard-file.ts';
export {
  decodeShardHeader,
  encodeShardHeader,
  SHARD_HEADER_BYTES,
  SHARD_MAGIC,
  SHARD_VERSION_UINT16,
  SHARD_VERSION_UINT32,
  ShardFormatError,
  type ShardHeader,
  tokenBytes,
} from './shard-header.ts';
export { openShardWriter, ShardWriter } from './shard-writer.ts';
