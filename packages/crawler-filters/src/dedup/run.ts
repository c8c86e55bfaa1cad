// The four dedup stages over document files, as task functions (one call per Slurm array task, or
// per worker thread) and `runDedup` running them all locally. Each filter task writes one output
// file per input file, named as its input, and the removed documents with the id they duplicate.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Document } from '../document.ts';
import { CrawlerFiltersError } from '../errors.ts';
import { runPipeline, type Source } from '../pipeline.ts';
import { readDocuments } from '../read/read-documents.ts';
import { createTaskPool, filesForTask } from '../tasks.ts';
import { type BucketSummary, findBucketMatches } from './buckets.ts';
import { buildClusters, type ClusterSummary } from './clusters.ts';
import { DUPLICATE_REASON, minhashDedupStage } from './filter.ts';
import { dedupLayout, readMinHashConfig, resetDedupWorkDir } from './layout.ts';
import { defaultMinHashConfig, type MinHashConfig } from './minhash.ts';
import { minhashSignatureStage, type SignatureTaskSummary } from './signatures.ts';

export interface DedupTaskOptions {
  /** All input files of the run (JSONL, optionally .gz), in a fixed order; each task takes a block. */
  inputs: string[];
  workDir: string;
  taskIndex: number;
  taskCount: number;
  minhash?: Partial<MinHashConfig>;
  maxDocumentsInMemory?: number;
}

/**
 * Concatenates the task's files (any format `readDocuments` reads) into one stream, remembering
 * which file each document came from; unreadable records are reported to the pipeline.
 */
function taskDocuments(files: readonly string[], fileOf?: WeakMap<Document, number>): Source {
  return (context) =>
    (async function* () {
      for (const [position, file] of files.entries()) {
        const onError = (doc: Document, reason: string, detail?: string) =>
          context.error(doc, reason, detail);
        for await (const doc of readDocuments({ paths: [file], onError })) {
          fileOf?.set(doc, position);
          yield doc;
        }
      }
    })();
}

/** Stage 1 for one task: signatures of the task's documents. */
export async function dedupSignaturesTask(
  options: DedupTaskOptions,
): Promise<SignatureTaskSummary> {
  const files = filesForTask({
    files: options.inputs,
    taskIndex: options.taskIndex,
    taskCount: options.taskCount,
  });
  const stage = minhashSignatureStage(options);
  await runPipeline({
    source: taskDocuments(files),
    stages: [stage],
    sink: async (docs) => {
      for await (const _ of docs);
    },
  });
  return JSON.parse(
    await readFile(dedupLayout.taskSummary(options.workDir, options.taskIndex), 'utf8'),
  );
}

/** Stage 2 for one task: the buckets b with b % taskCount === taskIndex. */
export async function dedupBucketsTask(options: {
  workDir: string;
  taskIndex: number;
  taskCount: number;
}): Promise<BucketSummary[]> {
  const { buckets } = await readMinHashConfig(options.workDir);
  const summaries: BucketSummary[] = [];
  for (let bucket = options.taskIndex; bucket < buckets; bucket += options.taskCount) {
    summaries.push(await findBucketMatches({ workDir: options.workDir, bucket }));
  }
  return summaries;
}

/** Stage 3 (a single task): clusters and removal lists. */
export function dedupClustersTask(options: { workDir: string }): Promise<ClusterSummary> {
  return buildClusters(options);
}

export interface DedupFilterTaskOptions extends DedupTaskOptions {
  outputDir: string;
}

export interface DedupFilterSummary {
  taskIndex: number;
  read: number;
  kept: number;
  duplicates: number;
  /** Output files written, one per input file of the task. */
  outputs: string[];
}

/** Output name of an input: its base name with the extension swapped for `.jsonl` (outputs are plain JSONL). */
export function outputNameFor(input: string): string {
  return `${basename(input).replace(/\.(jsonl?|warc|wet|arc|parquet)(\.gz|\.zst)?$/iu, '')}.jsonl`;
}

