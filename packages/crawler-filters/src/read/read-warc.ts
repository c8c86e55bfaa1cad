// Reads WARC files (plain or gzip per record) with warcio: `response` records become documents with
// decoded HTML, WET `conversion` records documents with text. Bad records are reported, not thrown.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import { WARCParser, type WARCRecord } from 'warcio';
import type { Document } from '../document.ts';
import { reasonOf } from '../errors.ts';
import { decodeHtml, looksBinary } from './charset.ts';

/** How a reader reports a record it could not turn into a document. */
export type OnReadError = (doc: Document, reason: string, detail?: string) => void;

export interface ReadWarcOptions {
  path: string;
  /** Records with a larger payload are reported as `record-too-large`. Default 10 MiB. */
  maxRecordBytes?: number;
  /** Called for each unreadable record; default: ignore. */
  onError?: OnReadError;
  /** Bytes invalid in the page's charset: report the record, or decode with U+FFFD. Default `'error'`. */
  invalidBytes?: 'error' | 'replace';
}

const HTML_TYPES =
  /^(text\/html|application\/xhtml\+xml|text\/plain|application\/xml|text\/xml)\b/iu;

export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return bytesRead === 2 && buffer[0] === 0x1f && buffer[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

function concat(chunks: Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Reads the decoded payload, keeping at most `limit` bytes but always draining the record. */
async function readCapped(
  record: WARCRecord,
  limit: number,
): Promise<{ bytes: Uint8Array; total: number }> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of record) {
    total += chunk.length;
    if (total <= limit) chunks.push(chunk);
  }
  return { bytes: total <= limit ? concat(chunks, total) : new Uint8Array(0), total };
}

/** Yields one document per readable `response` or `conversion` record of a WARC/WET file. */
export async function* readWarc(options: ReadWarcOptions): AsyncGenerator<Document> {
  const { path } = options;
  const limit = options.maxRecordBytes ?? 10 * 2 ** 20;
  const onError = options.onError ?? (() => {});
  const file = basename(path);
  const raw = createReadStream(path);
  const stream = (await isGzipFile(path)) ? raw.pipe(createGunzip()) : raw;
  let index = 0;
  const placeholder = (id?: string, url?: string): Document => ({
    id: id ?? `${file}#${index}`,
    text: '',
    ...(url ? { url } : {}),
    metadata: { source: file, record: index },
  });
  try {
    for await (const record of WARCParser.iterRecords(stream)) {
      index++;
      const type = record.warcType;
      const id = record.warcHeader('WARC-Record-ID')?.replace(/^<|>$/gu, '') ?? undefined;
      const url = record.warcTargetURI ?? undefined;
      if (!/^WARC\/1\.[01]$/u.test(record.warcHeaders.statusline.trim())) {
        await record.skipFully();
        onError(
          placeholder(id, url),
          'malformed-warc-header',
          `first line "${record.warcHeaders.statusline.slice(0, 40)}" is not WARC/1.0 or WARC/1.1`,
        );
        continue;
      }
      if (type !== 'response' && type !== 'conversion') {
        await record.skipFully();
        continue;
      }
      const doc = placeholder(id, url);
      const fail = async (reason: string, detail: string) => {
        if (!record.consumed) await record.skipFully();
        onError(doc, reason, detail);
      };
      const metadata: Record<string, unknown> = {
        source: file,
        date: record.warcDate,
        recordType: type,
      };
      if (type === 'response') {
        const http = record.httpHeaders;
        if (!http) {
          await fail(
            'missing-http-headers',
            'response record without an HTTP status line and headers',
          );
          continue;
        }
        const status = Number(http.statusCode);
        const contentType = http.headers.get('content-type') ?? '';
        if (!(status >= 200 && status < 300)) {
          await fail(
            `http-status-${Number.isFinite(status) ? status : 'invalid'}`,
            `HTTP status "${http.statusline}"`,
          );
          continue;
        }
        if (contentType && !HTML_TYPES.test(contentType)) {
          await fail('non-html-payload', `Content-Type "${contentType}" is not HTML`);
          continue;
        }
        const { bytes, total } = await readCapped(record, limit);
        if (total > limit) {
          onError(
            doc,
            'record-too-large',
            `payload of ${total} bytes exceeds maxRecordBytes ${limit}; raise maxRecordBytes to keep such pages`,
          );
          continue;
        }
        if (total === 0) {
          onError(doc, 'empty-record', 'response record with an empty payload');
          continue;
        }
        const declared = http.headers.get('content-length');
        const encoded =
          http.headers.get('transfer-encoding') || http.headers.get('content-encoding');
        if (
          declared !== null &&
          !encoded &&
          !record.warcHeader('WARC-Truncated') &&
          Number(declared) !== total
        ) {
          onError(
            doc,
            'content-length-mismatch',
            `HTTP Content-Length ${declared} but the record holds ${total} bytes; the record is corrupt`,
          );
          continue;
        }
        if (looksBinary(bytes)) {
          onError(doc, 'binary-payload', `payload of ${total} bytes holds binary data`);
          continue;
        }
        try {
          const { html, charset } = decodeHtml(bytes, {
            contentType,
            invalidBytes: options.invalidBytes,
          });
          yield { ...doc, html, metadata: { ...metadata, contentType, charset, status } };
        } catch (error) {
          onError(doc, reasonOf(error), (error as Error).message);
        }
      } else {
        const { bytes, total } = await readCapped(record, limit);
        if (total > limit)
          onError(
            doc,
            'record-too-large',
            `text of ${total} bytes exceeds maxRecordBytes ${limit}`,
          );
        else if (total === 0) onError(doc, 'empty-record', 'conversion record with no text');
        else if (total < record.warcContentLength)
          onError(
            doc,
            'truncated-record',
            `Content-Length ${record.warcContentLength} but only ${total} bytes remain`,
          );
        else {
          try {
            const text = new TextDecoder('utf-8', {
              fatal: options.invalidBytes !== 'replace',
            }).decode(bytes);
            yield { ...doc, text, metadata };
          } catch (error) {
            onError(
              doc,
              'invalid-encoding',
              `WET text is not valid UTF-8: ${(error as Error).message}`,
            );
          }
        }
      }
    }
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    index++;
    const reason =
      /unexpected end of file|incorrect header check|invalid (block|distance|code)/iu.test(message)
        ? 'truncated-gzip'
        : 'malformed-warc';
    onError(placeholder(), reason, `${file}: ${message}; the rest of the file is skipped`);
  }
}
