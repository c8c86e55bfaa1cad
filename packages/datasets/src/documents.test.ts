import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Document, newLoadReport, readDocuments, writeDocuments } from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-docs-'));
});
const collect = async (items: AsyncIterable<Document>) => {
  const out: Document[] = [];
  for await (const item of items) out.push(item);
  return out;
};

// Formats, compression and round trips are @lmkit/core's (its documents tests); these check the
// datasets layer: name-driven writing, the report counts and InvalidRecordError / DatasetsError.
const docs: Document[] = [
  { id: 'a', text: 'first 🙂', url: 'https://example.com/a', metadata: { n: 1 } },
  { id: 'b', text: '漢字とかな', metadata: {} },
  { id: 'c', text: '', metadata: { nested: { ok: true } } },
];

describe('document files', () => {
  it.each(['docs.jsonl', 'docs.jsonl.gz', 'docs.jsonl.zst', 'docs.parquet'])(
    'writes %s by its name and reads it back, counting records',
    async (name) => {
      const path = join(dir, name);
      expect(await writeDocuments({ path, documents: docs })).toBe(3);
      const report = newLoadReport();
      expect(await collect(readDocuments({ path, report }))).toEqual(docs);
      expect(report).toEqual({ records: 3, yielded: 3, skipped: {} });
    },
  );

  it('keeps FineWeb-style extra fields in metadata and names ids after their line', async () => {
    const path = join(dir, 'fineweb.jsonl');
    await writeFile(
      path,
      `${JSON.stringify({ text: 'hello', dump: 'CC-MAIN-2024-10', language_score: 0.93, url: 'https://a.b' })}\n`,
    );
    const [doc] = await collect(readDocuments({ path }));
    expect(doc).toEqual({
      id: `${path}:1`,
      text: 'hello',
      url: 'https://a.b',
      metadata: { dump: 'CC-MAIN-2024-10', language_score: 0.93 },
    });
  });

  it('names file, line and field for bad records, or counts them with skipInvalid', async () => {
    const path = join(dir, 'bad.jsonl');
    await writeFile(
      path,
      [
        '{"id": "a", "text": "ok"}',
        '{"id": "b"}',
        '[1]',
        '{"text": "x", "metadata": 5}',
        'nope',
      ].join('\n'),
    );
    await expect(collect(readDocuments({ path }))).rejects.toThrow(
      /bad\.jsonl:2: text is missing, expected a string/,
    );
    const report = newLoadReport();
    const out = await collect(readDocuments({ path, skipInvalid: true, report }));
    expect(out.map((d) => d.id)).toEqual(['a']);
    expect(report).toEqual({
      records: 5,
      yielded: 1,
      skipped: { 'missing text': 1, 'not an object': 1, 'bad metadata': 1, 'broken JSON': 1 },
    });
  });

  it('reports a truncated zstd file', async () => {
    const path = join(dir, 'cut.jsonl.zst');
    await writeDocuments({ path, documents: docs });
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 5));
    await expect(collect(readDocuments({ path }))).rejects.toThrow(
      /cut\.jsonl\.zst: zstd data ends inside a frame/,
    );
  });
});
