import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import { collectInto, runPipeline } from '../pipeline.ts';
import { buildWarc, type WarcPage } from './build-warc.ts';
import { documentSource } from './read-documents.ts';
import { readWarc } from './read-warc.ts';

const data = fileURLToPath(new URL('../../../../data/', import.meta.url));
const PAGES = ['001', 'bbc-1', 'wikipedia', 'lemonde-1', 'medium-1'];
const realPages: WarcPage[] = PAGES.map((name) => ({
  url: `https://pages.example/${name}`,
  body: readFileSync(`${data}html/readability/${name}/source.html`, 'utf8'),
}));

async function read(path: string, options: { maxRecordBytes?: number } = {}) {
  const docs: Document[] = [];
  const errors: [string, string][] = [];
  for await (const doc of readWarc({
    path,
    ...options,
    onError: (d, reason) => errors.push([d.id, reason]),
  }))
    docs.push(doc);
  return { docs, errors };
}

async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'warc-')), name);
  await writeFile(path, bytes);
  return path;
}

describe('buildWarc + readWarc', () => {
  it('writes byte-identical files on every run, and reads the pages back', async () => {
    const a = await buildWarc({ records: realPages });
    const b = await buildWarc({ records: realPages });
    expect(createHash('sha256').update(a).digest('hex')).toBe(
      createHash('sha256').update(b).digest('hex'),
    );
    const { docs, errors } = await read(await tempFile('pages.warc.gz', a));
    expect(errors).toEqual([]);
    expect(docs.map((d) => d.url)).toEqual(realPages.map((p) => p.url));
    expect(docs[0].id).toBe('urn:uuid:00000000-0000-4000-8000-000000000001');
    expect(docs[1].html).toBe(realPages[1].body);
    expect(docs[0].metadata).toMatchObject({
      date: '2024-01-01T00:00:00Z',
      status: 200,
      charset: 'utf-8',
    });
  });

  it('reads the shipped Common Crawl WARC, WET and warcio edge-case files', async () => {
    const warc = await read(`${data}warc/whirlwind.warc.gz`);
    expect(warc.docs.map((d) => d.url)).toEqual(['https://an.wikipedia.org/wiki/Escopete']);
    expect(warc.docs[0].html).toContain('Escopete');
    const wet = await read(`${data}warc/whirlwind.warc.wet.gz`);
    expect(wet.docs).toHaveLength(1);
    expect(wet.docs[0].text).toContain('Escopete');
    expect(wet.docs[0].metadata.recordType).toBe('conversion');
    const chunked = await read(`${data}warc/example-iana.org-chunked.warc`);
    expect(chunked.docs[0].html).toMatch(/<\/html>\s*$/);
    const example = await read(`${data}warc/example.warc.gz`);
    expect(example.docs.map((d) => d.url)).toEqual(['http://example.com/']);
    expect([...warc.errors, ...wet.errors, ...chunked.errors, ...example.errors]).toEqual([]);
  });
});

describe('bad input is counted with a reason and the run goes on', () => {
  const good = (n: number): WarcPage => ({
    url: `https://ok.example/${n}`,
    body: `<html><body><p>Good page ${n}.</p></body></html>`,
  });

  it('truncated gzip: the cut record is an error, earlier records are read', async () => {
    const bytes = await buildWarc({ records: [good(1), good(2), good(3)] });
    const { docs, errors } = await read(
      await tempFile('cut.warc.gz', bytes.subarray(0, bytes.length - 30)),
    );
    expect(docs.map((d) => d.url)).toEqual(['https://ok.example/1', 'https://ok.example/2']);
    expect(errors.map(([, reason]) => reason)).toEqual(['truncated-gzip']);
  });

  it('malformed WARC header and wrong Content-Length: that record is an error, the next one is read', async () => {
    const plain = new TextDecoder().decode(
      await buildWarc({ records: [good(1), good(2), good(3), good(4)], gzip: false }),
    );
    const records = plain.split(/(?=WARC\/1\.1\r\n)/u);
    records[2] = records[2].replace('WARC/1.1\r\n', 'WARC/9.9-broken\r\n');
    records[3] = records[3].replace(
      /Content-Length: (\d+)\r\n\r\nHTTP/u,
      (_, n) => `Content-Length: ${Number(n) - 10}\r\n\r\nHTTP`,
    );
    const { docs, errors } = await read(
      await tempFile('bad.warc', new TextEncoder().encode(records.join(''))),
    );
    expect(docs.map((d) => d.url)).toEqual(['https://ok.example/1', 'https://ok.example/4']);
    expect(errors).toEqual([
      ['urn:uuid:00000000-0000-4000-8000-000000000002', 'malformed-warc-header'],
      ['urn:uuid:00000000-0000-4000-8000-000000000003', 'content-length-mismatch'],
    ]);
  });

  it('binary, non-HTML, invalid UTF-8, empty, non-200 and 50 MB records are errors with their reasons', async () => {
    const png = Uint8Array.from([
      0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
    ]);
    const invalidUtf8 = Uint8Array.from([
      ...new TextEncoder().encode('<p>caf'),
      0xe9,
      0x3c,
      0x2f,
      0x70,
      0x3e,
    ]);
    const huge = `<html><body>${'<p>A very long page indeed.</p>'.repeat((50 * 2 ** 20) / 31)}</body></html>`;
    const records: WarcPage[] = [
      good(1),
      { url: 'https://bad.example/image', body: png, contentType: 'image/png' },
      { url: 'https://bad.example/mislabelled', body: png },
      { url: 'https://bad.example/latin', body: invalidUtf8 },
      { url: 'https://bad.example/empty', body: '' },
      { url: 'https://bad.example/missing', body: '<p>Not found</p>', status: 404 },
      { url: 'https://bad.example/huge', body: huge },
      { url: 'https://ok.example/wet', body: 'Some extracted text.', type: 'conversion' },
      good(2),
    ];
    const path = await tempFile('mixed.warc.gz', await buildWarc({ records }));
    const { docs, errors } = await read(path);
    expect(docs.map((d) => d.url)).toEqual([
      'https://ok.example/1',
      'https://ok.example/wet',
      'https://ok.example/2',
    ]);
    expect(errors.map(([, reason]) => reason)).toEqual([
      'non-html-payload',
      'binary-payload',
      'invalid-encoding',
      'empty-record',
      'http-status-404',
      'record-too-large',
    ]);
    const stats = await runPipeline({
      source: documentSource({ paths: [path] }),
      stages: [],
      sink: collectInto([]),
    });
    expect(stats).toMatchObject({ read: 9, kept: 3, errored: 6 });
  });
});
