// One damaged spot costs only what it spoils: a corrupt gzip member in the middle of a .warc.gz,
// an inflated Content-Length in a plain WARC and garbage between records are skipped, reading
// resumes at the next member or WARC/ line, and what was skipped is reported per file.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import { buildWarc, type WarcPage } from './build-warc.ts';
import { type ReadSkip, readWarc } from './read-warc.ts';

const page = (n: number): WarcPage => ({
  url: `https://ok.example/${n}`,
  body: `<html><body><p>Good page number ${n}, with a few more words to read.</p></body></html>`,
});
const pages = Array.from({ length: 9 }, (_, i) => page(i + 1));
const urls = (numbers: number[]) => numbers.map((n) => `https://ok.example/${n}`);

async function read(path: string) {
  const docs: Document[] = [];
  const errors: [string, string][] = [];
  const skipped: ReadSkip[] = [];
  for await (const doc of readWarc({
    path,
    onError: (d, reason) => errors.push([d.id, reason]),
    onSkip: (skip) => skipped.push(skip),
  }))
    docs.push(doc);
  return { urls: docs.map((d) => d.url), errors, skipped };
}

async function tempFile(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'warc-resync-')), name);
  await writeFile(path, bytes);
  return path;
}

/** [start, end) of each gzip member (warcio writes 10-byte headers without optional fields). */
function members(bytes: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let at = 0;
  while (at < bytes.length) {
    const { engine } = inflateRawSync(bytes.subarray(at + 10), { info: true }) as unknown as {
      engine: { bytesWritten: number };
    };
    out.push([at, at + 10 + engine.bytesWritten + 8]);
    at += 10 + engine.bytesWritten + 8;
  }
  return out;
}

/** Plain WARC text split before each record. */
async function plainRecords(): Promise<string[]> {
  const text = new TextDecoder().decode(await buildWarc({ records: pages, gzip: false }));
  return text.split(/(?=WARC\/1\.1\r\n)/u);
}

describe('readWarc resynchronises after damage', () => {
  it('a corrupt gzip member in the middle costs only its record', async () => {
    const bytes = Uint8Array.from(await buildWarc({ records: pages }));
    const spans = members(bytes);
    expect(spans).toHaveLength(10); // warcinfo + 9 pages
    const [start, end] = spans[5]; // page 5
    bytes.fill(0xa5, start + 20, end - 20);
    const path = await tempFile('middle.warc.gz', bytes);
    const result = await read(path);
    expect(result.urls).toEqual(urls([1, 2, 3, 4, 6, 7, 8, 9]));
    expect(result.errors.map(([, reason]) => reason)).toEqual(['corrupt-gzip-member']);
    expect(result.skipped).toEqual([
      { file: 'middle.warc.gz', reason: 'corrupt-gzip-member', bytes: end - start },
    ]);
  });

  it('an inflated Content-Length in a plain WARC costs only its record', async () => {
    const records = await plainRecords();
    records[3] = records[3].replace(
      /Content-Length: (\d+)\r\n\r\nHTTP/u,
      (_, n) => `Content-Length: ${Number(n) + 400}\r\n\r\nHTTP`,
    );
    const path = await tempFile('inflated.warc', new TextEncoder().encode(records.join('')));
    const result = await read(path);
    expect(result.urls).toEqual(urls([1, 2, 4, 5, 6, 7, 8, 9]));
    expect(result.errors).toEqual([
      ['urn:uuid:00000000-0000-4000-8000-000000000003', 'content-length-mismatch'],
    ]);
    expect(result.skipped).toEqual([
      {
        file: 'inflated.warc',
        reason: 'content-length-mismatch',
        bytes: new TextEncoder().encode(records[3]).length,
      },
    ]);
  });

  it('garbage between records is skipped and counted; the next record is read', async () => {
    const records = await plainRecords();
    const garbage = 'not a record\r\n\u0000\u0001 stray bytes\r\n';
    records.splice(4, 0, garbage);
    const plain = await read(
      await tempFile('garbage.warc', new TextEncoder().encode(records.join(''))),
    );
    expect(plain.urls).toEqual(urls([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(plain.errors).toEqual([]);
    expect(plain.skipped).toEqual([
      {
        file: 'garbage.warc',
        reason: 'garbage-between-records',
        bytes: new TextEncoder().encode(garbage).length,
      },
    ]);
    // The same between two gzip members: not a member, skipped to the next one.
    const bytes = await buildWarc({ records: pages });
    const [, cut] = members(bytes)[3];
    const gz = new Uint8Array([
      ...bytes.subarray(0, cut),
      ...new TextEncoder().encode(garbage),
      ...bytes.subarray(cut),
    ]);
    const path = await tempFile('garbage.warc.gz', gz);
    const compressed = await read(path);
    expect(compressed.urls).toEqual(urls([1, 2, 3, 4, 5, 6, 7, 8, 9]));
    expect(compressed.errors).toEqual([]);
    expect(compressed.skipped.map((s) => [s.file, s.reason])).toEqual([
      [basename(path), 'garbage-between-records'],
    ]);
    expect(compressed.skipped[0].bytes).toBe(new TextEncoder().encode(garbage).length);
  });
});
