// The rows of a Parquet file as objects, streamed with hyparquet `rowsPerBatch` rows at a time
// (snappy built in, ZSTD through @bokuweb/zstd-wasm), so memory is bounded by a batch, not the file.

import { decompress } from '@bokuweb/zstd-wasm';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { zstdReady } from './zstd.ts';

export interface ParquetRow {
  row: Record<string, unknown>;
  /** 1-based row number in the file. */
  rowNumber: number;
}

/** Yields every row; throws (on the first step) when the file is not readable Parquet. */
export async function* readParquetRows(
  path: string,
  options: { rowsPerBatch?: number } = {},
): AsyncGenerator<ParquetRow> {
  await zstdReady();
  const file = await asyncBufferFromFile(path);
  const metadata = await parquetMetadataAsync(file);
  const perBatch = options.rowsPerBatch ?? 1000;
  const compressors = {
    ZSTD: (input: Uint8Array, outputLength: number) =>
      decompress(input, { defaultHeapSize: outputLength }),
  };
  const rows = Number(metadata.num_rows);
  for (let start = 0; start < rows; start += perBatch) {
    const rowEnd = Math.min(rows, start + perBatch);
    const batch = await parquetReadObjects({
      file,
      metadata,
      rowStart: start,
      rowEnd,
      compressors,
    });
    for (const [i, row] of batch.entries()) yield { row, rowNumber: start + i + 1 };
  }
}
