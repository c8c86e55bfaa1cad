// Public API of @lmkit/datasets.
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
