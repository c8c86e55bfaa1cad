import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readShard, type TokenizerLike, tokenizeToShards } from './index.ts';

const fixture = new URL('./__fixtures__/byte-tokenizer.mjs', import.meta.url).href;
let tokenizer: TokenizerLike;
let dir: string;
beforeAll(async () => {
  tokenizer = (await import(fixture)).createByteTokenizer();
  dir = await mkdtemp(join(tmpdir(), 'lmkit-tok-'));
});

// 300 documents of varied length, one spelling the separator as text.
const documents = Array.from({ length: 300 }, (_, i) => ({
  text: i === 7 ? 'fake <|endoftext|> inside' : `doc ${i} ${'é'.repeat(i % 13)}`,
}));
const expectedStream = () =>
  documents.flatMap((d) => [256, ...Array.from(new TextEncoder().encode(d.text))]);
const readAll = async (paths: string[]) => {
  const out: number[] = [];
  for (const path of paths) out.push(...(await readShard(path, { version: 1 })).tokens);
  return out;
};

describe('tokenizeToShards', () => {
  it('writes <|endoftext|>-led documents into full shards, the first one for validation', async () => {
    const outDir = join(dir, 'inline');
    const reported: { tokens: number; documents: number; totalDocuments: number }[] = [];
    const result = await tokenizeToShards({
      documents,
      tokenizer,
      outDir,
      tokensPerShard: 1000,
      documentsPerBatch: 16,
      onShard: ({ tokens, documents, totalDocuments }) =>
        reported.push({ tokens, documents, totalDocuments }),
    });
    expect(reported.length).toBe(result.shards.length);
    expect(reported.reduce((sum, r) => sum + r.documents, 0)).toBe(300);
    expect(reported.at(-1)?.totalDocuments).toBe(300);
    expect(reported.reduce((sum, r) => sum + r.tokens, 0)).toBe(result.tokens);
    const stream = expectedStream();
    expect(result.tokens).toBe(stream.length);
    expect(result.documents).toBe(300);
    expect(result.shards.map((p) => p.slice(outDir.length + 1))).toEqual(
      Array.from({ length: Math.ceil(stream.length / 1000) }, (_, i) =>
        i === 0 ? 'shard_val_000000.bin' : `shard_train_${String(i).padStart(6, '0')}.bin`,
      ),
    );
    for (const path of result.shards.slice(0, -1))
      expect((await readShard(path)).tokens.length).toBe(1000);
    expect(await readAll(result.shards)).toEqual(stream);
    // The separator spelled in document 7 stays ordinary bytes: 300 separators in all.
    expect(stream.filter((t) => t === 256).length).toBe(300);
  });

  it('gives the same shards over worker threads loading a tokenizer factory', async () => {
    const outDir = join(dir, 'workers');
    const result = await tokenizeToShards({
      documents: (async function* () {
        yield* documents;
      })(),
      tokenizer: { module: fixture, exportName: 'loadByteTokenizerAsync' },
      workers: 2,
      outDir,
      tokensPerShard: 1000,
      documentsPerBatch: 7,
    });
    expect(await readAll(result.shards)).toEqual(expectedStream());
  });

  it('resumes after an interruption without duplicating or losing documents', async () => {
    const outDir = join(dir, 'resume');
    const failing = function* (stopAt: number) {
      for (const [i, d] of documents.entries()) {
        if (i === stopAt) throw new Error('power cut');
        yield d;
      }
    };
    const options = { tokenizer, outDir, tokensPerShard: 700, documentsPerBatch: 5 };
    await expect(tokenizeToShards({ ...options, documents: failing(123) })).rejects.toThrow(
      'power cut',
    );
    const afterCut = (await readdir(outDir)).sort();
    expect(afterCut.some((f) => f.endsWith('.partial'))).toBe(false);
    expect(afterCut.filter((f) => f.endsWith('.bin')).length).toBeGreaterThan(0);
    await expect(tokenizeToShards({ ...options, documents: failing(200) })).rejects.toThrow(
      'power cut',
    );
    const result = await tokenizeToShards({ ...options, documents });
    expect(result.resumedDocuments).toBeGreaterThan(100);
    expect(await readAll(result.shards)).toEqual(expectedStream());
    const progress = JSON.parse(await readFile(join(outDir, 'shard_progress.json'), 'utf8'));
    expect(progress.complete).toBe(true);
    // A finished run is not redone.
    expect((await tokenizeToShards({ ...options, documents: [] })).shards).toEqual(result.shards);
    await expect(
      tokenizeToShards({
        ...options,
        outDir: join(dir, 'resume-mismatch'),
        documents: failing(50),
      }),
    ).rejects.toThrow();
    await expect(
      tokenizeToShards({
        ...options,
        tokensPerShard: 500,
        outDir: join(dir, 'resume-mismatch'),
        documents,
      }),
    ).rejects.toThrow(/records tokensPerShard 700 .* asks for 500/);
  });

  it('picks uint32 shards for vocabularies over 65,536 ids', async () => {
    const { createByteTokenizer } = await import(fixture);
    const wide = createByteTokenizer(['<|endoftext|>'], true);
    const result = await tokenizeToShards({
      documents: documents.slice(0, 3),
      tokenizer: wide,
      outDir: join(dir, 'wide'),
      tokensPerShard: 100,
    });
    const shard = await readShard(result.shards[0]);
    expect(shard.version).toBe(2);
    expect(shard.tokens[1]).toBe(70000 + 'd'.charCodeAt(0));
    await expect(readShard(result.shards[0], { version: 1 })).rejects.toThrow(/uint32/);
  });

  it('rejects a tokenizer object with workers and a factory that fails to load', async () => {
    await expect(
      tokenizeToShards({
        documents,
        tokenizer,
        workers: 2,
        outDir: join(dir, 'x'),
        tokensPerShard: 10,
      }),
    ).rejects.toThrow(/cannot cross to worker threads/);
    await expect(
      tokenizeToShards({
        documents,
        tokenizer: { module: fixture, exportName: 'nope' },
        outDir: join(dir, 'y'),
        tokensPerShard: 10,
      }),
    ).rejects.toThrow(/export nope .* is not a function/);
  });
});
