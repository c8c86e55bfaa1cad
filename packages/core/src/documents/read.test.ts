import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../contracts.ts';
import { sniffEncoding } from './bytes.ts';
import {
  DocumentFileError,
  type DocumentProblem,
  detectDocumentFormat,
  readAllDocuments,
  readParquetRows,
  writeDocumentFile,
  zstdDecompressStream,
} from './index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lmkit-core-docs-'));
});

const awkward = [
  '',
  'plain',
  '🙂 emoji',
  '漢字とかな',
  '\ud800 lone',
  ' \n\t  spaces\r\n',
  '"q" \\',
];
const docs: Document[] = Array.from({ length: 45 }, (_, i) => ({
  id: `doc-${i}`,
  text: `${awkward[i % awkward.length]} #${i}`,
  ...(i % 3 === 0 ? { url: `https://example.com/${i}` } : {}),
  ...(i % 5 === 0 ? { html: `<p>${i}</p>` } : {}),
  metadata: { index: i, tags: ['a', String(i)], nested: { ok: i % 2 === 0 } },
}));
// JSON escapes a lone surrogate and keeps it; Parquet stores UTF-8, where it becomes U+FFFD.
const asUtf8 = docs.map((d) => ({ ...d, text: d.text.replace('\ud800', '\ufffd') }));

async function* stream<T>(items: T[]) {
  yield* items;
}

