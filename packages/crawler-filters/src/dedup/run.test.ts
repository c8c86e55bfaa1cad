import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeDocumentFile } from '@lmkit/core/documents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Document } from '../document.ts';
import {
  nearDuplicatePairs,
  type PlantedCorpus,
  plantedCorpus,
  sampleTexts,
} from '../testing/near-duplicates.ts';
import { runDedup } from './run.ts';

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '../../../../data');

async function readOutputs(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(dir)).sort())
    files.set(name, await readFile(join(dir, name), 'utf8'));
  return files;
}

async function readRemoved(workDir: string): Promise<{ id: string; duplicateOf: string }[]> {
  const removed = [];
  for (const name of await readdir(join(workDir, 'removed'))) {
    const text = await readFile(join(workDir, 'removed', name), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) removed.push(JSON.parse(line));
  }
  return removed.sort((a, b) => a.id.localeCompare(b.id));
}

describe('runDedup on a corpus with 200 planted near-duplicates (real pages and Shakespeare)', () => {
  let root: string;
  let corpus: PlantedCorpus;
  let inputs: string[];

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lmkit-dedup-'));
    const texts = sampleTexts({ dataDir });
    const pairs = nearDuplicatePairs({ texts, count: 200, seed: 7 });
    corpus = plantedCorpus(pairs, texts.slice(200, 260));
    // Four input files: originals and copies land in different files, so matches cross tasks.
    const quarter = Math.ceil(corpus.documents.length / 4);
    inputs = [];
    for (let i = 0; i < 4; i++) {
      const path = join(root, `part-${i}.jsonl`);
      await writeDocumentFile({
        path,
        documents: corpus.documents.slice(i * quarter, (i + 1) * quarter),
      });
      inputs.push(path);
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('two tasks in worker threads, merged, give exactly the single-task result', async () => {
    const single = await runDedup({
      inputs,
      workDir: join(root, 'work-1'),
      outputDir: join(root, 'out-1'),
      taskCount: 1,
    });
    const split = await runDedup({
      inputs,
      workDir: join(root, 'work-2'),
      outputDir: join(root, 'out-2'),
      taskCount: 2,
      concurrency: 2,
    });
    const small = await runDedup({
      inputs,
      workDir: join(root, 'work-3'),
      outputDir: join(root, 'out-3'),
      taskCount: 2,
      maxDocumentsInMemory: 17,
    });
    expect(split.tasks).toHaveLength(2);
    expect(single.documents).toBe(corpus.documents.length);
    expect(split.documents).toBe(single.documents);
    expect(single.duplicates).toBeGreaterThan(40);
    expect(split.duplicates).toBe(single.duplicates);
    expect(small.duplicates).toBe(single.duplicates);
    const outputs = await readOutputs(join(root, 'out-1'));
    expect([...outputs.keys()]).toEqual([
      'part-0.jsonl',
      'part-1.jsonl',
      'part-2.jsonl',
      'part-3.jsonl',
    ]);
    expect(await readOutputs(join(root, 'out-2'))).toEqual(outputs);
    expect(await readOutputs(join(root, 'out-3'))).toEqual(outputs);
    expect(await readRemoved(join(root, 'work-2'))).toEqual(
      await readRemoved(join(root, 'work-1')),
    );
    const keptLines = [...outputs.values()].join('').split('\n').filter(Boolean);
    expect(keptLines).toHaveLength(single.kept);
    expect(single.kept + single.duplicates).toBe(single.documents);
  });

  it('removes ≥ 90 % of copies at J ≥ 0.8 (as duplicates of their original) and ≤ 5 % below 0.5', async () => {
    const removed = new Map(
      (await readRemoved(join(root, 'work-2'))).map((r) => [r.id, r.duplicateOf]),
    );
    const high = corpus.pairs.filter((p) => p.jaccard >= 0.8);
    const low = corpus.pairs.filter((p) => p.jaccard < 0.5);
    expect(high.length).toBeGreaterThan(25);
    const caught = high.filter((p) => removed.get(p.copyId) === p.originalId).length;
    expect(caught / high.length).toBeGreaterThanOrEqual(0.9);
    const falseMatches = low.filter((p) => removed.has(p.copyId)).length;
    expect(falseMatches / low.length).toBeLessThanOrEqual(0.05);
    // Originals and unrelated texts always stay.
    for (const id of removed.keys()) expect(id.startsWith('copy-')).toBe(true);
  });

  it('keeps the first document of a cluster and drops exact copies wherever they are', async () => {
    const docs: Document[] = [
      { id: 'a', text: corpus.documents[0].text, metadata: {} },
      { id: 'b', text: corpus.documents[1].text, metadata: {} },
      { id: 'empty', text: ' … ', metadata: {} },
      { id: 'empty-too', text: '', metadata: {} },
    ];
    const later: Document[] = [
      { id: 'b-again', text: corpus.documents[1].text.toUpperCase(), metadata: {} },
      { id: 'a-again', text: `${corpus.documents[0].text}!!`, metadata: {} },
    ];
    const dir = join(root, 'exact');
    await writeDocumentFile({ path: join(root, 'exact-0.jsonl'), documents: docs });
    await writeDocumentFile({ path: join(root, 'exact-1.jsonl'), documents: later });
    await writeFile(join(root, 'exact-2.jsonl'), '');
    const summary = await runDedup({
      inputs: [
        join(root, 'exact-0.jsonl'),
        join(root, 'exact-1.jsonl'),
        join(root, 'exact-2.jsonl'),
      ],
      workDir: join(dir, 'work'),
      outputDir: join(dir, 'out'),
    });
    expect(summary).toMatchObject({ documents: 6, kept: 4, duplicates: 2, clusters: 2 });
    expect(await readRemoved(join(dir, 'work'))).toEqual([
      { id: 'a-again', duplicateOf: 'a' },
      { id: 'b-again', duplicateOf: 'b' },
    ]);
    expect(await readFile(join(dir, 'out', 'exact-1.jsonl'), 'utf8')).toBe('');
    expect(await readFile(join(dir, 'out', 'exact-2.jsonl'), 'utf8')).toBe('');
  });
});
