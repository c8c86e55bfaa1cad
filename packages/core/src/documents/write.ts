// Writes documents as JSONL (plain, gzip, zstd) or Parquet, streamed: a JSONL file holds one batch
// of lines (one zstd frame) in memory, a Parquet file one row group. Every file is written under a
// temporary name beside its final one and renamed on close, so a reader never sees half a shard;
// `abort()` removes the temporary files. Parquet columns: id, text, url, html, metadata (JSON).

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { compress } from '@bokuweb/zstd-wasm';
import { fileWriter, ParquetWriter } from 'hyparquet-writer';
import type { Document } from '../contracts.ts';
import { LmkitError } from '../errors.ts';
import type { DocumentFileFormat } from './read.ts';
import { documentLine } from './record.ts';
import { zstdCompressFrame, zstdReady } from './zstd.ts';

export type ParquetCodec = 'SNAPPY' | 'ZSTD' | 'UNCOMPRESSED';

export interface DocumentFileOptions {
  /** Documents per write: a zstd frame, a Parquet row group. Default 1000 (JSONL), 10,000 (Parquet). */
  rowsPerBatch?: number;
  /** Parquet compression. Default `'SNAPPY'`. */
  codec?: ParquetCodec;
  /** Write the `html` field when a document has one. Default true. */
  includeHtml?: boolean;
}

/** The format a file name asks for: `.parquet`, `.gz`, `.zst`/`.zstd`, otherwise plain JSONL. */
export function formatFromName(path: string): DocumentFileFormat {
  if (path.endsWith('.parquet')) return 'parquet';
  if (path.endsWith('.gz')) return 'jsonl.gz';
  return path.endsWith('.zst') || path.endsWith('.zstd') ? 'jsonl.zst' : 'jsonl';
}

/** One open output file; `close()` renames it into place, `abort()` deletes it. */
export interface DocumentFile {
  readonly path: string;
  readonly count: number;
  write(document: Document): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

/** Opens `path` for writing (as `.<name>.tmp` in the same folder until closed). */
export async function openDocumentFile(
  path: string,
  format: DocumentFileFormat,
  options: DocumentFileOptions = {},
): Promise<DocumentFile> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.tmp`);
  const inner =
    format === 'parquet'
      ? await parquetFile(temp, options)
      : await jsonlFile(temp, format, options);
  let count = 0;
  let state: 'open' | 'closed' | 'aborted' = 'open';
  const check = () => {
    if (state !== 'open')
      throw new LmkitError(`${path} is already ${state}; open a new file to write more documents`);
  };
  return {
    path,
    get count() {
      return count;
    },
    async write(document) {
      check();
      await inner.write(document);
      count++;
    },
    async close() {
      check();
      state = 'closed';
      await inner.finish();
      await rename(temp, path);
    },
    async abort() {
      if (state !== 'open') return;
      state = 'aborted';
      await inner.finish().catch(() => {});
      await rm(temp, { force: true });
    },
  };
}

interface Inner {
  write(document: Document): Promise<void>;
  finish(): Promise<void>;
}

async function jsonlFile(
  path: string,
  format: DocumentFileFormat,
  options: DocumentFileOptions,
): Promise<Inner> {
  const perBatch = options.rowsPerBatch ?? 1000;
  const file: WriteStream = createWriteStream(path);
  await once(file, 'open');
  const sink: Writable = format === 'jsonl.gz' ? createGzip() : file;
  if (sink !== file) sink.pipe(file);
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const text = `${batch.join('\n')}\n`;
    batch = [];
    const bytes =
      format === 'jsonl.zst' ? await zstdCompressFrame(new TextEncoder().encode(text)) : text;
    if (!sink.write(bytes)) await once(sink, 'drain');
  };
  return {
    async write(document) {
      batch.push(documentLine(document, options));
      if (batch.length >= perBatch) await flush();
    },
    async finish() {
      try {
        await flush();
      } finally {
        sink.end();
        await once(file, 'close');
      }
    },
  };
}

const SCHEMA = [
  { name: 'root', num_children: 5 },
  { name: 'id', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'text', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
  { name: 'url', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'html', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  { name: 'metadata', type: 'BYTE_ARRAY', converted_type: 'JSON', repetition_type: 'OPTIONAL' },
] as const;

async function parquetFile(path: string, options: DocumentFileOptions): Promise<Inner> {
  await zstdReady();
  const perBatch = options.rowsPerBatch ?? 10_000;
  const includeHtml = options.includeHtml !== false;
  const writer = new ParquetWriter({
    writer: fileWriter(path),
    schema: SCHEMA.map((element) => ({ ...element })) as never,
    codec: options.codec ?? 'SNAPPY',
    compressors: { ZSTD: (input: Uint8Array) => compress(input, 3) } as never,
  });
  let batch: Document[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await writer.write({
      columnData: [
        { name: 'id', data: batch.map((d) => d.id) },
        { name: 'text', data: batch.map((d) => d.text) },
        { name: 'url', data: batch.map((d) => d.url ?? null) },
        { name: 'html', data: batch.map((d) => (includeHtml ? (d.html ?? null) : null)) },
        { name: 'metadata', data: batch.map((d) => d.metadata ?? {}) },
      ],
      rowGroupSize: perBatch,
    });
    batch = [];
  };
  return {
    async write(document) {
      batch.push(document);
      if (batch.length >= perBatch) await flush();
    },
    async finish() {
      await flush();
      await writer.finish();
    },
  };
}

/** Writes documents to one file (format from the name unless given); returns how many. */
export async function writeDocumentFile(
  options: {
    path: string;
    documents: Iterable<Document> | AsyncIterable<Document>;
    format?: DocumentFileFormat;
  } & DocumentFileOptions,
): Promise<number> {
  const file = await openDocumentFile(
    options.path,
    options.format ?? formatFromName(options.path),
    options,
  );
  try {
    for await (const document of options.documents) await file.write(document);
  } catch (error) {
    await file.abort();
    throw error;
  }
  await file.close();
  return file.count;
}
