// Whole-file llm.c shard I/O: `writeShard` writes header + tokens, `readShard` checks magic,
// version, size and count before handing back a typed array. Streaming writes live in shard-writer.ts.
// Tokens are little-endian on disk; typed arrays are used directly (every Node platform is little-endian).

import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import {
  decodeShardHeader,
  encodeShardHeader,
  SHARD_HEADER_BYTES,
  SHARD_VERSION_UINT16,
  SHARD_VERSION_UINT32,
  ShardFormatError,
  type ShardHeader,
} from './shard-header.ts';

export type ShardVersion = ShardHeader['version'];

export interface ShardContents {
  version: ShardVersion;
  tokens: Uint16Array | Uint32Array;
}

export interface ReadShardOptions {
  /**
   * Accept only this version: `1` is an llm.c-compatible uint16-only reader, which rejects a
   * uint32 (version 2) shard with a message saying so. Default: accept both.
   */
  version?: ShardVersion;
}

/** Largest token id a shard version can hold. */
export function maxTokenId(version: ShardVersion): number {
  return version === SHARD_VERSION_UINT16 ? 0xffff : 0xffffffff;
}

/** The largest value of a typed array of token ids; -1 when it is empty. */
export function largestId(tokens: ArrayLike<number>): number {
  let largest = -1;
  for (let i = 0; i < tokens.length; i++) if (tokens[i] > largest) largest = tokens[i];
  return largest;
}

/** Checks the ids fit the version and packs them into the matching typed array. */
export function packTokens(
  tokens: ArrayLike<number>,
  version: ShardVersion,
  source = 'shard',
): Uint16Array | Uint32Array {
  const limit = maxTokenId(version);
  const packed =
    version === SHARD_VERSION_UINT16
      ? new Uint16Array(tokens.length)
      : new Uint32Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    const id = tokens[i];
    if (!Number.isInteger(id) || id < 0 || id > limit) {
      const fix =
        version === SHARD_VERSION_UINT16 && Number.isInteger(id) && id > limit
          ? `write version ${SHARD_VERSION_UINT32} (uint32) shards for vocabularies over 65,535 ids`
          : 'token ids must be non-negative integers';
      throw new ShardFormatError(
        `${source}: token ${id} at index ${i} does not fit version ${version} shards (ids 0..${limit}); ${fix}`,
      );
    }
    packed[i] = id;
  }
  return packed;
}

/** Header followed by the packed tokens, as one buffer. */
export function encodeShard(
  tokens: ArrayLike<number>,
  version: ShardVersion,
  source?: string,
): Uint8Array {
  const packed = packTokens(tokens, version, source);
  const bytes = new Uint8Array(SHARD_HEADER_BYTES + packed.byteLength);
  const largest = largestId(packed);
  bytes.set(
    encodeShardHeader({
      version,
      tokenCount: packed.length,
      ...(largest >= 0 ? { largestTokenId: largest } : {}),
    }),
  );
  bytes.set(
    new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength),
    SHARD_HEADER_BYTES,
  );
  return bytes;
}

/**
 * Writes an llm.c token shard. Version 1 (default) stores uint16 tokens and is what llm.c reads;
 * version 2 stores uint32 tokens. Ids that do not fit throw before anything is written.
 */
export async function writeShard(
  path: string,
  tokens: ArrayLike<number>,
  options: { version?: ShardVersion } = {},
): Promise<void> {
  const version = options.version ?? SHARD_VERSION_UINT16;
  await writeFile(path, encodeShard(tokens, version, path));
}

/** Parses a whole shard held in memory; `source` names it in errors. */
export function decodeShard(
  bytes: Uint8Array,
  options: ReadShardOptions & { source?: string } = {},
): ShardContents {
  const source = options.source ?? 'shard';
  const header = decodeShardHeader(bytes, { fileBytes: bytes.byteLength, source });
  if (options.version !== undefined && header.version !== options.version) {
    const kinds = { 1: 'uint16', 2: 'uint32' } as const;
    throw new ShardFormatError(
      `${source}: shard version ${header.version} (${kinds[header.version]} tokens) but this reader accepts only version ${options.version} (${kinds[options.version]} tokens); ` +
        (header.version === SHARD_VERSION_UINT32
          ? 'llm.c-style readers cannot read uint32 shards: re-tokenize with a vocabulary under 65,536 ids or use a reader that accepts version 2'
          : 'read it without the version restriction'),
    );
  }
  const start = bytes.byteOffset + SHARD_HEADER_BYTES;
  const count = header.tokenCount;
  const Typed = header.version === SHARD_VERSION_UINT16 ? Uint16Array : Uint32Array;
  // A file read into its own buffer is viewed in place (no second copy of a large shard); a
  // slice of Node's shared pool, possibly at an odd offset, is copied out.
  const buffer = bytes.buffer as ArrayBuffer;
  const owned = bytes.byteOffset === 0 && buffer.byteLength === bytes.byteLength;
  const tokens = owned
    ? new Typed(buffer, start, count)
    : new Typed(buffer.slice(start, start + count * Typed.BYTES_PER_ELEMENT));
  return { version: header.version, tokens };
}

/** Reads and validates an llm.c token shard (magic, version, file size against the token count). */
export async function readShard(
  path: string,
  options: ReadShardOptions = {},
): Promise<ShardContents> {
  const bytes = await readFile(path);
  return decodeShard(bytes, { ...options, source: path });
}

/** Synchronous `readShard`, for loaders whose `next()` must not await. */
export function readShardSync(path: string, options: ReadShardOptions = {}): ShardContents {
  return decodeShard(readFileSync(path), { ...options, source: path });
}
