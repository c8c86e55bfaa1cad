// `pipe(source, ...stages, sink)`: runs stages over a document stream, counts what each stage read,
// kept, dropped (per reason) and errored, and checks `read = kept + Σ dropped + errored` every run.

import type { Document } from './document.ts';
import { CrawlerFiltersError } from './errors.ts';
import type { Stage, StageContext } from './stage.ts';

/** Documents in; the source reports unreadable records to the context it is given. */
export type Source = AsyncIterable<Document> | ((context: StageContext) => AsyncIterable<Document>);
/** Consumes the surviving documents (writes shards, collects, ...). */
export type Sink = (docs: AsyncIterable<Document>) => Promise<unknown> | unknown;
/** A stage: named (`Stage`) or a plain transform, which is then named `stage-<index>`. */
export type StageLike =
  | Stage
  | ((docs: AsyncIterable<Document>, context?: StageContext) => AsyncIterable<Document>);

export interface StageStats {
  stage: string;
  read: number;
  kept: number;
  dropped: Record<string, number>;
  errored: Record<string, number>;
}

export interface RunStats {
  /** Documents (and unreadable records) the source produced. */
  read: number;
  kept: number;
  dropped: number;
  errored: number;
  /** Per stage, the source first (named `read`). */
  stages: StageStats[];
  durationMs: number;
}

/** One document a stage did not pass on, for the side output. */
export interface RemovedDocument {
  doc: Document;
  stage: string;
  kind: 'dropped' | 'errored';
  reason: string;
  detail?: string;
}

export interface RunPipelineOptions {
  source: Source;
  stages: readonly StageLike[];
  sink: Sink;
  /** Side output: called for every dropped or errored document. */
  onRemoved?: (removed: RemovedDocument) => void;
  /** Called every `progressEvery` source documents and once at the end. */
  onProgress?: (progress: { read: number; kept: number; elapsedMs: number }) => void;
  /** Default 100. */
  progressEvery?: number;
  /** Clock in milliseconds; default `performance.now`. */
  now?: () => number;
}

function newStats(stage: string): StageStats {
  return { stage, read: 0, kept: 0, dropped: {}, errored: {} };
}

function sum(counts: Record<string, number>): number {
  let total = 0;
  for (const value of Object.values(counts)) total += value;
  return total;
}

function contextFor(stats: StageStats, onRemoved: RunPipelineOptions['onRemoved']): StageContext {
  return {
    stage: stats.stage,
    drop(doc, reason) {
      stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1;
      onRemoved?.({ doc, stage: stats.stage, kind: 'dropped', reason });
    },
    error(doc, reason, detail) {
      stats.errored[reason] = (stats.errored[reason] ?? 0) + 1;
      onRemoved?.({ doc, stage: stats.stage, kind: 'errored', reason, detail });
    },
  };
}

async function* counted(
  docs: AsyncIterable<Document>,
  onEach: (doc: Document) => void,
  onEnd?: () => void,
): AsyncIterable<Document> {
  for await (const doc of docs) {
    onEach(doc);
    yield doc;
  }
  onEnd?.();
}

/** Checks every stage balances and hands on to the next; throws `unbalanced-counts` otherwise. */
export function checkBalance(stages: readonly StageStats[]): void {
  for (let i = 0; i < stages.length; i++) {
    const s = stages[i];
    const accounted = s.kept + sum(s.dropped) + sum(s.errored);
    if (accounted !== s.read) {
      throw new CrawlerFiltersError(
        'unbalanced-counts',
        `stage "${s.stage}" read ${s.read} documents but accounted for ${accounted} ` +
          `(kept ${s.kept} + dropped ${sum(s.dropped)} + errored ${sum(s.errored)}); ` +
          'a stage must report every document it does not pass on via context.drop/error',
      );
    }
    if (i > 0 && stages[i - 1].kept !== s.read) {
      throw new CrawlerFiltersError(
        'unbalanced-counts',
        `stage "${s.stage}" read ${s.read} documents but "${stages[i - 1].stage}" passed on ${stages[i - 1].kept}; ` +
          'every stage must consume its whole input',
      );
    }
  }
}

/** Runs the pipeline and returns its counts, after checking that they balance. */
export async function runPipeline(options: RunPipelineOptions): Promise<RunStats> {
  const now = options.now ?? (() => performance.now());
  const progressEvery = options.progressEvery ?? 100;
  const start = now();
  const sourceStats = newStats('read');
  const sourceContext = contextFor(sourceStats, options.onRemoved);
  const errorsBefore = () => sum(sourceStats.errored);
  const raw = typeof options.source === 'function' ? options.source(sourceContext) : options.source;
  const all: StageStats[] = [sourceStats];
  let last = 0;
  const report = () =>
    options.onProgress?.({
      read: sourceStats.read,
      kept: all.at(-1)!.kept,
      elapsedMs: now() - start,
    });
  // The source's `read` counts yielded documents plus the records it reported as errors.
  const unfinished = new Set<string>(['read']);
  let stream: AsyncIterable<Document> = counted(
    raw,
    () => {
      sourceStats.kept++;
      sourceStats.read = sourceStats.kept + errorsBefore();
      if (sourceStats.read - last >= progressEvery) {
        last = sourceStats.read;
        report();
      }
    },
    () => unfinished.delete('read'),
  );
  options.stages.forEach((stage, index) => {
    const name = 'stageName' in stage ? stage.stageName : `stage-${index + 1}`;
    const stats = newStats(name);
    all.push(stats);
    unfinished.add(name);
    const input = counted(stream, () => stats.read++);
    stream = counted(
      stage(input, contextFor(stats, options.onRemoved)),
      () => stats.kept++,
      () => unfinished.delete(name),
    );
  });
  await options.sink(stream);
  if (unfinished.size > 0) {
    throw new CrawlerFiltersError(
      'unbalanced-counts',
      `the output of ${[...unfinished].map((n) => `"${n}"`).join(', ')} was not read to the end, so ` +
        'documents went unaccounted; every stage and the sink must consume their whole input',
    );
  }
  sourceStats.read = sourceStats.kept + errorsBefore();
  report();
  checkBalance(all);
  const final = all.at(-1)!;
  let dropped = 0;
  let errored = 0;
  for (const s of all) {
    dropped += sum(s.dropped);
    errored += sum(s.errored);
  }
  const stats: RunStats = {
    read: sourceStats.read,
    kept: final.kept,
    dropped,
    errored,
    stages: all,
    durationMs: now() - start,
  };
  if (stats.read !== stats.kept + dropped + errored) {
    throw new CrawlerFiltersError(
      'unbalanced-counts',
      `run read ${stats.read} but kept ${stats.kept} + dropped ${dropped} + errored ${errored} differ`,
    );
  }
  return stats;
}

/**
 * `pipe(source, ...stages, sink)`: the short form of `runPipeline`.
 *
 * @example
 * const stats = await pipe(readDocuments({ paths }), gopherQualityStage(), collect(out));
 */
export function pipe(
  source: Source,
  ...rest: [...stages: StageLike[], sink: Sink]
): Promise<RunStats> {
  const sink = rest.at(-1) as Sink;
  const stages = rest.slice(0, -1) as StageLike[];
  return runPipeline({ source, stages, sink });
}

/** A sink that collects the documents into an array. */
export function collectInto(target: Document[]): Sink {
  return async (docs) => {
    for await (const doc of docs) target.push(doc);
  };
}
