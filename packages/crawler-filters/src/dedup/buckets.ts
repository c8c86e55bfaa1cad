// Dedup stage 2: for one bucket, a streaming k-way merge of every task's sorted signature runs;
// consecutive records with equal hashes are duplicates of the first record of their run of equals.
// Memory holds one chunk per input file, whatever the crawl's size.

import { mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CrawlerFiltersError } from '../errors.ts';
import { dedupLayout, readMinHashConfig } from './layout.ts';
import { compareRecords, RecordCursor, RecordWriter, readRecords } from './record-file.ts';

/** Width of a match record: (first task, first index, task, index). */
export const MATCH_WIDTH = 4;

export interface BucketStageOptions {
  workDir: string;
  /** Bucket to merge, 0 ≤ bucket < buckets. */
  bucket: number;
}

export interface BucketSummary {
  bucket: number;
  files: number;
  records: number;
  matches: number;
}

/** A binary min-heap of cursors ordered by their current record. */
class CursorHeap {
  private readonly items: RecordCursor[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): RecordCursor {
    return this.items[0];
  }

  push(cursor: RecordCursor): void {
    const items = this.items;
    items.push(cursor);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (compareRecords(items[parent].current, items[i].current) <= 0) break;
      [items[parent], items[i]] = [items[i], items[parent]];
      i = parent;
    }
  }

  /** Restores heap order after the top cursor advanced, or removes it when it ended. */
  advanceTop(): void | Promise<void> {
    const advanced = this.items[0].advance();
    if (typeof advanced === 'boolean') return this.settle(advanced);
    return advanced.then((more) => this.settle(more));
  }

  private settle(more: boolean): void {
    const items = this.items;
    if (!more) {
      const last = items.pop()!;
      if (items.length === 0) return;
      items[0] = last;
    }
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && compareRecords(items[left].current, items[smallest].current) < 0)
        smallest = left;
      if (right < items.length && compareRecords(items[right].current, items[smallest].current) < 0)
        smallest = right;
      if (smallest === i) return;
      [items[smallest], items[i]] = [items[i], items[smallest]];
      i = smallest;
    }
  }
}

/** Merges one bucket's runs and writes its matches file. */
export async function findBucketMatches(options: BucketStageOptions): Promise<BucketSummary> {
  const { workDir, bucket } = options;
  const config = await readMinHashConfig(workDir);
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= config.buckets) {
    throw new CrawlerFiltersError(
      'invalid-bucket',
      `bucket ${bucket} is not an integer in 0..${config.buckets - 1}; the run uses ${config.buckets} buckets`,
    );
  }
  const width = config.hashesPerBucket + 2;
  const dir = dedupLayout.bucketDir(workDir, bucket);
  const files = (await readdir(dir).catch(() => [] as string[]))
    .filter((name) => name.endsWith('.bin'))
    .sort();
  const heap = new CursorHeap();
  for (const name of files) {
    const cursor = new RecordCursor(
      width,
      readRecords({ path: join(dir, name), magic: 'SIGS', width }),
    );
    if (await cursor.start()) heap.push(cursor);
  }
  const path = dedupLayout.matchesFile(workDir, bucket);
  await mkdir(dirname(path), { recursive: true });
  const writer = await RecordWriter.create({ path, magic: 'MTCH', width: MATCH_WIDTH });
  const pending = new Uint32Array(4096 * MATCH_WIDTH);
  let pendingCount = 0;
  const first = new Uint32Array(width);
  let haveFirst = false;
  let records = 0;
  while (heap.size > 0) {
    const current = heap.peek().current;
    records++;
    if (haveFirst && compareRecords(first, current, config.hashesPerBucket) === 0) {
      const base = pendingCount * MATCH_WIDTH;
      pending[base] = first[width - 2];
      pending[base + 1] = first[width - 1];
      pending[base + 2] = current[width - 2];
      pending[base + 3] = current[width - 1];
      if (++pendingCount * MATCH_WIDTH === pending.length) {
        await writer.write(pending, pendingCount);
        pendingCount = 0;
      }
    } else {
      first.set(current);
      haveFirst = true;
    }
    const moved = heap.advanceTop();
    if (moved) await moved;
  }
  await writer.write(pending, pendingCount);
  const matches = await writer.close();
  return { bucket, files: files.length, records, matches };
}