describe('readDocuments / writeDocumentFile', () => {
  it.each([
    ['docs.jsonl', 'jsonl'],
    ['docs.jsonl.gz', 'jsonl.gz'],
    ['docs.jsonl.zst', 'jsonl.zst'],
    ['docs.parquet', 'parquet'],
    ['docs-zstd.parquet', 'parquet'],
  ] as const)('round-trips documents through %s', async (name, format) => {
    const path = join(dir, name);
    const codec = name.includes('zstd') ? 'ZSTD' : undefined;
    const written = await writeDocumentFile({
      path,
      documents: stream(docs),
      rowsPerBatch: 10,
      codec,
    });
    expect(written).toBe(45);
    expect(await detectDocumentFormat(path)).toBe(format);
    const back = await readAllDocuments(path, { rowsPerBatch: 7 });
    expect(back).toEqual(format === 'parquet' ? asUtf8 : docs);
  });

  it('streams raw Parquet rows with their 1-based numbers across row groups', async () => {
    const rows = [];
    for await (const row of readParquetRows(join(dir, 'docs.parquet'), { rowsPerBatch: 4 }))
      rows.push(row);
    expect(rows.map((r) => r.rowNumber)).toEqual(docs.map((_, i) => i + 1));
    expect(rows[3].row).toMatchObject({ id: 'doc-3', url: 'https://example.com/3', html: null });
    await expect(readParquetRows(join(dir, 'docs.jsonl')).next()).rejects.toThrow();
  });

  it('tells the format by the first bytes, not the name', async () => {
    const misnamed: [string, string][] = [
      ['docs.jsonl.gz', 'really-gzip.jsonl'],
      ['docs.jsonl.zst', 'really-zstd.txt'],
      ['docs.parquet', 'really-parquet.jsonl'],
      ['docs.jsonl', 'really-plain.gz'],
    ];
    for (const [from, to] of misnamed) await copyFile(join(dir, from), join(dir, to));
    expect(await detectDocumentFormat(join(dir, 'really-gzip.jsonl'))).toBe('jsonl.gz');
    expect(await detectDocumentFormat(join(dir, 'really-zstd.txt'))).toBe('jsonl.zst');
    expect(await detectDocumentFormat(join(dir, 'really-parquet.jsonl'))).toBe('parquet');
    expect(await detectDocumentFormat(join(dir, 'really-plain.gz'))).toBe('jsonl');
    const back = await readAllDocuments(misnamed.map(([, to]) => join(dir, to)));
    expect(back).toEqual([...docs, ...docs, ...asUtf8, ...docs]);
    expect(sniffEncoding(new Uint8Array([0x50, 0x41, 0x52, 0x31]))).toBe('parquet');
    expect(sniffEncoding(new Uint8Array([0x5e, 0x2a, 0x4d, 0x18]))).toBe('zstd'); // skippable frame
    expect(sniffEncoding(new Uint8Array([0x1f]))).toBe('plain');
  });

  it('writes one zstd frame per batch, gzip that gunzip reads, one Parquet row group per batch', async () => {
    const zst = join(dir, 'frames.jsonl.zst');
    await writeDocumentFile({ path: zst, documents: docs, rowsPerBatch: 10 });
    let frames = 0;
    for await (const _ of zstdDecompressStream(stream([await readFile(zst)]))) frames++;
    expect(frames).toBe(5);
    const gz = join(dir, 'plain.jsonl.gz');
    await writeDocumentFile({ path: gz, documents: docs.slice(0, 2), includeHtml: false });
    const lines = gunzipSync(await readFile(gz))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    expect(JSON.parse(lines[0])).toEqual({
      id: 'doc-0',
      text: ' #0',
      url: 'https://example.com/0',
      metadata: docs[0].metadata,
    });
    const parquet = join(dir, 'groups.parquet');
    await writeDocumentFile({ path: parquet, documents: docs, rowsPerBatch: 20 });
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(parquet));
    expect(metadata.row_groups.map((g) => Number(g.num_rows))).toEqual([20, 20, 5]);
    expect(metadata.schema.map((s) => s.name)).toEqual([
      'root',
      'id',
      'text',
      'url',
      'html',
      'metadata',
    ]);
    expect(metadata.row_groups[0].columns[1].meta_data?.codec).toBe('SNAPPY');
    const zstdPath = join(dir, 'groups-zstd.parquet');
    await writeDocumentFile({ path: zstdPath, documents: docs, codec: 'ZSTD' });
    const zstdMeta = await parquetMetadataAsync(await asyncBufferFromFile(zstdPath));
    expect(zstdMeta.row_groups[0].columns[1].meta_data?.codec).toBe('ZSTD');
  });

  it('keeps FineWeb-style extra fields in metadata and names ids after their line', async () => {
    const path = join(dir, 'fineweb.jsonl');
    const line = {
      text: 'hello',
      dump: 'CC-MAIN-2024-10',
      language_score: 0.93,
      url: 'https://a.b',
      date: null,
    };
    await writeFile(path, `\n${JSON.stringify(line)}\n`);
    expect(await readAllDocuments(path)).toEqual([
      {
        id: `${path}:2`,
        text: 'hello',
        url: 'https://a.b',
        metadata: { dump: 'CC-MAIN-2024-10', language_score: 0.93 },
      },
    ]);
    const named = await readAllDocuments(path, { fallbackId: (_, n) => `row ${n}` });
    expect(named[0].id).toBe('row 2');
  });

  it('throws the first bad record by default, or passes every problem to onProblem', async () => {
    const path = join(dir, 'bad.jsonl');
    const lines = ['{"id":"a","text":"ok"}', '{"id":"b"}', '[1]', '{"text":"x","metadata":5}'];
    await writeFile(
      path,
      [...lines, '{"text":"y","id":{}}', 'nope', `{"text":"${'z'.repeat(50)}"}`].join('\n'),
    );
    await expect(readAllDocuments(path)).rejects.toThrow(
      /bad\.jsonl:2: text is missing, expected a string/,
    );
    const error = await readAllDocuments(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DocumentFileError);
    expect((error as DocumentFileError).record).toBe(2);
    const problems: DocumentProblem[] = [];
    const out = await readAllDocuments(path, {
      onProblem: (p) => problems.push(p),
      maxLineLength: 40,
    });
    expect(out.map((d) => d.id)).toEqual(['a']);
    expect(problems.map((p) => [p.record, p.kind, p.field])).toEqual([
      [2, 'missing-text', 'text'],
      [3, 'not-an-object', 'record'],
      [4, 'bad-metadata', 'metadata'],
      [5, 'bad-id', 'id'],
      [6, 'invalid-json', 'line'],
      [7, 'record-too-large', 'line'],
    ]);
  });

  it('reports truncated gzip and zstd, and a file that is not Parquet, then goes on', async () => {
    const gz = join(dir, 'cut.jsonl.gz');
    const full = gzipSync(Buffer.from(docs.map((d) => JSON.stringify(d)).join('\n')));
    await writeFile(gz, full.subarray(0, full.length - 40));
    const zst = join(dir, 'cut.jsonl.zst');
    await writeDocumentFile({ path: zst, documents: docs });
    const bytes = await readFile(zst);
    await writeFile(zst, bytes.subarray(0, bytes.length - 5));
    const fake = join(dir, 'fake.parquet');
    await writeFile(fake, 'PAR1 but nothing else');
    await expect(readAllDocuments(zst)).rejects.toThrow(
      /cut\.jsonl\.zst: zstd data ends inside a frame/,
    );
    const problems: DocumentProblem[] = [];
    const ok = join(dir, 'docs.jsonl');
    const out = await readAllDocuments([gz, zst, fake, ok], { onProblem: (p) => problems.push(p) });
    expect(out.slice(-45)).toEqual(docs);
    const fileLevel = problems.filter((p) => p.record === 0).map((p) => [p.path, p.kind]);
    expect(fileLevel).toEqual([
      [gz, 'truncated'],
      [zst, 'truncated'],
      [fake, 'corrupt'],
    ]);
  });
});
