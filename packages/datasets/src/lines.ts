// Reads a text file line by line as an async iterable, decompressing by extension (.gz with
// node:zlib, .zst frame by frame), so memory is bounded by a chunk, not the file. Line numbers
// count from 1; a trailing '\r' is removed; a final empty line is not yielded.

import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { zstdDecompressStream } from './zstd-frames.ts';

export interface Line {
  text: string;
  /** 1-based line number in the (decompressed) file. */
  lineNumber: number;
}

/** The decompressed bytes of a file, chosen by its extension (.gz, .zst, otherwise plain). */
export function readBytes(path: string): AsyncIterable<Uint8Array> {
  if (path.endsWith('.gz')) return createReadStream(path).pipe(createGunzip());
  const raw = createReadStream(path);
  if (path.endsWith('.zst') || path.endsWith('.zstd')) return zstdDecompressStream(raw, path);
  return raw;
}

export async function* readLines(path: string): AsyncIterable<Line> {
  const decoder = new TextDecoder();
  let pending = '';
  let lineNumber = 0;
  for await (const chunk of readBytes(path)) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
      lineNumber++;
      yield { text: stripCr(pending.slice(start, nl)), lineNumber };
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  if (pending !== '') yield { text: stripCr(pending), lineNumber: lineNumber + 1 };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
