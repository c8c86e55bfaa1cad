// @lmkit/crawler-filters/read: document sources (WARC/WET, JSONL, Parquet), HTML charset decoding,
// and a small WARC builder for tests and demos.

export { type BuildWarcOptions, buildWarc, type WarcPage } from './build-warc.ts';
export {
  type DecodeHtmlOptions,
  decodeHtml,
  detectCharset,
  guessCharset,
  looksBinary,
} from './charset.ts';
export {
  documentSource,
  type InputFormat,
  inputFormat,
  type ReadDocumentsOptions,
  readDocuments,
} from './read-documents.ts';
export {
  type OnReadError,
  type OnReadSkip,
  type ReadSkip,
  type ReadWarcOptions,
  readWarc,
} from './read-warc.ts';
