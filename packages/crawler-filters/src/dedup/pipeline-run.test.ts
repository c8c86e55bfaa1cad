import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import { collectInto, type RunStats } from '../pipeline.ts';
import { filterStage } from '../stage.ts';
import { nearDuplicatePairs, plantedCorpus, sampleTexts } from '../testing/near-duplicates.ts';
import { dedupAndFinish, filterAndSign, runWithDedup } from './pipeline-run.ts';
import { dedupBucketsTask, dedupClustersTask } from './run.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../data');

async function* from(docs: readonly Document[]): AsyncGenerator<Document> {
  for (const doc of docs) yield structuredClone(doc);
}

const shortFilter = () =>
  filterStage({
    name: 'too-short',
    filter: (doc) =>
      doc.text.split(' ').length >= 20 ? { keep: true } : { keep: false, reason: 'under-20-words' },
  });

describe('runWithDedup / filterAndSign + dedupAndFinish', () => {
  let root: string;
  let documents: Document[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lmkit-dedup-run-'));
    const texts = sampleTexts({ dataDir });
    const corpus = plantedCorpus(
      nearDuplicatePairs({ texts, count: 30, jaccardRange: [0.85, 0.99], seed: 3 }),
    );
    documents = [
      ...corpus.documents,
      { id: 'tiny', text: 'too short to keep', metadata: {} },
      {
        id: 'contact',
        text: `${texts[40]} Write to jane.doe@gmail.com or visit 93.184.216.34 today.`,
        metadata: {},
      },
    ];
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('filters, removes near-duplicates and scrubs PII in one table whose counts add up', async () => {
    const kept: Document[] = [];
    const removed: { id: string; stage: string; reason: string }[] = [];
    const stats = await runWithDedup({
      source: from(documents),
      stages: [shortFilter()],
      workDir: join(root, 'single'),
      sink: collectInto(kept),
      onRemoved: ({ doc, stage, reason }) => removed.push({ id: doc.id, stage, reason }),
    });
    expect(stats.stages.map((s) => s.stage)).toEqual(['read', 'too-short', 'minhash-dedup', 'pii']);
    expect(stats.read).toBe(documents.length);
    expect(stats.stages[1].dropped).toEqual({ 'under-20-words': 1 });
    const duplicates = stats.stages[2].dropped.duplicate;
    expect(duplicates).toBeGreaterThanOrEqual(28);
    expect(stats.kept).toBe(documents.length - 1 - duplicates);
    expect(kept).toHaveLength(stats.kept);
    expect(
      removed.filter((r) => r.reason === 'duplicate').every((r) => r.id.startsWith('copy-')),
    ).toBe(true);
    const contact = kept.find((d) => d.id === 'contact')!;
    expect(contact.text).not.toContain('jane.doe@gmail.com');
    expect(contact.text).not.toContain('93.184.216.34');
  });

  it('two tasks run as separate halves on a cluster give the single-task result', async () => {
    const workDir = join(root, 'two');
    const half = Math.ceil(documents.length / 2);
    const parts = [documents.slice(0, half), documents.slice(half)];
    const kept: Document[][] = [[], []];
    const stats: RunStats[] = [];
    for (const [taskIndex, part] of parts.entries()) {
      await filterAndSign({ source: from(part), stages: [shortFilter()], workDir, taskIndex });
    }
    for (let taskIndex = 0; taskIndex < 3; taskIndex++)
      await dedupBucketsTask({ workDir, taskIndex, taskCount: 3 });
    await dedupClustersTask({ workDir });
    for (const taskIndex of [1, 0]) {
      stats[taskIndex] = await dedupAndFinish({
        workDir,
        taskIndex,
        sink: collectInto(kept[taskIndex]),
      });
    }
    const single: Document[] = [];
    await runWithDedup({
      source: from(documents),
      stages: [shortFilter()],
      workDir: join(root, 'one'),
      sink: collectInto(single),
    });
    expect([...kept[0], ...kept[1]]).toEqual(single);
    expect(stats[0].read + stats[1].read).toBe(documents.length);
    expect(stats[0].kept + stats[1].kept).toBe(single.length);
    // Copies sit in the second half, originals in the first: the duplicates are all task 1's.
    expect(
      stats[1].stages.find((s) => s.stage === 'minhash-dedup')!.dropped.duplicate,
    ).toBeGreaterThanOrEqual(28);
  });

  it('says which stage is missing when the halves run out of order', async () => {
    await expect(
      dedupAndFinish({ workDir: join(root, 'nothing'), sink: () => {} }),
    ).rejects.toThrow(/run the filter stage for task 0 first/);
  });
});
