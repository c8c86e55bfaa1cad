// Rows of a JSONL or Parquet file as one stream of `{ value, lineNumber }` records, so every
// converter reads both the way Hugging Face ships datasets (Parquet) and the way people keep them
// (JSONL, .gz, .zst). For Parquet, `lineNumber` is the 1-based row number.

import { decompress, init } from '@bokuweb/zstd-wasm';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
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
      const { field, problem, reason } = result.problem;
      rejectRecord(
        new InvalidRecordError(options.path, record.lineNumber, field, problem, reason),
        options,
      );
      continue;
    }
    if (options.report) options.report.yielded++;
    yield result.ok;
  }
}

let zstdLoaded: Promise<void> | undefined;

async function* readParquetRows(options: ReadRowsOptions): AsyncIterable<JsonRecord> {
  zstdLoaded ??= init();
  await zstdLoaded;
  const file = await asyncBufferFromFile(options.path);
  const metadata = await parquetMetadataAsync(file);
  const perBatch = options.rowsPerBatch ?? 1000;
  const compressors = {
    ZSTD: (input: Uint8Array, outputLength: number) =>
      decompress(input, { defaultHeapSize: outputLength }),
  };
  const rows = Number(metadata.num_rows);
  for (let start = 0; start < rows; start += perBatch) {
    const batch = await parquetReadObjects({
      file,
      metadata,
      rowStart: start,
      rowEnd: Math.min(rows, start + perBatch),
      compressors,
    });
    for (const [i, value] of batch.entries()) {
      if (options.report) options.report.records++;
      yield { value: plain(value), lineNumber: start + i + 1 };
    }
  }
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
