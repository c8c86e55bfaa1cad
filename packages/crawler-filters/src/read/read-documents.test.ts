import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import { collectInto, pipe } from '../pipeline.ts';
import { writeDocuments } from '../write-documents.ts';
import { documentSource, readDocuments } from './read-documents.ts';

const DOCS: Document[] = [
  {
    id: 'a',
    text: 'First document, with ünïcödé and emoji 🌊.',
    url: 'https://a.example/',
    metadata: { language: 'eng', score: 0.9 },
  },
  { id: 'b', text: 'Second document\nwith two lines.', metadata: {} },
  { id: 'c', text: '第三个文件。', metadata: { dump: 'CC-MAIN-2024-22' } },
];

async function* from(items: Document[]) {
  yield* items;
}

async function readAll(paths: string[]) {
  const docs: Document[] = [];
  const errors: [string, string][] = [];
  for await (const doc of readDocuments({
    paths,
    onError: (d, reason) => errors.push([d.id, reason]),
  }))
    docs.push(doc);
  return { docs, errors };
}

describe('JSONL and Parquet round trips', () => {
  it.each(['jsonl', 'jsonl.gz', 'parquet'] as const)(
    'writes %s shards and reads the same documents back',
    async (format) => {
      const dir = await mkdtemp(join(tmpdir(), 'shards-'));
      const writer = writeDocuments({ dir, format, maxDocumentsPerShard: 2 });
      await pipe(from(DOCS), writer.sink);
      expect(writer.files.map((f) => f.slice(dir.length + 1))).toEqual([
        `documents-00000.${format}`,
        `documents-00001.${format}`,
      ]);
      expect((await readdir(dir)).sort()).toEqual([
        `documents-00000.${format}`,
        `documents-00001.${format}`,
      ]);
      const { docs, errors } = await readAll(writer.files);
      expect(errors).toEqual([]);
      expect(docs).toEqual(DOCS);
    },
  );

  it('reads zstd-compressed JSONL (made with the zstd 1.5 CLI), again and again', async () => {
    const path = fileURLToPath(new URL('../__fixtures__/docs.jsonl.zst', import.meta.url));
    for (let round = 0; round < 3; round++) {
      const result = await readAll([path]);
      expect(result.errors).toEqual([]);
      expect(result.docs).toEqual(DOCS);
    }
  });

  it('counts bad lines, unknown formats and truncated gzip as errors, and goes on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bad-jsonl-'));
    const path = join(dir, 'mixed.jsonl');
    await writeFile(
      path,
      [
        '{"id":"ok1","text":"fine"}',
        '{not json',
        '["an array"]',
        '{"id":"x","body":"no text"}',
        '',
        '{"text":"no id"}',
      ].join('\n'),
    );
    const truncated = join(dir, 'cut.jsonl.gz');
    const gz = gzipSync(
      Buffer.from(
        DOCS.map((d) => JSON.stringify(d))
          .join('\n')
          .repeat(20),
      ),
    );
    await writeFile(truncated, gz.subarray(0, gz.length - 40));
    const unknown = join(dir, 'notes.txt');
    await writeFile(unknown, 'hello');
    const { docs, errors } = await readAll([path, unknown, truncated]);
    expect(docs.slice(0, 2).map((d) => d.id)).toEqual(['ok1', 'mixed.jsonl:6']);
    expect(errors.slice(0, 4)).toEqual([
      ['mixed.jsonl:2', 'invalid-json'],
      ['mixed.jsonl:3', 'not-an-object'],
      ['mixed.jsonl:4', 'missing-text'],
      [unknown, 'unknown-format'],
    ]);
    expect(errors.at(-1)?.[1]).toBe('truncated-gzip');
    const stats = await pipe(
      documentSource({ paths: [path, unknown, truncated] }),
      collectInto([]),
    );
    expect(stats.read).toBe(stats.kept + stats.errored);
    // Every line decoded before the cut is read: in the gzip, line 3 joins two repeats of the
    // corpus (`.repeat` adds no newline) and the last line is cut short, both invalid JSON.
    expect(stats.stages[0].errored).toMatchObject({
      'invalid-json': 3,
      'not-an-object': 1,
      'missing-text': 1,
      'unknown-format': 1,
      'truncated-gzip': 1,
    });
  });

  it('reports a file that is not Parquet', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bad-parquet-'));
    const path = join(dir, 'fake.parquet');
    await writeFile(path, 'definitely not parquet');
    expect((await readAll([path])).errors).toEqual([['fake.parquet#0', 'invalid-parquet']]);
    expect(await readFile(path, 'utf8')).toBe('definitely not parquet');
  });
});
