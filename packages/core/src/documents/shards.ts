// A writer that rotates shards `<prefix>-00000.<format>`, `<prefix>-00001.<format>`… every
// `maxDocumentsPerShard` documents. Each shard is written under a temporary name and renamed when
// it is full or the writer closes; `abort()` removes the open temporary shard (finished shards stay).

import { join } from 'node:path';
import type { Document } from '../contracts.ts';
import { LmkitError } from '../errors.ts';
import type { DocumentFileFormat } from './read.ts';
import { type DocumentFile, type DocumentFileOptions, openDocumentFile } from './write.ts';

export interface DocumentWriterOptions extends DocumentFileOptions {
  dir: string;
  /** Shard file name prefix. Default `'documents'`. */
  prefix?: string;
  /** Default `'jsonl'`. */
  format?: DocumentFileFormat;
  /** Documents per shard. Default 100,000. */
  maxDocumentsPerShard?: number;
}

export interface DocumentWriter {
  write(document: Document): Promise<void>;
  /**
   * Finishes the open shard and returns every shard written, in order. With no documents at all,
   * one empty shard is written, so a consumer always finds a file.
   */
  close(): Promise<string[]>;
  /** Removes the open shard's temporary file; returns the shards already finished. */
  abort(): Promise<string[]>;
  /** Shards finished so far (paths). */
  readonly shards: readonly string[];
}

/** The name of shard `index`: `<dir>/<prefix>-<index, 5 digits>.<format>`. */
export function shardPath(dir: string, prefix: string, index: number, format: string): string {
  return join(dir, `${prefix}-${String(index).padStart(5, '0')}.${format}`);
}

export function createDocumentWriter(options: DocumentWriterOptions): DocumentWriter {
  const format = options.format ?? 'jsonl';
  const prefix = options.prefix ?? 'documents';
  const perShard = options.maxDocumentsPerShard ?? 100_000;
  if (!Number.isInteger(perShard) || perShard < 1)
    throw new LmkitError(
      `maxDocumentsPerShard ${perShard} is not a positive integer; pass at least 1 (default 100000)`,
    );
  const shards: string[] = [];
  let open: DocumentFile | undefined;
  let opened = 0;
  let done = false;
  const openNext = async () => {
    open = await openDocumentFile(shardPath(options.dir, prefix, opened, format), format, options);
    opened++;
  };
  const finishOpen = async () => {
    if (!open) return;
    const file = open;
    open = undefined;
    await file.close();
    shards.push(file.path);
  };
  return {
    shards,
    async write(document) {
      if (done) throw new LmkitError(`the writer for ${options.dir} is closed; create a new one`);
      if (open && open.count >= perShard) await finishOpen();
      if (!open) await openNext();
      await open!.write(document);
    },
    async close() {
      if (done) return [...shards];
      done = true;
      if (opened === 0) await openNext();
      await finishOpen();
      return [...shards];
    },
    async abort() {
      done = true;
      const file = open;
      open = undefined;
      await file?.abort();
      return [...shards];
    },
  };
}

/** Drains `documents` into a shard writer; aborts it on error. Returns the shards written. */
export async function writeDocumentShards(
  documents: Iterable<Document> | AsyncIterable<Document>,
  options: DocumentWriterOptions,
): Promise<string[]> {
  const writer = createDocumentWriter(options);
  try {
    for await (const document of documents) await writer.write(document);
  } catch (error) {
    await writer.abort();
    throw error;
  }
  return writer.close();
}
