// Reads WARC files (plain or gzip per record): `response` records become documents with decoded
// HTML, WET `conversion` records documents with text. Records are framed here (gzip-members.ts,
// warc-framing.ts) so that damage is skipped, not fatal, and parsed by warcio. Bad records are
// reported, not thrown; ARC files go to warcio's own reader.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip, gunzipSync, constants as zlibConstants } from 'node:zlib';
import { AsyncIterReader, WARCParser, type WARCRecord } from 'warcio';
import type { Document } from '../document.ts';
import { reasonOf } from '../errors.ts';
import { decodeHtml, looksBinary } from './charset.ts';
import { gzipMembers } from './gzip-members.ts';
import { frameWarcRecords } from './warc-framing.ts';

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
  /** Hears what was skipped to resynchronise (corrupt gzip members, bad records, garbage). */
  onSkip?: OnReadSkip;
}

/** What a reader skipped in a file, with the reason and the number of bytes. */
export interface ReadSkip {
  file: string;
  reason: string;
  bytes: number;
}

export type OnReadSkip = (skip: ReadSkip) => void;

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

/** What a record's documents and errors need to know about the file. */
interface RecordContext {
  file: string;
  limit: number;
  onError: OnReadError;
  invalidBytes: ReadWarcOptions['invalidBytes'];
  placeholder: (id?: string, url?: string) => Document;
}

/** The document of one record (none for other record types), or its error. */
async function* recordDocuments(
  record: WARCRecord,
  context: RecordContext,
): AsyncGenerator<Document> {
  const { file, limit, onError, placeholder } = context;
  const options = { invalidBytes: context.invalidBytes };
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
    return;
  }
  if (type !== 'response' && type !== 'conversion') {
    await record.skipFully();
    return;
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
      await fail('missing-http-headers', 'response record without an HTTP status line and headers');
      return;
    }
    const status = Number(http.statusCode);
    const contentType = http.headers.get('content-type') ?? '';
    if (!(status >= 200 && status < 300)) {
      await fail(
        `http-status-${Number.isFinite(status) ? status : 'invalid'}`,
        `HTTP status "${http.statusline}"`,
      );
      return;
    }
    if (contentType && !HTML_TYPES.test(contentType)) {
      await fail('non-html-payload', `Content-Type "${contentType}" is not HTML`);
      return;
    }
    const { bytes, total } = await readCapped(record, limit);
    if (total > limit) {
      onError(
        doc,
        'record-too-large',
        `payload of ${total} bytes exceeds maxRecordBytes ${limit}; raise maxRecordBytes to keep such pages`,
      );
      return;
    }
    if (total === 0) {
      onError(doc, 'empty-record', 'response record with an empty payload');
      return;
    }
    const declared = http.headers.get('content-length');
    const encoded = http.headers.get('transfer-encoding') || http.headers.get('content-encoding');
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
      return;
    }
    if (looksBinary(bytes)) {
      onError(doc, 'binary-payload', `payload of ${total} bytes holds binary data`);
      return;
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
      onError(doc, 'record-too-large', `text of ${total} bytes exceeds maxRecordBytes ${limit}`);
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
          `WET text is not valid UTF-8: ${(error as Error).message}; pass invalidBytes: 'replace' (lmkit-fineweb run --invalid-bytes replace) to decode with U+FFFD instead`,
        );
      }
    }
  }
}

/** True when the (decompressed) file starts with a WARC record; ARC files do not. */
async function startsWithWarc(path: string, gzip: boolean): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    const head = buffer.subarray(0, bytesRead);
    const text = gzip
      ? gunzipSync(head, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).subarray(0, 5)
      : head.subarray(0, 5);
    return text.toString('latin1') === 'WARC/';
  } catch {
    return true; // unreadable: the framing reader reports what is wrong
  } finally {
    await handle.close();
  }
}

/**
 * Yields one document per readable `response` or `conversion` record of a WARC/WET file. A
 * corrupt gzip member, a wrong Content-Length or bytes between records cost only what they
 * spoil: reading resumes at the next member or `WARC/` line, and `onSkip` hears what was skipped.
 */
export async function* readWarc(options: ReadWarcOptions): AsyncGenerator<Document> {
  const { path } = options;
  const file = basename(path);
  const onError = options.onError ?? (() => {});
  const onSkip = options.onSkip ?? (() => {});
  let index = 0;
  const context: RecordContext = {
    file,
    limit: options.maxRecordBytes ?? 10 * 2 ** 20,
    onError,
    invalidBytes: options.invalidBytes,
    placeholder: (id?: string, url?: string): Document => ({
      id: id ?? `${file}#${index}`,
      text: '',
      ...(url ? { url } : {}),
      metadata: { source: file, record: index },
    }),
  };
  const gzip = await isGzipFile(path);
  if (!(await startsWithWarc(path, gzip))) {
    yield* readWithWarcio(path, gzip, context, () => ++index);
    return;
  }
  const problem = (reason: string, bytes: number, detail: string, id?: string) => {
    index++;
    onSkip({ file, reason, bytes });
    onError(context.placeholder(id), reason, `${file}: ${detail}`);
  };
  const source = gzip
    ? gzipMembers(path, (p) => {
        if (p.reason === 'garbage-between-records')
          onSkip({ file, reason: p.reason, bytes: p.bytes });
        else problem(p.reason, p.bytes, p.detail);
      })
    : createReadStream(path);
  for await (const bytes of frameWarcRecords(source, (p) => {
    if (p.reason === 'garbage-between-records') onSkip({ file, reason: p.reason, bytes: p.bytes });
    else problem(p.reason, p.bytes, p.detail, p.id);
  })) {
    index++;
    // The bytes are already decompressed: a reader without gzip detection (no inflater per record).
    const record = await new WARCParser(new AsyncIterReader([bytes], null)).parse();
    if (record) yield* recordDocuments(record, context);
  }
}

/** ARC and other files warcio reads but the WARC framing does not: one stream, no resync. */
async function* readWithWarcio(
  path: string,
  gzip: boolean,
  context: RecordContext,
  nextIndex: () => number,
): AsyncGenerator<Document> {
  const raw = createReadStream(path);
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  try {
    for await (const record of WARCParser.iterRecords(stream)) {
      nextIndex();
      yield* recordDocuments(record, context);
    }
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    nextIndex();
    const reason =
      /unexpected end of file|incorrect header check|invalid (block|distance|code)/iu.test(message)
        ? 'truncated-gzip'
        : 'malformed-warc';
    context.onError(
      context.placeholder(),
      reason,
      `${context.file}: ${message}; the rest of the file is skipped`,
    );
  }
}
