// Reads any mix of inputs: *.warc[.gz] / *.wet[.gz] (WARC) here, JSONL (plain, .gz, .zst) and
// Parquet through @lmkit/core's reader, which tells compression and Parquet by the first bytes.
// `documentSource` wires the readers' errors into a pipeline's counts.

import { basename } from 'node:path';
import type { Document } from '@lmkit/core';
import {
  type DocumentProblem,
  detectDocumentFormat,
  readDocuments as readDocumentFiles,
} from '@lmkit/core/documents';
import type { Source } from '../pipeline.ts';
import { type OnReadError, type OnReadSkip, readWarc } from './read-warc.ts';

export interface ReadDocumentsOptions {
  paths: readonly string[];
  onError?: OnReadError;
  /** Hears what a WARC reader skipped to resynchronise after damage (per file, with bytes). */
  onSkip?: OnReadSkip;
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

/** The counted reason for one of core's problems (`truncated-gzip`, `invalid-parquet`, …). */
function reasonOf(problem: DocumentProblem, format: InputFormat): string {
  if (problem.kind === 'truncated')
    return /zstd/u.test(problem.detail) ? 'truncated-zstd' : 'truncated-gzip';
  if (problem.kind === 'corrupt') return format === 'parquet' ? 'invalid-parquet' : 'corrupt-file';
  if (problem.kind === 'unreadable') return 'unreadable-file';
  return problem.kind;
}

async function* readDocumentFile(
  path: string,
  format: 'jsonl' | 'parquet',
  onError: OnReadError,
  maxRecordBytes: number | undefined,
): AsyncGenerator<Document> {
  const file = basename(path);
  const separator = format === 'parquet' ? '#' : ':';
  const placeholder = (record: number): Document => ({
    id: `${file}${separator}${record}`,
    text: '',
    metadata: format === 'parquet' ? { source: file } : { source: file, line: record },
  });
  if (
    format === 'parquet' &&
    (await detectDocumentFormat(path).catch(() => 'jsonl')) !== 'parquet'
  ) {
    const detail = `${file}: does not start with the Parquet magic "PAR1"; the file is not Parquet`;
    onError(placeholder(0), 'invalid-parquet', detail);
    return;
  }
  yield* readDocumentFiles(path, {
    maxLineLength: maxRecordBytes ?? 10 * 2 ** 20,
    fallbackId: (_, record) => `${file}${separator}${record}`,
    onProblem: (problem) =>
      onError(placeholder(problem.record), reasonOf(problem, format), problem.message),
  });
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
        onSkip: options.onSkip,
      });
    else if (format) yield* readDocumentFile(path, format, onError, options.maxRecordBytes);
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
