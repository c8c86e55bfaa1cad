// Binary files of fixed-width uint32 records, the currency between the dedup stages: a 16-byte header
// (magic, version, words per record, record count) then the records, little-endian. Readers stream
// them in chunks, so a file larger than memory is read in constant space.

import { type FileHandle, open } from 'node:fs/promises';
import { CrawlerFiltersError } from '../errors.ts';

const HEADER_BYTES = 16;
const VERSION = 1;
/** Records read per chunk by `readRecords`. */
const CHUNK_RECORDS = 8192;

/** Typed arrays use the platform's byte order; the files are little-endian. */
function checkLittleEndian(): void {
  if (new Uint8Array(new Uint32Array([1]).buffer)[0] !== 1) {
    throw new CrawlerFiltersError(
      'big-endian-platform',
      'dedup record files are little-endian and this platform is big-endian; run on x86-64 or arm64',
    );
  }
}

/** Four ASCII letters naming what a file holds, e.g. `SIGS`. */
export type RecordMagic = 'SIGS' | 'MTCH';

function magicNumber(magic: RecordMagic): number {
  return (
    (magic.charCodeAt(0) |
      (magic.charCodeAt(1) << 8) |
      (magic.charCodeAt(2) << 16) |
      (magic.charCodeAt(3) << 24)) >>>
    0
  );
}

/**
 * Appends records to a new file and patches the record count into the header on `close()`, so a
 * stage can write more records than it holds in memory.
 */
export class RecordWriter {
  private count = 0;
  private position = HEADER_BYTES;

  private constructor(
    private readonly handle: FileHandle,
    readonly width: number,
  ) {}

  static async create(options: {
    path: string;
    magic: RecordMagic;
    width: number;
  }): Promise<RecordWriter> {
    checkLittleEndian();
    const handle = await open(options.path, 'w');
    const header = new Uint32Array([magicNumber(options.magic), VERSION, options.width, 0]);
    await handle.write(new Uint8Array(header.buffer), 0, HEADER_BYTES, 0);
    return new RecordWriter(handle, options.width);
  }

  /** Appends the first `count` records of `records`. */
  async write(records: Uint32Array, count: number): Promise<void> {
    if (count === 0) return;
    const body = records.subarray(0, count * this.width);
    await this.handle.write(
      new Uint8Array(body.buffer, body.byteOffset, body.byteLength),
      0,
      body.byteLength,
      this.position,
    );
    this.position += body.byteLength;
    this.count += count;
  }

  /** Writes the record count into the header and closes the file; returns the count. */
  async close(): Promise<number> {
    await this.handle.write(new Uint8Array(new Uint32Array([this.count]).buffer), 0, 4, 12);
    await this.handle.close();
    return this.count;
  }
}

/** Writes `count` records of `width` uint32 words (taken from the start of `records`). */
export async function writeRecordFile(options: {
  path: string;
  magic: RecordMagic;
  width: number;
  records: Uint32Array;
  count: number;
}): Promise<void> {
  const writer = await RecordWriter.create(options);
  await writer.write(options.records, options.count);
  await writer.close();
}

/** A chunk of records: `records[i * width ... (i + 1) * width)` for i < count. */
export interface RecordChunk {
  records: Uint32Array;
  count: number;
}

/**
 * Streams a record file chunk by chunk, checking the header (magic, version, width) and that the
 * file holds exactly the records the header announces.
 */
export async function* readRecords(options: {
  path: string;
  magic: RecordMagic;
  width: number;
  chunkRecords?: number;
}): AsyncGenerator<RecordChunk> {
  const { path, magic, width } = options;
  checkLittleEndian();
  const handle = await open(path, 'r');
  try {
    const header = new Uint32Array(4);
    const { bytesRead } = await handle.read(new Uint8Array(header.buffer), 0, HEADER_BYTES, 0);
    const fail = (what: string, fix: string): never => {
      throw new CrawlerFiltersError('corrupt-dedup-file', `${path}: ${what}; ${fix}`);
    };
    if (bytesRead < HEADER_BYTES || header[0] !== magicNumber(magic)) {
      fail(`not a ${magic} dedup file (bad header)`, 'point the stage at its own work directory');
    }
    if (header[1] !== VERSION) {
      fail(`format version ${header[1]}, this reader knows ${VERSION}`, 'rerun the earlier stage');
    }
    if (header[2] !== width) {
      fail(
        `${header[2]} words per record, expected ${width}`,
        'use the same MinHash config in every stage',
      );
    }
    const total = header[3];
    const { size } = await handle.stat();
    if (size !== HEADER_BYTES + total * width * 4) {
      fail(
        `${size} bytes but the header announces ${total} records`,
        'the file is truncated: rerun the stage that wrote it',
      );
    }
    const chunkRecords = options.chunkRecords ?? CHUNK_RECORDS;
    let position = HEADER_BYTES;
    for (let done = 0; done < total; ) {
      const count = Math.min(chunkRecords, total - done);
      const records = new Uint32Array(count * width);
      await handle.read(new Uint8Array(records.buffer), 0, records.byteLength, position);
      position += records.byteLength;
      done += count;
      yield { records, count };
    }
  } finally {
    await handle.close();
  }
}

/** A cursor over one record file: `current` is the record at hand, `advance()` moves on. */
export class RecordCursor {
  private chunk: RecordChunk | undefined;
  private index = 0;
  private readonly chunks: AsyncGenerator<RecordChunk>;

  constructor(
    readonly width: number,
    chunks: AsyncGenerator<RecordChunk>,
  ) {
    this.chunks = chunks;
  }

  /** Loads the first record; false when the file is empty. */
  async start(): Promise<boolean> {
    return this.nextChunk();
  }

  /** The record at hand, as a view (valid until the next `advance`). */
  get current(): Uint32Array {
    const start = this.index * this.width;
    return this.chunk!.records.subarray(start, start + this.width);
  }

  /** Moves to the next record; false at the end of the file (a promise only at chunk ends). */
  advance(): boolean | Promise<boolean> {
    this.index++;
    if (this.index < this.chunk!.count) return true;
    return this.nextChunk();
  }

  private async nextChunk(): Promise<boolean> {
    const next = await this.chunks.next();
    if (next.done) {
      this.chunk = undefined;
      return false;
    }
    this.chunk = next.value;
    this.index = 0;
    return this.chunk.count > 0 || this.nextChunk();
  }
}

/** Lexicographic order of two records over their first `length` words. */
export function compareRecords(a: Uint32Array, b: Uint32Array, length = a.length): number {
  for (let i = 0; i < length; i++) {
    if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
  }
  return 0;
}
