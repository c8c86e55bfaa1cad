// Documents as JSON Lines (`{"id", "text", "url"?, "metadata"}` per line), plain, .gz or .zst,
// streamed both ways: the reader holds one chunk, the writer one batch of lines (one zstd frame).
// Top-level fields other than id/text/url/html are kept in `metadata` (FineWeb's `dump`, `date`…).

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { createGzip } from 'node:zlib';
import type { Document } from './document.ts';
import { InvalidRecordError } from './errors.ts';
import { type InvalidInputOptions, readJsonLines, rejectRecord } from './json-lines.ts';
import { zstdCompressFrame } from './zstd-frames.ts';

/** Turns one decoded record into a Document, or describes what is wrong with it. */
export function toDocument(
  value: unknown,
  fallbackId: string,
): { document: Document } | { field: string; problem: string; reason: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      field: 'record',
      problem: 'is not an object { id, text, metadata }',
      reason: 'not an object',
    };
  }
  const { id, text, url, html, metadata, ...rest } = value as Record<string, unknown>;
  if (typeof text !== 'string') {
    return {
      field: 'text',
      problem: `is ${text === undefined ? 'missing' : typeof text}, expected a string`,
      reason: 'missing text',
    };
  }
  if (
    id !== undefined &&
    id !== null &&
    typeof id !== 'string' &&
    typeof id !== 'number' &&
    typeof id !== 'bigint'
  ) {
    return { field: 'id', problem: `is ${typeof id}, expected a string`, reason: 'bad id' };
  }
  let meta: Record<string, unknown> = {};
  if (typeof metadata === 'string') {
    try {
      meta = JSON.parse(metadata);
    } catch {
      return { field: 'metadata', problem: 'is a string that is not JSON', reason: 'bad metadata' };
    }
  } else if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) {
      return {
        field: 'metadata',
        problem: `is ${Array.isArray(metadata) ? 'an array' : typeof metadata}, expected an object`,
        reason: 'bad metadata',
      };
    }
    meta = metadata as Record<string, unknown>;
  }
  for (const [key, v] of Object.entries(rest)) {
    if (v !== undefined && v !== null) meta[key] = typeof v === 'bigint' ? bigintValue(v) : v;
  }
  const document: Document = {
    id: id === undefined || id === null ? fallbackId : String(id),
    text,
    metadata: meta,
  };
  if (typeof url === 'string') document.url = url;
  if (typeof html === 'string') document.html = html;
  return { document };
}

function bigintValue(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

/** Streams documents from JSONL; a record without `id` gets `<path>:<line>`. */
export async function* readDocumentsJsonl(
  options: { path: string } & InvalidInputOptions,
): AsyncIterable<Document> {
  for await (const record of readJsonLines(options)) {
    const result = toDocument(record.value, `${options.path}:${record.lineNumber}`);
    if (!('document' in result)) {
      rejectRecord(
        new InvalidRecordError(
          options.path,
          record.lineNumber,
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

/** The JSON line for a document (no trailing newline). */
export function documentLine(document: Document): string {
  const record: Record<string, unknown> = { id: document.id, text: document.text };
  if (document.url !== undefined) record.url = document.url;
  if (document.html !== undefined) record.html = document.html;
  record.metadata = document.metadata ?? {};
  return JSON.stringify(record);
}

/** Writes documents as JSONL (.gz / .zst by extension), `linesPerBatch` lines at a time. */
export async function writeDocumentsJsonl(options: {
  path: string;
  documents: Iterable<Document> | AsyncIterable<Document>;
  linesPerBatch?: number;
}): Promise<number> {
  const perBatch = options.linesPerBatch ?? 1000;
  const zstd = options.path.endsWith('.zst') || options.path.endsWith('.zstd');
  const file = createWriteStream(options.path);
  const sink: Writable = options.path.endsWith('.gz') ? createGzip() : file;
  if (sink !== file) sink.pipe(file);
  const write = async (bytes: Uint8Array | string) => {
    if (!sink.write(bytes)) await once(sink, 'drain');
  };
  let count = 0;
  let batch: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const text = `${batch.join('\n')}\n`;
    batch = [];
    await write(zstd ? await zstdCompressFrame(new TextEncoder().encode(text)) : text);
  };
  try {
    for await (const document of options.documents) {
      batch.push(documentLine(document));
      count++;
      if (batch.length >= perBatch) await flush();
    }
    await flush();
  } finally {
    sink.end();
    await once(file, 'close');
  }
  return count;
}
