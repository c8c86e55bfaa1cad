// One stored record ↔ one Document. Stored records are FineWeb's layout: `{id, text, url?, html?,
// metadata}` where other top-level fields (`dump`, `date`, `language_score`…) join `metadata`, and
// `metadata` may be an object or a JSON string (Parquet columns).

import type { Document } from '../contracts.ts';

export type RecordProblem = {
  kind: 'not-an-object' | 'missing-text' | 'bad-id' | 'bad-metadata';
  field: string;
  detail: string;
};

/**
 * Turns one decoded record into a Document, or says what is wrong with it. A missing id becomes
 * `fallbackId`; null fields are dropped; bigints (Parquet INT64) become numbers when safe, else strings.
 */
export function toDocument(
  value: unknown,
  fallbackId: string,
): { document: Document } | { problem: RecordProblem } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const detail = 'is not an object { id, text, metadata }';
    return { problem: { kind: 'not-an-object', field: 'record', detail } };
  }
  const { id, text, url, html, metadata, ...rest } = value as Record<string, unknown>;
  if (typeof text !== 'string') {
    const detail = `is ${text === undefined ? 'missing' : typeof text}, expected a string`;
    return { problem: { kind: 'missing-text', field: 'text', detail } };
  }
  if (id !== undefined && id !== null && !['string', 'number', 'bigint'].includes(typeof id)) {
    return {
      problem: { kind: 'bad-id', field: 'id', detail: `is ${typeof id}, expected a string` },
    };
  }
  let meta: Record<string, unknown> = {};
  if (typeof metadata === 'string') {
    try {
      meta = JSON.parse(metadata);
    } catch {
      const detail = 'is a string that is not JSON';
      return { problem: { kind: 'bad-metadata', field: 'metadata', detail } };
    }
  } else if (metadata !== undefined && metadata !== null) {
    if (typeof metadata !== 'object' || Array.isArray(metadata)) {
      const kind = Array.isArray(metadata) ? 'an array' : typeof metadata;
      const detail = `is ${kind}, expected an object`;
      return { problem: { kind: 'bad-metadata', field: 'metadata', detail } };
    }
    meta = { ...(metadata as Record<string, unknown>) };
  }
  for (const [key, v] of Object.entries(rest)) {
    if (v !== undefined && v !== null) meta[key] = typeof v === 'bigint' ? bigintValue(v) : v;
  }
  const document: Document = {
    id: id === undefined || id === null ? fallbackId : String(id),
    text,
    metadata: meta,
  };
  if (typeof url === 'string') document.url = url;
  if (typeof html === 'string') document.html = html;
  return { document };
}

function bigintValue(v: bigint): number | string {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(v)
    : v.toString();
}

/** The stored record of a document: `{id, text, url?, html?, metadata}` in that key order. */
export function documentRecord(
  document: Document,
  options: { includeHtml?: boolean } = {},
): Record<string, unknown> {
  const record: Record<string, unknown> = { id: document.id, text: document.text };
  if (document.url !== undefined) record.url = document.url;
  if (document.html !== undefined && options.includeHtml !== false) record.html = document.html;
  record.metadata = document.metadata ?? {};
  return record;
}

/** The JSON line of a document (no trailing newline). */
export function documentLine(document: Document, options: { includeHtml?: boolean } = {}): string {
  return JSON.stringify(documentRecord(document, options));
}
