// Sinks that write surviving documents as JSONL (optionally gzipped) or Parquet shards, and a
// side-output writer for removed documents. Records are `{ id, text, url?, metadata }`.

import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createGzip } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import type { Document } from './document.ts';
import type { RemovedDocument, Sink } from './pipeline.ts';

export interface WriteDocumentsOptions {
  dir: string;
  /** Default `'jsonl'`. */
  format?: 'jsonl' | 'jsonl.gz' | 'parquet';
  /** Shard file name prefix. Default `'documents'`. */
  prefix?: string;
  /** Documents per shard. Default 100,000. */
  maxDocumentsPerShard?: number;
}

export interface DocumentWriter {
  sink: Sink;
  /** Shard files written so far (paths). */
  readonly files: string[];
}

function record(doc: Document) {
  return {
    id: doc.id,
    text: doc.text,
    ...(doc.url ? { url: doc.url } : {}),
    metadata: doc.metadata,
  };
}

async function writeLine(stream: NodeJS.WritableStream, line: string): Promise<void> {
  if (!stream.write(line)) await once(stream, 'drain');
}

async function closeStream(file: WriteStream, head: NodeJS.WritableStream): Promise<void> {
  head.end();
  await once(file, 'finish');
}

/** A sink writing shards `<prefix>-00000.<ext>` into `dir`. */
export function writeDocuments(options: WriteDocumentsOptions): DocumentWriter {
  const format = options.format ?? 'jsonl';
  const prefix = options.prefix ?? 'documents';
  const perShard = options.maxDocumentsPerShard ?? 100_000;
  const files: string[] = [];
  const name = (index: number) =>
    join(options.dir, `${prefix}-${String(index).padStart(5, '0')}.${format}`);
  const sink: Sink = async (docs) => {
    await mkdir(options.dir, { recursive: true });
    if (format === 'parquet') {
      let batch: Document[] = [];
      const flush = async () => {
        const path = name(files.length);
        const buffer = parquetWriteBuffer({
          columnData: [
            { name: 'id', data: batch.map((d) => d.id), type: 'STRING' },
            { name: 'text', data: batch.map((d) => d.text), type: 'STRING' },
            { name: 'url', data: batch.map((d) => d.url ?? null), type: 'STRING' },
            {
              name: 'metadata',
              data: batch.map((d) => JSON.stringify(d.metadata)),
              type: 'STRING',
            },
          ],
        });
        await writeFile(path, new Uint8Array(buffer));
        files.push(path);
        batch = [];
      };
      for await (const doc of docs) {
        batch.push(doc);
        if (batch.length >= perShard) await flush();
      }
      if (batch.length > 0 || files.length === 0) await flush();
      return;
    }
    let file: WriteStream | undefined;
    let head: NodeJS.WritableStream | undefined;
    let count = 0;
    const openShard = () => {
      const path = name(files.length);
      files.push(path);
      file = createWriteStream(path);
      if (format === 'jsonl.gz') {
        const gzip = createGzip();
        gzip.pipe(file);
        head = gzip;
      } else head = file;
    };
    for await (const doc of docs) {
      if (!head || count >= perShard) {
        if (head && file) await closeStream(file, head);
        openShard();
        count = 0;
      }
      await writeLine(head!, `${JSON.stringify(record(doc))}\n`);
      count++;
    }
    if (!head) openShard();
    await closeStream(file!, head!);
  };
  return { sink, files };
}

/** Writes removed documents as JSONL `{ id, url?, stage, kind, reason, detail? }` lines. */
export function removedDocumentsWriter(options: { path: string; includeText?: boolean }) {
  const file = createWriteStream(options.path);
  return {
    onRemoved(removed: RemovedDocument): void {
      const { doc, stage, kind, reason, detail } = removed;
      const line = {
        id: doc.id,
        ...(doc.url ? { url: doc.url } : {}),
        stage,
        kind,
        reason,
        ...(detail ? { detail } : {}),
        ...(options.includeText ? { text: doc.text } : {}),
      };
      file.write(`${JSON.stringify(line)}\n`);
    },
    async close(): Promise<void> {
      file.end();
      await once(file, 'finish');
    },
  };
}
