// Reads any mix of inputs by file name: *.warc[.gz] / *.wet[.gz] (WARC), *.jsonl[.gz|.zst] /
// *.json[l].gz, *.parquet. `documentSource` wires the readers' errors into a pipeline's counts.

import type { Document } from '../document.ts';
import type { Source } from '../pipeline.ts';
import { readJsonl } from './read-jsonl.ts';
import { readParquet } from './read-parquet.ts';
import { type OnReadError, readWarc } from './read-warc.ts';

export interface ReadDocumentsOptions {
  paths: readonly string[];
  onError?: OnReadError;
  /** Per-record payload limit for WARC and JSONL. Default 10 MiB. */
  maxRecordBytes?: number;
  /** Bytes invalid in the page's charset: report, or decode with U+FFFD. Default `'error'`. */
  invalidBytes?: 'error' | 'replace';
}

export type InputFormat = 'warc' | 'jsonl' | 'parquet';

/** The reader a file name selects, or `undefined` for an unknown extension. */
export function inputFormat(path: string): InputFormat | undefined {
  const name = path.toLowerCase();
  if (/\.(warc|wet|arc)(\.gz)?$/u.test(name)) return 'warc';
  if (/\.jsonl?(\.gz|\.zst)?$/u.test(name)) return 'jsonl';
  if (name.endsWith('.parquet')) return 'parquet';
  return undefined;
}

/** Yields the documents of every input in order; unknown extensions are reported as `unknown-format`. */
export async function* readDocuments(options: ReadDocumentsOptions): AsyncGenerator<Document> {
  const onError = options.onError ?? (() => {});
  for (const path of options.paths) {
    const format = inputFormat(path);
    if (format === 'warc')
      yield* readWarc({
        path,
        onError,
        maxRecordBytes: options.maxRecordBytes,
        invalidBytes: options.invalidBytes,
      });
    else if (format === 'jsonl')
      yield* readJsonl({ path, onError, maxRecordBytes: options.maxRecordBytes });
    else if (format === 'parquet') yield* readParquet({ path, onError });
    else
      onError(
        { id: path, text: '', metadata: { source: path } },
        'unknown-format',
        `cannot tell the format of ${path}; use .warc(.gz), .wet(.gz), .jsonl(.gz|.zst) or .parquet`,
      );
  }
}

/** A pipeline source over files whose unreadable records count as errors of the `read` stage. */
export function documentSource(options: Omit<ReadDocumentsOptions, 'onError'>): Source {
  return (context) =>
    readDocuments({
      ...options,
      onError: (doc, reason, detail) => context.error(doc, reason, detail),
    });
}
