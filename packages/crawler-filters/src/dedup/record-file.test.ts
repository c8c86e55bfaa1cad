import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSameConfig, recordMinHashConfig } from './layout.ts';
import { compareRecords, RecordCursor, readRecords, writeRecordFile } from './record-file.ts';

describe('record files', () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lmkit-records-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('round-trips records across chunk boundaries', async () => {
    const path = join(root, 'a.bin');
    const records = Uint32Array.from({ length: 3 * 1000 }, (_, i) => (i * 2654435761) >>> 0);
    await writeRecordFile({ path, magic: 'SIGS', width: 3, records, count: 1000 });
    const cursor = new RecordCursor(
      3,
      readRecords({ path, magic: 'SIGS', width: 3, chunkRecords: 7 }),
    );
    const seen: number[] = [];
    for (let more = await cursor.start(); more; more = await cursor.advance())
      seen.push(...cursor.current);
    expect(seen).toEqual([...records]);
  });

  it('refuses a wrong magic, width or a truncated file, naming the file and the fix', async () => {
    const path = join(root, 'b.bin');
    await writeRecordFile({
      path,
      magic: 'MTCH',
      width: 4,
      records: new Uint32Array(40),
      count: 10,
    });
    const drain = async (options: Parameters<typeof readRecords>[0]) => {
      for await (const _ of readRecords(options));
    };
    await expect(drain({ path, magic: 'SIGS', width: 4 })).rejects.toThrow(
      /b\.bin: not a SIGS dedup file/,
    );
    await expect(drain({ path, magic: 'MTCH', width: 10 })).rejects.toThrow(
      /4 words per record, expected 10/,
    );
    await truncate(path, 16 + 4 * 4 * 9);
    await expect(drain({ path, magic: 'MTCH', width: 4 })).rejects.toThrow(
      /announces 10 records.*truncated/,
    );
    await writeFile(path, 'no');
    await expect(drain({ path, magic: 'MTCH', width: 4 })).rejects.toThrow(/bad header/);
  });

  it('orders records lexicographically', () => {
    expect(compareRecords(Uint32Array.of(1, 2, 3), Uint32Array.of(1, 2, 4))).toBe(-1);
    expect(compareRecords(Uint32Array.of(0xffffffff, 0), Uint32Array.of(1, 5))).toBe(1);
    expect(compareRecords(Uint32Array.of(1, 2, 3), Uint32Array.of(1, 2, 4), 2)).toBe(0);
  });

  it('keeps one MinHash config per work directory', async () => {
    const workDir = join(root, 'work');
    const config = { ngram: 5, buckets: 14, hashesPerBucket: 8, seed: 1 };
    await recordMinHashConfig(workDir, config);
    await recordMinHashConfig(workDir, config);
    await expect(recordMinHashConfig(workDir, { ...config, seed: 2 })).rejects.toThrow(
      /signatures made with seed 1, not 2/,
    );
    expect(() => checkSameConfig('w', config, { ...config, ngram: 3 })).toThrow(/ngram 5, not 3/);
  });
});
