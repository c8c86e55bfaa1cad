import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
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

const awkward = [
  '',
  'plain',
  '🙂 emoji',
  '漢字とかな',
  '\ud800 lone',
  ' \n\t  spaces\r\n',
  '"quotes" \\ back',
];
const docs: Document[] = Array.from({ length: 45 }, (_, i) => ({
  id: `doc-${i}`,
  text: `${awkward[i % awkward.length]} #${i}`,
  ...(i % 3 === 0 ? { url: `https://example.com/${i}` } : {}),
  metadata: { index: i, tags: ['a', String(i)], nested: { ok: i % 2 === 0 } },
}));
// JSON escapes a lone surrogate (\ud800) and keeps it; Parquet stores UTF-8, where it becomes U+FFFD.
const asUtf8 = docs.map((d) => ({ ...d, text: d.text.replace('\ud800', '\ufffd') }));

describe('document files', () => {
  it.each(['docs.jsonl', 'docs.jsonl.gz', 'docs.jsonl.zst', 'docs.parquet', 'docs-zstd.parquet'])(
    'round-trips documents through %s',
    async (name) => {
      const path = join(dir, name);
      const written = await writeDocuments({
        path,
        documents: (async function* () {
          yield* docs;
        })(),
        rowsPerBatch: 10,
        codec: name.includes('zstd') ? 'ZSTD' : undefined,
      });
      expect(written).toBe(45);
      const back = await collect(readDocuments({ path, rowsPerBatch: 7 }));
      expect(back).toEqual(name.endsWith('.parquet') ? asUtf8 : docs);
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
