// Streaming llm.c shard writer: tokens are appended in chunks, the header's count is filled in on
// close, and the file appears under its final name only then (written to `<path>.partial`, renamed),
// so an interrupted run never leaves a shard that looks complete. The header records the largest
// token id, so a trainer can check a shard against its vocabulary without reading the tokens.

import { type FileHandle, open, rename, rm } from 'node:fs/promises';
import { largestId, packTokens, type ShardVersion } from './shard-file.ts';
import {
  encodeShardHeader,
  SHARD_HEADER_BYTES,
  SHARD_VERSION_UINT16,
  ShardFormatError,
} from './shard-header.ts';

/** Holds an open shard being written; create it with `openShardWriter`. */
export class ShardWriter {
  #tokenCount = 0;
  #largestTokenId = -1;
  #closed = false;

  constructor(
    readonly path: string,
    readonly version: ShardVersion,
    private readonly handle: FileHandle,
  ) {}

  /** Tokens appended so far. */
  get tokenCount(): number {
    return this.#tokenCount;
  }

  /** Appends tokens; ids that do not fit the version throw and nothing of the chunk is written. */
  async append(tokens: ArrayLike<number>): Promise<void> {
    if (this.#closed)
      throw new ShardFormatError(`${this.path}: append after close; open a new writer`);
    const packed = packTokens(tokens, this.version, this.path);
    if (this.#tokenCount + packed.length > 0x7fffffff) {
      throw new ShardFormatError(
        `${this.path}: ${this.#tokenCount + packed.length} tokens exceed the header's int32 count (2,147,483,647); start a new shard`,
      );
    }
    const bytes = new Uint8Array(packed.buffer, packed.byteOffset, packed.byteLength);
    await this.handle.write(
      bytes,
      0,
      bytes.byteLength,
      SHARD_HEADER_BYTES + this.#tokenCount * packed.BYTES_PER_ELEMENT,
    );
    this.#tokenCount += packed.length;
    this.#largestTokenId = Math.max(this.#largestTokenId, largestId(packed));
  }

  /** Writes the final header and moves the file to its name. Returns the token count. */
  async close(): Promise<number> {
    if (this.#closed) return this.#tokenCount;
    this.#closed = true;
    const header = encodeShardHeader({
      version: this.version,
      tokenCount: this.#tokenCount,
      ...(this.#largestTokenId >= 0 ? { largestTokenId: this.#largestTokenId } : {}),
    });
    await this.handle.write(header, 0, header.byteLength, 0);
    await this.handle.close();
    await rename(partialPath(this.path), this.path);
    return this.#tokenCount;
  }

  /** Closes and deletes the partial file (nothing appears under the final name). */
  async abort(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handle.close();
    await rm(partialPath(this.path), { force: true });
  }
}

export function partialPath(path: string): string {
  return `${path}.partial`;
}

/** Opens `<path>.partial` for streaming; `version` 1 (uint16, default) or 2 (uint32). */
export async function openShardWriter(options: {
  path: string;
  version?: ShardVersion;
}): Promise<ShardWriter> {
  const version = options.version ?? SHARD_VERSION_UINT16;
  const handle = await open(partialPath(options.path), 'w');
  await handle.write(encodeShardHeader({ version, tokenCount: 0 }), 0, SHARD_HEADER_BYTES, 0);
  return new ShardWriter(options.path, version, handle);
}
