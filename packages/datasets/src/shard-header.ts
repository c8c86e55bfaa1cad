// The llm.c token-shard header: 256 little-endian int32 (1024 bytes), then the tokens.
// [0] magic 20240520, [1] version (1 = uint16 tokens; 2 = our uint32 variant), [2] token count.
// lmkit's writers also record the largest token id: [3] the tag 0x4d415849 ("MAXI"), [4] the id
// (uint32). llm.c reads only [0..2], so its readers are unaffected; a shard without the tag (made
// by llm.c's scripts) simply has no recorded id.

import { DatasetsError } from './errors.ts';

export const SHARD_MAGIC = 20240520;
export const SHARD_HEADER_BYTES = 1024;
/** llm.c's version: tokens are uint16 little-endian. */
export const SHARD_VERSION_UINT16 = 1;
/** lmkit's variant for vocabularies over 65,535 ids: tokens are uint32 little-endian (llm.c rejects it). */
export const SHARD_VERSION_UINT32 = 2;

/** header[3] holds this tag when header[4] holds the shard's largest token id. */
export const SHARD_LARGEST_ID_TAG = 0x4d415849;

export interface ShardHeader {
  version: typeof SHARD_VERSION_UINT16 | typeof SHARD_VERSION_UINT32;
  tokenCount: number;
  /** The largest token id in the shard, when the writer recorded it (lmkit's writers do). */
  largestTokenId?: number;
}

/** A shard file that is not what its header or the reader expects. */
export class ShardFormatError extends DatasetsError {
  override name = 'ShardFormatError';
}

export function encodeShardHeader(header: ShardHeader): Uint8Array {
  const bytes = new Uint8Array(SHARD_HEADER_BYTES);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, SHARD_MAGIC, true);
  view.setInt32(4, header.version, true);
  view.setInt32(8, header.tokenCount, true);
  if (header.largestTokenId !== undefined) {
    view.setInt32(12, SHARD_LARGEST_ID_TAG, true);
    view.setUint32(16, header.largestTokenId, true);
  }
  return bytes;
}

/** Bytes per token for a header version. */
export function tokenBytes(version: ShardHeader['version']): 2 | 4 {
  return version === SHARD_VERSION_UINT16 ? 2 : 4;
}

/**
 * Parses and checks a shard header. `fileBytes`, when given, must equal 1024 + count × token size.
 * `source` names the file in error messages.
 */
export function decodeShardHeader(
  bytes: Uint8Array,
  options: { fileBytes?: number; source?: string } = {},
): ShardHeader {
  const where = options.source ?? 'shard';
  if (bytes.byteLength < SHARD_HEADER_BYTES) {
    throw new ShardFormatError(
      `${where}: header is ${bytes.byteLength} bytes, expected ${SHARD_HEADER_BYTES}; the file is truncated or not an llm.c shard`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, SHARD_HEADER_BYTES);
  const magic = view.getInt32(0, true);
  if (magic !== SHARD_MAGIC) {
    throw new ShardFormatError(
      `${where}: magic ${magic} is not ${SHARD_MAGIC}; not an llm.c token shard`,
    );
  }
  const version = view.getInt32(4, true);
  if (version !== SHARD_VERSION_UINT16 && version !== SHARD_VERSION_UINT32) {
    throw new ShardFormatError(
      `${where}: version ${version} is unknown; expected ${SHARD_VERSION_UINT16} (uint16) or ${SHARD_VERSION_UINT32} (uint32)`,
    );
  }
  const tokenCount = view.getInt32(8, true);
  if (tokenCount < 0) throw new ShardFormatError(`${where}: token count ${tokenCount} is negative`);
  if (options.fileBytes !== undefined) {
    const expected = SHARD_HEADER_BYTES + tokenCount * tokenBytes(version);
    if (options.fileBytes !== expected) {
      throw new ShardFormatError(
        `${where}: file is ${options.fileBytes} bytes but its header promises ${tokenCount} tokens (${expected} bytes); the file is truncated or corrupt`,
      );
    }
  }
  if (view.getInt32(12, true) === SHARD_LARGEST_ID_TAG) {
    return { version, tokenCount, largestTokenId: view.getUint32(16, true) };
  }
  return { version, tokenCount };
}
