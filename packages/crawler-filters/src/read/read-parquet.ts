// Reads Parquet documents (FineWeb's own format: columns text, id, url, dump, date, ...) with
// hyparquet, one row group at a time so large files stream.

import { basename } from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import type { Document } from '../document.ts';
import { toDocument } from './read-jsonl.ts';
import type { OnReadError } from './read-warc.ts';

export interface ReadParquetOptions {
  path: string;
  onError?: OnReadError;
}

/** Yields one document per row. A file that is not Parquet is reported once as `invalid-parquet`. */
export async function* readParquet(options: ReadParquetOptions): AsyncGenerator<Document> {
  const file = basename(options.path);
  const onError = options.onError ?? (() => {});
  let rows = 0;
  let buffer: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let groups: { num_rows: bigint }[];
  try {
    buffer = await asyncBufferFromFile(options.path);
    groups = (await parquetMetadataAsync(buffer)).row_groups;
  } catch (error) {
    onError(
      { id: `${file}#0`, text: '', metadata: { source: file } },
      'invalid-parquet',
      `${file}: ${(error as Error).message}`,
    );
    return;
  }
  for (const group of groups) {
    const start = rows;
    const end = start + Number(group.num_rows);
    const objects = await parquetReadObjects({ file: buffer, rowStart: start, rowEnd: end });
    for (const object of objects) {
      rows++;
      const doc = toDocument(object, `${file}#${rows}`);
      if (typeof doc === 'string')
        onError(
          { id: `${file}#${rows}`, text: '', metadata: { source: file } },
          doc,
          `${file} row ${rows}: needs a string "text" column`,
        );
      else yield doc;
    }
  }
}
