import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Document } from '../contracts.ts';
import { createDocumentWriter, readAllDocuments, writeDocumentShards } from './index.ts';

const docs: Document[] = Array.from({ length: 5 }, (_, i) => ({
  id: `d${i}`,
  text: `text ${i} 🌊`,
  metadata: { i },
}));

describe('createDocumentWriter', () => {
  it.each(['jsonl', 'jsonl.gz', 'jsonl.zst', 'parquet'] as const)(
    'rotates %s shards every maxDocumentsPerShard documents and reads them back',
    async (format) => {
      const dir = await mkdtemp(join(tmpdir(), 'lmkit-shards-'));
      const shards = await writeDocumentShards(docs, { dir, format, maxDocumentsPerShard: 2 });
      const names = [0, 1, 2].map((i) => `documents-0000${i}.${format}`);
      expect(shards).toEqual(names.map((name) => join(dir, name)));
      expect((await readdir(dir)).sort()).toEqual(names);
      expect(await readAllDocuments(shards)).toEqual(docs);
    },
  );

  it('writes each shard under a temporary name and renames it when full or closed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-shards-'));
    const writer = createDocumentWriter({ dir, prefix: 'part', maxDocumentsPerShard: 2 });
    await writer.write(docs[0]);
    expect(await readdir(dir)).toEqual(['.part-00000.jsonl.tmp']);
    await writer.write(docs[1]);
    await writer.write(docs[2]);
    expect((await readdir(dir)).sort()).toEqual(['.part-00001.jsonl.tmp', 'part-00000.jsonl']);
    expect(writer.shards).toEqual([join(dir, 'part-00000.jsonl')]);
    expect(await writer.close()).toEqual([
      join(dir, 'part-00000.jsonl'),
      join(dir, 'part-00001.jsonl'),
    ]);
    expect((await readdir(dir)).sort()).toEqual(['part-00000.jsonl', 'part-00001.jsonl']);
    await expect(writer.write(docs[3])).rejects.toThrow(/closed; create a new one/);
  });

  it('abort() removes the open temporary shard and keeps the finished ones', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-shards-'));
    const writer = createDocumentWriter({ dir, format: 'parquet', maxDocumentsPerShard: 2 });
    for (const doc of docs.slice(0, 3)) await writer.write(doc);
    expect(await writer.abort()).toEqual([join(dir, 'documents-00000.parquet')]);
    expect(await readdir(dir)).toEqual(['documents-00000.parquet']);
    expect(await readAllDocuments(join(dir, 'documents-00000.parquet'))).toEqual(docs.slice(0, 2));
  });

  it('aborts when the source fails, leaving no temporary file behind', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-shards-'));
    async function* failing() {
      yield docs[0];
      throw new Error('source broke');
    }
    await expect(writeDocumentShards(failing(), { dir, format: 'jsonl.gz' })).rejects.toThrow(
      'source broke',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('writes one empty shard when there are no documents, and rejects a shard size of 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lmkit-shards-'));
    const shards = await writeDocumentShards([], { dir, format: 'parquet' });
    expect(shards).toEqual([join(dir, 'documents-00000.parquet')]);
    expect(await readAllDocuments(shards)).toEqual([]);
    expect(() => createDocumentWriter({ dir, maxDocumentsPerShard: 0 })).toThrow(
      /maxDocumentsPerShard 0 is not a positive integer/,
    );
  });
});
