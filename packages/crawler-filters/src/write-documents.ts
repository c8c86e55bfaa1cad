// A sink writing surviving documents as shards through @lmkit/core's writer (JSONL, gzip, zstd or
// Parquet; each shard renamed into place when complete), and a side-output writer for removed
// documents. Records are `{ id, text, url?, metadata }` (the HTML is not written).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { type DocumentFileFormat, writeDocumentShards } from '@lmkit/core/documents';
import type { RemovedDocument, Sink } from './pipeline.ts';

export interface WriteDocumentsOptions {
  dir: string;
  /** Default `'jsonl'`. */
  format?: DocumentFileFormat;
  /** Shard file name prefix. Default `'documents'`. */
  prefix?: string;
  /** Documents per shard. Default 100,000. */
  maxDocumentsPerShard?: number;
}

export interface DocumentWriter {
  sink: Sink;
  /** Shard files written (paths), filled in when the sink has finished. */
  readonly files: string[];
}

/** A sink writing shards `<prefix>-00000.<format>` into `dir` (one empty shard when nothing survives). */
export function writeDocuments(options: WriteDocumentsOptions): DocumentWriter {
  const files: string[] = [];
  const sink: Sink = async (docs) => {
    files.push(...(await writeDocumentShards(docs, { ...options, includeHtml: false })));
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
