import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchLoader, type LoaderCursor, writeShard } from './index.ts';

// Shard k holds tokens k*1000 + 0, 1, 2, ...: a row's first token names its shard and window.
let dir: string;
let files: string[];
const counts = [101, 61, 45];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-loader-'));
  files = [];
  for (const [k, n] of counts.entries()) {
    const path = join(dir, `s_${k}.bin`);
    await writeShard(
      path,
      Array.from({ length: n }, (_, i) => k * 1000 + i),
      { version: k === 2 ? 2 : 1 },
    );
    files.push(path);
  }
});

const firstTokens = (tokens: Int32Array, B: number, T: number) =>
  Array.from({ length: B }, (_, r) => tokens[r * (T + 1)]);

describe('BatchLoader', () => {
  it('yields (B, T+1) rows in llm.c order without shuffling, rows overlapping by one token', async () => {
    const loader = await BatchLoader.open({ files: [files[0]], batchSize: 2, sequenceLength: 10 });
    const a = loader.next();
    expect(a.batchSize).toBe(2);
    expect(a.sequenceLength).toBe(10);
    expect(Array.from(a.tokens)).toEqual([
      ...Array.from({ length: 11 }, (_, i) => i),
      ...Array.from({ length: 11 }, (_, i) => 10 + i),
    ]);
    const b = loader.next();
    expect(firstTokens(b.tokens, 2, 10)).toEqual([20, 30]);
    // 101 tokens → 10 windows → 5 batches per epoch; the sixth wraps to the start.
    for (let i = 0; i < 3; i++) loader.next();
    expect(firstTokens(loader.next().tokens, 2, 10)).toEqual([0, 10]);
    expect(loader.cursor().epoch).toBe(1);
  });

  it('covers every usable window once per epoch when shuffled, reproducibly from the seed', async () => {
    const options = { files, batchSize: 2, sequenceLength: 10, shuffle: true, seed: 5 };
    const loader = await BatchLoader.open(options);
    // windows: 10, 6, 4 → batches of 2: 5 + 3 + 2 = 10
    expect(loader.batchesPerEpoch).toBe(10);
    const seen = Array.from({ length: 10 }, () => firstTokens(loader.next().tokens, 2, 10)).flat();
    const expected = counts.flatMap((n, k) =>
      Array.from({ length: Math.floor((n - 1) / 10) }, (_, w) => k * 1000 + w * 10),
    );
    expect([...seen].sort((x, y) => x - y)).toEqual(expected);
    expect(seen).not.toEqual(expected);
    const again = await BatchLoader.open(options);
    expect(
      Array.from({ length: 10 }, () => firstTokens(again.next().tokens, 2, 10)).flat(),
    ).toEqual(seen);
    const other = await BatchLoader.open({ ...options, seed: 6 });
    expect(
      Array.from({ length: 10 }, () => firstTokens(other.next().tokens, 2, 10)).flat(),
    ).not.toEqual(seen);
    // The second epoch is a different order of the same windows.
    const second = Array.from({ length: 10 }, () =>
      firstTokens(loader.next().tokens, 2, 10),
    ).flat();
    expect([...second].sort((x, y) => x - y)).toEqual(expected);
    expect(second).not.toEqual(seen);
  });

  it('splits each global batch between ranks: disjoint, together the single-process stream', async () => {
    const base = { files, batchSize: 1, sequenceLength: 10, shuffle: true, seed: 3 };
    const ranks = await Promise.all(
      [0, 1].map((rank) => BatchLoader.open({ ...base, rank, worldSize: 2 })),
    );
    const single = await BatchLoader.open({ ...base, batchSize: 2 });
    for (let step = 0; step < 10; step++) {
      const parts = ranks.map((loader) => loader.next().tokens[0]);
      expect(parts[0]).not.toBe(parts[1]);
      expect(parts).toEqual(firstTokens(single.next().tokens, 2, 10));
    }
  });

  it('resumes exactly from a JSON cursor at every point, across shard and epoch boundaries', async () => {
    for (const shuffle of [false, true]) {
      const options = { files, batchSize: 2, sequenceLength: 10, shuffle, seed: 11 };
      const reference = await BatchLoader.open(options);
      const stream: number[][] = [];
      const cursors: LoaderCursor[] = [];
      for (let i = 0; i < 25; i++) {
        cursors.push(JSON.parse(JSON.stringify(reference.cursor())));
        stream.push(Array.from(reference.next().tokens));
      }
      for (let k = 0; k < 22; k++) {
        const resumed = await BatchLoader.open({ ...options, cursor: cursors[k] });
        for (let j = k; j < k + 3; j++)
          expect(Array.from(resumed.next().tokens)).toEqual(stream[j]);
      }
    }
  });

  it('rejects bad sizes, ranks and cursors with the value and the fix', async () => {
    await expect(BatchLoader.open({ files, batchSize: 0, sequenceLength: 4 })).rejects.toThrow(
      /batchSize 0 must be an integer ≥ 1/,
    );
    await expect(
      BatchLoader.open({ files, batchSize: 1, sequenceLength: 4, rank: 2, worldSize: 2 }),
    ).rejects.toThrow(/rank 2 is not below worldSize 2/);
    await expect(BatchLoader.open({ files, batchSize: 8, sequenceLength: 100 })).rejects.toThrow(
      /no shard holds one global batch/,
    );
    const loader = await BatchLoader.open({ files, batchSize: 1, sequenceLength: 4 });
    const cursor = { ...loader.cursor(), shardOrder: [0, 0, 1] };
    await expect(
      BatchLoader.open({ files, batchSize: 1, sequenceLength: 4, cursor }),
    ).rejects.toThrow(/not a permutation of the 3 files/);
    await expect(
      BatchLoader.open({ files: [join(dir, 'missing.bin')], batchSize: 1, sequenceLength: 4 }),
    ).rejects.toThrow(/missing\.bin/);
  });
});
