// Yields (B, T+1) token windows from llm.c shards for next-token training, with seeded shuffling,
// a rank/world split for data-parallel runs and a JSON cursor that resumes the exact stream.
// Windows start at multiples of T inside a shard (llm.c's layout); a shard's leftover tail is skipped.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DatasetsError } from './errors.ts';
import {
  permutation,
  type RandomWords,
  randomFromWords,
  randomWords,
  SeededRandom,
} from './random.ts';
import { readShardSync } from './shard-file.ts';
import { decodeShardHeader, SHARD_HEADER_BYTES } from './shard-header.ts';

/**
 * Where a loader stands: the next batch is batch `offset` of the shard at position `shard` of
 * `shardOrder` (indices into `files`) in epoch `epoch`; `rng` is the generator state from which that
 * shard's window order is drawn. Rank-independent: every rank of a run can share one cursor.
 */
export interface LoaderCursor {
  version: 1;
  epoch: number;
  shard: number;
  offset: number;
  shardOrder: number[];
  rng: RandomWords;
}

export interface BatchLoaderOptions {
  /** Shard paths (version 1 or 2, mixed is fine). */
  files: string[];
  /** Rows per batch (B), per rank. */
  batchSize: number;
  /** Tokens of input per row (T); each row carries T+1 tokens. */
  sequenceLength: number;
  /** Seed of the shuffle; default 0. */
  seed?: number;
  /** Shuffle shard order each epoch and window order inside each shard; default false (file order). */
  shuffle?: boolean;
  /** This process's rank, 0..worldSize-1; default 0. */
  rank?: number;
  /** Number of data-parallel processes; default 1. Ranks take disjoint windows of one global batch. */
  worldSize?: number;
  /** Resume from `cursor()` of an earlier loader opened with the same files, sizes, seed and shuffle. */
  cursor?: LoaderCursor;
}

export interface Batch {
  /** (B, T+1) row-major: inputs are `[:, :T]`, targets `[:, 1:]`. */
  tokens: Int32Array;
  batchSize: number;
  sequenceLength: number;
}

/** Holds the open shard and the position in the stream; create it with `BatchLoader.open`. */
export class BatchLoader {
  readonly batchSize: number;
  readonly sequenceLength: number;
  readonly files: readonly string[];
  readonly #shuffle: boolean;
  readonly #rank: number;
  readonly #worldSize: number;
  /** Windows of T+1 tokens each file holds, and global batches (all ranks together) it yields. */
  readonly #windowsPerFile: number[];
  readonly #batchesPerFile: number[];
  #epoch: number;
  #order: number[];
  #position: number;
  #offset: number;
  #shardState: RandomWords;
  #random: SeededRandom;
  #loaded: { tokens: Uint16Array | Uint32Array; windows: Uint32Array | undefined } | undefined;

  private constructor(
    options: Required<Omit<BatchLoaderOptions, 'cursor'>>,
    windowsPerFile: number[],
    cursor: LoaderCursor,
  ) {
    this.files = [...options.files];
    this.batchSize = options.batchSize;
    this.sequenceLength = options.sequenceLength;
    this.#shuffle = options.shuffle;
    this.#rank = options.rank;
    this.#worldSize = options.worldSize;
    this.#windowsPerFile = windowsPerFile;
    const rowsPerGlobalBatch = options.batchSize * options.worldSize;
    this.#batchesPerFile = windowsPerFile.map((n) => Math.floor(n / rowsPerGlobalBatch));
    this.#epoch = cursor.epoch;
    this.#order = [...cursor.shardOrder];
    this.#position = cursor.shard;
    this.#offset = cursor.offset;
    this.#shardState = [...cursor.rng] as RandomWords;
    this.#random = randomFromWords(this.#shardState);
  }

  /** Reads every shard header, checks the sizes fit, and positions the loader (at `cursor` if given). */
  static async open(options: BatchLoaderOptions): Promise<BatchLoader> {
    const resolved = {
      files: options.files,
      batchSize: options.batchSize,
      sequenceLength: options.sequenceLength,
      seed: options.seed ?? 0,
      shuffle: options.shuffle ?? false,
      rank: options.rank ?? 0,
      worldSize: options.worldSize ?? 1,
    };
    checkInteger('batchSize', resolved.batchSize, 1);
    checkInteger('sequenceLength', resolved.sequenceLength, 1);
    checkInteger('worldSize', resolved.worldSize, 1);
    checkInteger('rank', resolved.rank, 0);
    if (resolved.rank >= resolved.worldSize) {
      throw new DatasetsError(
        `rank ${resolved.rank} is not below worldSize ${resolved.worldSize}; ranks run 0..worldSize-1`,
      );
    }
    if (resolved.files.length === 0)
      throw new DatasetsError('files is empty; pass at least one shard path');
    const rowsPerGlobalBatch = resolved.batchSize * resolved.worldSize;
    const windowsPerFile = resolved.files.map((file) =>
      Math.max(0, Math.floor((readTokenCount(file) - 1) / resolved.sequenceLength)),
    );
    const batchesPerFile = windowsPerFile.map((n) => Math.floor(n / rowsPerGlobalBatch));
    if (batchesPerFile.every((n) => n === 0)) {
      throw new DatasetsError(
        `no shard holds one global batch of ${rowsPerGlobalBatch} windows × ${resolved.sequenceLength + 1} tokens (batchSize ${resolved.batchSize} × worldSize ${resolved.worldSize}); use smaller batchSize or sequenceLength, or more tokens per shard`,
      );
    }
    const cursor =
      options.cursor ?? firstCursor(resolved.files.length, resolved.seed, resolved.shuffle);
    checkCursor(cursor, batchesPerFile);
    return new BatchLoader(resolved, windowsPerFile, cursor);
  }

