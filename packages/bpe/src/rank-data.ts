// Reads the compact rank files shipped in ../ranks (brotli over a small binary layout, written by
// scripts/build-ranks.mjs). Checks the header and every length; the bytes themselves are trusted.
import { brotliDecompressSync } from 'node:zlib';
import { BpeError } from './errors.ts';
import { RankTable } from './rank-table.ts';

const MAGIC = 'LMKR';
const VERSION = 1;
const HEADER_BYTES = 9;

/**
 * Decodes a rank file: `LMKR`, version (u8), rank count (u32 LE), one length byte per rank
 * (0 = unused rank), then the token bytes in rank order, all brotli-compressed.
 */
export function decodeRankData(compressed: Uint8Array, source: string): RankTable {
  let raw: Buffer;
  try {
    raw = brotliDecompressSync(compressed);
  } catch (error) {
    throw new BpeError(
      `${source} is not brotli-compressed rank data (${(error as Error).message}); reinstall @lmkit/bpe`,
    );
  }
  const magic = raw.toString('latin1', 0, 4);
  if (raw.length < HEADER_BYTES || magic !== MAGIC)
    throw new BpeError(
      `${source} starts with ${JSON.stringify(magic)}, not "${MAGIC}"; reinstall @lmkit/bpe`,
    );
  const version = raw.readUInt8(4);
  if (version !== VERSION)
    throw new BpeError(
      `${source} has format version ${version}; this @lmkit/bpe reads version ${VERSION}`,
    );
  const count = raw.readUInt32LE(5);
  const lengths = raw.subarray(HEADER_BYTES, HEADER_BYTES + count);
  let at = HEADER_BYTES + count;
  const tokens: (Uint8Array | undefined)[] = new Array(count);
  for (let rank = 0; rank < count; rank++) {
    const length = lengths[rank];
    if (length > 0) tokens[rank] = raw.subarray(at, at + length);
    at += length;
  }
  if (lengths.length !== count || at !== raw.length)
    throw new BpeError(
      `${source} holds ${raw.length} bytes but its header and lengths describe ${at}; reinstall @lmkit/bpe`,
    );
  return new RankTable(tokens);
}
