// Plain and gzipped JSONL documents in and out, line by line, for the file-level dedup runner.
// One document per line: `{ id, text, url?, metadata? }`; a line that is not one is an error naming
// the file and line.

import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Document } from '../document.ts';
import { CrawlerFiltersError } from '../errors.ts';

/** Streams the documents of a `.jsonl` or `.jsonl.gz` file. */
export async function* readJsonlDocuments(path: string): AsyncGenerator<Document> {
  const raw = createReadStream(path);
  const input = path.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let lineNumber = 0;
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    lineNumber++;
    if (line.trim() === '') continue;
    let value: Partial<Document>;
    try {
      value = JSON.parse(line) as Partial<Document>;
    } catch {
      throw new CrawlerFiltersError(
        'invalid-jsonl',
        `${path}:${lineNumber} is not valid JSON; fix or remove that line`,
      );
    }
    if (
      typeof value?.text !== 'string' ||
      (typeof value.id !== 'string' && typeof value.id !== 'number')
    ) {
      throw new CrawlerFiltersError(
        'invalid-jsonl',
        `${path}:${lineNumber} has no string "text" and "id"; each line must be a document { id, text, metadata? }`,
      );
    }
    yield {
      ...value,
      id: String(value.id),
      text: value.text,
      metadata: value.metadata ?? {},
    } as Document;
  }
}

/** Writes documents as JSONL to `path`, honouring back-pressure; returns the count. */
export async function writeJsonlDocuments(
  path: string,
  docs: AsyncIterable<Document> | Iterable<Document>,
): Promise<number> {
  const out = createWriteStream(path);
  let count = 0;
  for await (const doc of docs) {
    if (!out.write(`${JSON.stringify(doc)}\n`)) await once(out, 'drain');
    count++;
  }
  out.end();
  await once(out, 'finish');
  return count;
}
