import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Document } from '@lmkit/crawler-filters';
import {
  nearDuplicatePairs,
  type PlantedCorpus,
  plantedCorpus,
  sampleTexts,
} from '@lmkit/crawler-filters/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from './__fixtures__/capture.ts';
import { dedupCommand } from './dedup-command.ts';
import { runCommand } from './run-command.ts';

const dataDir = fileURLToPath(new URL('../../../data', import.meta.url));

async function outputDocuments(dir: string): Promise<Document[]> {
  const docs: Document[] = [];
  for (const name of (await readdir(dir)).filter((n) => n.startsWith('documents')).sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n').filter(Boolean)) docs.push(JSON.parse(line));
  }
  return docs;
}

// Only dedup and PII: the planted texts are plain text already (no HTML to extract).
const stageArgs = ['--stages', 'minhash-dedup,pii', '--quiet'];

describe('lmkit-fineweb run with dedup, dedup buckets|clusters|filter', () => {
  let root: string;
  let corpus: PlantedCorpus;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'lmkit-fineweb-dedup-'));
    const texts = sampleTexts({ dataDir });
    corpus = plantedCorpus(
      nearDuplicatePairs({ texts, count: 200, seed: 5 }),
      texts.slice(200, 240),
    );
    corpus.documents.push({
      id: 'contact',
      text: `${texts[250]}\nWrite to jane.doe@gmail.com or visit 93.184.216.34 for the rest of the story.`,
      metadata: {},
    });
    const quarter = Math.ceil(corpus.documents.length / 4);
    for (let i = 0; i < 4; i++) {
      const lines = corpus.documents
        .slice(i * quarter, (i + 1) * quarter)
        .map((d) => JSON.stringify(d));
      await writeFile(join(root, `part-${i}.jsonl`), `${lines.join('\n')}\n`);
    }
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('has dedup and PII in the default stage list, last', async () => {
    const out = capture();
    await runCommand({
      argv: ['-i', 'part-0.jsonl', '-o', 'defaults', '--json', '--quiet'],
      cwd: root,
      stdout: out.stream,
    });
    const report = JSON.parse(out.text());
    expect(report.stageNames.slice(-2)).toEqual(['minhash-dedup', 'pii']);
    expect(report.stages.map((s: { stage: string }) => s.stage).slice(-2)).toEqual([
      'minhash-dedup',
      'pii',
    ]);
    expect(report.read).toBe(report.kept + report.dropped + report.errored);
  });

  it('dedups: duplicates in the stats table, PII replaced, nothing else in the output', async () => {
    const out = capture();
    expect(
      await runCommand({
        argv: ['--input', 'part-*.jsonl', '--output', 'single', ...stageArgs],
        cwd: root,
        stdout: out.stream,
      }),
    ).toBe(0);
    expect(out.text()).toMatch(/\| minhash-dedup +\| \d+ +\|/);
    expect(out.text()).toMatch(/dropped: duplicate +\| \d+/);
    const stats = JSON.parse(await readFile(join(root, 'single', 'stats.json'), 'utf8'));
    expect(stats.read).toBe(corpus.documents.length);
    expect(stats.read).toBe(stats.kept + stats.dropped + stats.errored);
    expect((await readdir(join(root, 'single'))).sort()).toEqual([
      'documents-00000.jsonl',
      'stats.json',
    ]);
    const kept = await outputDocuments(join(root, 'single'));
    expect(kept).toHaveLength(stats.kept);
    const contact = kept.find((d) => d.id === 'contact')!;
    expect(contact.text).not.toMatch(/jane\.doe@gmail\.com|93\.184\.216\.34/);

    const plain = capture();
    await runCommand({
      argv: [
        '--input',
        'part-*.jsonl',
        '--output',
        'plain',
        '--no-dedup',
        '--no-pii',
        ...stageArgs,
      ],
      cwd: root,
      stdout: plain.stream,
    });
    expect(plain.text()).not.toMatch(/minhash-dedup|\| pii/);
    expect(await outputDocuments(join(root, 'plain'))).toHaveLength(corpus.documents.length);
    // Leaving them out of --stages turns them off too; PII alone runs without dedup.
    const piiOnly = capture();
    const piiArgs = ['--stages', 'pii', '--quiet'];
    await runCommand({
      argv: ['--input', 'part-*.jsonl', '--output', 'pii-only', ...piiArgs],
      cwd: root,
      stdout: piiOnly.stream,
    });
    expect(piiOnly.text()).not.toMatch(/minhash-dedup/);
    expect(piiOnly.text()).toMatch(/\| pii +\|/);
  });

  it('two Slurm-style tasks through run, dedup buckets, clusters and filter equal the single-task run and meet the rates', async () => {
    const work = ['--work-dir', 'work'];
    for (const task of ['0', '1']) {
      const out = capture();
      await runCommand({
        argv: [
          '--input',
          'part-*.jsonl',
          '--output',
          'split',
          ...work,
          '--task-index',
          task,
          '--task-count',
          '2',
          ...stageArgs,
        ],
        cwd: root,
        stdout: out.stream,
      });
    }
    for (const task of ['0', '1']) {
      await dedupCommand({
        argv: ['buckets', ...work],
        cwd: root,
        stdout: capture().stream,
        env: { SLURM_ARRAY_TASK_ID: task, SLURM_ARRAY_TASK_COUNT: '2' },
      });
    }
    const clusters = capture();
    await dedupCommand({
      argv: ['clusters', ...work, '--json'],
      cwd: root,
      stdout: clusters.stream,
    });
    expect(JSON.parse(clusters.text())).toMatchObject({
      tasks: 2,
      documents: corpus.documents.length,
    });
    for (const task of ['1', '0']) {
      const out = capture();
      await dedupCommand({
        argv: ['filter', ...work, '--output', 'split', '--task-index', task, '--task-count', '2'],
        cwd: root,
        stdout: out.stream,
      });
      expect(out.text()).toMatch(/\| minhash-dedup +\|/);
    }
    const split = await outputDocuments(join(root, 'split'));
    expect(split).toEqual(await outputDocuments(join(root, 'single')));
    const keptIds = new Set(split.map((d) => d.id));
    const high = corpus.pairs.filter((p) => p.jaccard >= 0.8);
    const low = corpus.pairs.filter((p) => p.jaccard < 0.5);
    expect(high.filter((p) => !keptIds.has(p.copyId)).length / high.length).toBeGreaterThanOrEqual(
      0.9,
    );
    expect(low.filter((p) => !keptIds.has(p.copyId)).length / low.length).toBeLessThanOrEqual(0.05);
    expect(corpus.pairs.every((p) => keptIds.has(p.originalId))).toBe(true);
    const taskStats = JSON.parse(
      await readFile(join(root, 'split', 'stats-task00001.json'), 'utf8'),
    );
    expect(taskStats.read).toBe(taskStats.kept + taskStats.dropped + taskStats.errored);
    // A rerun of one task's filter replaces its own shards and leaves the other task's alone.
    await dedupCommand({
      argv: ['filter', ...work, '--output', 'split', '--task-index', '0', '--task-count', '2'],
      cwd: root,
      stdout: capture().stream,
    });
    const listed: string[] = [];
    for (const task of ['00000', '00001']) {
      const stats = JSON.parse(
        await readFile(join(root, 'split', `stats-task${task}.json`), 'utf8'),
      );
      listed.push(...stats.output.map((f: string) => basename(f)), `stats-task${task}.json`);
    }
    expect((await readdir(join(root, 'split'))).sort()).toEqual(listed.sort());
    expect(await outputDocuments(join(root, 'split'))).toEqual(split);
  });

  it('names the missing option or stage', async () => {
    await expect(
      dedupCommand({ argv: ['filter', '--work-dir', 'nowhere', '--output', 'x'], cwd: root }),
    ).rejects.toThrow(/run the filter stage for task 0 first/);
    await expect(dedupCommand({ argv: ['merge', '--work-dir', 'w'], cwd: root })).rejects.toThrow(
      /unknown dedup action "merge"/,
    );
    await expect(dedupCommand({ argv: ['buckets'], cwd: root })).rejects.toThrow(
      /--work-dir is required/,
    );
  });
});
