// Public API of @lmkit/crawler-filters: named re-exports only, sorted by module path (Biome
// keeps them sorted, so new modules' exports slot in by name).

export { type BuildWarcOptions, buildWarc, recordIdFor, type WarcPage } from './build-warc.ts';
export {
  type C4QualityOptions,
  type C4Result,
  c4Quality,
  c4QualityDefaults,
  c4QualityStage,
} from './c4-quality.ts';
export { type DecodeHtmlOptions, decodeHtml, detectCharset, looksBinary } from './charset.ts';
export { type Document, type Verdict, words } from './document.ts';
export { CrawlerFiltersError, reasonOf } from './errors.ts';
export { type ExtractStageOptions, extractStage } from './extract/extract-stage.ts';
export {
  type ExtractedText,
  type ExtractTextOptions,
  extractText,
} from './extract/extract-text.ts';
export {
  type FineWebQualityOptions,
  fineWebQuality,
  fineWebQualityDefaults,
  fineWebQualityStage,
} from './fineweb-quality.ts';
export {
  type GopherQualityOptions,
  gopherQuality,
  gopherQualityDefaults,
  gopherQualityStage,
} from './gopher-quality.ts';
export {
  type GopherRepetitionOptions,
  gopherRepetition,
  gopherRepetitionDefaults,
  gopherRepetitionStage,
} from './gopher-repetition.ts';
export {
  type DetectLanguageOptions,
  defaultLanguageCandidates,
  detectLanguage,
  type LanguageFilterOptions,
  type LanguageGuess,
  languageStage,
  languageVerdict,
} from './language.ts';
export {
  checkBalance,
  collectInto,
  pipe,
  type RemovedDocument,
  type RunPipelineOptions,
  type RunStats,
  runPipeline,
  type Sink,
  type Source,
  type StageLike,
  type StageStats,
} from './pipeline.ts';
export {
  documentSource,
  type InputFormat,
  inputFormat,
  type ReadDocumentsOptions,
  readDocuments,
} from './read/read-documents.ts';
export { type ReadJsonlOptions, readJsonl } from './read/read-jsonl.ts';
export { type ReadParquetOptions, readParquet } from './read/read-parquet.ts';
export { type OnReadError, type ReadWarcOptions, readWarc } from './read/read-warc.ts';
export { meanShingleF1, type ShingleScore, shingleScore } from './shingle-f1.ts';
export {
  defineStage,
  type FilterStageOptions,
  filterStage,
  type Stage,
  type StageContext,
  silentContext,
  type TransformStageOptions,
  transformStage,
} from './stage.ts';
export {
  type CreateStagesOptions,
  createStages,
  fineWebStageRegistry,
  type StageFactory,
} from './stage-registry.ts';
export { formatStatsTable } from './stats-table.ts';
export { findDuplicates, nGrams, splitSentences, tokenizeWords } from './text-units.ts';
export {
  defaultUrlListsDir,
  type LoadUrlListsOptions,
  loadUrlLists,
  type UrlFilterOptions,
  type UrlLists,
  urlFilterStage,
  urlVerdict,
} from './url-filter.ts';
export {
  type DocumentWriter,
  removedDocumentsWriter,
  type WriteDocumentsOptions,
  writeDocuments,
} from './write-documents.ts';

