// Writes documents as plain JSONL, one `{ id, text, url?, metadata }` per line, honouring
// back-pressure: the dedup runner's per-input outputs and the test corpora use it.

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Document } from '../document.ts';

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
