// A filtering run with MinHash dedup and PII at its end, in the two halves a cluster needs:
// `filterAndSign` (per task: filters, signatures, filtered documents kept in the work dir) and
// `dedupAndFinish` (per task, after buckets and clusters: dedup, PII, the final sink), whose stats
// table covers every stage of both halves. `runWithDedup` does all of it in one process.

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CrawlerFiltersError } from '../errors.ts';
import { type PiiOptions, piiStage } from '../filters/pii.ts';
import {
  checkBalance,
  type RunPipelineOptions,
  type RunStats,
  runPipeline,
  type StageLike,
} from '../pipeline.ts';
import { readDocuments } from '../read/read-documents.ts';
import { writeDocuments } from '../write-documents.ts';
import { minhashDedupStage } from './filter.ts';
import { resetDedupWorkDir } from './layout.ts';
import type { MinHashConfig } from './minhash.ts';
import { dedupBucketsTask, dedupClustersTask } from './run.ts';
import { minhashSignatureStage } from './signatures.ts';

const pad = (task: number) => String(task).padStart(5, '0');
const filteredDir = (workDir: string, task: number) =>
  join(workDir, 'filtered', `task-${pad(task)}`);
const filterStatsFile = (workDir: string, task: number) =>
  join(workDir, 'stats', `filter-task-${pad(task)}.json`);

type Hooks = Pick<RunPipelineOptions, 'onRemoved' | 'onProgress' | 'progressEvery' | 'now'>;

export interface FilterAndSignOptions extends Hooks {
  source: RunPipelineOptions['source'];
  /** The per-document stages before dedup (URL filter ... FineWeb quality). */
  stages: readonly StageLike[];
  workDir: string;
  taskIndex?: number;
  minhash?: Partial<MinHashConfig>;
}

/** First half, per task: filters then signatures; survivors go to `<workDir>/filtered/task-N/`. */
export async function filterAndSign(options: FilterAndSignOptions): Promise<RunStats> {
  const taskIndex = options.taskIndex ?? 0;
  const { workDir } = options;
  const writer = writeDocuments({
    dir: filteredDir(workDir, taskIndex),
    format: 'jsonl',
    prefix: 'filtered',
  });
  const stats = await runPipeline({
    ...options,
    stages: [
      ...options.stages,
      minhashSignatureStage({ workDir, taskIndex, minhash: options.minhash }),
    ],
    sink: writer.sink,
  });
  // The signature stage passes everything on: leave it out of the table.
  const withoutSignatures = {
    ...stats,
    stages: stats.stages.filter((s) => s.stage !== 'minhash-signatures'),
  };
  const path = filterStatsFile(workDir, taskIndex);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(withoutSignatures)}\n`);
  return withoutSignatures;
}

export interface DedupAndFinishOptions extends Hooks {
  workDir: string;
  taskIndex?: number;
  /** Final sink (the run's shard writer). */
  sink: RunPipelineOptions['sink'];
  /** PII formatting after dedup, as FineWeb; `false` turns it off. Default on. */
  pii?: PiiOptions | false;
}

/** Second half, per task (after the bucket and cluster stages): dedup, PII, sink; combined stats. */
export async function dedupAndFinish(options: DedupAndFinishOptions): Promise<RunStats> {
  const taskIndex = options.taskIndex ?? 0;
  const { workDir } = options;
  let first: RunStats;
  try {
    first = JSON.parse(await readFile(filterStatsFile(workDir, taskIndex), 'utf8')) as RunStats;
  } catch {
    throw new CrawlerFiltersError(
      'missing-dedup-stage',
      `${filterStatsFile(workDir, taskIndex)} does not exist; run the filter stage for task ${taskIndex} first`,
    );
  }
  const dir = filteredDir(workDir, taskIndex);
  const files = (await readdir(dir)).filter((name) => name.endsWith('.jsonl')).sort();
  const stages: StageLike[] = [minhashDedupStage({ workDir, taskIndex })];
  if (options.pii !== false) stages.push(piiStage(options.pii ?? {}));
  const { onProgress } = options;
  const second = await runPipeline({
    ...options,
    source: readDocuments({ paths: files.map((name) => join(dir, name)) }),
    stages,
    sink: options.sink,
    // Progress continues the first half's: documents read from the inputs, kept at the end.
    onProgress: onProgress
      ? (p) =>
          onProgress({ read: first.read, kept: p.kept, elapsedMs: first.durationMs + p.elapsedMs })
      : undefined,
  });
  return combineStats(first, second);
}

/** The stats of two consecutive runs as one: the second run's source is the first run's output. */
export function combineStats(first: RunStats, second: RunStats): RunStats {
  if (first.kept !== second.read) {
    throw new CrawlerFiltersError(
      'unbalanced-counts',
      `the filter half kept ${first.kept} documents but the dedup half read ${second.read}; ` +
        'the work directory was changed in between: rerun both halves',
    );
  }
  const stages = [...first.stages, ...second.stages.slice(1)];
  checkBalance(stages);
  return {
    read: first.read,
    kept: second.kept,
    dropped: first.dropped + second.dropped,
    errored: first.errored + second.errored,
    stages,
    durationMs: first.durationMs + second.durationMs,
  };
}

export interface RunWithDedupOptions extends FilterAndSignOptions {
  sink: RunPipelineOptions['sink'];
  pii?: PiiOptions | false;
}

/** The whole recipe in one process (a single task): filter, sign, match, cluster, dedup, PII. */
export async function runWithDedup(options: RunWithDedupOptions): Promise<RunStats> {
  await resetDedupWorkDir(options.workDir);
  await filterAndSign({ ...options, taskIndex: 0 });
  await dedupBucketsTask({ workDir: options.workDir, taskIndex: 0, taskCount: 1 });
  await dedupClustersTask({ workDir: options.workDir });
  return dedupAndFinish({ ...options, taskIndex: 0 });
}
