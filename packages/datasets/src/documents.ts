// Documents in files, through @lmkit/core's one reader and writer: JSONL (plain, gzip, zstd, told
// apart by their first bytes) and Parquet. This file only maps core's problems onto datasets'
// InvalidRecordError / `skipInvalid` + `report` convention, as the conversation loaders use.

import type { Document } from '@lmkit/core';
import {
  type DocumentFileFormat,
  type DocumentProblem,
  isFileProblem,
  type ParquetCodec,
  readDocuments as readDocumentFiles,
  writeDocumentFile,
} from '@lmkit/core/documents';
import { DatasetsError, InvalidRecordError } from './errors.ts';
import { type InvalidInputOptions, rejectRecord } from './json-lines.ts';

export type DocumentFormat = 'jsonl' | 'parquet';

/** The format a file name asks for when writing: `.parquet` → Parquet, anything else → JSONL. */
export function documentFormat(path: string): DocumentFormat {
  return path.endsWith('.parquet') ? 'parquet' : 'jsonl';
}

export interface ReadDocumentsOptions extends InvalidInputOptions {
  path: string;
  /** Parquet rows decoded at a time; default 1000. */
  rowsPerBatch?: number;
}

/** datasets' skip-reason names for core's problem kinds (the keys of `report.skipped`). */
const REASONS: Record<string, string> = {
  'invalid-json': 'broken JSON',
  'not-an-object': 'not an object',
  'missing-text': 'missing text',
  'bad-id': 'bad id',
  'bad-metadata': 'bad metadata',
  'record-too-large': 'record too large',
};

/**
 * Streams documents from JSONL (.jsonl, .jsonl.gz, .jsonl.zst: compression from the first bytes) or
 * Parquet. A bad record throws an InvalidRecordError naming file, line and field, or with
 * `skipInvalid` is counted in `report.skipped`; an unreadable or truncated file always throws.
 */
export async function* readDocuments(options: ReadDocumentsOptions): AsyncIterable<Document> {
  const onProblem = (problem: DocumentProblem) => {
    if (isFileProblem(problem.kind)) throw new DatasetsError(problem.message);
    if (options.report) options.report.records++;
    const reason = REASONS[problem.kind] ?? problem.kind;
    const error = new InvalidRecordError(
      problem.path,
      problem.record,
      problem.field,
      problem.detail,
      reason,
    );
    rejectRecord(error, options);
  };
  for await (const document of readDocumentFiles(options.path, {
    onProblem,
    rowsPerBatch: options.rowsPerBatch,
  })) {
    if (options.report) {
      options.report.records++;
      options.report.yielded++;
    }
    yield document;
  }
}

export interface WriteDocumentsOptions {
  path: string;
  documents: Iterable<Document> | AsyncIterable<Document>;
  /** Default: from the name (`.parquet`, `.gz`, `.zst`, otherwise JSONL). */
  format?: DocumentFormat | DocumentFileFormat;
  /** Documents per write (a zstd frame, a Parquet row group); default 1000 JSONL, 10,000 Parquet. */
  rowsPerBatch?: number;
  /** Parquet compression; default 'SNAPPY'. */
  codec?: ParquetCodec;
}

/** Writes documents to one file (under a temporary name, renamed when complete); returns the count. */
export function writeDocuments(options: WriteDocumentsOptions): Promise<number> {
  const format = options.format === 'jsonl' ? undefined : options.format;
  return writeDocumentFile({ ...options, format });
}