/** Stage 4 for one task: writes the kept documents and `removed-task-<i>.jsonl` (id, duplicateOf). */
export async function dedupFilterTask(
  options: DedupFilterTaskOptions,
): Promise<DedupFilterSummary> {
  const files = filesForTask({
    files: options.inputs,
    taskIndex: options.taskIndex,
    taskCount: options.taskCount,
  });
  await mkdir(options.outputDir, { recursive: true });
  const outputs = files.map((file) => join(options.outputDir, outputNameFor(file)));
  const fileOf = new WeakMap<Document, number>();
  const removed: string[] = [];
  let current = -1;
  let writer: WriteStream | undefined;
  const close = async () => {
    if (!writer) return;
    writer.end();
    await once(writer, 'finish');
    writer = undefined;
  };
  const opened = new Set<number>();
  const stats = await runPipeline({
    source: taskDocuments(files, fileOf),
    stages: [minhashDedupStage({ workDir: options.workDir, taskIndex: options.taskIndex })],
    onRemoved: ({ doc, reason }) => {
      if (reason === DUPLICATE_REASON)
        removed.push(JSON.stringify({ id: doc.id, duplicateOf: doc.metadata.duplicate_of }));
    },
    sink: async (docs) => {
      for await (const doc of docs) {
        const position = fileOf.get(doc)!;
        if (position !== current) {
          await close();
          writer = createWriteStream(outputs[position]);
          opened.add(position);
          current = position;
        }
        if (!writer!.write(`${JSON.stringify(doc)}\n`)) await once(writer!, 'drain');
      }
      await close();
    },
  });
  for (const [position, path] of outputs.entries())
    if (!opened.has(position)) await writeFile(path, '');
  const removedPath = join(
    options.workDir,
    'removed',
    `task-${String(options.taskIndex).padStart(5, '0')}.jsonl`,
  );
  await mkdir(join(options.workDir, 'removed'), { recursive: true });
  await writeFile(removedPath, removed.length > 0 ? `${removed.join('\n')}\n` : '');
  return {
    taskIndex: options.taskIndex,
    read: stats.read,
    kept: stats.kept,
    duplicates: stats.dropped,
    outputs,
  };
}

export interface RunDedupOptions {
  inputs: string[];
  workDir: string;
  outputDir: string;
  /** Tasks the inputs split into (blocks of files). Default: one per input file. */
  taskCount?: number;
  /** Worker threads; 1 (default) runs every task in this thread. */
  concurrency?: number;
  minhash?: Partial<MinHashConfig>;
  maxDocumentsInMemory?: number;
}

export interface RunDedupSummary {
  documents: number;
  kept: number;
  duplicates: number;
  clusters: number;
  tasks: DedupFilterSummary[];
}

/** Runs all four stages locally (tasks in worker threads when `concurrency` > 1). */
export async function runDedup(options: RunDedupOptions): Promise<RunDedupSummary> {
  const taskCount = options.taskCount ?? Math.max(1, options.inputs.length);
  const names = options.inputs.map(outputNameFor);
  const clash = names.find((name, i) => names.indexOf(name) !== i);
  if (clash !== undefined) {
    throw new CrawlerFiltersError(
      'duplicate-output-name',
      `two inputs would both write ${join(options.outputDir, clash)}; give the input files distinct names`,
    );
  }
  const concurrency = options.concurrency ?? 1;
  await resetDedupWorkDir(options.workDir);
  const base = {
    inputs: options.inputs,
    workDir: options.workDir,
    minhash: options.minhash,
    maxDocumentsInMemory: options.maxDocumentsInMemory,
  };
  // One pool for all phases, so each worker loads the modules once.
  const pool =
    concurrency > 1 ? createTaskPool({ module: new URL(import.meta.url), concurrency }) : undefined;
  const across = async <R>(
    exportName: string,
    count: number,
    extra: object,
    local: (taskIndex: number) => Promise<R>,
  ): Promise<R[]> => {
    if (pool && count > 1)
      return pool.run<R>({ exportName, options: { ...base, ...extra }, taskCount: count });
    const results: R[] = [];
    for (let taskIndex = 0; taskIndex < count; taskIndex++) results.push(await local(taskIndex));
    return results;
  };
  let tasks: DedupFilterSummary[];
  let clusters: ClusterSummary;
  try {
    await across('dedupSignaturesTask', taskCount, {}, (taskIndex) =>
      dedupSignaturesTask({ ...base, taskIndex, taskCount }),
    );
    const buckets = { ...defaultMinHashConfig, ...options.minhash }.buckets;
    const bucketTasks = Math.min(buckets, concurrency);
    await across('dedupBucketsTask', bucketTasks, {}, (taskIndex) =>
      dedupBucketsTask({ workDir: options.workDir, taskIndex, taskCount: bucketTasks }),
    );
    clusters = await dedupClustersTask({ workDir: options.workDir });
    tasks = await across(
      'dedupFilterTask',
      taskCount,
      { outputDir: options.outputDir },
      (taskIndex) =>
        dedupFilterTask({ ...base, outputDir: options.outputDir, taskIndex, taskCount }),
    );
  } finally {
    await pool?.close();
  }
  return {
    documents: tasks.reduce((sum, t) => sum + t.read, 0),
    kept: tasks.reduce((sum, t) => sum + t.kept, 0),
    duplicates: tasks.reduce((sum, t) => sum + t.duplicates, 0),
    clusters: clusters.clusters,
    tasks,
  };
}
