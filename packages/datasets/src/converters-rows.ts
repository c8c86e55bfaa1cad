// Rows of a JSONL or Parquet file as one stream of `{ value, lineNumber }` records, so every
// converter reads both the way Hugging Face ships datasets (Parquet) and the way people keep them
// (JSONL, .gz, .zst). For Parquet, `lineNumber` is the 1-based row number.

import { readParquetRows as readParquetFileRows } from '@lmkit/core/documents';
import type { ConversationProblem } from './conversation.ts';
import { InvalidRecordError } from './errors.ts';
import {
  type InvalidInputOptions,
  type JsonRecord,
  readJsonLines,
  rejectRecord,
} from './json-lines.ts';

export interface ReadRowsOptions extends InvalidInputOptions {
  path: string;
  /** 'parquet' or 'jsonl'; default from the file name (`.parquet` → parquet, else JSONL). */
  format?: 'parquet' | 'jsonl';
  /** Parquet rows decoded at a time; default 1000. */
  rowsPerBatch?: number;
}

/** Streams the rows of a JSONL or Parquet file; broken JSON lines are thrown or counted. */
export function readRows(options: ReadRowsOptions): AsyncIterable<JsonRecord> {
  const format = options.format ?? (/\.parquet$/i.test(options.path) ? 'parquet' : 'jsonl');
  return format === 'parquet' ? readParquetRows(options) : readJsonLines(options);
}

/**
 * Each row of the file converted: a problem is thrown naming file, row and field (or, with
 * `skipInvalid`, counted by reason); what converts is yielded and counted.
 */
export async function* convertEachRow<T>(
  options: ReadRowsOptions,
  convert: (value: unknown) => { ok: T } | { problem: ConversationProblem },
): AsyncIterable<T> {
  for await (const record of readRows(options)) {
    const result = convert(record.value);
    if ('problem' in result) {
      rejectProblem(options, record.lineNumber, result.problem);
      continue;
    }
    if (options.report) options.report.yielded++;
    yield result.ok;
  }
}

async function* readParquetRows(options: ReadRowsOptions): AsyncIterable<JsonRecord> {
  for await (const { row, rowNumber } of readParquetFileRows(options.path, options)) {
    if (options.report) options.report.records++;
    yield { value: plain(row), lineNumber: rowNumber };
  }
}

/** A row's problem thrown as an InvalidRecordError naming file, row and field (or, with `skipInvalid`, counted). */
export function rejectProblem(
  options: InvalidInputOptions & { path: string },
  lineNumber: number,
  { field, problem, reason }: ConversationProblem,
): void {
  rejectRecord(new InvalidRecordError(options.path, lineNumber, field, problem, reason), options);
}

/** BigInt (Parquet INT64) as a number when it fits, so rows compare and serialise like JSON. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') {
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  }
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}
