// Public API of @lmkit/datasets.

export type { Document } from '@lmkit/core';
export {
  type Batch,
  BatchLoader,
  type BatchLoaderOptions,
  type LoaderCursor,
} from './batch-loader.ts';
export { type ReadChatJsonlOptions, readChatJsonl } from './chat-jsonl.ts';
export {
  type Conversation,
  type ConversationProblem,
  checkConversation,
  type Message,
  type Role,
} from './conversation.ts';
export {
  type ConversationLayout,
  type ConversionResult,
  type ConvertRowsOptions,
  convertRows,
  fromDistillRow,
  fromMessagesRow,
  fromShareGptRow,
  SHAREGPT_ROLES,
} from './converters.ts';
export { type ConvertOasstOptions, convertOasst, keepLanguages } from './converters-oasst.ts';
export { type ReadRowsOptions, readRows } from './converters-rows.ts';
export {
  type DocumentFormat,
  documentFormat,
  type ReadDocumentsOptions,
  readDocuments,
  type WriteDocumentsOptions,
  writeDocuments,
} from './documents.ts';
export { DatasetsError, InvalidRecordError, type LoadReport, newLoadReport } from './errors.ts';
export {
  IDENTITY_ANSWERS,
  IDENTITY_QUESTIONS,
  type IdentityOptions,
  identityConversations,
} from './identity.ts';
export { type InvalidInputOptions, readJsonLines } from './json-lines.ts';
export { type MixtureOptions, type MixtureSource, mix } from './mixture.ts';
export {
  oasstTreesFromMessages,
  type ReadOasstOptions,
  readOasstMessages,
  readOasstTrees,
} from './oasst-loaders.ts';
export {
  checkOasstTree,
  type OasstMessage,
  type OasstThreadOptions,
  oasstThreads,
} from './oasst-threads.ts';
export {
  type PreferencePair,
  type PreferenceSplitOptions,
  preferenceKey,
  splitPreferencePairs,
  toPreferencePair,
} from './preference.ts';
export {
  countOasstMessages,
  type OasstFilterOptions,
  type OasstPairOptions,
  oasstPreferencePairs,
  oasstSkipReason,
} from './preference-oasst.ts';
export {
  type ReadOasstPairsOptions,
  type ReadPreferenceOptions,
  type ReadPreferenceSplitOptions,
  readOasstPreferencePairs,
  readPreferencePairs,
  readPreferenceSplit,
} from './preference-readers.ts';
export {
  permutation,
  type RandomWords,
  randomFromWords,
  randomWords,
  SeededRandom,
  uniformInt,
} from './random.ts';
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
  SHARD_LARGEST_ID_TAG,
  SHARD_MAGIC,
  SHARD_VERSION_UINT16,
  SHARD_VERSION_UINT32,
  ShardFormatError,
  type ShardHeader,
  tokenBytes,
} from './shard-header.ts';
export {
  checkShardVocabulary,
  type ShardLargestId,
  ShardVocabularyError,
  shardLargestTokenId,
} from './shard-vocabulary.ts';
export { openShardWriter, ShardWriter } from './shard-writer.ts';
export { conversationKey, hashUnit, type Split, splitOf } from './split.ts';
export {
  type BatchTokenizer,
  type BatchTokenizerOptions,
  openBatchTokenizer,
  type TokenizedBatch,
} from './tokenize-batch.ts';
export {
  type ShardInfo,
  shardName,
  type TokenizeToShardsOptions,
  type TokenizeToShardsResult,
  tokenizeToShards,
} from './tokenize-to-shards.ts';
export { isTokenizerLike, type TokenizerFactory, type TokenizerLike } from './tokenizer.ts';
