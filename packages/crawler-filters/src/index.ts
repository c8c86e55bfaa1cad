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
export { type BucketSummary, findBucketMatches } from './dedup/buckets.ts';
export { buildClusters, type ClusterSummary, type Removal } from './dedup/clusters.ts';
export { type DedupStageOptions, DUPLICATE_REASON, minhashDedupStage } from './dedup/filter.ts';
export {
  editToJaccard,
  exactJaccard,
  htmlText,
  type NearDuplicatePair,
  nearDuplicatePairs,
  type PlantedCorpus,
  plantedCorpus,
  sampleTexts,
  seededRandom,
  shingleSet,
} from './dedup/near-duplicates.ts';
export {
  combineStats,
  type DedupAndFinishOptions,
  dedupAndFinish,
  type FilterAndSignOptions,
  filterAndSign,
  type RunWithDedupOptions,
  runWithDedup,
} from './dedup/pipeline-run.ts';
export {
  type DedupFilterSummary,
  type DedupFilterTaskOptions,
  type DedupTaskOptions,
  dedupBucketsTask,
  dedupClustersTask,
  dedupFilterTask,
  dedupSignaturesTask,
  type RunDedupOptions,
  type RunDedupSummary,
  runDedup,
} from './dedup/run.ts';
export {
  minhashSignatureStage,
  type SignatureStageOptions,
  type SignatureTaskSummary,
  SignatureWriter,
} from './dedup/signatures.ts';
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
  defaultMinHashConfig,
  EMPTY_SLOT,
  estimateJaccard,
  isEmptySignature,
  type MinHashConfig,
  MinHasher,
  type MinHasherOptions,
  normalizeForMinHash,
  sharesBucket,
} from './minhash.ts';
export {
  DEFAULT_EMAIL_REPLACEMENTS,
  DEFAULT_GENERIC_TLDS,
  DEFAULT_IP_REPLACEMENTS,
  isPublicIpv4,
  type PiiOptions,
  type PiiResult,
  piiStage,
  scrubPii,
} from './pii.ts';
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
  type FineWebSlurmPlanOptions,
  fineWebSlurmJobs,
  type SlurmJob,
  type SlurmScripts,
  slurmScript,
  type WriteSlurmScriptsOptions,
  writeSlurmScripts,
} from './slurm.ts';
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
export {
  createTaskPool,
  filesForTask,
  resolveTaskSlot,
  runTaskPool,
  type TaskPool,
  type TaskPoolOptions,
  type TaskSlot,
} from './tasks.ts';
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
