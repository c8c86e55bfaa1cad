// Streams documents from JSONL (plain, gzip or zstd) and Parquet files, telling the format by the
// first bytes, not the name. Holds one chunk (JSONL) or one batch of rows (Parquet) at a time.
// Bad records go to `onProblem`; without one, the first problem is thrown as a DocumentFileError.

import type { Document } from '../contracts.ts';
import { fileEncoding, readFileLines } from './bytes.ts';
import { readParquetRows } from './parquet.ts';
import { DocumentFileError, type DocumentProblem, type DocumentProblemKind } from './problems.ts';
import { toDocument } from './record.ts';

export type DocumentFileFormat = 'jsonl' | 'jsonl.gz' | 'jsonl.zst' | 'parquet';

export interface ReadDocumentsOptions {
  /** Called for each bad record or unreadable file; the reader goes on. Default: throw it. */
  onProblem?: (problem: DocumentProblem) => void;
  /** JSONL lines longer than this many characters are a `record-too-large` problem. Default: no limit. */
  maxLineLength?: number;
  /** Parquet rows decoded at a time. Default 1000. */
  rowsPerBatch?: number;
  /** The id of a record without one. Default `<path>:<line or row>`. */
  fallbackId?: (path: string, record: number) => string;
}

/** The format of a document file, from its first bytes (anything not gzip/zstd/Parquet is JSONL). */
export async function detectDocumentFormat(path: string): Promise<DocumentFileFormat> {
  const encoding = await fileEncoding(path);
  if (encoding === 'parquet') return 'parquet';
  if (encoding === 'gzip') return 'jsonl.gz';
  return encoding === 'zstd' ? 'jsonl.zst' : 'jsonl';
}

/**
 * Yields the documents of every file in order.
 * @example
 * for await (const doc of readDocuments(['a.jsonl.zst', 'b.parquet'], { onProblem: console.warn })) …
 */
export async function* readDocuments(
  paths: string | readonly string[],
  options: ReadDocumentsOptions = {},
): AsyncGenerator<Document> {
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    let format: DocumentFileFormat;
    try {
      format = await detectDocumentFormat(path);
    } catch (error) {
      report(options, fileProblem(path, 'unreadable', error));
      continue;
    }
    if (format === 'parquet') yield* readParquetDocuments(path, options);
    else yield* readJsonlDocuments(path, options);
  }
}

function report(options: ReadDocumentsOptions, problem: DocumentProblem): void {
  if (!options.onProblem) throw new DocumentFileError(problem);
  options.onProblem(problem);
}

function fileProblem(path: string, kind: DocumentProblemKind, error: unknown): DocumentProblem {
  if (error instanceof DocumentFileError) return error.problem();
  const message = (error as Error)?.message ?? String(error);
  const detail = `${message}; the rest of the file is skipped`;
  return { path, kind, record: 0, field: 'file', detail, message: `${path}: ${detail}` };
}

function recordProblem(
  path: string,
  record: number,
  problem: { kind: DocumentProblemKind; field: string; detail: string },
): DocumentProblem {
  const message = `${path}:${record}: ${problem.field} ${problem.detail}`;
  return { path, record, ...problem, message };
}

function fallback(options: ReadDocumentsOptions, path: string, record: number): string {
  return options.fallbackId ? options.fallbackId(path, record) : `${path}:${record}`;
}

async function* readJsonlDocuments(
  path: string,
  options: ReadDocumentsOptions,
): AsyncGenerator<Document> {
  const limit = options.maxLineLength ?? Number.POSITIVE_INFINITY;
  try {
    for await (const line of readFileLines(path)) {
      if (line.text.trim() === '') continue;
      const at = line.lineNumber;
      if (line.text.length > limit) {
        const detail = `of ${line.text.length} characters exceeds maxLineLength ${limit}`;
        report(
          options,
          recordProblem(path, at, { kind: 'record-too-large', field: 'line', detail }),
        );
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(line.text);
      } catch (error) {
        const detail = `is not valid JSON (${(error as Error).message}); each line must be one JSON object`;
        report(options, recordProblem(path, at, { kind: 'invalid-json', field: 'line', detail }));
        continue;
      }
      const result = toDocument(value, fallback(options, path, at));
      if ('problem' in result) report(options, recordProblem(path, at, result.problem));
      else yield result.document;
    }
  } catch (error) {
    if (error instanceof DocumentFileError && !isAboutWholeFile(error, path)) throw error;
    const message = (error as Error)?.message ?? '';
    const kind = /unexpected end of file/iu.test(message) ? 'truncated' : 'unreadable';
    report(options, fileProblem(path, kind, error));
  }
}

/** A DocumentFileError about `path` itself (decompression), not a record problem being thrown. */
function isAboutWholeFile(error: DocumentFileError, path: string): boolean {
  return error.path === path && error.record === 0;
}

async function* readParquetDocuments(
  path: string,
  options: ReadDocumentsOptions,
): AsyncGenerator<Document> {
  try {
    for await (const { row, rowNumber } of readParquetRows(path, options)) {
      const result = toDocument(row, fallback(options, path, rowNumber));
      if ('problem' in result) report(options, recordProblem(path, rowNumber, result.problem));
      else yield result.document;
    }
  } catch (error) {
    if (error instanceof DocumentFileError) throw error;
    const problem = fileProblem(path, 'corrupt', error);
    report(options, {
      ...problem,
      message: `${path}: not a readable Parquet file (${problem.detail})`,
    });
  }
}

/** Reads every document of the files into an array (small files and tests). */
export async function readAllDocuments(
  paths: string | readonly string[],
  options: ReadDocumentsOptions = {},
): Promise<Document[]> {
  const out: Document[] = [];
  for await (const document of readDocuments(paths, options)) out.push(document);
  return out;
}
