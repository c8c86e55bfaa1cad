// Reads JSONL documents (FineWeb's layout: one `{text, id, url?, ...}` per line), plain, .gz or
// .zst. A bad line is reported with its line number and the run goes on.

import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Document } from '../document.ts';
import type { OnReadError } from './read-warc.ts';
import { isGzipFile } from './read-warc.ts';

export interface ReadJsonlOptions {
  path: string;
  onError?: OnReadError;
  /** Lines longer than this are reported as `record-too-large`. Default 10 MiB. */
  maxRecordBytes?: number;
}

type Zstd = typeof import('@bokuweb/zstd-wasm');
let zstdReady: Promise<Zstd> | undefined;

/** Loads the zstd WebAssembly module on first use; calling its `init()` twice corrupts later output. */
function loadZstd(): Promise<Zstd> {
  zstdReady ??= import('@bokuweb/zstd-wasm').then(async (zstd) => {
    await zstd.init();
    return zstd;
  });
  return zstdReady;
}

async function decompressZstd(path: string): Promise<Uint8Array> {
  const zstd = await loadZstd();
  return zstd.decompress(await readFile(path));
}

function parseObject(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** Turns one parsed JSON object into a document: `text` required, `id` defaulting to `file:line`. */
export function toDocument(value: unknown, fallbackId: string): Document | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not-an-object';
  const { id, text, url, html, metadata, ...rest } = value as Record<string, unknown>;
  if (typeof text !== 'string') return 'missing-text';
  const meta = typeof metadata === 'string' ? parseObject(metadata) : metadata;
  const doc: Document = {
    id: typeof id === 'string' || typeof id === 'number' ? String(id) : fallbackId,
    text,
    metadata: { ...(meta && typeof meta === 'object' ? meta : {}), ...rest },
  };
  if (typeof url === 'string') doc.url = url;
  if (typeof html === 'string') doc.html = html;
  return doc;
}

/** Yields the documents of a JSONL file. */
export async function* readJsonl(options: ReadJsonlOptions): AsyncGenerator<Document> {
  const { path } = options;
  const onError = options.onError ?? (() => {});
  const limit = options.maxRecordBytes ?? 10 * 2 ** 20;
  const file = basename(path);
  let lineNumber = 0;
  const placeholder = (): Document => ({
    id: `${file}:${lineNumber}`,
    text: '',
    metadata: { source: file, line: lineNumber },
  });
  let input: Readable;
  try {
    if (path.endsWith('.zst')) input = Readable.from([Buffer.from(await decompressZstd(path))]);
    else if (await isGzipFile(path)) input = createReadStream(path).pipe(createGunzip());
    else input = createReadStream(path);
  } catch (error) {
    onError(placeholder(), 'unreadable-file', `${file}: ${(error as Error).message ?? error}`);
    return;
  }
  try {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      lineNumber++;
      if (line.trim() === '') continue;
      if (line.length > limit) {
        onError(
          placeholder(),
          'record-too-large',
          `line of ${line.length} characters exceeds maxRecordBytes ${limit}`,
        );
        continue;
      }
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        onError(
          placeholder(),
          'invalid-json',
          `${file}:${lineNumber}: ${(error as Error).message}`,
        );
        continue;
      }
      const doc = toDocument(value, `${file}:${lineNumber}`);
      if (typeof doc === 'string')
        onError(placeholder(), doc, `${file}:${lineNumber}: needs an object with a string "text"`);
      else yield doc;
    }
  } catch (error) {
    lineNumber++;
    const message = (error as Error).message ?? String(error);
    onError(
      placeholder(),
      /unexpected end of file/iu.test(message) ? 'truncated-gzip' : 'unreadable-file',
      `${file}: ${message}; the rest of the file is skipped`,
    );
  }
}
