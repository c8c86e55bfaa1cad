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
  /** Time spent in this stage alone (waiting for its input excluded), in milliseconds. */
  durationMs: number;
  /** UTF-8 bytes of `text` in the documents this stage read and kept. */
  readBytes: number;
  keptBytes: number;
  /** Tokens of `text` in the documents this stage kept, when the run was given `countTokens`. */
  keptTokens?: number;
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
  /** Counts the tokens of a text (e.g. a GPT-2 tokenizer) for each stage's `keptTokens`; default off. */
  countTokens?: (text: string) => number;
}

function newStats(stage: string, tokens: boolean): StageStats {
  const stats: StageStats = {
    stage,
    read: 0,
    kept: 0,
    dropped: {},
    errored: {},
    durationMs: 0,
    readBytes: 0,
    keptBytes: 0,
  };
  if (tokens) stats.keptTokens = 0;
  return stats;
}

const textBytes = (doc: Document) => Buffer.byteLength(doc.text ?? '', 'utf8');

/**
 * The documents of `docs`, adding the time each `next()` took to `clock.ms`: around a stage's
 * output that is the stage plus everything upstream; around its input, upstream alone.
 */
async function* timed(docs: AsyncIterable<Document>, clock: { ms: number }, now: () => number) {
  const iterator = docs[Symbol.asyncIterator]();
  try {
    for (;;) {
      const started = now();
      const next = await iterator.next();
      clock.ms += now() - started;
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await iterator.return?.();
  }
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
  const countTokens = options.countTokens;
  // Token counts per document object: a filter passes the same object on, so each text is counted once.
  const tokenCache = new WeakMap<Document, number>();
  const tokensOf = (doc: Document) => {
    let tokens = tokenCache.get(doc);
    if (tokens === undefined) {
      tokens = countTokens!(doc.text ?? '');
      tokenCache.set(doc, tokens);
    }
    return tokens;
  };
  const keep = (stats: StageStats, doc: Document) => {
    stats.kept++;
    stats.keptBytes += textBytes(doc);
    if (stats.keptTokens !== undefined) stats.keptTokens += tokensOf(doc);
  };
  const sourceStats = newStats('read', countTokens !== undefined);
  const sourceContext = contextFor(sourceStats, options.onRemoved);
  const errorsBefore = () => sum(sourceStats.errored);
  const raw = typeof options.source === 'function' ? options.source(sourceContext) : options.source;
  const all: StageStats[] = [sourceStats];
  const exclusive: (() => number)[] = [() => sourceClock.ms];
  let last = 0;
  const report = () =>
    options.onProgress?.({
      read: sourceStats.read,
      kept: all.at(-1)!.kept,
      elapsedMs: now() - start,
    });
  // The source's `read` counts yielded documents plus the records it reported as errors.
  const unfinished = new Set<string>(['read']);
  // Inclusive clocks: the time to get each stage's output, stage and upstream together.
  const sourceClock = { ms: 0 };
  let stream: AsyncIterable<Document> = counted(
    timed(raw, sourceClock, now),
    (doc) => {
      keep(sourceStats, doc);
      sourceStats.readBytes += textBytes(doc);
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
    const stats = newStats(name, countTokens !== undefined);
    all.push(stats);
    unfinished.add(name);
    const inputClock = { ms: 0 };
    const outputClock = { ms: 0 };
    const input = counted(timed(stream, inputClock, now), (doc) => {
      stats.read++;
      stats.readBytes += textBytes(doc);
    });
    stream = counted(
      timed(stage(input, contextFor(stats, options.onRemoved)), outputClock, now),
      (doc) => keep(stats, doc),
      () => unfinished.delete(name),
    );
    // Exclusive time: this stage's output clock less the time it waited for its input.
    exclusive.push(() => Math.max(0, outputClock.ms - inputClock.ms));
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
  all.forEach((stats, index) => {
    stats.durationMs = exclusive[index]();
  });
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
