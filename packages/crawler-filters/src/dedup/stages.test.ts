import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import { collectInto, pipe } from '../pipeline.ts';
import { findBucketMatches } from './buckets.ts';
import { buildClusters } from './clusters.ts';
import { minhashDedupStage } from './filter.ts';
import { minhashSignatureStage } from './signatures.ts';

const words = (seed: number, count: number) =>
  Array.from({ length: count }, (_, i) => `w${(i * 7919 + seed * 104729) % 100003}`).join(' ');

async function* from(docs: readonly Document[]): AsyncGenerator<Document> {
  yield* docs;
}

describe('the four dedup stages used alone with pipe()', () => {
  let workDir: string;
  const base = words(1, 300);
  const docs: Document[] = [
    { id: 'a', text: base, metadata: {} },
    { id: 'b', text: words(2, 300), metadata: {} },
    { id: 'a2', text: `${base} and a few more words at the end`, metadata: {} },
    { id: 'a3', text: base.replace('w0', 'zzz'), metadata: {} },
  ];

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'lmkit-dedup-stages-'));
    const passed: Document[] = [];
    const stats = await pipe(from(docs), minhashSignatureStage({ workDir }), collectInto(passed));
    expect(passed).toEqual(docs);
    expect(stats.stages[1]).toMatchObject({ stage: 'minhash-signatures', read: 4, kept: 4 });
    for (let bucket = 0; bucket < 14; bucket++) await findBucketMatches({ workDir, bucket });
    expect(await buildClusters({ workDir })).toMatchObject({
      tasks: 1,
      documents: 4,
      clusters: 1,
      duplicates: 2,
    });
  });

  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  it('drops the later members of a cluster, counted as duplicate with the id kept', async () => {
    const kept: Document[] = [];
    const stats = await pipe(from(docs), minhashDedupStage({ workDir }), collectInto(kept));
    expect(kept.map((d) => d.id)).toEqual(['a', 'b']);
    expect(stats.stages[1].dropped).toEqual({ duplicate: 2 });
  });

  it('refuses documents other than those it signed', async () => {
    const changed = docs.map((d, i) => (i === 1 ? { ...d, id: 'other' } : d));
    await expect(
      pipe(from(changed), minhashDedupStage({ workDir }), collectInto([])),
    ).rejects.toThrow(/document 1 has id "other" but the signature stage saw "b"/);
    await expect(
      pipe(from(docs.slice(0, 3)), minhashDedupStage({ workDir }), collectInto([])),
    ).rejects.toThrow(/ended after 3 documents/);
    await expect(
      pipe(from(docs), minhashDedupStage({ workDir, taskIndex: 5 }), collectInto([])),
    ).rejects.toThrow(/run the signature, bucket and cluster stages for task 5 first/);
  });
});
