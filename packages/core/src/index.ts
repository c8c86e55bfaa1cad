// @lmkit/core: the contracts and runtime pieces two or more lmkit packages share. Nothing here is
// used by only one package.
export type {
  Conversation,
  Document,
  FinishReason,
  GenerateOptions,
  Message,
  Role,
  SamplingOptions,
  TokenizerLike,
} from './contracts.ts';
export { ROLES } from './contracts.ts';
export {
  createDocumentWriter,
  type DocumentFile,
  DocumentFileError,
  type DocumentFileFormat,
  type DocumentFileOptions,
  type DocumentProblem,
  type DocumentProblemKind,
  type DocumentWriter,
  type DocumentWriterOptions,
  detectDocumentFormat,
  documentLine,
  documentRecord,
  type FileEncoding,
  fileEncoding,
  formatFromName,
  isFileProblem,
  type Line,
  openDocumentFile,
  type ParquetCodec,
  type ReadDocumentsOptions,
  type RecordProblem,
  readAllDocuments,
  readDecompressed,
  readDocuments,
  readFileLines,
  shardPath,
  sniffEncoding,
  toDocument,
  writeDocumentFile,
  writeDocumentShards,
  zstdCompressFrame,
  zstdDecompressStream,
  zstdReady,
} from './documents/index.ts';
export { LmkitError, type LmkitErrorOptions } from './errors.ts';
export {
  CHAT_MARKERS,
  END_OF_TEXT,
  IM_END,
  IM_SEP,
  IM_START,
  THINK_END,
  THINK_START,
} from './markers.ts';
export { type RandomState, SeededRandom } from './random.ts';
export {
  createWorkerPool,
  type RunOptions,
  type WorkerPool,
  type WorkerPoolOptions,
  workerModule,
} from './workers/worker-pool.ts';
