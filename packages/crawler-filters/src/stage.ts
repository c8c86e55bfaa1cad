// Stages: async-iterable transforms `(docs) => docs` that report every drop and error to a context,
// so the pipeline can account for each document. Helpers build counted filter and transform stages.

import type { Document, Verdict } from './document.ts';
import { reasonOf } from './errors.ts';

/** Where a stage reports what it did not pass on. The pipeline supplies one per stage. */
export interface StageContext {
  /** Name of the stage the reports are counted under. */
  readonly stage: string;
  /** The document was removed by a rule; `reason` is counted (e.g. `gopher_quality:too-few-words`). */
  drop(doc: Document, reason: string): void;
  /** The document could not be processed; counted as an error with `reason`. */
  error(doc: Document, reason: string, detail?: string): void;
}

/** A stage: an async-iterable transform with a name. Call it alone, or hand it to `pipe()`. */
export type Stage = ((
  docs: AsyncIterable<Document>,
  context?: StageContext,
) => AsyncIterable<Document>) & { readonly stageName: string };

/** A context that ignores reports: what a stage uses when called outside a pipeline. */
export function silentContext(stage: string): StageContext {
  return { stage, drop() {}, error() {} };
}

/** Names a plain async-iterable transform so that `pipe()` and the CLI can refer to it. */
export function defineStage(
  name: string,
  run: (docs: AsyncIterable<Document>, context: StageContext) => AsyncIterable<Document>,
): Stage {
  const stage = (docs: AsyncIterable<Document>, context?: StageContext) =>
    run(docs, context ?? silentContext(name));
  return Object.assign(stage, { stageName: name });
}

export interface FilterStageOptions {
  /** Stage name; drop reasons are counted under it. */
  name: string;
  /** The rule: keep, or drop with a reason. A throw counts as an error with the thrown reason. */
  filter: (doc: Document) => Verdict | Promise<Verdict>;
}

/** Builds a counted filter stage from a `(doc) => Verdict` function. */
export function filterStage(options: FilterStageOptions): Stage {
  const { name, filter } = options;
  return defineStage(name, async function* (docs, context) {
    for await (const doc of docs) {
      let verdict: Verdict;
      try {
        verdict = await filter(doc);
      } catch (error) {
        context.error(doc, reasonOf(error), (error as Error)?.message);
        continue;
      }
      if (verdict.keep) yield doc;
      else context.drop(doc, verdict.reason);
    }
  });
}

export interface TransformStageOptions {
  /** Stage name; errors are counted under it. */
  name: string;
  /**
   * Returns the new document, or a Verdict-like drop `{ keep: false, reason }`.
   * A throw counts as an error: `CrawlerFiltersError.reason`, or `unexpected-error`.
   */
  transform: (
    doc: Document,
  ) =>
    | Document
    | { keep: false; reason: string }
    | Promise<Document | { keep: false; reason: string }>;
}

/** Builds a counted transform stage (extraction, PII scrubbing, ...) whose step may fail per document. */
export function transformStage(options: TransformStageOptions): Stage {
  const { name, transform } = options;
  return defineStage(name, async function* (docs, context) {
    for await (const doc of docs) {
      let result: Document | { keep: false; reason: string };
      try {
        result = await transform(doc);
      } catch (error) {
        context.error(doc, reasonOf(error), (error as Error)?.message);
        continue;
      }
      if ('keep' in result && result.keep === false) context.drop(doc, result.reason);
      else yield result as Document;
    }
  });
}
