// Public API of @lmkit/bpe.

export {
  type EncodeBatchOptions,
  EncodePool,
  type EncodePoolOptions,
  encodeBatch,
} from './encode-batch.ts';
export { BpeError } from './errors.ts';
export {
  type FormatTokensOptions,
  formatTokens,
  type TokenSource,
  visibleToken,
} from './format-tokens.ts';
export {
  type EncodingName,
  encodingForModel,
  encodingNameForModel,
  encodingNames,
  type GetEncodingOptions,
  getEncoding,
} from './get-encoding.ts';
export { mergePair, pairCounts } from './merge.ts';
export {
  type BuiltinPatternName,
  patterns,
  type ResolvedPattern,
  resolvePattern,
} from './patterns.ts';
export { builtinSplitter, forEachPiece, type PieceEnd } from './pretokenize.ts';
export { MAX_RANK, RankTable, type RankTableData } from './rank-table.ts';
export {
  type AllowedSpecial,
  builtinSpecialTokens,
  chatSpecialTokens,
} from './special-tokens.ts';
export {
  formatTiktoken,
  loadTiktokenFile,
  parseTiktoken,
  saveTiktokenFile,
  type TiktokenFileOptions,
} from './tiktoken-file.ts';
export { Tokenizer, type TokenizerOptions } from './tokenizer.ts';
export {
  loadTokenizer,
  saveTokenizer,
  TOKENIZER_FORMAT,
  TOKENIZER_FORMAT_VERSION,
  type TokenizerJSON,
  tokenizerFromJSON,
  tokenizerToJSON,
} from './tokenizer-file.ts';
export { type TrainBpeOptions, type TrainProgress, trainBpe } from './train.ts';
