// Writes a WARC file from pages with warcio, byte-identical on every run: record ids and dates are
// fixed (derived from the record's index unless given). For tests, benchmarks and the speedrun.

import { writeFile } from 'node:fs/promises';
import { WARCRecord, WARCSerializer } from 'warcio';

export interface WarcPage {
  url: string;
  /** HTML (encoded as UTF-8) or raw payload bytes. For `conversion` records, the extracted text. */
  body: string | Uint8Array;
  /** `response` (default: HTTP headers + payload) or `conversion` (WET text). */
  type?: 'response' | 'conversion';
  /** HTTP Content-Type; default `text/html; charset=UTF-8` (`text/plain` for conversion records). */
  contentType?: string;
  /** HTTP status; default 200. */
  status?: number;
  /** WARC-Date; default `2024-01-01T00:00:00Z`. */
  date?: string;
  /** WARC-Record-ID; default derived from the record's index. */
  recordId?: string;
}

export interface BuildWarcOptions {
  records: readonly WarcPage[];
  /** Output file; when omitted the bytes are only returned. */
  path?: string;
  /** Gzip each record separately (Common Crawl's layout). Default true. */
  gzip?: boolean;
}

/** A fixed, valid UUID-form record id for record `index`. */
export function recordIdFor(index: number): string {
  return `<urn:uuid:00000000-0000-4000-8000-${index.toString(16).padStart(12, '0')}>`;
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  301: 'Moved Permanently',
  404: 'Not Found',
};

/** Serialises the records (warcinfo first) and returns the bytes, writing them to `path` if given. */
export async function buildWarc(options: BuildWarcOptions): Promise<Uint8Array> {
  const gzip = options.gzip ?? true;
  const chunks: Uint8Array[] = [];
  const info = WARCRecord.createWARCInfo(
    {
      filename: 'lmkit.warc.gz',
      warcVersion: 'WARC/1.1',
      date: '2024-01-01T00:00:00Z',
      warcHeaders: { 'WARC-Record-ID': recordIdFor(0) },
    },
    { software: '@lmkit/crawler-filters buildWarc', format: 'WARC File Format 1.1' },
  );
  chunks.push(await WARCSerializer.serialize(info, { gzip }));
  let index = 1;
  for (const page of options.records) {
    const bytes = typeof page.body === 'string' ? new TextEncoder().encode(page.body) : page.body;
    const type = page.type ?? 'response';
    const status = page.status ?? 200;
    const warcHeaders: Record<string, string> = {
      'WARC-Record-ID': page.recordId ?? recordIdFor(index),
    };
    if (type === 'conversion') warcHeaders['Content-Type'] = page.contentType ?? 'text/plain';
    const record = WARCRecord.create(
      {
        url: page.url,
        date: page.date ?? '2024-01-01T00:00:00Z',
        type,
        warcVersion: 'WARC/1.1',
        warcHeaders,
        ...(type === 'response'
          ? {
              statusline: `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Status'}`,
              httpHeaders: {
                'Content-Type': page.contentType ?? 'text/html; charset=UTF-8',
                'Content-Length': String(bytes.length),
              },
            }
          : {}),
      },
      [bytes],
    );
    chunks.push(await WARCSerializer.serialize(record, { gzip }));
    index++;
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  if (options.path) await writeFile(options.path, out);
  return out;
}
