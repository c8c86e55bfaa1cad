// @lmkit/core/documents (Node only): Document file I/O. One reader (JSONL plain/gzip/zstd and
// Parquet, told apart by their first bytes) and one writer (single files or rotating shards, each
// renamed into place on close).

export {
  type FileEncoding,
  fileEncoding,
  type Line,
  readDecompressed,
  readFileLines,
  sniffEncoding,
} from './bytes.ts';
export { type ParquetRow, readParquetRows } from './parquet.ts';
export {
  DocumentFileError,
  type DocumentProblem,
  type DocumentProblemKind,
  isFileProblem,
} from './problems.ts';
export {
  type DocumentFileFormat,
  detectDocumentFormat,
  type ReadDocumentsOptions,
  readAllDocuments,
  readDocuments,
} from './read.ts';
export { documentLine, documentRecord, type RecordProblem, toDocument } from './record.ts';
export {
  createDocumentWriter,
  type DocumentWriter,
  type DocumentWriterOptions,
  shardPath,
  writeDocumentShards,
} from './shards.ts';
export {
  type DocumentFile,
  type DocumentFileOptions,
  formatFromName,
  openDocumentFile,
  type ParquetCodec,
  writeDocumentFile,
} from './write.ts';
export { zstdCompressFrame, zstdDecompressStream, zstdReady } from './zstd.ts';
