// A file's decompressed bytes and lines, streamed. The compression is told by the first bytes
// (gzip 1f 8b, zstd 28 b5 2f fd or a skippable frame, Parquet "PAR1"), never by the file name, so a
// misnamed `.jsonl` that is really gzip still reads. Memory is bounded by a chunk (a zstd frame).

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { zstdDecompressStream } from './zstd.ts';

export type FileEncoding = 'gzip' | 'zstd' | 'parquet' | 'plain';

/** What the first four bytes say: `gzip`, `zstd`, `parquet` or `plain` (also for short files). */
export function sniffEncoding(head: Uint8Array): FileEncoding {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length < 4) return 'plain';
  const magic = (head[0] | (head[1] << 8) | (head[2] << 16) | (head[3] << 24)) >>> 0;
  if (magic === 0xfd2fb528 || (magic & 0xfffffff0) === 0x184d2a50) return 'zstd';
  if (head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31)
    return 'parquet';
  return 'plain';
}

/** Reads the first four bytes of `path` and sniffs them. */
export async function fileEncoding(path: string): Promise<FileEncoding> {
  const handle = await open(path, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return sniffEncoding(head.subarray(0, bytesRead));
  } finally {
    await handle.close();
  }
}

/** The decompressed bytes of a plain, gzip or zstd file, chunk by chunk. */
export async function* readDecompressed(path: string): AsyncIterable<Uint8Array> {
  const encoding = await fileEncoding(path);
  if (encoding === 'gzip') yield* createReadStream(path).pipe(createGunzip());
  else if (encoding === 'zstd') yield* zstdDecompressStream(createReadStream(path), path);
  else yield* createReadStream(path);
}

export interface Line {
  text: string;
  /** 1-based line number in the decompressed file. */
  lineNumber: number;
}

/**
 * The lines of a plain, gzip or zstd text file. A trailing `\r` is removed; a final empty line is
 * not yielded. When decompression fails midway, the line decoded so far is yielded before the error
 * is thrown, so a reader can count it.
 */
export async function* readFileLines(path: string): AsyncIterable<Line> {
  const decoder = new TextDecoder();
  let pending = '';
  let lineNumber = 0;
  try {
    for await (const chunk of readDecompressed(path)) {
      pending += decoder.decode(chunk, { stream: true });
      let start = 0;
      for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
        lineNumber++;
        yield { text: stripCr(pending.slice(start, nl)), lineNumber };
        start = nl + 1;
      }
      pending = pending.slice(start);
    }
  } catch (error) {
    pending += decoder.decode();
    if (pending !== '') yield { text: stripCr(pending), lineNumber: lineNumber + 1 };
    throw error;
  }
  pending += decoder.decode();
  if (pending !== '') yield { text: stripCr(pending), lineNumber: lineNumber + 1 };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