  /** Global batches (each rank gets one slice of each) in one pass over all shards. */
  get batchesPerEpoch(): number {
    return this.#batchesPerFile.reduce((a, b) => a + b, 0);
  }

  /** The next batch; wraps into a new epoch (reshuffled when shuffling) at the end of the shards. */
  next(): Batch {
    const B = this.batchSize;
    const T = this.sequenceLength;
    for (;;) {
      const file = this.#order[this.#position];
      if (this.#offset >= this.#batchesPerFile[file]) {
        this.#advance();
        continue;
      }
      const shard = this.#load(file);
      const tokens = new Int32Array(B * (T + 1));
      const first = (this.#offset * this.#worldSize + this.#rank) * B;
      for (let row = 0; row < B; row++) {
        const window = shard.windows ? shard.windows[first + row] : first + row;
        tokens.set(shard.tokens.subarray(window * T, window * T + T + 1), row * (T + 1));
      }
      this.#offset++;
      return { tokens, batchSize: B, sequenceLength: T };
    }
  }

  /** The position of the next batch, JSON-serialisable; `open({ ..., cursor })` resumes there. */
  cursor(): LoaderCursor {
    return {
      version: 1,
      epoch: this.#epoch,
      shard: this.#position,
      offset: this.#offset,
      shardOrder: [...this.#order],
      rng: [...this.#shardState] as RandomWords,
    };
  }

  #load(file: number) {
    if (this.#loaded) return this.#loaded;
    this.#random = randomFromWords(this.#shardState);
    const { tokens } = readShardSync(this.files[file]);
    const windows = this.#shuffle
      ? permutation(this.#windowsPerFile[file], this.#random)
      : undefined;
    this.#loaded = { tokens, windows };
    return this.#loaded;
  }

  #advance() {
    if (!this.#loaded) {
      // Draw the skipped shard's window order anyway, so the stream does not depend on which
      // shards were read (a loader resumed at the end of a shard must match one that read it).
      this.#random = randomFromWords(this.#shardState);
      if (this.#shuffle)
        permutation(this.#windowsPerFile[this.#order[this.#position]], this.#random);
    }
    this.#loaded = undefined;
    this.#offset = 0;
    this.#position++;
    if (this.#position >= this.#order.length) {
      this.#epoch++;
      this.#position = 0;
      this.#order = shardOrder(this.#order.length, this.#shuffle, this.#random);
    }
    this.#shardState = randomWords(this.#random);
  }
}

function firstCursor(fileCount: number, seed: number, shuffle: boolean): LoaderCursor {
  const random = new SeededRandom(seed);
  const order = shardOrder(fileCount, shuffle, random);
  return { version: 1, epoch: 0, shard: 0, offset: 0, shardOrder: order, rng: randomWords(random) };
}

function shardOrder(count: number, shuffle: boolean, random: SeededRandom): number[] {
  return shuffle
    ? Array.from(permutation(count, random))
    : Array.from({ length: count }, (_, i) => i);
}

function readTokenCount(path: string): number {
  const fd = openSync(path, 'r');
  try {
    const header = new Uint8Array(SHARD_HEADER_BYTES);
    const read = readSync(fd, header, 0, SHARD_HEADER_BYTES, 0);
    return decodeShardHeader(header.subarray(0, read), {
      fileBytes: fstatSync(fd).size,
      source: path,
    }).tokenCount;
  } finally {
    closeSync(fd);
  }
}

function checkInteger(name: string, value: number, min: number) {
  if (!Number.isInteger(value) || value < min) {
    throw new DatasetsError(`${name} ${value} must be an integer ≥ ${min}`);
  }
}

function checkCursor(cursor: LoaderCursor, batchesPerFile: number[]) {
  const n = batchesPerFile.length;
  const bad = (why: string) =>
    new DatasetsError(
      `cursor ${JSON.stringify(cursor)} ${why}; pass a cursor() taken from a loader over the same files and sizes`,
    );
  if (cursor?.version !== 1) throw bad('has an unknown version (expected 1)');
  const order = cursor.shardOrder;
  if (
    !Array.isArray(order) ||
    order.length !== n ||
    new Set(order).size !== n ||
    !order.every((i) => Number.isInteger(i) && i >= 0 && i < n)
  ) {
    throw bad(`has a shardOrder that is not a permutation of the ${n} files`);
  }
  if (!Number.isInteger(cursor.shard) || cursor.shard < 0 || cursor.shard >= n)
    throw bad(`has shard ${cursor.shard} outside 0..${n - 1}`);
  const limit = batchesPerFile[order[cursor.shard]];
  if (!Number.isInteger(cursor.offset) || cursor.offset < 0 || cursor.offset > limit) {
    throw bad(`has offset ${cursor.offset} outside 0..${limit} for that shard`);
  }
  if (!Number.isInteger(cursor.epoch) || cursor.epoch < 0) throw bad(`has epoch ${cursor.epoch}`);
  randomFromWords(cursor.rng);
}
