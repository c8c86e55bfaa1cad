// @lmkit/crawler-filters/dedup: MinHash signatures and the four-stage near-duplicate removal
// (signatures → buckets → clusters → filter), in one process or as Slurm-style tasks.

export { type BucketSummary, findBucketMatches } from './buckets.ts';
export { buildClusters, type ClusterSummary, type Removal } from './clusters.ts';
export { type DedupStageOptions, DUPLICATE_REASON, minhashDedupStage } from './filter.ts';
export {
  defaultMinHashConfig,
  estimateJaccard,
  type MinHashConfig,
  MinHasher,
  type MinHasherOptions,
  normalizeForMinHash,
  sharesBucket,
} from './minhash.ts';
export {
  combineStats,
  type DedupAndFinishOptions,
  dedupAndFinish,
  type FilterAndSignOptions,
  filterAndSign,
  type RunWithDedupOptions,
  runWithDedup,
} from './pipeline-run.ts';
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
} from './run.ts';
export {
  minhashSignatureStage,
  type SignatureStageOptions,
  type SignatureTaskSummary,
} from './signatures.ts';
