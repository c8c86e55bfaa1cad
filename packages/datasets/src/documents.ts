// Format dispatch for document files by extension: `.parquet` → Parquet, anything else → JSONL
// (with `.gz` / `.zst` compression recognised from the name).

import type { Document } from './document.ts';
import { readDocumentsJsonl, writeDocumentsJsonl } from './documents-jsonl.ts';
import { readDocumentsParquet, writeDocumentsParquet } from './documents-parquet.ts';
import type { InvalidInputOptions } from './json-lines.ts';

export type DocumentFormat = 'jsonl' | 'parquet';

export function documentFormat(path: string): DocumentFormat {
  return path.endsWith('.parquet') ? 'parquet' : 'jsonl';
}

export interface ReadDocumentsOptions extends InvalidInputOptions {
  path: string;
  /** Default: by extension. */
  format?: DocumentFormat;
  /** Parquet rows decoded at a time; default 1000. */
  rowsPerBatch?: number;
}

/** Streams documents from JSONL (.jsonl, .jsonl.gz, .jsonl.zst) or Parquet. */
export function readDocuments(options: ReadDocumentsOptions): AsyncIterable<Document> {
  return (options.format ?? documentFormat(options.path)) === 'parquet'
    ? readDocumentsParquet(options)
    : readDocumentsJsonl(options);
}

export interface WriteDocumentsOptions {
  path: string;
  documents: Iterable<Document> | AsyncIterable<Document>;
  format?: DocumentFormat;
  /** Documents per write (a zstd frame, a Parquet row group); default 1000 JSONL, 10,000 Parquet. */
  rowsPerBatch?: number;
  /** Parquet compression; default 'SNAPPY'. */
  codec?: 'SNAPPY' | 'ZSTD' | 'UNCOMPRESSED';
}

/** Writes documents; returns how many were written. */
export function writeDocuments(options: WriteDocumentsOptions): Promise<number> {
  return (options.format ?? documentFormat(options.path)) === 'parquet'
    ? writeDocumentsParquet(options)
    : writeDocumentsJsonl({ ...options, linesPerBatch: options.rowsPerBatch });
}
