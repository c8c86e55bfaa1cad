// Dedup stage 4: drops the documents the cluster stage listed for this task, with reason `duplicate`
// and `metadata.duplicate_of` set to the id of the document kept. It checks that it sees the very
// documents the signature stage saw (same ids, same order), streaming both lists.

import { createReadStream } from 'node:fs';
import { access } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { CrawlerFiltersError } from '../errors.ts';
import { defineStage, type Stage } from '../stage.ts';
import type { Removal } from './clusters.ts';
import { dedupLayout } from './layout.ts';

export interface DedupStageOptions {
  workDir: string;
  /** The task whose documents these are (the same index the signature stage used). Default 0. */
  taskIndex?: number;
}

/** The reason counted for each removed duplicate. */
export const DUPLICATE_REASON = 'duplicate';

function lineReader(path: string): AsyncIterator<string> {
  return createInterface({ input: createReadStream(path), crlfDelay: Infinity })[
    Symbol.asyncIterator
  ]();
}

/** A stage that removes this task's near-duplicates (run after the cluster stage). */
export function minhashDedupStage(options: DedupStageOptions): Stage {
  const taskIndex = options.taskIndex ?? 0;
  return defineStage('minhash-dedup', async function* (docs, context) {
    const removalsPath = dedupLayout.removalsFile(options.workDir, taskIndex);
    const idsPath = dedupLayout.idsFile(options.workDir, taskIndex);
    for (const path of [removalsPath, idsPath]) {
      try {
        await access(path);
      } catch {
        throw new CrawlerFiltersError(
          'missing-dedup-stage',
          `${path} does not exist; run the signature, bucket and cluster stages for task ${taskIndex} first`,
        );
      }
    }
    const removals = lineReader(removalsPath);
    const ids = lineReader(idsPath);
    const nextRemoval = async () => {
      const line = await removals.next();
      return line.done ? undefined : (JSON.parse(line.value) as Removal);
    };
    let removal = await nextRemoval();
    let index = 0;
    for await (const doc of docs) {
      const expected = await ids.next();
      if (expected.done || JSON.parse(expected.value) !== doc.id) {
        throw new CrawlerFiltersError(
          'dedup-input-changed',
          `task ${taskIndex} document ${index} has id ${JSON.stringify(doc.id)} but the signature stage saw ` +
            `${expected.done ? 'no more documents' : expected.value}; run dedup on the same documents in the same order`,
        );
      }
      if (removal !== undefined && removal.index === index) {
        const metadata = { ...doc.metadata, duplicate_of: removal.duplicateOf };
        context.drop({ ...doc, metadata }, DUPLICATE_REASON);
        removal = await nextRemoval();
      } else {
        yield doc;
      }
      index++;
    }
    const extra = await ids.next();
    if (!extra.done) {
      throw new CrawlerFiltersError(
        'dedup-input-changed',
        `task ${taskIndex} ended after ${index} documents but the signature stage saw more; ` +
          'run dedup on the same documents in the same order',
      );
    }
  });
}
