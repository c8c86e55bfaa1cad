// Documents as Parquet with FineWeb's columns (`text`, `id`, `url`, and the rest): read row group by
// row group with hyparquet (snappy built in, zstd through @bokuweb/zstd-wasm), written one row group
// per batch with hyparquet-writer, so memory is bounded by a batch, not the file.

import { compress, decompress } from '@bokuweb/zstd-wasm';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { Document } from './document.ts';
import { toDocument } from './documents-jsonl.ts';
import { InvalidRecordError } from './errors.ts';
import { type InvalidInputOptions, rejectRecord } from './json-lines.ts';
import { zstdReady } from './zstd-frames.ts';

/** Streams documents from a Parquet file; `rowsPerBatch` (default 1000) rows are decoded at a time. */
export async function* readDocumentsParquet(
  options: { path: string; rowsPerBatch?: number } & InvalidInputOptions,
): AsyncIterable<Document> {
  await zstdReady();
  const file = await asyncBufferFromFile(options.path);
  const metadata = await parquetMetadataAsync(file);
  const perBatch = options.rowsPerBatch ?? 1000;
  const compressors = {
    ZSTD: (input: Uint8Array, outputLength: number) =>
      decompress(input, { defaultHeapSize: outputLength }),
  };
  let groupStart = 0;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    for (let start = groupStart; start < groupEnd; start += perBatch) {
      const end = Math.min(groupEnd, start + perBatch);
      const rows = await parquetReadObjects({
        file,
        metadata,
        rowStart: start,
        rowEnd: end,
        compressors,
      });
      for (const [i, row] of rows.entries()) {
        const rowNumber = start + i + 1;
        if (options.report) options.report.records++;
        const result = toDocument(row, `${options.path}:${rowNumber}`);
        if (!('document' in result)) {
          rejectRecord(
            new InvalidRecordError(
              options.path,
              rowNumber,
              result.field,
              result.problem,
              result.reason,
            ),
            options,
          );
          continue;
        }
        if (options.report) options.report.yielded++;
        yield result.document;
      }
    }
    groupStart = groupEnd;
  }
}

const SCHEMA = [
  { name: 'root', num_children: 5 },
  { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'url', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'html', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'metadata', type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' },
] as const;

/**
 * Writes documents to Parquet (columns id, text, url, html, metadata as JSON), one row group per
 * `rowsPerBatch` (default 10,000) documents. `codec` 'SNAPPY' (default), 'ZSTD' or 'UNCOMPRESSED'.
 */
export async function writeDocumentsParquet(options: {
  path: string;
  documents: Iterable<Document> | AsyncIterable<Document>;
  rowsPerBatch?: number;
  codec?: 'SNAPPY' | 'ZSTD' | 'UNCOMPRESSED';
}): Promise<number> {
  await zstdReady();
  const perBatch = options.rowsPerBatch ?? 10_000;
  const writer = new ParquetWriter({
    writer: fileWriter(options.path),
    schema: SCHEMA.map((element) => ({ ...element })) as never,
    codec: options.codec ?? 'SNAPPY',
    compressors: { ZSTD: (input: Uint8Array) => compress(input, 3) } as never,
  });
  let batch: Document[] = [];
  let count = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    await writer.write({
      columnData: [
        { name: 'id', data: batch.map((d) => d.id) },
        { name: 'text', data: batch.map((d) => d.text) },
        { name: 'url', data: batch.map((d) => d.url ?? null) },
        { name: 'html', data: batch.map((d) => d.html ?? null) },
        { name: 'metadata', data: batch.map((d) => d.metadata ?? {}) },
      ],
      rowGroupSize: perBatch,
    });
    batch = [];
  };
  for await (const document of options.documents) {
    batch.push(document);
    count++;
    if (batch.length >= perBatch) await flush();
  }
  await flush();
  await writer.finish();
  return count;
}
