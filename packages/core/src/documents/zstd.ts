// Streaming zstd through @bokuweb/zstd-wasm, which only decompresses whole frames: the reader
// splits the byte stream into frames by walking frame and block headers (RFC 8878), so memory is
// bounded by one frame; the writer emits one frame per chunk (concatenated frames are valid zstd).

import { compress, decompress, init } from '@bokuweb/zstd-wasm';
import { DocumentFileError } from './problems.ts';

const FRAME_MAGIC = 0xfd2fb528;
const BLOCK_MAX_BYTES = 128 * 1024;

let ready: Promise<void> | undefined;
/** Loads the wasm module once, on first use (not at import time). */
export function zstdReady(): Promise<void> {
  ready ??= init();
  return ready;
}

/** Compresses one chunk as one complete zstd frame (content size recorded in the header). */
export async function zstdCompressFrame(bytes: Uint8Array, level = 3): Promise<Uint8Array> {
  await zstdReady();
  return compress(bytes, level);
}

/** Decompresses a byte stream of concatenated zstd (and skippable) frames, frame by frame. */
export async function* zstdDecompressStream(
  chunks: AsyncIterable<Uint8Array>,
  source = 'zstd stream',
): AsyncIterable<Uint8Array> {
  await zstdReady();
  let buffer = new Uint8Array(0);
  let consumed = 0;
  let ended = false;
  const iterator = chunks[Symbol.asyncIterator]();
  const have = async (n: number): Promise<boolean> => {
    while (buffer.length - consumed < n) {
      if (ended) return false;
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        return false;
      }
      const rest = buffer.subarray(consumed);
      const merged = new Uint8Array(rest.length + next.value.length);
      merged.set(rest);
      merged.set(next.value, rest.length);
      buffer = merged;
      consumed = 0;
    }
    return true;
  };
  const truncated = () =>
    new DocumentFileError({
      path: source,
      kind: 'truncated',
      message: `${source}: zstd data ends inside a frame; the file is truncated`,
    });
  for (;;) {
    if (!(await have(1))) return;
    if (!(await have(8))) throw truncated();
    const view = new DataView(buffer.buffer, buffer.byteOffset + consumed);
    const magic = view.getUint32(0, true);
    if ((magic & 0xfffffff0) === 0x184d2a50) {
      const size = view.getUint32(4, true);
      if (!(await have(8 + size))) throw truncated();
      consumed += 8 + size;
      continue;
    }
    if (magic !== FRAME_MAGIC) {
      throw new DocumentFileError({
        path: source,
        kind: 'corrupt',
        message: `${source}: bytes 0x${magic.toString(16)} are not a zstd frame magic (0xfd2fb528); the file is not zstd-compressed`,
      });
    }
    const descriptor = buffer[consumed + 4];
    const singleSegment = (descriptor >> 5) & 1;
    const checksum = (descriptor >> 2) & 1;
    const dictionaryBytes = [0, 1, 2, 4][descriptor & 3];
    const sizeFlag = descriptor >> 6;
    const contentSizeBytes = sizeFlag === 0 ? singleSegment : [0, 2, 4, 8][sizeFlag];
    let end = 5 + (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
    let blocks = 0;
    for (;;) {
      if (!(await have(end + 3))) throw truncated();
      const b = consumed + end;
      const header = buffer[b] | (buffer[b + 1] << 8) | (buffer[b + 2] << 16);
      const last = header & 1;
      const type = (header >> 1) & 3;
      const size = header >>> 3;
      if (type === 3)
        throw new DocumentFileError({
          path: source,
          kind: 'corrupt',
          message: `${source}: reserved zstd block type; the file is corrupt`,
        });
      end += 3 + (type === 1 ? 1 : size);
      blocks++;
      if (last) break;
    }
    end += checksum ? 4 : 0;
    if (!(await have(end))) throw truncated();
    const frame = buffer.slice(consumed, consumed + end);
    consumed += end;
    try {
      yield decompress(frame, { defaultHeapSize: Math.max(1, blocks) * BLOCK_MAX_BYTES });
    } catch (error) {
      throw new DocumentFileError({
        path: source,
        kind: 'corrupt',
        message: `${source}: zstd frame failed to decompress (${(error as Error).message}); the file is corrupt`,
      });
    }
  }
}
