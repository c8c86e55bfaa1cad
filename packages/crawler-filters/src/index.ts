// Public API of @lmkit/crawler-filters: the pipeline and its stages' entry points. Each folder is
// also a subpath export (`/read`, `/extract`, `/filters`, `/dedup`); test helpers live in `/testing`.

export * from './dedup/index.ts';
export { type Document, type Verdict, words } from './document.ts';
export { CrawlerFiltersError, reasonOf } from './errors.ts';
export * from './extract/index.ts';
export * from './filters/index.ts';
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
export * from './read/index.ts';
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
export {
  type DocumentWriter,
  removedDocumentsWriter,
  type WriteDocumentsOptions,
  writeDocuments,
} from './write-documents.ts';
